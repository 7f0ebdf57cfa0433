// The epilogue of conv2d and the ALU operators: how int32 accumulators become int8 outputs on the device,
// either as tensor-ALU micro-ops (shift, clip, per-channel vectors, the MUL form) or, on cores with the
// requantization stage, one ALU REQ per tile with per-channel parameters (hw/vta/REQUANT.md).

import type { VtaConfig } from '../../hw/vta/config';
import { encodeParam, REQ_LANE_BYTES, RequantParam } from '../../hw/vta/requant';
import type { Runtime, UopKernel } from '../runtime';
import { OperatorError } from './errors';

const MAX_ITER = 2 ** 14 - 1;

export interface Epilogue {
  /** Arithmetic right shift of the accumulators before the int8 clip (0..31). */
  shift: number;
  relu: boolean;
  /** Clip bounds within int8 (default -128, 127; ReLU raises the lower one to 0). */
  min?: number;
  max?: number;
  /** Per output channel instead of `shift` (vector SHR). */
  channelShift?: ArrayLike<number>;
  /**
   * Per-channel multiplier on the ALU's MUL (ALU_OPS must include MUL): acc = ((acc >> preShift[c]) * multiplier[c]
   * + addend[c]) >> shift, products wrapping at 32 bits; each vector optional.
   */
  preShift?: ArrayLike<number>;
  multiplier?: ArrayLike<number>;
  addend?: ArrayLike<number>;
  /**
   * Per output channel: the requantization stage's parameters (hw/vta/REQUANT.md). The whole epilogue is then
   * one ALU REQ per tile (with `shift` 0 and no other vectors); needs REQUANT_BUFF_DEPTH.
   */
  stage?: readonly RequantParam[];
}

/** The per-output-channel vectors an epilogue loads into ACC next to the bias, in the order they apply. */
export function epilogueVectors(e: Epilogue): { op: 'SHR' | 'MUL' | 'ADD'; values: ArrayLike<number> }[] {
  const v: { op: 'SHR' | 'MUL' | 'ADD'; values: ArrayLike<number> | undefined }[] = [
    { op: 'SHR', values: e.preShift },
    { op: 'MUL', values: e.multiplier },
    { op: 'ADD', values: e.addend },
    { op: 'SHR', values: e.channelShift },
  ];
  return v.filter((x): x is { op: 'SHR' | 'MUL' | 'ADD'; values: ArrayLike<number> } => x.values !== undefined);
}

/** A one-uop kernel over `n` consecutive ACC elements from `base` (dst = src, for immediate ALU ops). */
export function spanKernel(rt: Runtime, base: number, n: number): UopKernel {
  if (n <= MAX_ITER) return rt.kernel(`span:${base}:${n}`, (k) => k.loop(n, 1, 1).push(base, base));
  let inner = MAX_ITER;
  while (n % inner) inner--;
  const outer = n / inner;
  if (outer > MAX_ITER) throw new OperatorError(`${rt.currentOperator}: ${n} ACC elements do not fit the ALU loop counters`);
  return rt.kernel(`span:${base}:${outer}x${inner}`, (k) => k.loop(outer, inner, inner).loop(inner, 1, 1).push(base, base));
}

/** The clamp bounds of a shift-and-clip epilogue: int8, ReLU folded into them (see emitRequant). */
export function clipBounds(epi: { relu: boolean; min?: number; max?: number }): [number, number] {
  const lo = Math.max(-128, epi.min ?? -128);
  const hi = Math.min(127, epi.max ?? 127);
  // max(0, min(max(x, lo), hi)) = clamp(x, max(lo, 0), max(hi, 0)) for lo <= hi
  return epi.relu ? [Math.max(lo, 0), Math.max(hi, 0)] : [lo, hi];
}

/** A shift-and-clip epilogue (VTA's scheme) as the requantization stage's parameters, the same for `O` channels. */
export function shiftClipParams(epi: { shift: number; relu: boolean; min?: number; max?: number }, O: number): RequantParam[] {
  const [min, max] = clipBounds(epi);
  const p: RequantParam = { mode: 'shift', multiplier: 0, exponent: -epi.shift, zeroPoint: 0, min, max };
  return new Array<RequantParam>(O).fill(p);
}

/**
 * SHR by `shift`, then one clamp to int8 (MAX lower, MIN upper; ReLU folded into the lower bound, so two
 * ALU passes instead of three). With `offset` (a multiple of 256) the accumulators hold v + offset
 * afterwards: OUT (the low 8 bits) is the same v, and the ACC values are bounded above by offset + 127,
 * which conv2d's MAX initialisation of the next tile relies on (see requantOffset).
 */
export function emitRequant(
  rt: Runtime,
  base: number,
  n: number,
  epi: { shift: number; relu: boolean; min?: number; max?: number; offset?: number },
  /** The values are int8 already (a max-pool of int8 data): with shift 0, a bound at the int8 limit needs no micro-op. */
  valuesInt8 = false,
): void {
  const k = spanKernel(rt, base, n);
  const off = epi.offset ?? 0;
  const [lo, hi] = clipBounds(epi);
  const needed = (bound: number, limit: number) => !(valuesInt8 && epi.shift === 0 && off === 0 && bound === limit);
  if (epi.shift > 0) rt.pushAlu(k, 'SHR', epi.shift);
  if (needed(lo, -128)) rt.pushAlu(k, 'MAX', off + lo);
  if (needed(hi, 127)) rt.pushAlu(k, 'MIN', off + hi);
}

/**
 * The requantization offset M for conv2d's cheaper accumulator initialisation, or 0 where it does not apply.
 * With biases b' = b + M * 2^shift in ACC, the epilogue SHR, MAX M+lo, MIN M+127 leaves v + M in ACC (OUT, the
 * low 8 bits, is v since M is a multiple of 256) and every ACC value of the tile <= M + 127 <= min b'. So the
 * next tile in that ACC half starts with one ALU MAX(acc, b') = b' instead of a reset GEMM plus an ALU ADD:
 * four ALU/GEMM-reset passes per output element instead of five. Needs shift >= 1, the offset immediates
 * inside the 16-bit immediate and no int32 overflow: |acc| <= taps x 128 x 128 plus the shifted bias.
 */
export function requantOffset(shift: number, biasMin: number, biasMax: number, taps: number): number {
  if (shift < 1 || shift > 24) return 0;
  const scale = 2 ** shift;
  for (let k = 1; 256 * k + 127 <= 32767; k++) {
    const M = 256 * k;
    if (M + 127 > biasMin + M * scale) continue;
    const worst = taps * 128 * 128 + Math.max(Math.abs(biasMin), Math.abs(biasMax)) + M * scale;
    return worst < 2 ** 31 - 1 ? M : 0;
  }
  return 0;
}

/** Packs per-output-channel int32 values like a bias: [O/BO][B][BO], replicated over the batch rows. */
export function packChannels(cfg: VtaConfig, values: ArrayLike<number>, O: number): Int32Array {
  const out = new Int32Array((O / cfg.blockOut) * cfg.batch * cfg.blockOut);
  for (let c = 0; c < values.length; c++) {
    for (let b = 0; b < cfg.batch; b++) out[(Math.floor(c / cfg.blockOut) * cfg.batch + b) * cfg.blockOut + (c % cfg.blockOut)] = values[c];
  }
  return out;
}

export function checkEpilogueVectors(cfg: VtaConfig, e: Epilogue, O: number, name: string): void {
  for (const [key, v] of [
    ['channelShift', e.channelShift],
    ['preShift', e.preShift],
    ['multiplier', e.multiplier],
    ['addend', e.addend],
  ] as const) {
    if (v === undefined) continue;
    if (v.length > O) throw new OperatorError(`${name}: ${key} has ${v.length} values for ${O} output channels`);
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      const shiftLike = key === 'channelShift' || key === 'preShift';
      if (!Number.isInteger(x) || (shiftLike ? x < 0 || x > 31 : x < -(2 ** 31) || x >= 2 ** 31)) {
        throw new OperatorError(`${name}: ${key}[${i}] = ${x} must be ${shiftLike ? 'an integer in 0..31' : 'an int32'}`);
      }
    }
  }
  if (e.multiplier && !cfg.aluOps.includes('MUL')) {
    throw new OperatorError(`${name}: a per-channel multiplier needs the ALU's MUL (configure ALU_OPS with MUL, e.g. --alu-ops MIN,MAX,ADD,SHR,MUL)`);
  }
}

/** Zero parameters for a padded lane: Q31 with M = 0 and clamp [0, 0] (output 0, as LOAD REQ's pads). */
const PAD_PARAM: RequantParam = { mode: 'q31', multiplier: 0, exponent: 0, zeroPoint: 0, min: 0, max: 0 };

/** The stage's parameter entries of `O` channels in DRAM order: entry = one output block, lane words in order. */
export function stageParamTable(cfg: VtaConfig, params: readonly RequantParam[], O: number, name: string): Uint8Array {
  if (!cfg.requant) throw new OperatorError(`${name}: the epilogue needs the requantization stage; this configuration has REQUANT_BUFF_DEPTH 0`);
  // channels past the parameters are the padding to a whole block (their outputs are cropped)
  if (params.length > O) throw new OperatorError(`${name}: ${params.length} requantization parameters for ${O} output channels`);
  const OB = Math.ceil(O / cfg.blockOut);
  const out = new Uint8Array(OB * cfg.requant.elemBytes);
  for (let c = 0; c < OB * cfg.blockOut; c++) {
    try {
      encodeParam(c < params.length ? params[c] : PAD_PARAM, out, c * REQ_LANE_BYTES, `channel ${c}`);
    } catch (e) {
      throw new OperatorError(`${name}: requantization ${(e as Error).message}`);
    }
  }
  return out;
}

/**
 * ALU REQ over `tOC` output blocks of `hw` accumulators each from `accBase`; block k uses parameter entry
 * `paramBase + k`.
 */
export function emitStageRequant(rt: Runtime, accBase: number, paramBase: number, tOC: number, hw: number): void {
  rt.pushRequant(rt.kernel(`req:a${accBase}:p${paramBase}:oc${tOC}:n${hw}`, (kk) => kk.loop(tOC, hw, 1).loop(hw, 1, 0).push(accBase, paramBase)));
}
