// TFLite's int8 ADD, exactly, on a core with the requantization stage (hw/vta/REQUANT.md). Per element:
//   s_k = RoundingDivideByPOT(SRDHM((x_k - z_k) << L_k, M_k), -e_k)   (wide ALU REQs keep the int32 in ACC)
//   out = clamp(RoundingDivideByPOT(SRDHM(s_a + s_b, M_o), -e_o) + z_o)  (an ALU ADD, one narrow ALU REQ)
// so the sum is TFLite's, not an approximation (the GEMM form of an add, add-gemm.ts, has int8 weights).
// With int8 operands in INP (BLOCK_IN = BLOCK_OUT), GEMMs make x - z in ACC: x times an identity block, plus a
// vector of -1s times z·I (a GEMM micro-op a cycle, where an ALU ADD takes ALU_INITIATION_INTERVAL). Without,
// LOAD ACC brings int32 copies and an ALU ADD subtracts z. The shift by L is a wide REQ in shift mode, or part of
// the Q31 word when e_k = 0 (the word's positive exponent shifts left before the product: TFLite's larger-scale
// input). Two virtual threads: INP and ACC in halves that alternate per tile, with VTA's token ping-pong.

import { MEM_TYPE } from '../../hw/vta/config';
import { encodeParam, INT32_MAX, INT32_MIN, MEM_TYPE_REQ, REQ_LANE_BYTES, RequantParam } from '../../hw/vta/requant';
import type { DeviceBuffer, Runtime } from '../runtime';
import { addGemmIssue, scaledIdentities } from './add-gemm';
import { emitStageRequant, spanKernel } from './epilogue';
import { OperatorError } from './errors';

/** One input's rescaling: (x - zeroPoint) << leftShift, then a wide Q31 REQ by multiplier and exponent. */
export interface Q31AddInput {
  zeroPoint: number;
  leftShift: number;
  multiplier: number;
  /** TFLite's exponent (≤ 0 for an ADD's inputs; positive shifts left before the product). */
  exponent: number;
}

export interface Q31AddParams {
  inputs: [Q31AddInput, Q31AddInput];
  /** The sum's requantization: a narrow parameter word (zero point and clamp). */
  output: RequantParam;
}

// the copy GEMM loops over both operands of a tile: 2 x MAX_TILE iterations at most
const MAX_TILE = 2 ** 13 - 1;

/** Why this core cannot run `addQ31` at all (null when it may, depending on the parameters). */
export function addQ31CoreIssue(cfg: Runtime['config']): string | null {
  if (!cfg.requant) return 'the core has no requantization stage (REQUANT_BUFF_DEPTH 0)';
  if (cfg.tensor.acc.depth < 8 || cfg.tensor.inp.depth < 8) return 'the ACC or INP buffer is too small';
  return null;
}

/**
 * Why `p` cannot run exactly (null when it can): every intermediate must be the int32 TFLite computes. With int8
 * x and z, |x - z| ≤ 255, so (x - z) << L is exact in int32 for L ≤ 23 (TFLite uses 20).
 */
export function addQ31ParamsIssue(p: Q31AddParams): string | null {
  for (const [k, i] of p.inputs.entries()) {
    const what = `input ${k}`;
    if (!Number.isInteger(i.zeroPoint) || i.zeroPoint < -128 || i.zeroPoint > 127) return `${what}'s zero point ${i.zeroPoint} lies outside int8`;
    if (!Number.isInteger(i.leftShift) || i.leftShift < 0 || i.leftShift > 23)
      return `${what}'s left shift ${i.leftShift} lies outside 0..23, where (x - z) << shift fits int32`;
    if (!Number.isInteger(i.multiplier) || i.multiplier < INT32_MIN || i.multiplier > INT32_MAX) return `${what}'s multiplier ${i.multiplier} is not an int32`;
    if (!Number.isInteger(i.exponent) || i.exponent < -32 || i.exponent > 31) return `${what}'s exponent ${i.exponent} lies outside -32..31`;
  }
  if (p.output.wide) return 'the output word must be narrow (int8 with zero point and clamp)';
  return null;
}

/** The parameter words; per input, the entries its REQs use in order; the output's entry. */
function stagePlan(p: Q31AddParams): { words: RequantParam[]; passes: number[][]; output: number } {
  const words: RequantParam[] = [];
  const entry = (w: RequantParam) => {
    const k = words.findIndex((x) => JSON.stringify(x) === JSON.stringify(w));
    return k >= 0 ? k : words.push(w) - 1;
  };
  const wide = { zeroPoint: 0, min: 0, max: 0, wide: true };
  const passes = p.inputs.map((i) => {
    // e = 0: RoundingDivideByPOT by 0 is the identity, and the word's positive exponent is the input's left shift
    if (i.exponent === 0) return [entry({ mode: 'q31', multiplier: i.multiplier, exponent: i.leftShift, ...wide })];
    const shift = i.leftShift ? [entry({ mode: 'shift', multiplier: 0, exponent: i.leftShift, ...wide })] : [];
    return [...shift, entry({ mode: 'q31', multiplier: i.multiplier, exponent: i.exponent, ...wide })];
  });
  return { words, passes, output: entry(p.output) };
}

/** Why `addQ31` cannot run `p` on `cfg` (null when it can). */
export function addQ31Issue(cfg: Runtime['config'], p: Q31AddParams): string | null {
  const issue = addQ31CoreIssue(cfg) ?? addQ31ParamsIssue(p);
  if (issue) return issue;
  const entries = stagePlan(p).words.length;
  return entries > cfg.requant!.depth ? `it needs ${entries} parameter entries, the requantization stage has ${cfg.requant!.depth}` : null;
}

/** The parameter entries in DRAM: every lane of entry k holds word k. */
function paramTable(rt: Runtime, words: readonly RequantParam[], name: string): DeviceBuffer {
  const cfg = rt.config;
  const bytes = new Uint8Array(words.length * cfg.requant!.elemBytes);
  words.forEach((w, k) => {
    for (let o = 0; o < cfg.blockOut; o++) encodeParam(w, bytes, k * cfg.requant!.elemBytes + o * REQ_LANE_BYTES, `${name}: parameter ${k}`);
  });
  const buf = rt.alloc(bytes.byteLength);
  rt.copyToDevice(buf, bytes);
  return buf;
}

/**
 * out = TFLite's ADD of `a` and `b` over `vectors` vectors (BATCH x BLOCK_OUT values each). The operands are
 * int8 INP vectors when `operands` is 'inp' (addGemmIssue null), int32 ACC elements when 'acc'.
 */
export async function addQ31(
  rt: Runtime,
  a: DeviceBuffer,
  b: DeviceBuffer,
  out: DeviceBuffer,
  vectors: number,
  p: Q31AddParams,
  operands: 'inp' | 'acc',
  name = 'add',
): Promise<void> {
  const cfg = rt.config;
  const issue = addQ31Issue(cfg, p) ?? (operands === 'inp' ? addGemmIssue(cfg) : null);
  if (issue) throw new OperatorError(`${name}: ${issue}`);
  if (!Number.isSafeInteger(vectors) || vectors < 1) throw new OperatorError(`${name}: vector count must be positive, got ${vectors}`);
  const inBytes = operands === 'inp' ? cfg.tensor.inp.elemBytes : cfg.tensor.acc.elemBytes;
  for (const [what, buf, bytes] of [
    ['a', a, inBytes],
    ['b', b, inBytes],
    ['output', out, cfg.tensor.out.elemBytes],
  ] as const) {
    if (buf.bytes < vectors * bytes) throw new OperatorError(`${name}: ${what} has ${buf.bytes} bytes, ${vectors} vectors need ${vectors * bytes}`);
  }

  const plan = stagePlan(p);
  const req = paramTable(rt, plan.words, name);
  const zps = p.inputs.map((i) => i.zeroPoint);
  // WGT: the identity, then z_a·I and z_b·I; INP: one vector of -1s in the last entry (the GEMMs' zero points)
  const inp = operands === 'inp';
  const wgt = inp ? scaledIdentities(rt, [1, ...zps]) : null;
  const minusOnes = inp ? rt.alloc(cfg.tensor.inp.elemBytes) : null;
  if (minusOnes) rt.copyToDevice(minusOnes, new Int8Array(cfg.tensor.inp.elemBytes).fill(-1));
  const onesEntry = cfg.tensor.inp.depth - 1;
  const V = 2;
  const inpSlot = cfg.tensor.inp.depth >> 1;
  const accSlot = cfg.tensor.acc.depth >> 1;
  // a tile holds both operands side by side in its ACC half (and INP half, less the -1s vector); at least 8
  // tiles of 32 or more vectors, so that loads and stores overlap the compute of the other thread (on TSIM,
  // ResNet-8's adds: 26.3k cycles against 31.0k in as few tiles as fit)
  const T = Math.min(accSlot >> 1, inp ? (inpSlot - 1) >> 1 : MAX_TILE, MAX_TILE, Math.max(32, Math.ceil(vectors / 8)));
  const tiles = Math.ceil(vectors / T);
  const prev = rt.currentOperator;
  rt.setOperator(name);
  try {
    for (let t = 0; t < tiles; t++) {
      const off = t * T;
      const n = Math.min(T, vectors - off);
      const accBase = (t % V) * accSlot;
      const bases = [accBase, accBase + n];
      if (wgt && minusOnes) {
        // load stage: both int8 operands into this thread's INP half
        const inpBase = (t % V) * inpSlot;
        if (t >= V) rt.depPop('compute', 'load');
        if (t === 0) {
          rt.loadBuffer2D(wgt, 0, MEM_TYPE.WGT, 0, 1, 3, 3);
          rt.loadBuffer2D(minusOnes, 0, MEM_TYPE.INP, onesEntry, 1, 1, 1);
        }
        rt.loadBuffer2D(a, off, MEM_TYPE.INP, inpBase, 1, n, n);
        rt.loadBuffer2D(b, off, MEM_TYPE.INP, inpBase + n, 1, n, n);
        rt.depPush('load', 'compute');
        if (t >= V) rt.depPop('store', 'compute');
        rt.depPop('load', 'compute');
        // ACC = x·I + (-1)·(z·I), each GEMM looping over both operands
        rt.pushGemm(
          rt.kernel(`reset:a${accBase}:n${2 * n}`, (k) => k.loop(2 * n, 1, 0, 0).push(accBase, 0, 0)),
          { reset: true },
        );
        rt.pushGemm(rt.kernel(`copy:a${accBase}:i${inpBase}:n${2 * n}`, (k) => k.loop(2 * n, 1, 1, 0).push(accBase, inpBase, 0)));
        if (zps.some((z) => z !== 0)) {
          const key = `zp:a${accBase}:n${n}:i${onesEntry}:${zps.map((z) => (z ? 1 : 0)).join('')}`;
          rt.pushGemm(
            rt.kernel(key, (k) => {
              k.loop(n, 1, 0, 0);
              zps.forEach((z, i) => z !== 0 && k.push(bases[i], onesEntry, 1 + i));
            }),
          );
        }
        if (t + V < tiles) rt.depPush('compute', 'load');
      } else {
        if (t >= V) rt.depPop('store', 'compute');
        rt.loadBuffer2D(a, off, MEM_TYPE.ACC, bases[0], 1, n, n);
        rt.loadBuffer2D(b, off, MEM_TYPE.ACC, bases[1], 1, n, n);
        zps.forEach((z, i) => z !== 0 && rt.pushAlu(spanKernel(rt, bases[i], n), 'ADD', -z));
      }
      if (t === 0) rt.loadBuffer2D(req, 0, MEM_TYPE_REQ, 0, 1, plan.words.length, plan.words.length);
      plan.passes.forEach((entries, i) => entries.forEach((e) => emitStageRequant(rt, bases[i], e, 1, n)));
      rt.pushAlu(
        rt.kernel(`sum:a${accBase}:n${n}`, (k) => k.loop(n, 1, 1).push(bases[0], bases[1])),
        'ADD',
      );
      emitStageRequant(rt, bases[0], plan.output, 1, n);
      rt.depPush('compute', 'store');
      rt.depPop('compute', 'store');
      rt.storeBuffer2D(bases[0], out, off, 1, n, n);
      if (t + V < tiles) rt.depPush('store', 'compute');
    }
    await rt.synchronize();
  } finally {
    rt.setOperator(prev);
    if (wgt) rt.free(wgt);
    if (minusOnes) rt.free(minusOnes);
    rt.free(req);
  }
}
