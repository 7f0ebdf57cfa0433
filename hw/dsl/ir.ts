/**
 * The IR: plain JSON-able data (discriminated unions on `kind`).
 *
 * All signals in the IR are ground (a bit vector, signed or not); aggregates
 * (Vec, Bundle) are flattened by the front end into `io_in_bits_data`-style
 * names. Invariants the front end guarantees and the backend relies on:
 *  - operands of add/sub/mul/and/or/xor/mux have the result's width;
 *  - operands of comparisons have equal widths;
 *  - widths change only through zext/sext/slice/cat.
 * Literal values are decimal strings of the two's-complement bit pattern
 * (always non-negative), so they survive JSON.
 */
import type { Loc } from './errors';

export type BinOp = 'add' | 'sub' | 'mul' | 'and' | 'or' | 'xor';
export type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type ShiftOp = 'shl' | 'shr' | 'sshr';
export type UnOp = 'not' | 'andr' | 'orr' | 'xorr';
export type ExtOp = 'zext' | 'sext';
export type OpName = BinOp | CmpOp | ShiftOp | UnOp | ExtOp;

export type Expr =
  | { kind: 'ref'; name: string; width: number; signed: boolean }
  | { kind: 'lit'; value: string; width: number; signed: boolean; sym?: string }
  | { kind: 'op'; op: OpName; args: Expr[]; width: number; signed: boolean; shift?: number }
  | { kind: 'slice'; arg: Expr; hi: number; lo: number; width: number; signed: boolean }
  | { kind: 'cat'; args: Expr[]; width: number; signed: boolean }
  | { kind: 'mux'; cond: Expr; a: Expr; b: Expr; width: number; signed: boolean }
  /** Sync read port: the port's data register. Async read: `mem[addr]`. */
  | { kind: 'memread'; mem: string; port: string; addr?: Expr; width: number; signed: boolean };

/** `section`: the label of the `section(label, fn)` a top-level statement or declaration was built in. */
export type Stmt =
  | { kind: 'connect'; target: string; value: Expr; loc?: Loc; section?: string }
  | { kind: 'when'; cond: Expr; then: Stmt[]; else: Stmt[]; loc?: Loc; section?: string }
  | { kind: 'switch'; sel: Expr; cases: SwitchCase[]; default?: Stmt[]; loc?: Loc; section?: string }
  | { kind: 'memwrite'; mem: string; addr: Expr; data: Expr; en: Expr; mask?: Expr; laneWidth?: number; loc?: Loc; section?: string };

export interface SwitchCase {
  values: Expr[];
  body: Stmt[];
}

export interface Port {
  name: string;
  dir: 'input' | 'output';
  width: number;
  signed: boolean;
  loc?: Loc;
}

export type ReadPolicy = 'old' | 'new' | 'undefined';

export interface MemReadPort {
  /** Name of the data signal (a register for sync ports). */
  name: string;
  kind: 'sync' | 'async';
  addr: Expr;
  /** Enable of a sync port (already ANDed with the enclosing `when` conditions). */
  en?: Expr;
  loc?: Loc;
}

export type Decl =
  | { kind: 'wire'; name: string; width: number; signed: boolean; loc?: Loc; section?: string }
  | { kind: 'reg'; name: string; width: number; signed: boolean; init?: Expr; loc?: Loc; section?: string }
  | {
      kind: 'mem';
      name: string;
      depth: number;
      width: number;
      signed: boolean;
      addrWidth: number;
      policy: ReadPolicy;
      readPorts: MemReadPort[];
      loc?: Loc;
      section?: string;
    }
  | { kind: 'instance'; name: string; module: string; ports: InstancePort[]; loc?: Loc; section?: string };

/** An instance port is visible in the parent as the signal `signal` (e.g. `q_io_enq_valid`). */
export interface InstancePort {
  port: string;
  signal: string;
  dir: 'input' | 'output';
  width: number;
  signed: boolean;
}

/** A named constant (FSM state encodings), printed as `localparam`. */
export interface Param {
  name: string;
  width: number;
  value: string;
}

export interface Module {
  name: string;
  ports: Port[];
  params: Param[];
  decls: Decl[];
  body: Stmt[];
  loc?: Loc;
}

export interface Circuit {
  top: string;
  /** Children first; the top module last. */
  modules: Module[];
}

export function exprChildren(e: Expr): Expr[] {
  switch (e.kind) {
    case 'ref':
    case 'lit':
      return [];
    case 'op':
    case 'cat':
      return e.args;
    case 'slice':
      return [e.arg];
    case 'mux':
      return [e.cond, e.a, e.b];
    case 'memread':
      return e.addr ? [e.addr] : [];
  }
}

/** Names of all signals an expression reads (memread of a sync port reads its data signal). */
export function exprRefs(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'ref') out.add(e.name);
  if (e.kind === 'memread' && !e.addr) out.add(e.port);
  for (const c of exprChildren(e)) exprRefs(c, out);
  return out;
}

/** JSON without source locations: two modules with equal `stripLocs` hashes are the same hardware. */
export function stripLocs(m: Module): unknown {
  return JSON.parse(JSON.stringify(m, (k, v) => (k === 'loc' ? undefined : v)));
}
