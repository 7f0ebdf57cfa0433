// Integer requantization on the host: the int32 accumulators of a convolution, dense layer or add to int8,
// by the one scheme evaluator (hw/vta/requant.ts), with the common forms as tight loops.

import { multiplyByQuantizedMultiplier, requantize } from '../../../hw/vta/requant';
import { channelScheme, Requant } from '../ir';

export const wrap = (v: number) => v | 0;

/** round(a * m / 2^31) with TFLite's rounding-doubling high multiply. */
export function mulQ31(a: number, m: number): number {
  const p = BigInt(a) * BigInt(m);
  const nudge = p >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((p + nudge) / (1n << 31n));
}

const perChannel = (a: readonly number[] | undefined, c: number, def: number) => (a === undefined ? def : a.length === 1 ? a[0] : a[c]);

/** Requantizes one int32 accumulator of channel `c` (the shared evaluator, hw/vta/requant.ts). */
export function requantValue(acc: number, r: Requant, c: number): number {
  return requantize(acc, channelScheme(r, c));
}

/**
 * Requantizes channel-major int32 sums (C channels of `inner` values each, repeated per image) into `out`;
 * the common VTA rule (shift, clip) runs as one tight loop per channel.
 */
export function requantizeSums(sums: Float64Array, r: Requant, C: number, inner: number, out: Int8Array): void {
  const simple = !r.multiplier && !r.aluMultiplier && r.rounding !== 'nearest';
  for (let base = 0, c = 0; base < sums.length; base += inner, c = c + 1 === C ? 0 : c + 1) {
    if (simple) {
      const shift = perChannel(r.shift, c, 0);
      const { min, max, zeroPoint } = r;
      for (let k = base; k < base + inner; k++) {
        let v = sums[k] | 0;
        v = shift > 0 ? v >> shift : shift < 0 ? (v * 2 ** -shift) | 0 : v;
        v += zeroPoint;
        out[k] = v < min ? min : v > max ? max : v;
      }
    } else if (r.multiplier && r.rounding === 'nearest') {
      // TFLite's rule with this channel's multiplier and shift read once
      const m = perChannel(r.multiplier, c, 0);
      const shift = -perChannel(r.shift, c, 0);
      const { min, max, zeroPoint } = r;
      const multiply = multiplyByQuantizedMultiplier; // once: an imported binding is a getter call under CommonJS
      for (let k = base; k < base + inner; k++) {
        const v = multiply(sums[k] | 0, m, shift) + zeroPoint;
        out[k] = v < min ? min : v > max ? max : v;
      }
    } else {
      // the channel's scheme built once, not per element
      const scheme = channelScheme(r, c);
      const evaluate = requantize;
      for (let k = base; k < base + inner; k++) out[k] = evaluate(sums[k] | 0, scheme);
    }
  }
}
