// TFLite's integer requantization arithmetic (gemmlowp's fixed-point rules as TFLite's reference kernels use
// them): a real multiplier M is an int32 Q31 mantissa m in [2^30, 2^31) and a power-of-two exponent e
// (M = m / 2^31 * 2^e); acc * M = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc * 2^max(e,0), m),
// max(-e, 0)). Products are exact (64-bit through BigInt only where a double could round).

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export interface QuantizedMultiplier {
  /** Q31 mantissa (0, or in [2^30, 2^31)). */
  multiplier: number;
  /** Exponent: positive = left shift, negative = right shift. */
  shift: number;
}

/** TFLite's QuantizeMultiplier: frexp, round the mantissa to Q31, renormalise 2^31, flush tiny values to 0. */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (!Number.isFinite(real) || real < 0) throw new RangeError(`quantizeMultiplier: ${real} is not a finite non-negative multiplier`);
  if (real === 0) return { multiplier: 0, shift: 0 };
  let shift = Math.floor(Math.log2(real)) + 1;
  // frexp: real = q * 2^shift with q in [0.5, 1); log2 can be off by one at exact powers of two
  while (real / 2 ** shift >= 1) shift++;
  while (real / 2 ** shift < 0.5) shift--;
  const q = real / 2 ** shift;
  let m = Math.round(q * 2 ** 31);
  if (m === 2 ** 31) {
    m /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: m, shift };
}

/** round(a * b / 2^31), ties upward (gemmlowp's nudge then truncation toward zero); saturates MIN*MIN. */
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

/** x / 2^exponent rounded to nearest, ties away from zero (gemmlowp's RoundingDivideByPOT). */
export function roundingDivideByPOT(x: number, exponent: number): number {
  if (!(exponent >= 0 && exponent <= 31 && (exponent | 0) === exponent)) throw new RangeError(`roundingDivideByPOT: exponent ${exponent} outside 0..31`);
  // int32 bit operations: the low `exponent` bits of x (two's complement) are the non-negative remainder
  const mask = exponent === 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's MultiplyByQuantizedMultiplier(acc, m, shift) on int32 values. */
export function multiplyByQuantizedMultiplier(acc: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul((acc * 2 ** left) | 0, multiplier), right);
}

/** Integer clamp bounds of a fused activation on a tensor with scale s and zero point z (TFLite's rule). */
export function activationRange(
  act: { kind: 'none' } | { kind: 'relu' } | { kind: 'clip'; min: number; max: number },
  s: number,
  z: number,
  qmin = -128,
  qmax = 127,
): { min: number; max: number } {
  const q = (v: number) => z + Math.round(v / s);
  if (act.kind === 'relu') return { min: Math.max(qmin, q(0)), max: qmax };
  if (act.kind === 'clip') return { min: Math.max(qmin, q(act.min)), max: Math.min(qmax, q(act.max)) };
  return { min: qmin, max: qmax };
}
