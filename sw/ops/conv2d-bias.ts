// How conv2d's accumulators start: reset + ALU ADD of the bias rows; ALU MAX(acc, b') over a region the last
// tile left below b' (the requantization offset); or, on cores with the requantization stage, one ALU REQ whose
// words set each accumulator to a per-channel int8 (stageBiasInit). The last two keep the outputs exact by
// moving part of the bias into the epilogue (its shift-and-clip immediates or the stage's zero points).

import type { RequantParam } from '../../hw/vta/requant';
import type { DeviceBuffer, Runtime } from '../runtime';
import { packChannels, requantOffset } from './epilogue';

const INT32_LIMIT = 2 ** 31 - 1;

/** A word the offsets below keep exact: VTA's shift rule, narrow, shifting right by 0..30. */
const rightShift = (p: RequantParam) => p.mode === 'shift' && !p.wide && p.exponent <= 0 && p.exponent >= -30;

/**
 * The stage's init words: per channel, c = the int8 nearest b with c = b mod 2^s (one exists when s <= 8), and the epilogue word's zero point
 * raised by (b - c) / 2^s. The init words (min = max = c) set every accumulator to c whatever it held, and
 * (c + sum) >> s plus that zero point is (b + sum) >> s plus the old one, since b - c is a multiple of 2^s.
 * Null when a word is not a right shift of at most 8 or a zero point leaves int8. Channels past `params` are
 * the padding of the last block (cropped; the parameter table pads them).
 */
export function stageBiasInit(params: readonly RequantParam[], bias: ArrayLike<number>): { epilogue: RequantParam[]; init: RequantParam[] } | null {
  const epilogue: RequantParam[] = [];
  const init: RequantParam[] = [];
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    if (!rightShift(p) || p.exponent < -8) return null;
    const scale = 2 ** -p.exponent;
    // the int8 of b's residue class nearest to b
    let c = ((bias[k] % scale) + scale) % scale;
    c += Math.round((bias[k] - c) / scale) * scale;
    while (c > 127) c -= scale;
    while (c < -128) c += scale;
    const zeroPoint = p.zeroPoint + (bias[k] - c) / scale;
    if (zeroPoint < -128 || zeroPoint > 127) return null;
    epilogue.push({ ...p, zeroPoint });
    init.push({ mode: 'shift', multiplier: 0, exponent: 0, zeroPoint: 0, min: c, max: c });
  }
  return { epilogue, init };
}

/**
 * The stage's counterpart of requantOffset: per channel, b' = b + M * 2^s with the zero point lowered by M (exact:
 * (acc + M * 2^s) >> s = (acc >> s) + M). A narrow REQ leaves ACC at most 127 (whichever ran last there, a
 * fused add's too), so with M the smallest >= 1 that lifts every b' to 127, the next tile over the region starts
 * with one ALU MAX(acc, b') = b'. Null when a word is not a right shift, a zero point leaves int8 or an accumulator could
 * overflow int32 (`taps` products of int8 values on top of b').
 */
export function stageOffset(params: readonly RequantParam[], bias: ArrayLike<number>, taps: number): { epilogue: RequantParam[]; bias: number[] } | null {
  if (!params.length || !params.every(rightShift)) return null;
  const top = 127;
  const epilogue: RequantParam[] = [];
  const shifted: number[] = [];
  for (let k = 0; k < params.length; k++) {
    const p = params[k];
    const scale = 2 ** -p.exponent;
    const M = Math.max(1, Math.ceil((top - bias[k]) / scale));
    const b = bias[k] + M * scale;
    if (p.zeroPoint - M < -128 || Math.abs(b) + taps * 128 * 128 >= INT32_LIMIT) return null;
    epilogue.push({ ...p, zeroPoint: p.zeroPoint - M });
    shifted.push(b);
  }
  return { epilogue, bias: shifted };
}

export interface ConvBiasPlan {
  /** The bias rows each tile loads into ACC behind its outputs (null: none). */
  rows: DeviceBuffer | null;
  /** A buffer conv2d allocated for `rows` (to free afterwards). */
  own: DeviceBuffer | null;
  /** > 0: a tile over a clean region starts with MAX(acc, b'); on the ALU path also emitRequant's offset. */
  offset: number;
  /** The stage's epilogue words, adjusted (undefined without the stage). */
  stage: readonly RequantParam[] | undefined;
  /** The stage's init words (REQ-initialised accumulators), or null. */
  init: RequantParam[] | null;
}

/**
 * Chooses how the accumulators start. `bias` is the caller's bias buffer with its packed [O/BO][B][BO] values
 * (null: none); `delta` the input zero point's share per channel (zero-point.ts), which keeps the reset + ADD
 * start; `aluShift` the ALU epilogue's one shift (null when per-channel vectors rule out requantOffset).
 */
export function planConvBias(
  rt: Runtime,
  bias: { buf: DeviceBuffer; packed: Int32Array } | null,
  opts: { O: number; taps: number; stage: readonly RequantParam[] | undefined; delta: Int32Array | null; aluShift: number | null },
): ConvBiasPlan {
  const cfg = rt.config;
  const { O, taps, stage, delta } = opts;
  const upload = (values: Int32Array) => {
    const own = rt.alloc(values.byteLength);
    rt.copyToDevice(own, values);
    return own;
  };
  const keep: ConvBiasPlan = { rows: bias?.buf ?? null, own: null, offset: 0, stage, init: null };
  if (delta) {
    // the zero point's share of every full window, added to the biases
    const sum = packChannels(cfg, delta, O);
    if (bias) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] + bias.packed[i]) | 0;
    const own = upload(sum);
    return { ...keep, rows: own, own };
  }
  if (!bias) return keep;
  if (stage) {
    const perChannel = Array.from({ length: O }, (_, c) => bias.packed[Math.floor(c / cfg.blockOut) * cfg.batch * cfg.blockOut + (c % cfg.blockOut)]);
    // the init words follow the epilogue's in the parameter buffer: both tables must stay resident
    const init = 2 * Math.ceil(O / cfg.blockOut) <= cfg.requant!.depth ? stageBiasInit(stage, perChannel) : null;
    if (init) return { rows: null, own: null, offset: 0, stage: init.epilogue, init: init.init };
    const lifted = stageOffset(stage, perChannel, taps);
    if (!lifted) return keep;
    const own = upload(packChannels(cfg, lifted.bias, O));
    return { rows: own, own, offset: 1, stage: lifted.epilogue, init: null };
  }
  if (opts.aluShift === null) return keep;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of bias.packed) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const offset = requantOffset(opts.aluShift, lo, hi, taps);
  if (!offset) return keep;
  const add = offset * 2 ** opts.aluShift;
  const own = upload(Int32Array.from(bias.packed, (v) => v + add));
  return { ...keep, rows: own, own, offset };
}
