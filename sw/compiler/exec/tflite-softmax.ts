// TFLite's int8 SOFTMAX as its reference kernel computes it (TFLite Micro's and TensorFlow's reference_ops):
// input differences from the row maximum scaled to Q5.26, exp by gemmlowp's fixed-point polynomial and
// barrel shifter, the sum of exponentials in Q12.19, its reciprocal by Newton-Raphson, outputs with scale
// 1/256 and zero point -128. Every step is int32 arithmetic with gemmlowp's rounding, so the result is
// bit-exact, unlike a float softmax quantized afterwards (which differs by one step on some values).

import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from '../fixed-point';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
/** Integer bits of the scaled input difference (Q5.26) and of the sum of exponentials (Q12.19). */
const DIFF_INTEGER_BITS = 5;
const ACCUM_INTEGER_BITS = 12;

/** gemmlowp's fixed-point multiply: raw product of Qa and Qb in Q(a+b). */
const mul = saturatingRoundingDoublingHighMul;

/** x * 2^e with saturation (e > 0) or rounding (e < 0): gemmlowp's SaturatingRoundingMultiplyByPOT. */
function mulByPOT(x: number, e: number): number {
  if (e < 0) return roundingDivideByPOT(x, -e);
  const threshold = 2 ** (31 - e) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x * 2 ** e) | 0;
}

/** exp(a) for a Q0.31 value a in [-1/4, 0): a Taylor expansion around -1/8. */
function expOnQuarterInterval(a: number): number {
  const constantTerm = 1895147668; // exp(-1/8) in Q0.31
  const oneThird = 715827883;
  const x = (a + (1 << 28)) | 0;
  const x2 = mul(x, x);
  const x3 = mul(x2, x);
  const x4 = mul(x2, x2);
  const x4Over4 = mulByPOT(x4, -2);
  const poly = mulByPOT((mul((x4Over4 + x3) | 0, oneThird) + x2) | 0, -1);
  return (constantTerm + mul(constantTerm, (x + poly) | 0)) | 0;
}

/** exp(a) for a Q5.26 value a <= 0, as Q0.31 (gemmlowp's exp_on_negative_values). */
export function expOnNegativeValues(a: number): number {
  const fractionalBits = 31 - DIFF_INTEGER_BITS;
  const quarter = 1 << (fractionalBits - 2);
  const modQuarterMinusQuarter = ((a & (quarter - 1)) - quarter) | 0;
  let result = expOnQuarterInterval(mulByPOT(modQuarterMinusQuarter, DIFF_INTEGER_BITS));
  const remainder = (modQuarterMinusQuarter - a) | 0;
  // exp(-2^k) for k = -2..4, in Q0.31: multiply in each one whose bit is set in the remainder
  const barrel: [number, number][] = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [k, m] of barrel) if (remainder & (1 << (fractionalBits + k))) result = mul(result, m);
  return a === 0 ? INT32_MAX : result;
}

/** 1 / (1 + a) for a Q0.31 value a in [0, 1), as Q0.31: Newton-Raphson in Q2.29. */
function oneOverOnePlusX(a: number): number {
  const sum = a + INT32_MAX; // RoundingHalfSum(a, 1): in 64 bits, halved rounding away from zero
  const halfDenominator = Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
  const oneQ2 = 1 << 29;
  let x = (1515870810 + mul(halfDenominator, -1010580540)) | 0; // 48/17 - 32/17 * d
  for (let i = 0; i < 3; i++) {
    const oneMinusDx = (oneQ2 - mul(halfDenominator, x)) | 0;
    x = (x + mulByPOT(mul(x, oneMinusDx), 2)) | 0;
  }
  return mulByPOT(x, 1);
}

/** TFLite's constants for an int8 softmax with input scale `inputScale` and `beta`. */
export interface SoftmaxParams {
  multiplier: number;
  leftShift: number;
  /** Differences below this (from the row maximum) give exp = 0. */
  diffMin: number;
}

/** PreprocessSoftmaxScaling and CalculateInputRadius, as TFLite's Prepare computes them (double rounding). */
export function softmaxParams(inputScale: number, beta = 1): SoftmaxParams {
  const real = Math.min(beta * inputScale * 2 ** (31 - DIFF_INTEGER_BITS), 2 ** 31 - 1);
  const q = quantizeMultiplier(real);
  if (q.shift < 0) throw new RangeError(`softmax: input scale ${inputScale} x beta ${beta} gives a multiplier below one`);
  const radius = Math.floor(((2 ** DIFF_INTEGER_BITS - 1) * 2 ** (31 - DIFF_INTEGER_BITS)) / 2 ** q.shift);
  return { multiplier: q.multiplier, leftShift: q.shift, diffMin: -radius };
}

/**
 * Softmax over `depth` consecutive values of each of `rows` rows (the innermost axis; `stride` apart when
 * the axis is not innermost): int8 in, int8 out with scale 1/256 and zero point -128.
 */
export function softmaxInt8(x: ArrayLike<number>, rows: number, depth: number, stride: number, p: SoftmaxParams, out: Int8Array): void {
  const exps = new Int32Array(depth);
  for (let r = 0; r < rows; r++) {
    // row r: elements base + c * stride
    const base = stride === 1 ? r * depth : Math.floor(r / stride) * depth * stride + (r % stride);
    let max = -128;
    for (let c = 0; c < depth; c++) max = Math.max(max, x[base + c * stride]);
    let sum = 0;
    for (let c = 0; c < depth; c++) {
      const diff = x[base + c * stride] - max;
      exps[c] = diff >= p.diffMin ? expOnNegativeValues(multiplyByQuantizedMultiplier(diff, p.multiplier, p.leftShift)) : 0;
      if (diff >= p.diffMin) sum = (sum + mulByPOT(exps[c], -ACCUM_INTEGER_BITS)) | 0;
    }
    const headroom = Math.clz32(sum);
    const bitsOverUnit = ACCUM_INTEGER_BITS - headroom;
    const shiftedScale = oneOverOnePlusX(((sum << headroom) - INT32_MIN) | 0);
    const exponent = bitsOverUnit + 31 - 8;
    for (let c = 0; c < depth; c++) {
      const diff = x[base + c * stride] - max;
      const v = diff >= p.diffMin ? roundingDivideByPOT(mul(shiftedScale, exps[c]), exponent) - 128 : -128;
      out[base + c * stride] = v > 127 ? 127 : v < -128 ? -128 : v;
    }
  }
}
