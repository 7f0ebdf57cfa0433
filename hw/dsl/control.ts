/** Control statements: when/elsewhen/otherwise and switch/is/default. */
import { captureLoc, fail } from './errors';
import { current } from './context';
import type { Expr, Stmt } from './ir';
import { Bits, Bool, IntLike, litExpr, litValue } from './value';

function cond(c: unknown, what: string): Expr {
  if (!(c instanceof Bool)) fail(`${what}: the condition must be a Bool (use .orR(), .eq(...) or .asBool())`);
  return c.expr;
}
const notE = (e: Expr): Expr => ({ kind: 'op', op: 'not', args: [e], width: 1, signed: false });
const andE = (a: Expr, b: Expr): Expr => ({ kind: 'op', op: 'and', args: [a, b], width: 1, signed: false });
const orE = (a: Expr, b: Expr): Expr => ({ kind: 'op', op: 'or', args: [a, b], width: 1, signed: false });

export interface WhenChain {
  elsewhen(c: Bool, fn: () => void): WhenChain;
  otherwise(fn: () => void): void;
}

/** `when(c, () => ...).elsewhen(c2, () => ...).otherwise(() => ...)`. */
export function when(c: Bool, fn: () => void): WhenChain {
  const b = current();
  const ce = cond(c, 'when');
  const s: Stmt & { kind: 'when' } = { kind: 'when', cond: ce, then: [], else: [], loc: captureLoc() };
  b.push(s);
  b.inBlock(s.then, ce, fn);
  return chain(s);
}

function chain(last: Stmt & { kind: 'when' }): WhenChain {
  let closed = false;
  const check = (): void => {
    if (closed) fail('this when chain already has an otherwise/elsewhen');
    closed = true;
  };
  return {
    elsewhen(c: Bool, fn: () => void): WhenChain {
      check();
      const b = current();
      const ce = cond(c, 'elsewhen');
      const s: Stmt & { kind: 'when' } = { kind: 'when', cond: ce, then: [], else: [], loc: captureLoc() };
      b.inBlock(last.else, notE(last.cond), () => {
        b.push(s);
        b.inBlock(s.then, ce, fn);
      });
      return chain(s);
    },
    otherwise(fn: () => void): void {
      check();
      current().inBlock(last.else, notE(last.cond), fn);
    },
  };
}

export interface SwitchChain {
  /** A case: one key or several; keys are numbers or literal values (e.g. `st.lit('IDLE')`). */
  is(k: IntLike | Bits | readonly (IntLike | Bits)[], fn: () => void): SwitchChain;
  default(fn: () => void): void;
}

/** `switchOn(sel).is(0, () => ...).is([1, 2], () => ...).default(() => ...)` (printed as `case`). */
export function switchOn(sel: Bits): SwitchChain {
  const b = current();
  if (!(sel instanceof Bits)) fail('switch: the selector must be a hardware value');
  const se = sel.expr;
  const s: Stmt & { kind: 'switch' } = { kind: 'switch', sel: se, cases: [], loc: captureLoc() };
  b.push(s);
  const seen = new Set<string>();
  let any: Expr | undefined;
  let closed = false;
  const self: SwitchChain = {
    is(k, fn) {
      if (closed) fail('switch: is() after default()');
      const keys = Array.isArray(k) ? (k as (IntLike | Bits)[]) : [k as IntLike | Bits];
      const values = keys.map((key) => {
        let e: Expr;
        if (key instanceof Bits) {
          e = key.expr;
          if (e.kind !== 'lit') fail(`switch: case key ${key.describe()} is not a constant`);
          if (e.width !== se.width) fail(`switch: case key ${key.describe()} is ${e.width} bits but the selector ${sel.describe()} is ${se.width} bits`);
        } else {
          e = litExpr(key, se.width, sel.signed, `switch on ${sel.describe()}`);
        }
        if (seen.has((e as { value: string }).value)) fail(`switch: duplicate case ${e.kind === 'lit' ? (e.sym ?? litValue(e)) : ''}`);
        seen.add((e as { value: string }).value);
        return e;
      });
      const body: Stmt[] = [];
      s.cases.push({ values, body });
      const c = values.map((v): Expr => ({ kind: 'op', op: 'eq', args: [se, v], width: 1, signed: false })).reduce(orE);
      any = any ? orE(any, c) : c;
      b.inBlock(body, c, fn);
      return self;
    },
    default(fn) {
      if (closed) fail('switch: default() given twice');
      closed = true;
      s.default = [];
      b.inBlock(s.default, any ? notE(any) : undefined, fn);
    },
  };
  return self;
}

/** AND of the enclosing when/switch conditions (true at top level). */
export function pathCondition(): Expr | undefined {
  const cs = current().conds;
  return cs.length ? cs.reduce(andE) : undefined;
}
export { andE };

/**
 * `section('lane (b=0, o=3)', () => ...)`: what fn declares and assigns at the top level is labelled,
 * and the Verilog printer groups it under a `// lane (b=0, o=3)` comment. No effect on the hardware.
 */
export function section(label: string, fn: () => void): void {
  if (/[\r\n]/.test(label)) fail('section: the label must be one line');
  current().inSection(label, fn);
}
