/**
 * HW<S>: the value type of a shape. Ground shapes map to UInt/SInt/Bool, a Vec
 * to a readonly array, a Bundle to an object with the same (typed) keys, so
 * `io.in.bits.data` autocompletes and carries its width.
 */
import { fail } from './errors';
import type { SigInfo } from './context';
import { BoolT, BundleT, FlipT, Fields, GroundT, SIntT, Shape, UIntT, VecT, bitWidth } from './shape';
import { Bits, Bool, Ground, SInt, UInt, cat, groundExpr, groundOf, mux, sliceExpr } from './value';

export type HW<S, D extends 0[] = []> = D['length'] extends 12
  ? HWAny
  : S extends UIntT
    ? UInt
    : S extends SIntT
      ? SInt
      : S extends BoolT
        ? Bool
        : S extends VecT<infer E>
          ? readonly HW<E, [...D, 0]>[]
          : S extends BundleT<infer F>
            ? { readonly [K in keyof F]: HW<F[K], [...D, 0]> }
            : S extends FlipT<infer I>
              ? HW<I, [...D, 0]>
              : never;
// (the depth counter D bounds TS's expansion of HW<T> for a generic T extends Shape)
export type HWVec<E> = readonly HW<E>[];
export type HWBundle<F> = { readonly [K in keyof F]: HW<F[K]> };

/** Any hardware value: ground, Vec (array) or Bundle (object). */
export type HWAny = Bits | readonly HWAny[] | { readonly [k: string]: HWAny };

const shapes = new WeakMap<object, Shape>();

/** The shape an aggregate value was built from (ground values give their own type). */
export function shapeOf(v: HWAny): Shape {
  if (v instanceof UInt) return new UIntT(v.width);
  if (v instanceof SInt) return new SIntT(v.width);
  if (v instanceof Bool) return new BoolT();
  const s = shapes.get(v as object);
  if (!s) fail('value has no known shape (aggregates must come from port/wire/reg/mem or vecOf/bundleOf)');
  return s;
}

/** Flattened signal name: `io` + ['in','bits','data'] -> `io_in_bits_data`. */
export function flatName(prefix: string, path: readonly string[]): string {
  return [prefix, ...path].filter((p) => p !== '').join('_');
}

type LeafFn = (path: string[], g: GroundT, flipped: boolean) => Ground;

/** Build a value of `shape` whose leaves come from `leaf(path, shape, flipped)`. */
export function makeHW<S extends Shape>(shape: S, leaf: LeafFn): HW<S> {
  return build(shape, leaf, [], false) as unknown as HW<S>;
}

/** Untyped makeHW (avoids deep type instantiation in generic code). */
export function makeAny(shape: Shape, leaf: LeafFn): HWAny {
  return build(shape, leaf, [], false);
}

function build(s: Shape, leaf: LeafFn, path: string[], flipped: boolean): HWAny {
  switch (s.kind) {
    case 'uint':
    case 'sint':
    case 'bool':
      return leaf(path, s, flipped);
    case 'flip':
      return build(s.inner as Shape, leaf, path, !flipped);
    case 'vec': {
      const arr: HWAny[] = [];
      for (let i = 0; i < s.length; i++) arr.push(build(s.elem as Shape, leaf, [...path, String(i)], flipped));
      Object.freeze(arr);
      shapes.set(arr, s);
      return arr;
    }
    case 'bundle': {
      const obj: Record<string, HWAny> = {};
      for (const [k, f] of Object.entries(s.fields as Fields)) obj[k] = build(f, leaf, [...path, k], flipped);
      Object.freeze(obj);
      shapes.set(obj, s);
      return obj;
    }
  }
}

/** Ground leaves of a value in shape order, with their flip parity relative to the root. */
export function leavesOf(v: HWAny, shape: Shape = shapeOf(v), flipped = false, out: { v: Ground; flipped: boolean }[] = []): { v: Ground; flipped: boolean }[] {
  switch (shape.kind) {
    case 'uint':
    case 'sint':
    case 'bool':
      out.push({ v: v as Ground, flipped });
      break;
    case 'flip':
      leavesOf(v, shape.inner as Shape, !flipped, out);
      break;
    case 'vec':
      (v as readonly HWAny[]).forEach((e) => leavesOf(e, shape.elem as Shape, flipped, out));
      break;
    case 'bundle':
      for (const [k, f] of Object.entries(shape.fields as Fields)) leavesOf((v as Record<string, HWAny>)[k], f, flipped, out);
      break;
  }
  return out;
}

/** A ground value for a declared signal. */
export function signalValue(g: GroundT, sig: Omit<SigInfo, 'width' | 'signed'>): Ground {
  return groundOf(g.kind, { ...sig, width: g.width, signed: g.kind === 'sint' });
}

/** Wrap a plain array of values as a Vec value (for connect/pack). */
export function vecOf<T extends HWAny>(xs: readonly T[]): readonly T[] {
  if (xs.length === 0) fail('vecOf: empty');
  const arr = Object.freeze([...xs]);
  shapes.set(arr, new VecT(xs.length, shapeOf(xs[0])));
  return arr;
}

/** All bits of a value as one UInt, LSB-first in shape order (element 0 / first field in the low bits). */
export function packBits(v: HWAny): Bits[] {
  return leavesOf(v)
    .map((l) => l.v)
    .reverse();
}

/** `xs[idx]` for a dynamic index: a mux chain per leaf; indices >= length select the last element. */
export function vecAt<T extends HWAny>(xs: readonly T[], idx: UInt): T {
  if (xs.length === 0) fail('vecAt: empty vector');
  const shape = shapeOf(xs[0]);
  const leaves = xs.map((x) => leavesOf(x, shape).map((l) => l.v));
  let i = 0;
  return makeAny(shape, (_p, g) => {
    const k = i++;
    // Out-of-range indices select the last element.
    let acc: Ground = leaves[xs.length - 1][k];
    for (let j = xs.length - 2; j >= 0; j--) acc = mux(idx.eq(j), leaves[j][k] as Bits, acc as Bits) as Ground;
    return groundExpr(g.kind, acc.expr);
  }) as T;
}

/**
 * All bits of a value as one UInt: element 0 / the first field in the low bits
 * (the layout of a packed bus and of memory words).
 */
export function pack(v: HWAny): UInt {
  const bits = packBits(v);
  return bits.length === 1 ? bits[0].asUInt() : cat(...bits);
}

/** View a UInt bus as a value of `shape` (inverse of `pack`); e.g. `unpack(Vec(16, SInt(8)), io.inp)`. */
export function unpack<S extends Shape>(shape: S, bus: UInt): HW<S> {
  const w = bitWidth(shape);
  if (bus.width !== w) fail(`unpack: ${bus.describe()} is ${bus.width} bits but the shape needs ${w}`);
  let off = 0;
  const e = bus.expr;
  return makeHW(shape, (_p, g) => {
    const part = sliceExpr(e, off + g.width - 1, off);
    off += g.width;
    return groundExpr(g.kind, part);
  });
}
