// conv2d's tiling: the plans that fit the buffers (tile sizes, virtual threads), their cost model, and the
// planner's choice; sw/ops/conv2d.ts emits a plan.

import type { VtaConfig } from '../../hw/vta/config';
import { epilogueVectors, type Epilogue } from './epilogue';
import { OperatorError } from './errors';
import { Conv2dGeometry, outputSize } from './geometry';
import { borderClasses } from './zero-point';

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

/**
 * Why `plan` cannot take a fused residual add (null when it can): the add's identity block sits in the last WGT
 * entry, above every slot's weights, and a tile's residual vectors fill its step's INP slot.
 */
export function residualPlanIssue(cfg: VtaConfig, g: Conv2dGeometry, plan: Conv2dPlan): string | null {
  const V = planThreads(plan);
  const OCBg = g.O / cfg.blockOut / g.groups;
  const ICBg = g.C / cfg.blockIn / g.groups;
  const KK = g.KH * g.KW;
  const single = plan.weightsResident && plan.tOC === OCBg && plan.tIC === ICBg && g.groups === 1;
  const wgtUsed = single ? OCBg * ICBg * KK : (V - 1) * Math.floor(cfg.tensor.wgt.depth / V) + plan.tOC * plan.tIC * KK;
  if (wgtUsed >= cfg.tensor.wgt.depth) return `the plan fills WGT (${wgtUsed} entries), leaving none for a fused add's identity block`;
  const inpSlot = Math.floor(cfg.tensor.inp.depth / V);
  const vectors = plan.tOC * plan.tH * plan.tW;
  if (vectors > inpSlot) return `a tile's ${vectors} residual vectors exceed the INP slot (${inpSlot})`;
  return null;
}
