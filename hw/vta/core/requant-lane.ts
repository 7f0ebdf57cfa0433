// One lane of the requantization stage (hw/vta/REQUANT.md), pipelined: an int32 accumulator and its output
// channel's 64-bit parameter word in, the int8 result (sign-extended to the accumulator width) out
// REQ_LANE_STAGES register stages later (the caller registers the result once more, as for every ALU op).
// The reference is hw/vta/requant.ts `requantStage`; test/vta/requant-lane.test.ts checks this against it.
//
// Q31 mode, TFLite's MultiplyByQuantizedMultiplier:
//   x = acc << L (wraps), p = x·M (64-bit), SRDHM = trunc0((p + nudge) / 2^31), INT32_MIN² saturates;
//   v = floor(y / 2^R) + (y mod 2^R > (2^R - 1)/2 + (y < 0))   (RoundingDivideByPOT, R ≤ 32)
// Shift mode: v = acc >> R (arithmetic, 33 bits so R = 32 leaves the sign), or x when e > 0.
// Then out = min(max, max(min, v + zero_point)), with v + zero_point exact in 34 bits; a wide word (bit 62)
// gives v itself (it always fits int32), bypassing stage 4's zero point and clamp.
//
// Stages (a register after each; the multiply and the rounding chain each get a cycle of their own):
//   1. shifts: x = acc << L, and the shift mode's value
//   2. the 32×32 product (DSP blocks) beside the two's-complement correction and the saturation test
//   3. SRDHM's rounding and RoundingDivideByPOT (one add and a variable shift)
//   4. zero point and clamp, or v for a wide word (then the caller's result register)

import { cat, mux, S, U } from '../../dsl';
import type { HWAny, SInt as SIntV, UInt as UIntV } from '../../dsl';

export const REQ_WORD_BITS = 64;
/** Registers inside requantLane between its inputs and its result. */
export const REQ_LANE_STAGES = 3;

/** Registers a value of stage `stage` (1-based) under a name unique to the lane. */
export type LaneRegister = <T extends HWAny>(value: T, name: string, stage: number) => T;

export function requantLane(acc: SIntV, word: UIntV, register: LaneRegister): SIntV {
  // ---- stage 1: the shifts
  const e = word.bits(61, 56);
  const eNeg = e.bit(5);
  const left = mux(eNeg, U(0, 5), e.bits(4, 0));
  // -e as 6 bits: 1..32 when e < 0
  const right = mux(eNeg, U(0, 6).sub(e), U(0, 6));
  const x0 = acc.shl(left);
  const shifted0 = mux(eNeg, acc.sext(34).shr(right), x0.sext(34));
  const x = register(x0, 'x', 1);
  const M = register(word.bits(31, 0).asSInt(), 'm', 1);
  const right1 = register(right, 'right', 1);
  const params1 = register(word.bits(63, 32), 'params', 1);
  const shifted1 = register(shifted0, 'shifted', 1);

  // ---- stage 2: x·M as an unsigned 32x32 product; the two's-complement corrections (exact mod 2^64, and
  // |x·M| < 2^63) are subtracted in stage 3. A signed product of the DSL widens both operands to 64 bits
  // first, which costs twice the DSP blocks.
  const ux = x.asUInt();
  const um = M.asUInt();
  const correction0 = mux(x.bit(31), um, U(0, 32)).add(mux(M.bit(31), ux, U(0, 32)));
  const minMin0 = ux.eq(U(2 ** 31, 32)).and(um.eq(U(2 ** 31, 32)));
  const product = register(ux.mul(um), 'product', 2);
  const correction = register(correction0, 'correction', 2);
  const minMin = register(minMin0, 'min_min', 2);
  const right2 = register(right1, 'right', 2);
  const params2 = register(params1, 'params', 2);
  const shifted2 = register(shifted1, 'shifted', 2);

  // ---- stage 3: SaturatingRoundingDoublingHighMul's rounding, then RoundingDivideByPOT.
  // With p = x·M, trunc0((p + nudge) / 2^31) = floor((p + 2^30) / 2^31) for either sign of p (for p < 0,
  // truncation adds 2^31 - 1 to p + 1 - 2^30 before the floor), and p = product - correction·2^32.
  const hi = product.add(U(2 ** 30, 64)).bits(62, 31);
  const q = hi.sub(cat(correction.trunc(31), U(0, 1))).asSInt();
  const y = mux(minMin, S(2 ** 31 - 1, 32), q);
  // RoundingDivideByPOT(y, right), in 34 bits so that right = 32 and the masks fit
  const y34 = y.sext(34);
  const mask = U(1, 34).shl(right2).sub(1);
  const remainder = y34.asUInt().and(mask);
  const threshold = mask.shr(1).add(mux(y.bit(31), U(1, 34), U(0, 34)));
  const rounded = y34.shr(right2).add(mux(remainder.gt(threshold), S(1, 34), S(0, 34)));
  const shiftMode = params2.bit(31);
  const v3 = register(mux(shiftMode, shifted2, rounded), 'v', 3);
  const params3 = register(params2.bits(23, 0), 'params', 3);
  const wide3 = register(params2.bit(30), 'wide', 3);

  // ---- stage 4: zero point and clamp
  const zp = params3.bits(7, 0).asSInt();
  const lo = params3.bits(15, 8).asSInt();
  const hiBound = params3.bits(23, 16).asSInt();
  const v = v3.add(zp.sext(34));
  const lo34 = lo.sext(34);
  const hi34 = hiBound.sext(34);
  const atLeastLo = mux(v.gt(lo34), v, lo34);
  const clamped = mux(atLeastLo.lt(hi34), atLeastLo, hi34);
  // min(hi, max(lo, v)) always lies in int8 (it is hi, or in [lo, hi)); v fits int32 (SRDHM's result
  // divided by 2^R, a 32-bit shift's), so truncating it to the accumulator width is exact
  return mux(wide3, v3.trunc(acc.width), clamped.trunc(8).sext(acc.width));
}
