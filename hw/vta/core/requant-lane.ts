// One lane of the requantization stage (hw/vta/REQUANT.md), combinational: an int32 accumulator and its
// output channel's 64-bit parameter word in, the int8 result out (sign-extended to the accumulator width).
// The reference is hw/vta/requant.ts `requantStage`; test/vta/requant-lane.test.ts checks this against it.
//
// Q31 mode, TFLite's MultiplyByQuantizedMultiplier:
//   x = acc << L (wraps), p = x·M (64-bit), SRDHM = trunc0((p + nudge) / 2^31), INT32_MIN² saturates;
//   v = floor(y / 2^R) + (y mod 2^R > (2^R - 1)/2 + (y < 0))   (RoundingDivideByPOT, R ≤ 32)
// Shift mode: v = acc >> R (arithmetic, 33 bits so R = 32 leaves the sign), or x when e > 0.
// Then out = min(max, max(min, v + zero_point)), with v + zero_point exact in 34 bits.

import { mux, S, U } from '../../dsl';
import type { SInt as SIntV, UInt as UIntV } from '../../dsl';

export const REQ_WORD_BITS = 64;

export function requantLane(acc: SIntV, word: UIntV): SIntV {
  const M = word.bits(31, 0).asSInt();
  const zp = word.bits(39, 32).asSInt();
  const lo = word.bits(47, 40).asSInt();
  const hi = word.bits(55, 48).asSInt();
  const e = word.bits(61, 56);
  const shiftMode = word.bit(63);
  const eNeg = e.bit(5);
  const left = mux(eNeg, U(0, 5), e.bits(4, 0));
  // -e as 6 bits: 1..32 when e < 0
  const right = mux(eNeg, U(0, 6).sub(e), U(0, 6));

  const x = acc.shl(left);
  // SaturatingRoundingDoublingHighMul(x, M)
  // x·M as an unsigned 32x32 product with the two's-complement corrections (exact mod 2^64, and |x·M| < 2^63):
  // a signed product of the DSL widens both operands to 64 bits first, which costs twice the DSP blocks.
  const ux = x.asUInt();
  const um = M.asUInt();
  const correction = mux(x.bit(31), um, U(0, 32)).add(mux(M.bit(31), ux, U(0, 32)));
  const p = ux.mul(um).sub(correction.zext(64).shl(32)).asSInt();
  const pNeg = p.bit(63);
  const nudge = mux(pNeg, S(1 - 2 ** 30, 64), S(2 ** 30, 64));
  const t = p.add(nudge); // |t| < 2^63 except for the saturating case, which is replaced below
  // truncation toward zero: a negative t rounds up by adding 2^31 - 1 before the arithmetic shift
  const tNeg = t.bit(63);
  const q = mux(tNeg, t.add(S(2 ** 31 - 1, 64)), t)
    .shr(31)
    .trunc(32);
  const minMin = x
    .asUInt()
    .eq(U(2 ** 31, 32))
    .and(M.asUInt().eq(U(2 ** 31, 32)));
  const y = mux(minMin, S(2 ** 31 - 1, 32), q);
  // RoundingDivideByPOT(y, right), in 34 bits so that right = 32 and the masks fit
  const y34 = y.sext(34);
  const mask = U(1, 34).shl(right).sub(1);
  const remainder = y34.asUInt().and(mask);
  const threshold = mask.shr(1).add(mux(y.bit(31), U(1, 34), U(0, 34)));
  const rounded = y34.shr(right).add(mux(remainder.gt(threshold), S(1, 34), S(0, 34)));

  const shifted = mux(eNeg, acc.sext(34).shr(right), x.sext(34));
  const v = mux(shiftMode, shifted, rounded).add(zp.sext(34));
  const lo34 = lo.sext(34);
  const hi34 = hi.sext(34);
  const atLeastLo = mux(v.gt(lo34), v, lo34);
  const clamped = mux(atLeastLo.lt(hi34), atLeastLo, hi34);
  // min(hi, max(lo, v)) always lies in int8 (it is hi, or in [lo, hi))
  return clamped.trunc(8).sext(acc.width);
}
