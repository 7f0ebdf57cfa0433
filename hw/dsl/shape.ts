/**
 * Shapes: hardware types, independent of any module. A leaf without `Flip`
 * is an output when used as a port; `Flip` turns it (and its subtree) around.
 */
import { fail } from './errors';

export class UIntT {
  readonly kind = 'uint' as const;
  constructor(readonly width: number) {}
}
export class SIntT {
  readonly kind = 'sint' as const;
  constructor(readonly width: number) {}
}
export class BoolT {
  readonly kind = 'bool' as const;
  readonly width = 1;
}
export class VecT<E extends Shape> {
  readonly kind = 'vec' as const;
  constructor(
    readonly length: number,
    readonly elem: E,
  ) {}
}
export class BundleT<F extends Fields> {
  readonly kind = 'bundle' as const;
  constructor(readonly fields: F) {}
}
export class FlipT<S extends Shape> {
  readonly kind = 'flip' as const;
  constructor(readonly inner: S) {}
}

export type GroundT = UIntT | SIntT | BoolT;
export type Shape = GroundT | VecT<Shape> | BundleT<Fields> | FlipT<Shape>;
export type Fields = { readonly [k: string]: Shape };

function checkWidth(w: number, what: string): number {
  if (!Number.isInteger(w) || w < 1) fail(`${what} width must be a positive integer, got ${w}`);
  return w;
}

export const UInt = (width: number): UIntT => new UIntT(checkWidth(width, 'UInt'));
export const SInt = (width: number): SIntT => new SIntT(checkWidth(width, 'SInt'));
export const Bool = (): BoolT => new BoolT();
export function Vec<E extends Shape>(length: number, elem: E): VecT<E> {
  if (!Number.isInteger(length) || length < 1) fail(`Vec length must be a positive integer, got ${length}`);
  return new VecT(length, elem);
}
export function Bundle<F extends Fields>(fields: F): BundleT<F> {
  for (const k of Object.keys(fields)) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(k) && !/^[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]$/.test(k)) fail(`Bundle field name '${k}' is not a valid identifier`);
  }
  return new BundleT(fields);
}
export const Flip = <S extends Shape>(s: S): FlipT<S> => new FlipT(s);
/** Port-direction aliases: `Input(T)` is `Flip(T)`, `Output(T)` is `T`. */
export const Input = Flip;
export const Output = <S extends Shape>(s: S): S => s;

/** Ready/valid stream: `valid` and `bits` flow forward, `ready` flows back. */
export const Decoupled = <T extends Shape>(bits: T) => Bundle({ valid: Bool(), ready: Flip(Bool()), bits });
export type DecoupledT<T extends Shape> = ReturnType<typeof Decoupled<T>>;
/** Valid-only stream. */
export const Valid = <T extends Shape>(bits: T) => Bundle({ valid: Bool(), bits });

/** Total number of bits of a shape. */
export function bitWidth(s: Shape): number {
  switch (s.kind) {
    case 'uint':
    case 'sint':
    case 'bool':
      return s.width;
    case 'vec':
      return s.length * bitWidth(s.elem);
    case 'bundle':
      return Object.values(s.fields as Fields).reduce((a, f) => a + bitWidth(f), 0);
    case 'flip':
      return bitWidth(s.inner);
  }
}

/** A ground leaf of a shape with its flattened name suffix, flip parity and bit offset (LSB-first). */
export interface Leaf {
  path: string[];
  shape: GroundT;
  flipped: boolean;
}

/** Leaves in declaration order. Vec element i is path segment `${i}`. */
export function shapeLeaves(s: Shape, path: string[] = [], flipped = false, out: Leaf[] = []): Leaf[] {
  switch (s.kind) {
    case 'uint':
    case 'sint':
    case 'bool':
      out.push({ path, shape: s, flipped });
      break;
    case 'vec':
      for (let i = 0; i < s.length; i++) shapeLeaves(s.elem, [...path, String(i)], flipped, out);
      break;
    case 'bundle':
      for (const [k, f] of Object.entries(s.fields as Fields)) shapeLeaves(f, [...path, k], flipped, out);
      break;
    case 'flip':
      shapeLeaves(s.inner, path, !flipped, out);
      break;
  }
  return out;
}

export function shapeEquals(a: Shape, b: Shape): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A short identifier for a shape, for module names: UInt(8) -> U8, Vec(4, SInt(8)) -> V4xS8. */
export function shapeName(s: Shape): string {
  switch (s.kind) {
    case 'uint':
      return `U${s.width}`;
    case 'sint':
      return `S${s.width}`;
    case 'bool':
      return 'B';
    case 'vec':
      return `V${s.length}x${shapeName(s.elem)}`;
    case 'flip':
      return `F${shapeName(s.inner)}`;
    case 'bundle': {
      let h = 0;
      for (const ch of JSON.stringify(s)) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
      return `Bd${h.toString(16).padStart(8, '0')}`;
    }
  }
}
