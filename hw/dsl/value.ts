/**
 * Ground values: UInt, SInt and Bool are distinct classes (mixing them is a
 * compile error; `.asSInt()` / `.asUInt()` / `.asBool()` convert). Widths are
 * runtime numbers, checked eagerly. See README.md for the width-rule table.
 *
 * A value is either a signal (wire, reg, port, memory data) or an expression.
 * Signal references are resolved against the active builder, so a child's
 * port read from the parent names the parent-side signal.
 */
import { captureLoc, fail } from './errors';
import { current, SigInfo } from './context';
import type { Expr, OpName } from './ir';

export type IntLike = number | bigint;

const mask = (w: number): bigint => (1n << BigInt(w)) - 1n;

function toBig(v: IntLike | boolean, what: string): bigint {
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'number' && !Number.isSafeInteger(v)) fail(`literal ${v} for ${what} is not a safe integer (use a bigint)`);
  return BigInt(v);
}

/** A literal of the given type; errors when the value does not fit. */
export function litExpr(v: IntLike | boolean, width: number, signed: boolean, what: string): Expr {
  const x = toBig(v, what);
  const lo = signed ? -(1n << BigInt(width - 1)) : 0n;
  const hi = signed ? (1n << BigInt(width - 1)) - 1n : mask(width);
  if (x < lo || x > hi) {
    fail(`literal ${x} does not fit ${signed ? 'SInt' : 'UInt'}(${width}) of ${what} (range ${lo}..${hi})`);
  }
  return { kind: 'lit', value: String(x & mask(width)), width, signed };
}

/** Value of a literal node as a (signed or unsigned) bigint. */
export function litValue(e: Expr & { kind: 'lit' }): bigint {
  const u = BigInt(e.value);
  return e.signed && e.width > 0 && (u >> BigInt(e.width - 1)) & 1n ? u - (1n << BigInt(e.width)) : u;
}

/** Short text for error messages. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'ref':
      return e.name;
    case 'lit':
      return e.sym ?? `${e.width}'d${e.value}`;
    case 'op':
      return `${e.op}(${e.args.map(exprText).join(', ')}${e.shift !== undefined ? `, ${e.shift}` : ''})`;
    case 'slice':
      return `${exprText(e.arg)}[${e.hi}:${e.lo}]`;
    case 'cat':
      return `{${e.args.map(exprText).join(', ')}}`;
    case 'mux':
      return `(${exprText(e.cond)} ? ${exprText(e.a)} : ${exprText(e.b)})`;
    case 'memread':
      return e.addr ? `${e.mem}[${exprText(e.addr)}]` : e.port;
  }
}

// ---- expression constructors with constant folding --------------------------------

export function extExpr(e: Expr, width: number, signed: boolean): Expr {
  if (e.width === width) return e;
  if (e.width > width) fail(`internal: cannot extend ${e.width} bits to ${width}`);
  if (e.kind === 'lit') {
    const v = signed ? litValue({ ...e, signed: true }) : BigInt(e.value);
    return { kind: 'lit', value: String(v & mask(width)), width, signed: e.signed };
  }
  // An extension of an extension of the same kind is one extension (no temporary for the inner one).
  if (e.kind === 'op' && e.op === (signed ? 'sext' : 'zext')) return { ...e, width };
  return { kind: 'op', op: signed ? 'sext' : 'zext', args: [e], width, signed: e.signed };
}

export function sliceExpr(e: Expr, hi: number, lo: number): Expr {
  const width = hi - lo + 1;
  if (e.kind === 'lit') return { kind: 'lit', value: String((BigInt(e.value) >> BigInt(lo)) & mask(width)), width, signed: false };
  if (lo === 0 && hi === e.width - 1) return e.signed ? ({ ...e, signed: false } as Expr) : e;
  if (e.kind === 'slice') return sliceExpr(e.arg, e.lo + hi, e.lo + lo);
  // Low slices commute with wrapping arithmetic and bitwise ops: no temporary needed.
  if (lo === 0 && e.kind === 'op' && ['add', 'sub', 'mul', 'and', 'or', 'xor', 'not'].includes(e.op)) {
    // a multiply keeps its signedness: the low bits are the same either way, and a signed multiply of
    // sign-extended operands is what synthesis narrows back to the operands' own widths
    return { ...e, args: e.args.map((a) => sliceExpr(a, hi, 0)), width, signed: e.op === 'mul' ? e.signed : false };
  }
  if (e.kind === 'op' && (e.op === 'zext' || e.op === 'sext') && hi < e.args[0].width) return sliceExpr(e.args[0], hi, lo);
  // The low bits of an extension reaching past its operand: a narrower extension of the same operand.
  if (lo === 0 && e.kind === 'op' && (e.op === 'zext' || e.op === 'sext')) {
    return width === e.args[0].width ? withSigned(e.args[0], false) : { ...e, width, signed: false };
  }
  if (e.kind === 'op' && e.op === 'zext' && lo >= e.args[0].width) return { kind: 'lit', value: '0', width, signed: false };
  if (e.kind === 'cat') {
    // Select within one concatenated part when possible.
    let off = e.width;
    for (const a of e.args) {
      off -= a.width;
      if (lo >= off && hi < off + a.width) return sliceExpr(a, hi - off, lo - off);
    }
  }
  if (e.kind === 'mux' && lo === 0) return { ...e, a: sliceExpr(e.a, hi, 0), b: sliceExpr(e.b, hi, 0), width, signed: false };
  return { kind: 'slice', arg: e, hi, lo, width, signed: false };
}

function withSigned(e: Expr, signed: boolean): Expr {
  return e.signed === signed ? e : ({ ...e, signed } as Expr);
}

// ---- the value classes ------------------------------------------------------------

type Src = { node: Expr; sig?: undefined } | { sig: SigInfo; node?: undefined };

export abstract class Bits {
  /** @internal */ readonly _node?: Expr;
  /** @internal */ readonly _sig?: SigInfo;
  abstract readonly signed: boolean;
  constructor(
    src: Src,
    readonly width: number,
  ) {
    this._node = src.node;
    this._sig = src.sig;
  }

  /** The IR expression, with signal references resolved in the module being built. */
  get expr(): Expr {
    if (this._node) return this._node;
    const s = this._sig!;
    return { kind: 'ref', name: current().nameOf(s, captureLoc()), width: s.width, signed: s.signed };
  }

  /** `UInt(8)`, `SInt(4)`, `Bool`. */
  abstract typeName(): string;
  /** Name for messages: the signal name or a short expression text. */
  describe(): string {
    if (this._sig) return `'${this._sig.name}'`;
    return `'${exprText(this._node!)}'`;
  }
  protected abstract wrap(e: Expr): this;

  /** Coerce an operand of a binary op: same class required; numbers take this width. */
  protected operand(b: Bits | IntLike | boolean, op: string): Expr {
    if (b instanceof Bits) {
      if (b.constructor !== this.constructor) {
        fail(`${op}: cannot mix ${this.typeName()} ${this.describe()} with ${b.typeName()} ${b.describe()}; convert with .asUInt()/.asSInt()/.asBool()`);
      }
      return b.expr;
    }
    return litExpr(b, this.width, this.signed, `${op} with ${this.describe()}`);
  }

  /** Like operand, but extends both sides to the larger width (for arithmetic/compare). */
  protected pair(b: Bits | IntLike | boolean, op: string, extra = 0): [Expr, Expr, number] {
    const bx = this.operand(b, op);
    const w = Math.max(this.width, bx.width) + extra;
    return [extExpr(this.expr, w, this.signed), extExpr(bx, w, this.signed), w];
  }

  protected mkOp(op: OpName, args: Expr[], width: number, signed: boolean, shift?: number): Expr {
    const e: Expr = { kind: 'op', op, args, width, signed };
    if (shift !== undefined) (e as { shift?: number }).shift = shift;
    return e;
  }

  // ---- bitwise (equal widths) ----
  private bitwise(op: 'and' | 'or' | 'xor', b: this | IntLike | boolean): this {
    const bx = this.operand(b, op);
    if (bx.width !== this.width) {
      fail(`${op}: width mismatch: ${this.describe()} is ${this.width} bits but ${(b as Bits).describe()} is ${bx.width} bits; use zext/sext/trunc/resize`);
    }
    return this.wrap(this.mkOp(op, [this.expr, bx], this.width, this.signed));
  }
  and(b: this | IntLike | boolean): this {
    return this.bitwise('and', b);
  }
  or(b: this | IntLike | boolean): this {
    return this.bitwise('or', b);
  }
  xor(b: this | IntLike | boolean): this {
    return this.bitwise('xor', b);
  }
  not(): this {
    return this.wrap(this.mkOp('not', [this.expr], this.width, this.signed));
  }

  // ---- equality, reductions ----
  eq(b: this | IntLike | boolean): Bool {
    const [x, y] = this.pair(b, 'eq');
    return new Bool({ node: this.mkOp('eq', [x, y], 1, false) });
  }
  ne(b: this | IntLike | boolean): Bool {
    const [x, y] = this.pair(b, 'ne');
    return new Bool({ node: this.mkOp('ne', [x, y], 1, false) });
  }
  andR(): Bool {
    return new Bool({ node: this.width === 1 ? withSigned(this.expr, false) : this.mkOp('andr', [this.expr], 1, false) });
  }
  orR(): Bool {
    return new Bool({ node: this.width === 1 ? withSigned(this.expr, false) : this.mkOp('orr', [this.expr], 1, false) });
  }
  xorR(): Bool {
    return new Bool({ node: this.width === 1 ? withSigned(this.expr, false) : this.mkOp('xorr', [this.expr], 1, false) });
  }

  // ---- bit selection and reinterpretation ----
  bits(hi: number, lo: number): UInt {
    if (!Number.isInteger(hi) || !Number.isInteger(lo) || lo < 0 || hi < lo || hi >= this.width) {
      fail(`bits(${hi}, ${lo}) out of range for ${this.typeName()} ${this.describe()}`);
    }
    return new UInt({ node: sliceExpr(this.expr, hi, lo) }, hi - lo + 1);
  }
  bit(i: number): Bool {
    return this.bits(i, i).asBool();
  }
  asUInt(): UInt {
    return new UInt({ node: withSigned(this.expr, false) }, this.width);
  }
  asSInt(): SInt {
    return new SInt({ node: withSigned(this.expr, true) }, this.width);
  }
  asBool(): Bool {
    if (this.width !== 1) fail(`asBool: ${this.describe()} is ${this.width} bits, not 1`);
    return new Bool({ node: withSigned(this.expr, false) });
  }

  // ---- assignment ----
  /** Drive this signal: a wire/output gets combinational logic, a reg its next state. Last assignment wins. */
  set(v: this | IntLike | boolean): void {
    const b = current();
    const loc = captureLoc();
    const sig = this._sig;
    if (!sig) fail(`cannot assign to expression ${this.describe()}: only wires, regs and ports can be set`, loc);
    if (sig.kind === 'memdata') fail(`cannot assign to memory read data '${sig.name}'`, loc);
    if (sig.owner === b.module) {
      if (sig.kind === 'port' && sig.dir === 'input') fail(`cannot drive input port '${sig.name}' of ${b.moduleName}: it is driven by the parent module`, loc);
    } else {
      const inst = b.instances.get(sig.owner);
      if (inst && sig.kind === 'port' && sig.dir === 'output') {
        fail(
          `double driver: '${inst.name}_${sig.name}' is an output of instance '${inst.name}' and is driven there; ${b.moduleName} cannot also drive it`,
          loc,
        );
      }
    }
    const target = b.nameOf(sig, loc);
    let value: Expr;
    if (v instanceof Bits) {
      if (v.constructor !== this.constructor)
        fail(`type mismatch: cannot assign ${v.typeName()} ${v.describe()} to ${this.typeName()} '${target}'; convert with .asUInt()/.asSInt()/.asBool()`, loc);
      if (v.width !== this.width)
        fail(`width mismatch: '${target}' is ${this.typeName()} but ${v.describe()} is ${v.typeName()}; use zext/sext/trunc/resize`, loc);
      value = v.expr;
    } else {
      value = litExpr(v, this.width, this.signed, `'${target}'`);
    }
    b.push({ kind: 'connect', target, value, loc });
  }

  /** Name this expression: declares a wire `name` driven by it (a continuous assignment). */
  named(name: string): this {
    const b = current();
    const loc = captureLoc();
    b.claim(name, loc);
    const sig: SigInfo = { owner: b.module, name, kind: 'wire', width: this.width, signed: this.signed, loc };
    b.decls.push({ kind: 'wire', name, width: this.width, signed: this.signed, loc });
    b.pushRoot({ kind: 'connect', target: name, value: this.expr, loc });
    return this._withSig(sig);
  }
  /** @internal */
  _withSig(sig: SigInfo): this {
    const C = this.constructor as new (src: Src, w: number) => this;
    return new C({ sig }, this.width);
  }
}

/** Shared arithmetic of UInt and SInt. */
abstract class Num extends Bits {
  /** Wrapping add: max(wa, wb) bits. */
  add(b: this | IntLike): this {
    const [x, y, w] = this.pair(b, 'add');
    return this.wrap(this.mkOp('add', [x, y], w, this.signed));
  }
  /** Wrapping subtract: max(wa, wb) bits. */
  sub(b: this | IntLike): this {
    const [x, y, w] = this.pair(b, 'sub');
    return this.wrap(this.mkOp('sub', [x, y], w, this.signed));
  }
  /** Expanding add: max(wa, wb) + 1 bits. */
  addx(b: this | IntLike): this {
    const [x, y, w] = this.pair(b, 'addx', 1);
    return this.wrap(this.mkOp('add', [x, y], w, this.signed));
  }
  /** Expanding subtract: max(wa, wb) + 1 bits. */
  subx(b: this | IntLike): this {
    const [x, y, w] = this.pair(b, 'subx', 1);
    return this.wrap(this.mkOp('sub', [x, y], w, this.signed));
  }
  /** Full product: wa + wb bits (a number operand takes this width). */
  mul(b: this | IntLike): this {
    const bx = this.operand(b, 'mul');
    const w = this.width + bx.width;
    return this.wrap(this.mkOp('mul', [extExpr(this.expr, w, this.signed), extExpr(bx, w, this.signed)], w, this.signed));
  }
  private cmp(op: 'lt' | 'le' | 'gt' | 'ge', b: this | IntLike): Bool {
    const [x, y] = this.pair(b, op);
    return new Bool({ node: this.mkOp(op, [x, y], 1, false) });
  }
  lt(b: this | IntLike): Bool {
    return this.cmp('lt', b);
  }
  le(b: this | IntLike): Bool {
    return this.cmp('le', b);
  }
  gt(b: this | IntLike): Bool {
    return this.cmp('gt', b);
  }
  ge(b: this | IntLike): Bool {
    return this.cmp('ge', b);
  }

  /** Shift left, keeping the width (bits shifted out are lost). By a constant or a UInt signal. */
  shl(n: number | UInt): this {
    return this.shift('shl', n);
  }
  /** Shift right, keeping the width; arithmetic for SInt, logical for UInt. */
  shr(n: number | UInt): this {
    return this.shift(this.signed ? 'sshr' : 'shr', n);
  }
  private shift(op: 'shl' | 'shr' | 'sshr', n: number | UInt): this {
    if (typeof n === 'number') {
      if (!Number.isInteger(n) || n < 0) fail(`${op}: shift amount must be a non-negative integer, got ${n}`);
      return this.wrap(this.mkOp(op, [this.expr], this.width, this.signed, n));
    }
    if (!(n instanceof UInt)) fail(`${op}: shift amount must be a number or a UInt`);
    return this.wrap(this.mkOp(op, [this.expr, n.expr], this.width, this.signed));
  }

  /** Zero-extend to w >= width bits. */
  zext(w: number): this {
    this.checkGrow('zext', w);
    return this.wrap(extExpr(this.expr, w, false));
  }
  /** Sign-extend to w >= width bits. */
  sext(w: number): this {
    this.checkGrow('sext', w);
    return this.wrap(extExpr(this.expr, w, true));
  }
  /** Keep the low w <= width bits. */
  trunc(w: number): this {
    if (!Number.isInteger(w) || w < 1 || w > this.width) fail(`trunc(${w}): ${this.describe()} has ${this.width} bits`);
    return this.wrap(withSigned(sliceExpr(this.expr, w - 1, 0), this.signed));
  }
  /** Extend (sign-extend for SInt) or truncate to w bits. */
  resize(w: number): this {
    return w >= this.width ? this.wrap(extExpr(this.expr, w, this.signed)) : this.trunc(w);
  }
  private checkGrow(op: string, w: number): void {
    if (!Number.isInteger(w) || w < this.width) fail(`${op}(${w}): ${this.describe()} already has ${this.width} bits; use trunc to narrow`);
  }
}

export class UInt extends Num {
  declare readonly _kind: 'uint';
  readonly signed = false;
  typeName(): string {
    return `UInt(${this.width})`;
  }
  protected wrap(e: Expr): this {
    return new UInt({ node: e }, e.width) as this;
  }
}

export class SInt extends Num {
  declare readonly _kind: 'sint';
  readonly signed = true;
  typeName(): string {
    return `SInt(${this.width})`;
  }
  protected wrap(e: Expr): this {
    return new SInt({ node: e }, e.width) as this;
  }
  /** Two's-complement negation (wrapping), same width. */
  neg(): this {
    return this.wrap(this.mkOp('sub', [litExpr(0, this.width, true, 'neg'), this.expr], this.width, true));
  }
}

export class Bool extends Bits {
  declare readonly _kind: 'bool';
  readonly signed = false;
  constructor(src: Src) {
    super(src, 1);
  }
  typeName(): string {
    return 'Bool';
  }
  protected wrap(e: Expr): this {
    return new Bool({ node: e }) as this;
  }
}

export type Ground = UInt | SInt | Bool;

// ---- constants and free functions ------------------------------------------------------

/** UInt constant. */
export const U = (v: IntLike, width: number): UInt => new UInt({ node: litExpr(v, width, false, 'U()') }, width);
/** SInt constant. */
export const S = (v: IntLike, width: number): SInt => new SInt({ node: litExpr(v, width, true, 'S()') }, width);
/** Bool constant. */
export const B = (v: boolean): Bool => new Bool({ node: litExpr(v, 1, false, 'B()') });

/** Concatenation, first argument most significant (as in Verilog `{a, b}`). */
export function cat(...xs: Bits[]): UInt {
  if (xs.length === 0) fail('cat() needs at least one argument');
  if (xs.length === 1) return xs[0].asUInt();
  const args = xs.map((x) => x.expr);
  const width = args.reduce((a, e) => a + e.width, 0);
  return new UInt({ node: { kind: 'cat', args, width, signed: false } }, width);
}

/** `c ? a : b`. Both arms have the same type and width; a number arm takes the other's width. */
export function mux<T extends Bits>(c: Bool, a: T | IntLike | boolean, b: T | IntLike | boolean): T {
  if (!(c instanceof Bool)) fail('mux: the condition must be a Bool');
  const proto = a instanceof Bits ? a : b instanceof Bits ? b : fail('mux: at least one arm must be a hardware value');
  const ax = (proto as unknown as { operand(x: unknown, op: string): Expr }).operand(a, 'mux');
  const bx = (proto as unknown as { operand(x: unknown, op: string): Expr }).operand(b, 'mux');
  if (ax.width !== bx.width) fail(`mux: width mismatch between arms (${ax.width} vs ${bx.width} bits); use zext/sext/trunc/resize`);
  const node: Expr = { kind: 'mux', cond: c.expr, a: ax, b: bx, width: ax.width, signed: proto.signed };
  return (proto as unknown as { wrap(e: Expr): T }).wrap(node);
}

/** Balanced binary reduction (e.g. an adder tree): depth ceil(log2(n)). */
export function reduceTree<T>(xs: readonly T[], f: (a: T, b: T) => T): T {
  if (xs.length === 0) fail('reduceTree: empty input');
  let level = [...xs];
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(f(level[i], level[i + 1]));
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** Bits needed to index n entries (at least 1). */
export function log2Ceil(n: number): number {
  let w = 0;
  while (1 << w < n) w++;
  return Math.max(1, w);
}

/** Make a ground value of a given type from a signal. */
export function groundOf(kind: 'uint' | 'sint' | 'bool', sig: SigInfo): Ground {
  if (kind === 'uint') return new UInt({ sig }, sig.width);
  if (kind === 'sint') return new SInt({ sig }, sig.width);
  return new Bool({ sig });
}
/** Make a ground value of a given type from an expression. */
export function groundExpr(kind: 'uint' | 'sint' | 'bool', node: Expr): Ground {
  if (kind === 'uint') return new UInt({ node: withSigned(node, false) }, node.width);
  if (kind === 'sint') return new SInt({ node: withSigned(node, true) }, node.width);
  return new Bool({ node: withSigned(node, false) });
}
