/** Declarations inside build(): wire, reg and their helpers. */
import { captureLoc, fail, Loc } from './errors';
import { current, Builder } from './context';
import type { Expr } from './ir';
import { flatName, HW, HWAny, leavesOf, makeAny, shapeOf, signalValue } from './hw';
import { Shape, shapeLeaves } from './shape';
import { Bits, Bool, IntLike, litExpr } from './value';
import { when } from './control';

/** A number/boolean applied to every leaf, or a value of the same shape. */
export type InitOf<S extends Shape> = IntLike | boolean | HW<S>;

function initExprs(shape: Shape, init: unknown, name: string): Expr[] {
  const leaves = shapeLeaves(shape);
  if (typeof init === 'number' || typeof init === 'bigint' || typeof init === 'boolean') {
    return leaves.map((l) => litExpr(init, l.shape.width, l.shape.kind === 'sint', `'${flatName(name, l.path)}'`));
  }
  const vs = leavesOf(init as HWAny, shape);
  return vs.map(({ v }, i) => {
    const l = leaves[i];
    if (v.width !== l.shape.width || v.signed !== (l.shape.kind === 'sint')) {
      fail(
        `width mismatch: initial value ${v.describe()} is ${v.typeName()} but '${flatName(name, l.path)}' is ${l.shape.kind === 'sint' ? 'SInt' : l.shape.kind === 'bool' ? 'Bool' : 'UInt'}(${l.shape.width})`,
      );
    }
    return v.expr;
  });
}

function declare(b: Builder, kind: 'wire' | 'reg', name: string, shape: Shape, loc: Loc | undefined, init?: Expr[]): HWAny {
  let i = 0;
  return makeAny(shape, (path, g) => {
    const n = flatName(name, path);
    b.claim(n, loc);
    const signed = g.kind === 'sint';
    if (kind === 'wire') {
      b.decls.push({ kind: 'wire', name: n, width: g.width, signed, loc });
      if (init) b.pushRoot({ kind: 'connect', target: n, value: init[i], loc });
    } else {
      b.decls.push(init ? { kind: 'reg', name: n, width: g.width, signed, init: init[i], loc } : { kind: 'reg', name: n, width: g.width, signed, loc });
    }
    i++;
    return signalValue(g, { owner: b.module, name: n, kind, loc });
  });
}

/**
 * A combinational signal. It must be assigned on every path (a `default` is an
 * unconditional first assignment), so latches cannot be written.
 */
export function wire<S extends Shape>(name: string, shape: S, opts: { default?: InitOf<S> } = {}): HW<S> {
  const b = current();
  const loc = captureLoc();
  const d = (opts as { default?: unknown }).default;
  const init = d !== undefined ? initExprs(shape, d, name) : undefined;
  return declare(b, 'wire', name, shape, loc, init) as unknown as HW<S>;
}

/** A register on the implicit clock; `init` is its value under the synchronous, active-high reset. */
export function reg<S extends Shape>(name: string, shape: S, opts: { init?: InitOf<S> } = {}): HW<S> {
  const b = current();
  const loc = captureLoc();
  const i0 = (opts as { init?: unknown }).init;
  const init = i0 !== undefined ? initExprs(shape, i0, name) : undefined;
  return declare(b, 'reg', name, shape, loc, init) as unknown as HW<S>;
}

function autoName(b: Builder, x: HWAny, suffix: string): string {
  const base = x instanceof Bits && x._sig ? `${x._sig.name}_${suffix}` : `_${suffix}`;
  let n = base;
  for (let i = 1; b.names.has(n); i++) n = `${base}_${i}`;
  return n;
}

/** Assign every leaf of `dst` from `src` (same shape, directions ignored). */
export function assignAll(dst: HWAny, src: HWAny): void {
  const d = leavesOf(dst);
  const s = leavesOf(src, shapeOf(dst));
  d.forEach((l, i) => (l.v as Bits).set(s[i].v as never));
}

function regAny(name: string, shape: Shape, init: unknown): HWAny {
  const b = current();
  const loc = captureLoc();
  return declare(b, 'reg', name, shape, loc, init !== undefined ? initExprs(shape, init, name) : undefined);
}

/** A register loaded with `x` every cycle (Chisel RegNext). */
export function regNext<T extends HWAny>(x: T, opts: { name?: string; init?: IntLike | boolean | T } = {}): T {
  const b = current();
  const shape = shapeOf(x);
  const r = regAny(opts.name ?? autoName(b, x, 'next'), shape, opts.init) as T;
  assignAll(r, x);
  return r;
}

/** A register loaded with `x` when `en` is high, else holding (Chisel RegEnable). */
export function regEnable<T extends HWAny>(x: T, en: Bool, opts: { name?: string; init?: IntLike | boolean | T } = {}): T {
  const b = current();
  const shape = shapeOf(x);
  const r = regAny(opts.name ?? autoName(b, x, 'en'), shape, opts.init) as T;
  when(en, () => assignAll(r, x));
  return r;
}
