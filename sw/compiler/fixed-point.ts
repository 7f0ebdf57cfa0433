// TFLite's integer requantization arithmetic (gemmlowp's fixed-point rules as TFLite's reference kernels use
// them): a real multiplier M is an int32 Q31 mantissa m in [2^30, 2^31) and a power-of-two exponent e
// (M = m / 2^31 * 2^e); acc * M = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc * 2^max(e,0), m),
// max(-e, 0)). Products are exact (64-bit through BigInt only where a double could round).

import { multiplyByQuantizedMultiplier } from '../../hw/vta/requant';

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

/**
 * TFLite's int8 average (AveragePool's reference kernel): the sum of the raw int8 values of a window divided
 * by its tap count, rounded half away from zero in integer arithmetic (count / 2 truncates).
 */
export function tfliteAverage(sum: number, count: number): number {
  const half = Math.trunc(count / 2);
  return (sum > 0 ? Math.trunc((sum + half) / count) : Math.trunc((sum - half) / count)) | 0; // | 0: no -0
}

/** An integer weight and a Q31 multiplier that compute tfliteAverage(sum, count) as MultiplyByQuantizedMultiplier(weight * sum). */
export interface ExactAverage {
  weight: number;
  multiplier: number;
  exponent: number;
}

/**
 * Weight w (int8) and Q31 (M, e) with MultiplyByQuantizedMultiplier(w * s, M, e) = tfliteAverage(s, count) for
 * every window sum s of int8 values, checked exhaustively; null if none is found. A negative w with a negative M
 * makes the high multiply exact for powers of two (M = -2^31), a larger |w| gives the rounding more bits.
 */
export function exactAverage(count: number): ExactAverage | null {
  return exactAverages([count])?.[0] ?? null;
}

/**
 * One weight w for several window sizes (a padded pool whose border windows count fewer values) and, per count,
 * the Q31 (M, e) that makes MultiplyByQuantizedMultiplier(w * s, M, e) = tfliteAverage(s, count); null if none.
 */
export function exactAverages(counts: readonly number[]): ExactAverage[] | null {
  if (counts.some((c) => !Number.isInteger(c) || c < 1 || c > 2 ** 16)) return null;
  for (let a = 1; a <= 127; a++) {
    for (const w of [-a, a]) {
      const rules = counts.map((count) => averageRule(w, count));
      if (rules.every((r) => r !== null)) return rules as ExactAverage[];
    }
  }
  return null;
}

/** The Q31 rule averaging `count` int8 values from their sum times w, checked on every sum; null if none. */
function averageRule(w: number, count: number): ExactAverage | null {
  const top = Math.min(32, Math.floor(Math.log2(Math.abs(w) * count)));
  for (let r = top; r >= Math.max(0, top - 1); r--) {
    const ideal = Math.round(2 ** (31 + r) / (w * count));
    for (const m of [ideal, ideal - 1, ideal + 1, ideal - 2, ideal + 2]) {
      if (m < -(2 ** 31) || m > 2 ** 31 - 1) continue;
      let ok = true;
      for (let s = -128 * count; s <= 127 * count && ok; s++) ok = multiplyByQuantizedMultiplier(w * s, m, -r) === tfliteAverage(s, count);
      if (ok) return { weight: w, multiplier: m, exponent: -r };
    }
  }
  return null;
}

// The arithmetic itself lives with the one requantization evaluator, which fsim and the hardware share.
export { multiplyByQuantizedMultiplier, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from '../../hw/vta/requant';

/** Integer clamp bounds of a fused activation on a tensor with scale s and zero point z (TFLite's rule). */
export function activationRange(
  act: { kind: 'none' } | { kind: 'relu' } | { kind: 'clip'; min: number; max: number },
  s: number,
  z: number,
  qmin = -128,
  qmax = 127,
): { min: number; max: number } {
  // TFLite's Quantize here: the quotient in float32, rounded half away from zero
  const q = (v: number) => {
    const t = Math.fround(v / s);
    return z + Math.sign(t) * Math.round(Math.abs(t));
  };
  if (act.kind === 'relu') return { min: Math.max(qmin, q(0)), max: qmax };
  if (act.kind === 'clip') return { min: Math.max(qmin, q(act.min)), max: Math.min(qmax, q(act.max)) };
  return { min: qmin, max: qmax };
}
