// Requantization, written once: how an int32 accumulator becomes an int8 output. One tagged union of the
// schemes the stack uses, one evaluator, and the hardware stage's parameter word (REQUANT.md), so that the
// int8 reference, the operator references, fsim and the RTL's tests all compute the same thing.
//
//   shift   VTA's scheme: v = acc >> s (s > 0; 'floor' is the ALU's SHR, 'half-up' adds 2^(s-1) first),
//           or wrap(acc << -s) (s < 0); out = clamp(v + zeroPoint, min, max).
//   q31     TFLite's MultiplyByQuantizedMultiplier with gemmlowp's double rounding, as TFLite Micro's
//           reference kernels compute it: v = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(
//           wrap(acc << max(e, 0)), M), max(-e, 0)); out = clamp(v + zeroPoint, min, max).
//   alu-mul the tensor ALU's MUL form: v = wrap((acc >> preShift) * multiplier), then the shift form.
// The zero point is added exactly (no 32-bit wrap) before the clamp; the clamp is min(max, max(min, v)).

import { ConfigError } from './errors';

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

interface Output {
  zeroPoint: number;
  min: number;
  max: number;
  /** The int32 value v itself: no zero point, no clamp (the stage's wide words, REQUANT.md). */
  wide?: boolean;
}
export type ShiftRounding = 'floor' | 'half-up';
export interface ShiftScheme extends Output {
  kind: 'shift';
  /** Right shift when positive, left shift (wrapping) when negative. */
  shift: number;
  rounding: ShiftRounding;
}
export interface Q31Scheme extends Output {
  kind: 'q31';
  /** Q31 mantissa (int32). */
  multiplier: number;
  /** TFLite's exponent: positive shifts left before the product, negative rounds right after it. */
  exponent: number;
}
export interface AluMulScheme extends Output {
  kind: 'alu-mul';
  preShift: number;
  multiplier: number;
  shift: number;
  rounding: ShiftRounding;
}
/** The requantization of one output channel. */
export type RequantScheme = ShiftScheme | Q31Scheme | AluMulScheme;

/** round(a * b / 2^31), ties upward (gemmlowp's nudge, then truncation toward zero); saturates MIN*MIN. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const p = a * b;
  if (Number.isSafeInteger(p)) {
    // exact in a double: nudge, then divide truncating toward zero (C++ integer division)
    const nudged = p >= 0 ? p + 2 ** 30 : p + 1 - 2 ** 30;
    return Math.trunc(nudged / 2 ** 31) | 0;
  }
  // a * b is up to 2^62: split b in 16-bit halves so every partial product and sum is exact in a double
  const bh = Math.floor(b / 65536);
  const hi = a * bh; // |hi| < 2^47
  const q1 = Math.floor(hi / 32768);
  // a*b = q1 * 2^31 + rem, with rem = (hi - q1*2^15) * 2^16 + a * (b - bh*2^16), plus the nudge
  const rem = (hi - q1 * 32768) * 65536 + a * (b - bh * 65536) + (p >= 0 ? 2 ** 30 : 1 - 2 ** 30);
  const q2 = Math.floor(rem / 2 ** 31);
  const floorQ = q1 + q2;
  // floor division so far; C++ truncates toward zero: a negative quotient with a remainder rounds up
  return (floorQ < 0 && rem - q2 * 2 ** 31 !== 0 ? floorQ + 1 : floorQ) | 0; // | 0: no -0
}

/**
 * x / 2^exponent rounded to nearest, ties away from zero (gemmlowp's RoundingDivideByPOT). TFLite uses
 * exponents 0..31; 32 (the hardware stage's exponent field allows it) follows the same rule.
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 32) throw new RangeError(`roundingDivideByPOT: exponent ${exponent} outside 0..32`);
  if (exponent < 31 && (x | 0) === x) {
    // the common case in int32 bit operations (the executors call this per element): the low bits of x in
    // two's complement are the non-negative remainder
    const mask = (1 << exponent) - 1;
    return (x >> exponent) + ((x & mask) > (mask >> 1) + (x < 0 ? 1 : 0) ? 1 : 0);
  }
  const floor = Math.floor(x / 2 ** exponent); // exact: a power-of-two division of an int32
  const remainder = x - floor * 2 ** exponent; // x & (2^e - 1), as a non-negative number
  const threshold = Math.floor((2 ** exponent - 1) / 2) + (x < 0 ? 1 : 0);
  return floor + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier(acc, m, exponent) on int32 values (exponent -32..31). */
export function multiplyByQuantizedMultiplier(acc: number, multiplier: number, exponent: number): number {
  const left = exponent > 0 ? exponent : 0;
  const right = exponent > 0 ? 0 : -exponent;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul((acc * 2 ** left) | 0, multiplier), right);
}

/** The shift form: right by s (floor or half-up; s ≥ 32 leaves the sign), left by -s with wrap. */
export function shiftValue(v: number, shift: number, rounding: ShiftRounding): number {
  if (shift > 0) {
    if (rounding === 'half-up') return Math.floor((v + 2 ** (shift - 1)) / 2 ** shift);
    return v >> (shift > 31 ? 31 : shift);
  }
  if (shift < 0) return -shift >= 32 ? 0 : (v * 2 ** -shift) | 0;
  return v;
}

/** The one evaluator: the int8 (or narrower) output of int32 accumulator `acc` under `r`; v itself when `r.wide`. */
export function requantize(acc: number, r: RequantScheme): number {
  let v: number;
  switch (r.kind) {
    case 'shift':
      v = shiftValue(acc, r.shift, r.rounding);
      break;
    case 'q31':
      v = multiplyByQuantizedMultiplier(acc, r.multiplier, r.exponent);
      break;
    case 'alu-mul':
      v = shiftValue(Math.imul(acc >> r.preShift, r.multiplier), r.shift, r.rounding);
      break;
  }
  if (r.wide) return v;
  return Math.min(r.max, Math.max(r.min, v + r.zeroPoint));
}

// ---- the hardware requantization stage (REQUANT.md) ----

/** LOAD memory_type of the parameter buffer (VTA's 5 is ACC_8BIT, so the extension takes 6). */
export const MEM_TYPE_REQ = 6;
/** ALU opcode of the requantizing write-back (VTA's are 0..4). */
export const ALU_OPCODE_REQ = 5;
/** Bytes of one lane's parameter word. */
export const REQ_LANE_BYTES = 8;

/** One output lane's parameters, as the stage reads them from its buffer. */
export interface RequantParam {
  /** 'q31': TFLite's rule; 'shift': VTA's acc >> -exponent (left by exponent when positive), floor. */
  mode: 'q31' | 'shift';
  /** int32 Q31 mantissa (ignored in 'shift' mode). */
  multiplier: number;
  /** Signed 6-bit exponent, -32..31, positive = left (TFLite's convention). */
  exponent: number;
  /** int8 zero point and clamp bounds (ignored when `wide`). */
  zeroPoint: number;
  min: number;
  max: number;
  /** Bit 62: the result is the int32 value v itself, written to ACC (its low 8 bits to OUT). */
  wide?: boolean;
}

/** Bit of the parameter word's top byte that selects shift mode (word bit 63) and the wide result (bit 62). */
const TOP_MODE_SHIFT = 0x80;
const TOP_WIDE = 0x40;

const sext = (v: number, bits: number) => (v >= 2 ** (bits - 1) ? v - 2 ** bits : v);

/** The scheme a parameter word means. */
export function paramScheme(p: RequantParam): RequantScheme {
  const out = { zeroPoint: p.zeroPoint, min: p.min, max: p.max, ...(p.wide ? { wide: true } : {}) };
  return p.mode === 'q31'
    ? { kind: 'q31', multiplier: p.multiplier, exponent: p.exponent, ...out }
    : { kind: 'shift', shift: -p.exponent, rounding: 'floor', ...out };
}

/** Decodes the 8-byte little-endian parameter word at `offset` (REQUANT.md "Parameter word"). */
export function decodeParam(bytes: Uint8Array, offset = 0): RequantParam {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, REQ_LANE_BYTES);
  const top = view.getUint8(7);
  return {
    mode: top & TOP_MODE_SHIFT ? 'shift' : 'q31',
    multiplier: view.getInt32(0, true),
    exponent: sext(top & 0x3f, 6),
    zeroPoint: view.getInt8(4),
    min: view.getInt8(5),
    max: view.getInt8(6),
    ...(top & TOP_WIDE ? { wide: true } : {}),
  };
}

/** Encodes a parameter word; every field is range-checked (`what` names it in errors). */
export function encodeParam(p: RequantParam, out: Uint8Array = new Uint8Array(REQ_LANE_BYTES), offset = 0, what = 'requant parameter'): Uint8Array {
  const check = (name: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`${what}: ${name} = ${v} outside [${lo}, ${hi}]`);
  };
  check('multiplier', p.multiplier, INT32_MIN, INT32_MAX);
  check('exponent', p.exponent, -32, 31);
  for (const k of ['zeroPoint', 'min', 'max'] as const) check(k, p[k], -128, 127);
  const view = new DataView(out.buffer, out.byteOffset + offset, REQ_LANE_BYTES);
  view.setInt32(0, p.multiplier, true);
  view.setInt8(4, p.zeroPoint);
  view.setInt8(5, p.min);
  view.setInt8(6, p.max);
  view.setUint8(7, (p.mode === 'shift' ? TOP_MODE_SHIFT : 0) | (p.wide ? TOP_WIDE : 0) | (p.exponent & 0x3f));
  return out;
}

/** The stage on one lane: the int8 result of accumulator `acc` under the parameter word `p` (int32 when wide). */
export function requantStage(acc: number, p: RequantParam): number {
  return requantize(acc, paramScheme(p));
}

/** A scheme as a parameter word, or the reason the stage cannot run it (the lowering's decision). */
export function schemeParam(r: RequantScheme): RequantParam | string {
  const int8 = [r.zeroPoint, r.min, r.max].every((v) => Number.isInteger(v) && v >= -128 && v <= 127);
  if (!int8) return 'its zero point or clamp bounds lie outside int8';
  const out = { zeroPoint: r.zeroPoint, min: r.min, max: r.max };
  if (r.kind === 'q31') {
    if (r.exponent < -32 || r.exponent > 31) return `its exponent ${r.exponent} lies outside -32..31`;
    return { mode: 'q31', multiplier: r.multiplier, exponent: r.exponent, ...out };
  }
  if (r.kind === 'alu-mul') return 'the ALU-MUL form runs as ALU micro-ops, not in the requantization stage';
  if (r.rounding !== 'floor') return 'the stage shifts with floor rounding (fold half-up into the bias)';
  if (r.shift < -31 || r.shift > 32) return `its shift ${r.shift} lies outside -31..32`;
  return { mode: 'shift', multiplier: 0, exponent: -r.shift, ...out };
}

/** Checks the REQUANT_BUFF_DEPTH configuration key: 0 (no stage) or a power of two the micro-op can index. */
export function checkRequantDepth(depth: number, srcIndexBits: number, accDepth: number, where: string): void {
  if (depth === 0) return;
  if (depth < 2 || (depth & (depth - 1)) !== 0)
    throw new ConfigError(`${where}: REQUANT_BUFF_DEPTH = ${depth} must be 0 (no requantization stage) or a power of two ≥ 2`);
  if (depth > accDepth || Math.log2(depth) > srcIndexBits) {
    throw new ConfigError(`${where}: REQUANT_BUFF_DEPTH = ${depth} exceeds the accumulator buffer's ${accDepth} entries, which bound the micro-op's src index`);
  }
}
