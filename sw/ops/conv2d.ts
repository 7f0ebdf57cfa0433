// conv2d on packed layouts (NCHWnc activations, OIHWoi weights): any kernel size, stride and padding
// (padding by the load unit's pad fields), grouped; tiles chosen to fit the buffers; two virtual threads:
// INP/WGT halves alternate per step and ACC/OUT halves per output tile, with the load->compute->store
// token ping-pong so loads of step j+1 and the store of tile t-1 overlap the GEMMs of step j.

import { MEM_TYPE, VtaConfig } from '../../hw/vta/config';
import type { DeviceBuffer, Runtime, UopKernel } from '../runtime';
import { MEM_TYPE_REQ } from '../../hw/vta/requant';
import { OperatorError } from './errors';
import { Conv2dGeometry, outputSize } from './geometry';
import { borderClasses, planZeroPoint } from './zero-point';
import { planConvBias } from './conv2d-bias';
import { checkEpilogueVectors, emitRequant, emitStageRequant, Epilogue, epilogueVectors, packChannels, shiftClipParams, stageParamTable } from './epilogue';

export { outputSize };
export type { Epilogue };
export { emitRequant, requantOffset, spanKernel } from './epilogue';
export type { Conv2dGeometry };

/**
 * How many per-channel ACC vectors conv2dPacked keeps per tile (bias, epilogue vectors, zero-point border
 * corrections): what planConv2d must reserve for a plan passed in from outside.
 */
export function conv2dVectorCount(g: Conv2dGeometry, epi: Epilogue, hasBias: boolean, inputZeroPoint = 0): number {
  return (hasBias || inputZeroPoint ? 1 : 0) + epilogueVectors(epi).length + (inputZeroPoint ? borderClasses(g).length : 0);
}

export interface Conv2dPlan {
  /** Output-channel blocks, input-channel blocks, output rows and columns per tile. */
  tOC: number;
  tIC: number;
  tH: number;
  tW: number;
  /** Weights of a group fit one WGT half: loaded once per half and group, then reused. */
  weightsResident: boolean;
  /** Estimated DRAM bytes of the plan (loads, stores and instructions). */
  estBytes: number;
  /** Estimated cycles (planConv2d's cost model; 0 for hand-made plans). */
  estCycles?: number;
  /**
   * Virtual threads along output channels and output rows (TVM's oc_nthread, h_nthread; default 2 and 1).
   * Their product V splits INP, WGT and ACC into V slots that consecutive steps and tiles rotate through,
   * so loads and stores of one overlap the GEMMs of another; V = 1 runs every stage in turn with whole
   * buffers. With h threads only, output rows are the innermost tile loop instead of output channels.
   */
  ocThreads?: number;
  hThreads?: number;
}

const MAX_KERNEL_UOPS = 1900;
const MAX_ITER = 2 ** 14 - 1;

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

export function checkGeometry(cfg: VtaConfig, g: Conv2dGeometry, name: string): void {
  const ints = Object.entries(g);
  for (const [k, v] of ints) {
    if (!Number.isSafeInteger(v) || v < 0) throw new OperatorError(`${name}: ${k} must be a non-negative integer, got ${v}`);
  }
  for (const k of ['N', 'C', 'H', 'W', 'O', 'KH', 'KW', 'strideH', 'strideW', 'groups'] as const) {
    if (g[k] < 1) throw new OperatorError(`${name}: ${k} must be at least 1, got ${g[k]}`);
  }
  if (g.N % cfg.batch) throw new OperatorError(`${name}: batch ${g.N} is not a multiple of BATCH ${cfg.batch}; pack with padding`);
  if (g.C % g.groups || g.O % g.groups) throw new OperatorError(`${name}: channels ${g.C}->${g.O} do not divide into ${g.groups} groups`);
  if ((g.C / g.groups) % cfg.blockIn) {
    throw new OperatorError(
      `${name}: ${g.C / g.groups} input channels per group is not a multiple of BLOCK_IN ${cfg.blockIn} (pad the channels; depthwise-style groups are not supported)`,
    );
  }
  if ((g.O / g.groups) % cfg.blockOut) {
    throw new OperatorError(`${name}: ${g.O / g.groups} output channels per group is not a multiple of BLOCK_OUT ${cfg.blockOut}; pad the channels`);
  }
  for (const [k, pad, kern] of [
    ['padTop', g.padTop, g.KH],
    ['padBottom', g.padBottom, g.KH],
    ['padLeft', g.padLeft, g.KW],
    ['padRight', g.padRight, g.KW],
  ] as const) {
    if (pad > 15) throw new OperatorError(`${name}: ${k} ${pad} exceeds the load unit's 4-bit pad field (at most 15)`);
    if (pad >= kern) throw new OperatorError(`${name}: ${k} ${pad} must be smaller than the kernel (${kern}); pad the input instead`);
  }
  const { OH, OW } = outputSize(g);
  if (OH < 1 || OW < 1) throw new OperatorError(`${name}: the ${g.KH}x${g.KW} kernel does not fit the padded ${g.H}x${g.W} input`);
}

/** The virtual threads of a plan (oc x h), 2 x 1 unless the plan says otherwise. */
export function planThreads(p: Pick<Conv2dPlan, 'ocThreads' | 'hThreads'>): number {
  return (p.ocThreads ?? 2) * (p.hThreads ?? 1);
}

/**
 * Why `plan` cannot run `g` on `cfg` (a buffer slot overflows, a loop extent or the micro-op budget is
 * exceeded, the tile does not divide the channels), or null when it can.
 */
export function conv2dPlanIssue(
  cfg: VtaConfig,
  g: Conv2dGeometry,
  vectors: boolean | number,
  plan: Pick<Conv2dPlan, 'tOC' | 'tIC' | 'tH' | 'tW' | 'ocThreads' | 'hThreads'>,
): string | null {
  const { OH, OW } = outputSize(g);
  const ICBg = g.C / g.groups / cfg.blockIn;
  const OCBg = g.O / g.groups / cfg.blockOut;
  const KK = g.KH * g.KW;
  const { tOC, tIC, tH, tW } = plan;
  for (const [k, v] of [
    ['ocThreads', plan.ocThreads ?? 2],
    ['hThreads', plan.hThreads ?? 1],
  ] as const) {
    if (v !== 1 && v !== 2) return `${k} ${v} must be 1 or 2`;
  }
  const V = planThreads(plan);
  if (V > cfg.depQueueDepth) return `${V} virtual threads need ${V} tokens in flight; the dependency queues hold ${cfg.depQueueDepth}`;
  for (const [k, v, max] of [
    ['tOC', tOC, OCBg],
    ['tIC', tIC, ICBg],
    ['tH', tH, OH],
    ['tW', tW, OW],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1 || v > max) return `${k} ${v} must be an integer in 1..${max}`;
  }
  if (OCBg % tOC) return `tOC ${tOC} does not divide the ${OCBg} output-channel blocks`;
  if (ICBg % tIC) return `tIC ${tIC} does not divide the ${ICBg} input-channel blocks`;
  const single = g.groups === 1 && tOC === OCBg && tIC === ICBg;
  const wgtSlot = Math.floor(cfg.tensor.wgt.depth / V);
  if (tOC * tIC * KK > (single ? cfg.tensor.wgt.depth : wgtSlot))
    return `weights ${tOC}x${tIC}x${KK} = ${tOC * tIC * KK} exceed the WGT ${single ? 'buffer' : 'slot'} (${single ? cfg.tensor.wgt.depth : wgtSlot})`;
  if (tIC * KK * tW > MAX_KERNEL_UOPS) return `the GEMM kernel needs ${tIC * KK * tW} micro-ops (budget ${MAX_KERNEL_UOPS})`;
  if (tW > MAX_ITER || tH > MAX_ITER) return `a loop extent exceeds ${MAX_ITER}`;
  const inCols = (tW - 1) * g.strideW + g.KW;
  const inRows = (tH - 1) * g.strideH + g.KH;
  const inpSlot = Math.floor(cfg.tensor.inp.depth / V);
  if (tIC * inRows * inCols > inpSlot) return `input ${tIC}x${inRows}x${inCols} = ${tIC * inRows * inCols} exceeds the INP slot (${inpSlot})`;
  // conv2d() keeps a tile's accumulators and vectors within half of ACC even with one thread (its own check)
  const accSlot = Math.floor(cfg.tensor.acc.depth / Math.max(V, 2));
  const nVec = typeof vectors === 'number' ? vectors : vectors ? 1 : 0;
  const acc = tOC * tH * tW + nVec * tOC;
  if (acc > accSlot) return `accumulators ${tOC}x${tH}x${tW}${nVec ? ` + ${nVec}x${tOC} channel vectors` : ''} = ${acc} exceed the ACC slot (${accSlot})`;
  return null;
}

/** Every legal tiling of `g` for the given thread counts, each with the cost model's cycles and bytes. */
export function enumerateConv2dPlans(
  cfg: VtaConfig,
  g: Conv2dGeometry,
  vectors: boolean | number,
  threads: readonly { oc: number; h: number }[] = [{ oc: 2, h: 1 }],
): Conv2dPlan[] {
  const { OH, OW } = outputSize(g);
  const ICBg = g.C / g.groups / cfg.blockIn;
  const OCBg = g.O / g.groups / cfg.blockOut;
  const tWs = new Set<number>();
  for (let k = 1; k <= OW; k++) tWs.add(Math.ceil(OW / k));
  const tHs = new Set<number>();
  for (let k = 1; k <= OH; k++) tHs.add(Math.ceil(OH / k));
  const out: Conv2dPlan[] = [];
  for (const th of threads) {
    for (const tOC of divisors(OCBg)) {
      for (const tIC of divisors(ICBg)) {
        for (const tW of tWs) {
          for (const tH of tHs) {
            const p = { tOC, tIC, tH, tW, ocThreads: th.oc, hThreads: th.h };
            if (conv2dPlanIssue(cfg, g, vectors, p) === null) out.push(estimateConv2dPlan(cfg, g, p));
          }
        }
      }
    }
  }
  return out;
}

/**
 * The cost model, in cycles, of a pipelined plan: per step, the compute stage runs its GEMM micro-ops (one per
 * cycle) and, once per tile, the initialisation and the requantization passes (one reset or ALU micro-op per
 * output element each; an ALU micro-op takes ALU_INITIATION_INTERVAL cycles); the load stage moves the next step's bytes at the bus rate (a row of fewer bytes
 * than two beats still costs about two cycles). With two or more virtual threads both overlap, so a step
 * costs the larger of the two, plus a few cycles per instruction and per token round trip; the first step's
 * loads (all resident weights) and the last tile's store are not overlapped. With one thread every stage
 * waits for the others: a step costs load + compute, and each tile's store is exposed.
 */
export function estimateConv2dPlan(cfg: VtaConfig, g: Conv2dGeometry, p: Pick<Conv2dPlan, 'tOC' | 'tIC' | 'tH' | 'tW' | 'ocThreads' | 'hThreads'>): Conv2dPlan {
  const { OH, OW } = outputSize(g);
  const ICBg = g.C / g.groups / cfg.blockIn;
  const OCBg = g.O / g.groups / cfg.blockOut;
  const KK = g.KH * g.KW;
  const inpB = cfg.tensor.inp.elemBytes;
  const wgtB = cfg.tensor.wgt.elemBytes;
  const nTiles = (g.N / cfg.batch) * g.groups;
  const busB = cfg.busBits / 8;
  const beats = (bytes: number) => Math.max(2, Math.ceil(bytes / busB));
  const outB = cfg.tensor.out.elemBytes;
  const PER_INSN = 2;
  const PER_STEP = 24;
  const { tOC, tIC, tH, tW } = p;
  const V = planThreads(p);
  const single = g.groups === 1 && tOC === OCBg && tIC === ICBg;
  const inCols = (tW - 1) * g.strideW + g.KW;
  const inRows = (tH - 1) * g.strideH + g.KH;
  const hT = Math.ceil(OH / tH);
  const wT = Math.ceil(OW / tW);
  const ocT = OCBg / tOC;
  const icT = ICBg / tIC;
  const resident = ocT === 1 && icT === 1;
  const spatial = hT * wT * nTiles;
  const rows = Math.min(inRows, g.H);
  const cols = Math.min(inCols, g.W);
  const inpBytes = spatial * ocT * ICBg * rows * cols * inpB;
  const wgtStep = tOC * tIC * KK * wgtB;
  // resident weights are loaded once per slot and group (once in all with a single group)
  const wgtBytes = single ? OCBg * ICBg * KK * wgtB : resident ? V * nTiles * OCBg * ICBg * KK * wgtB : spatial * OCBg * ICBg * KK * wgtB;
  const steps = spatial * ocT * icT;
  const tiles = spatial * ocT;
  const insns = steps * (tIC + 3) + tiles * (tOC + 6);
  const estBytes = inpBytes + wgtBytes + insns * 16;
  // per step (full tiles; edge tiles are smaller but the totals are what count)
  const nOut = tOC * ((OH * OW) / (hT * wT));
  const gemm = ((g.N / cfg.batch) * g.groups * OCBg * ICBg * KK * OH * OW) / steps;
  // four passes per output element: the initialisation (a one-cycle GEMM reset at best), then three ALU passes
  const epilogue = 1 + 3 * cfg.aluInitiationInterval;
  const compute = gemm + (epilogue * nOut) / icT + PER_INSN * (tIC + 3 + (tOC + 6) / icT);
  const inpLoad = tIC * rows * beats(cols * inpB);
  const load = inpLoad + (resident ? 0 : beats(wgtStep));
  const first = inpLoad + beats(wgtStep);
  const store = tOC * tH * beats(tW * outB);
  const pipeline =
    V === 1
      ? first + (steps - 1) * (compute + load) + compute + tiles * store + steps * PER_STEP
      : first + (steps - 1) * Math.max(compute, load) + compute + store + steps * PER_STEP + (resident && !single ? Math.max(0, beats(wgtStep) - compute) : 0);
  const estCycles = Math.max(pipeline, estBytes / busB);
  return { tOC, tIC, tH, tW, weightsResident: resident, estBytes, estCycles, ocThreads: p.ocThreads ?? 2, hThreads: p.hThreads ?? 1 };
}

/**
 * The fastest tiling by the cost model (two virtual threads along output channels); among near-equal ones,
 * the least DRAM traffic. `vectors`: per-channel ACC vectors each tile holds besides its outputs (the bias
 * and epilogue vectors; a boolean means the bias alone).
 */
export function planConv2d(cfg: VtaConfig, g: Conv2dGeometry, vectors: boolean | number, name = 'conv2d'): Conv2dPlan {
  checkGeometry(cfg, g, name);
  const candidates = enumerateConv2dPlans(cfg, g, vectors);
  let best: Conv2dPlan | null = null;
  if (candidates.length) {
    const fastest = Math.min(...candidates.map((c) => c.estCycles!));
    for (const c of candidates) if (c.estCycles! <= fastest * 1.001 && (!best || c.estBytes < best.estBytes)) best = c;
  }
  if (!best) {
    throw new OperatorError(
      `${name}: no tiling of ${g.C}->${g.O} ${g.KH}x${g.KW} fits the buffers (INP half ${cfg.tensor.inp.depth >> 1}, WGT half ${cfg.tensor.wgt.depth >> 1}, ACC half ${cfg.tensor.acc.depth >> 1} elements, ${MAX_KERNEL_UOPS} micro-ops per kernel)`,
    );
  }
  return best;
}

export interface Conv2dBuffers {
  /** Packed input [N/B, C/BI, H, W, B, BI] int8. */
  input: DeviceBuffer;
  /** Packed weights [O/BO, (C/groups)/BI, KH, KW, BO, BI] int8. */
  weight: DeviceBuffer;
  /** Packed bias [O/BO][B][BO] int32 (packBias), or null. */
  bias: DeviceBuffer | null;
  /** Packed output [N/B, O/BO, OH, OW, B, BO] int8. */
  output: DeviceBuffer;
}

function needBytes(buf: DeviceBuffer, bytes: number, what: string, name: string): void {
  if (buf.bytes < bytes) throw new OperatorError(`${name}: the ${what} buffer has ${buf.bytes} bytes, the operator needs ${bytes}`);
}

/**
 * Emits the instructions of one conv2d (bias, requantization epilogue) into `rt` and runs them.
 * `plan` overrides the tiling (tests use it to force edge tiles and many steps).
 */
export async function conv2dPacked(
  rt: Runtime,
  bufs: Conv2dBuffers,
  g: Conv2dGeometry,
  epi: Epilogue,
  opts: { plan?: Conv2dPlan; name?: string; /** The input's zero point (see zero-point.ts). */ inputZeroPoint?: number } = {},
): Promise<Conv2dPlan> {
  const name = opts.name ?? 'conv2d';
  const cfg = rt.config;
  checkGeometry(cfg, g, name);
  const z = opts.inputZeroPoint ?? 0;
  if (!Number.isInteger(z) || z < -128 || z > 127) throw new OperatorError(`${name}: input zero point ${z} must be an int8 value`);
  const wgtBytes = (g.O / cfg.blockOut) * (g.C / g.groups / cfg.blockIn) * g.KH * g.KW * cfg.tensor.wgt.elemBytes;
  needBytes(bufs.weight, wgtBytes, 'weight', name);
  const zp = z ? planZeroPoint(cfg, g, asInt8(rt.copyFromDevice(bufs.weight, wgtBytes)), z) : null;
  const vectors = epilogueVectors(epi);
  const borders = zp?.borders ?? [];
  const nVec = (bufs.bias !== null || zp ? 1 : 0) + vectors.length + borders.length;
  const plan = opts.plan ?? planConv2d(cfg, g, nVec, name);
  if (plan.tOC * (plan.tH * plan.tW + nVec) > cfg.tensor.acc.depth >> 1) {
    throw new OperatorError(
      `${name}: plan tOC ${plan.tOC} x ${plan.tH}x${plan.tW} plus ${nVec} per-channel vectors does not fit half the ACC buffer (${cfg.tensor.acc.depth >> 1})`,
    );
  }
  if (!Number.isInteger(epi.shift) || epi.shift < 0 || epi.shift > 31) throw new OperatorError(`${name}: shift must be an integer in 0..31, got ${epi.shift}`);
  checkEpilogueVectors(cfg, epi, g.O, name);
  if (epi.stage && (vectors.length || epi.shift || epi.relu))
    throw new OperatorError(`${name}: an epilogue in the requantization stage takes no shift, ReLU or ALU vectors (its parameters hold them)`);
  // a core with the stage runs a plain shift-and-clip epilogue there too: one ALU REQ instead of SHR, MAX, MIN
  const shiftInStage = !epi.stage && !!cfg.requant && !vectors.length;
  const { OH, OW } = outputSize(g);
  const B = cfg.batch;
  const NB = g.N / B;
  const CB = g.C / cfg.blockIn;
  const OB = g.O / cfg.blockOut;
  const ICBg = CB / g.groups;
  const OCBg = OB / g.groups;
  const KK = g.KH * g.KW;
  const { tOC, tIC, tH, tW } = plan;
  const issue = conv2dPlanIssue(cfg, g, (bufs.bias !== null || zp ? 1 : 0) + vectors.length + borders.length, plan);
  if (issue) throw new OperatorError(`${name}: plan ${tOC}/${tIC}/${tH}/${tW} (tOC/tIC/tH/tW), ${plan.ocThreads ?? 2}x${plan.hThreads ?? 1} threads: ${issue}`);
  needBytes(bufs.input, NB * CB * g.H * g.W * cfg.tensor.inp.elemBytes, 'input', name);
  needBytes(bufs.output, NB * OB * OH * OW * cfg.tensor.out.elemBytes, 'output', name);
  if (bufs.bias) needBytes(bufs.bias, OB * cfg.tensor.acc.elemBytes, 'bias', name);

  // V virtual threads: INP, WGT and ACC in V slots; step j uses slot j % V, tile t ACC slot t % V
  const V = planThreads(plan);
  const inpSlot = Math.floor(cfg.tensor.inp.depth / V);
  const wgtSlot = Math.floor(cfg.tensor.wgt.depth / V);
  const accSlot = Math.floor(cfg.tensor.acc.depth / V);
  const inRowsFull = (tH - 1) * g.strideH + g.KH;

  interface Tile {
    grp: number;
    nb: number;
    h0: number;
    th: number;
    w0: number;
    tw: number;
    oc0: number;
  }
  const tiles: Tile[] = [];
  // consecutive tiles run on different threads: the threaded dimension is the innermost loop
  const rowsInner = (plan.hThreads ?? 1) > 1 && (plan.ocThreads ?? 2) === 1;
  for (let grp = 0; grp < g.groups; grp++) {
    for (let nb = 0; nb < NB; nb++) {
      for (let a = 0; a < (rowsInner ? OCBg : OH); a += rowsInner ? tOC : tH) {
        for (let w0 = 0; w0 < OW; w0 += tW) {
          for (let b = 0; b < (rowsInner ? OH : OCBg); b += rowsInner ? tH : tOC) {
            const [h0, oc0] = rowsInner ? [b, a] : [a, b];
            tiles.push({ grp, nb, h0, th: Math.min(tH, OH - h0), w0, tw: Math.min(tW, OW - w0), oc0 });
          }
        }
      }
    }
  }
  const chunks = ICBg / tIC;
  const T = tiles.length;
  const S = T * chunks;
  const resident = plan.weightsResident && tOC === OCBg && tIC === ICBg;
  // one group: one copy of the weights at WGT 0, loaded by the first step, read by both virtual threads
  const single = resident && g.groups === 1;
  const wgtLoaded: (number | null)[] = new Array(V).fill(null);

  // how the accumulators start (conv2d-bias.ts): the bias rows, the MAX offset or the stage's init words
  const accElemBytes = cfg.tensor.acc.elemBytes;
  const rawBias = bufs.bias ? rt.copyFromDevice(bufs.bias, OB * accElemBytes) : null;
  const start = planConvBias(
    rt,
    bufs.bias && rawBias ? { buf: bufs.bias, packed: new Int32Array(rawBias.buffer, rawBias.byteOffset, rawBias.byteLength >> 2) } : null,
    {
      O: g.O,
      taps: (g.C / g.groups) * KK,
      stage: epi.stage ?? (shiftInStage ? shiftClipParams(epi, g.O) : undefined),
      delta: zp ? zp.biasDelta : null,
      aluShift: vectors.length ? null : epi.shift,
    },
  );
  const { rows: biasBuf, offset, stage, init: initParams } = start;
  // the epilogue's per-channel vectors, one packed [O/BO][B][BO] block each, loaded per tile after the bias
  const vecStride = OB * cfg.batch * cfg.blockOut;
  let vecBuf: DeviceBuffer | null = null;
  const allVectors = [...vectors.map((v) => v.values), ...borders.map((b) => b.values)];
  if (allVectors.length) {
    const all = new Int32Array(allVectors.length * vecStride);
    allVectors.forEach((v, k) => all.set(packChannels(cfg, v, g.O), k * vecStride));
    vecBuf = rt.alloc(all.byteLength);
    rt.copyToDevice(vecBuf, all);
  }
  // the stage's parameters: every output block resident in the parameter buffer (one LOAD REQ per operator)
  // when they fit it, else each tile's blocks loaded from entry 0 just before their requantization
  // with REQ-initialised accumulators the init words follow the epilogue's, from entry OB
  const reqTable = stage ? concatBytes(stageParamTable(cfg, stage, g.O, name), initParams ? stageParamTable(cfg, initParams, g.O, name) : null) : null;
  let reqBuf: DeviceBuffer | null = null;
  const reqDepth = cfg.requant?.depth ?? 0;
  const reqEntries = initParams ? 2 * OB : OB;
  const reqResident = reqEntries <= reqDepth;
  if (reqTable) {
    reqBuf = rt.alloc(reqTable.byteLength);
    rt.copyToDevice(reqBuf, reqTable);
  }
  const freeOwn = () => {
    if (start.own) rt.free(start.own);
    if (vecBuf) rt.free(vecBuf);
    if (reqBuf) rt.free(reqBuf);
  };
  /** Per ACC slot: how many elements from its base hold a finished tile's v + offset (<= offset + 127). */
  const clean: number[] = new Array(V).fill(0);
  /** Per ACC slot: which tile's bias and epilogue rows it holds (group, first output block, outputs). */
  const channelRows: (string | null)[] = new Array(V).fill(null);

  const prevOp = rt.currentOperator;
  rt.setOperator(name);
  try {
    emitConv();
  } catch (e) {
    freeOwn();
    throw e;
  } finally {
    rt.setOperator(prevOp);
  }
  function emitConv(): void {
    let j = 0;
    tiles.forEach((t, ti) => {
      const accBase = (ti % V) * accSlot;
      const nOut = tOC * t.th * t.tw;
      const inCols = (t.tw - 1) * g.strideW + g.KW;
      const icPitch = inRowsFull * inCols;
      const rowStart = t.h0 * g.strideH - g.padTop;
      const inRows = (t.th - 1) * g.strideH + g.KH;
      const colStart = t.w0 * g.strideW - g.padLeft;
      const y0 = Math.max(0, -rowStart);
      const y1 = Math.max(0, rowStart + inRows - g.H);
      const x0 = Math.max(0, -colStart);
      const x1 = Math.max(0, colStart + inCols - g.W);
      for (let k = 0; k < chunks; k++, j++) {
        const slot = j % V;
        const inpBase = slot * inpSlot;
        const wgtBase = single ? 0 : slot * wgtSlot;
        const ic0 = k * tIC;
        // load stage
        if (j >= V) rt.depPop('compute', 'load');
        if (single ? j === 0 : !resident || wgtLoaded[slot] !== t.grp) {
          const elem = ((t.grp * OCBg + t.oc0) * ICBg + ic0) * KK;
          rt.loadBuffer2D(bufs.weight, elem, MEM_TYPE.WGT, wgtBase, tOC, tIC * KK, ICBg * KK);
          wgtLoaded[slot] = t.grp;
        }
        for (let ic = 0; ic < tIC; ic++) {
          const cb = t.grp * ICBg + ic0 + ic;
          const elem = ((t.nb * CB + cb) * g.H + Math.max(0, rowStart)) * g.W + Math.max(0, colStart);
          rt.loadBuffer2D(bufs.input, elem, MEM_TYPE.INP, inpBase + ic * icPitch, inRows - y0 - y1, inCols - x0 - x1, g.W, { y0, y1, x0, x1 });
        }
        rt.depPush('load', 'compute');
        // compute stage
        if (k === 0 && ti >= V) rt.depPop('store', 'compute');
        rt.depPop('load', 'compute');
        if (reqBuf && reqResident && k === 0 && ti === 0) rt.loadBuffer2D(reqBuf, 0, MEM_TYPE_REQ, 0, 1, reqEntries, reqEntries);
        if (k === 0) {
          // accumulators start at the bias: MAX(previous v + M, b') = b' over a clean region, else reset + ADD
          const hw = t.th * t.tw;
          const biasKernel = () =>
            rt.kernel(`bias:a${accBase}:oc${tOC}:n${hw}`, (kk) =>
              kk
                .loop(tOC, hw, 1)
                .loop(hw, 1, 0)
                .push(accBase, accBase + nOut),
            );
          // the per-channel rows stay in ACC behind the outputs (nothing else writes there), so a slot whose
          // last tile had the same output blocks and size keeps them
          const rowsKey = `${t.grp}:${t.oc0}:${nOut}`;
          if (channelRows[ti % V] !== rowsKey) {
            if (biasBuf) rt.loadBuffer2D(biasBuf, t.grp * OCBg + t.oc0, MEM_TYPE.ACC, accBase + nOut, 1, tOC, tOC);
            allVectors.forEach((_, v) => rt.loadBuffer2D(vecBuf!, v * OB + t.grp * OCBg + t.oc0, MEM_TYPE.ACC, accBase + nOut + (v + 1) * tOC, 1, tOC, tOC));
            channelRows[ti % V] = rowsKey;
          }
          if (initParams) {
            emitStageRequant(rt, accBase, OB + t.grp * OCBg + t.oc0, tOC, hw);
          } else if (biasBuf && offset && nOut <= clean[ti % V]) {
            rt.pushAlu(biasKernel(), 'MAX');
          } else {
            rt.pushGemm(
              rt.kernel(`reset:a${accBase}:n${nOut}`, (kk) => kk.loop(nOut, 1, 0, 0).push(accBase, 0, 0)),
              { reset: true },
            );
            if (biasBuf) rt.pushAlu(biasKernel(), 'ADD');
          }
          // zero-point corrections of the tile's border rectangles: per row of the class, a column run
          borders.forEach((b, k) => {
            const vecBase = accBase + nOut + (vectors.length + k + 1) * tOC;
            const rows = b.rows.filter((y) => y >= t.h0 && y < t.h0 + t.th).map((y) => y - t.h0);
            if (!rows.length) return;
            for (const [c0, cn] of b.cols) {
              const x0 = Math.max(c0, t.w0);
              const x1 = Math.min(c0 + cn, t.w0 + t.tw);
              if (x1 <= x0) continue;
              const key = `zp:a${accBase}:v${vecBase}:oc${tOC}:n${hw}:w${t.tw}:r${rows.join(',')}:c${x0 - t.w0}+${x1 - x0}`;
              rt.pushAlu(
                rt.kernel(key, (kk) => {
                  kk.loop(tOC, hw, 1).loop(x1 - x0, 1, 0);
                  for (const y of rows) kk.push(accBase + y * t.tw + (x0 - t.w0), vecBase);
                }),
                'ADD',
              );
            }
          });
        }
        const key = `conv:a${accBase}:i${inpBase}:w${wgtBase}:ic${tIC}:k${g.KH}x${g.KW}:s${g.strideH}x${g.strideW}:oc${tOC}:h${t.th}:w${t.tw}:c${inCols}:p${icPitch}`;
        rt.pushGemm(
          rt.kernel(key, (kk: UopKernel) => {
            kk.loop(tOC, t.th * t.tw, 0, tIC * KK).loop(t.th, t.tw, g.strideH * inCols, 0);
            for (let ic = 0; ic < tIC; ic++) {
              for (let ky = 0; ky < g.KH; ky++) {
                for (let kx = 0; kx < g.KW; kx++) {
                  for (let x = 0; x < t.tw; x++) {
                    kk.push(accBase + x, inpBase + ic * icPitch + ky * inCols + x * g.strideW + kx, wgtBase + (ic * g.KH + ky) * g.KW + kx);
                  }
                }
              }
            }
          }),
        );
        if (j + V < S) rt.depPush('compute', 'load');
      }
      // epilogue on the tensor ALU: the per-channel vector passes, then the (immediate) shift and clip
      const hw = t.th * t.tw;
      vectors.forEach((v, k) => {
        const vecBase = accBase + nOut + (k + 1) * tOC;
        rt.pushAlu(
          rt.kernel(`chan:a${accBase}:v${vecBase}:oc${tOC}:n${hw}`, (kk) => kk.loop(tOC, hw, 1).loop(hw, 1, 0).push(accBase, vecBase)),
          v.op,
        );
      });
      if (reqBuf) {
        const block0 = t.grp * OCBg + t.oc0;
        if (reqResident) {
          emitStageRequant(rt, accBase, block0, tOC, hw);
        } else {
          for (let c0 = 0; c0 < tOC; c0 += reqDepth) {
            const n = Math.min(reqDepth, tOC - c0);
            rt.loadBuffer2D(reqBuf, block0 + c0, MEM_TYPE_REQ, 0, 1, n, n);
            emitStageRequant(rt, accBase + c0 * hw, 0, n, hw);
          }
        }
      } else emitRequant(rt, accBase, nOut, { ...epi, shift: epi.channelShift ? 0 : epi.shift, offset });
      clean[ti % V] = offset ? nOut : 0;
      rt.depPush('compute', 'store');
      rt.depPop('compute', 'store');
      for (let oc = 0; oc < tOC; oc++) {
        const ob = t.grp * OCBg + t.oc0 + oc;
        rt.storeBuffer2D(accBase + oc * t.th * t.tw, bufs.output, ((t.nb * OB + ob) * OH + t.h0) * OW + t.w0, t.th, t.tw, OW);
      }
      if (ti + V < T) rt.depPush('store', 'compute');
    });
  }
  rt.setOperator(name);
  try {
    await rt.synchronize();
  } finally {
    rt.setOperator(prevOp);
    freeOwn();
  }
  return plan;
}

const concatBytes = (a: Uint8Array, b: Uint8Array | null): Uint8Array => {
  if (!b) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

const asInt8 = (u: Uint8Array) => new Int8Array(u.buffer, u.byteOffset, u.byteLength);
