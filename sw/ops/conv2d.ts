// conv2d on packed layouts (NCHWnc activations, OIHWoi weights): any kernel size, stride and padding
// (padding by the load unit's pad fields), grouped; tiles chosen to fit the buffers; two virtual threads:
// INP/WGT halves alternate per step and ACC/OUT halves per output tile, with the load->compute->store
// token ping-pong so loads of step j+1 and the store of tile t-1 overlap the GEMMs of step j.

import { MEM_TYPE } from '../../hw/vta/config';
import type { DeviceBuffer, Runtime, UopKernel } from '../runtime';
import { MEM_TYPE_REQ, type RequantParam } from '../../hw/vta/requant';
import { OperatorError } from './errors';
import { Conv2dGeometry, outputSize } from './geometry';
import { planZeroPoint } from './zero-point';
import { planConvBias } from './conv2d-bias';
import { checkGeometry, conv2dPlanIssue, type Conv2dPlan, planConv2d, planThreads, residualPlanIssue } from './conv2d-plan';
import { checkResidual, ConvResidual, innerClampRedundant, residualEmitter, residualParam } from './conv2d-residual';
import {
  checkEpilogueVectors,
  clipBounds,
  emitRequant,
  emitStageRequant,
  Epilogue,
  epilogueVectors,
  packChannels,
  shiftClipParams,
  spanKernel,
  stageParamTable,
} from './epilogue';

export { outputSize };
export type { Epilogue };
export { emitRequant, requantOffset, spanKernel } from './epilogue';
export type { Conv2dGeometry };
export {
  checkGeometry,
  conv2dPlanIssue,
  conv2dVectorCount,
  enumerateConv2dPlans,
  estimateConv2dPlan,
  planConv2d,
  planThreads,
  residualPlanIssue,
} from './conv2d-plan';
export type { Conv2dPlan } from './conv2d-plan';

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
  opts: {
    plan?: Conv2dPlan;
    name?: string;
    /** The input's zero point (see zero-point.ts). */
    inputZeroPoint?: number;
    /** A residual add fused into this conv2d (conv2d-residual.ts): the output is the add's. */
    residual?: ConvResidual;
  } = {},
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
  const residual = opts.residual ?? null;
  if (residual) checkResidual(cfg, residual, NB * OB * OH * OW * cfg.tensor.out.elemBytes, name);
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
  // a fused residual add takes one more step per tile (conv2d-residual.ts)
  const S = T * (chunks + (residual ? 1 : 0));
  const resident = plan.weightsResident && tOC === OCBg && tIC === ICBg;
  // one group: one copy of the weights at WGT 0, loaded by the first step, read by both virtual threads
  const single = resident && g.groups === 1;
  const wgtLoaded: (number | null)[] = new Array(V).fill(null);
  // every weight block the same (an average pool lowered to a depthwise conv: identity blocks): one block at WGT 0
  // serves every tap, channel block and group, so the load stage moves one block instead of all of them
  const uniform = sameBlocks(rt.copyFromDevice(bufs.weight, wgtBytes), cfg.tensor.wgt.elemBytes);

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
      // the offset survives a fused add only without its own shift (conv2d-residual.ts)
      aluShift: vectors.length || (residual && residual.shift > 0) ? null : epi.shift,
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
  // and a fused add's one word after them (else its epilogue runs on the ALU)
  const reqDepth = cfg.requant?.depth ?? 0;
  const residualWord = stage && residual && (initParams ? 2 * OB : OB) < reqDepth;
  const reqTable = stage
    ? Buffer.concat([
        stageParamTable(cfg, stage, g.O, name),
        ...(initParams ? [stageParamTable(cfg, initParams, g.O, name)] : []),
        ...(residualWord ? [stageParamTable(cfg, new Array<RequantParam>(cfg.blockOut).fill(residualParam(residual)), cfg.blockOut, name)] : []),
      ])
    : null;
  let reqBuf: DeviceBuffer | null = null;
  const reqEntries = (initParams ? 2 * OB : OB) + (residualWord ? 1 : 0);
  const reqResident = reqEntries <= reqDepth;
  const residualWhy = residual ? residualPlanIssue(cfg, g, plan) : null;
  if (residualWhy) throw new OperatorError(`${name}: ${residualWhy}`);
  // before a fused add whose clamp makes this conv2d's own redundant, the ALU epilogue is the shift alone (one
  // shift at least, so v + residual cannot overflow int32)
  const shiftOnly = !!residual && !stage && !vectors.length && epi.shift >= 1 && innerClampRedundant(residual, ...clipBounds(epi));
  const fusedAdd = residual ? residualEmitter(rt, residual, cfg.tensor.wgt.depth - 1, residualWord ? reqEntries - 1 : null, stage ? 0 : offset) : null;
  if (reqTable) {
    reqBuf = rt.alloc(reqTable.byteLength);
    rt.copyToDevice(reqBuf, reqTable);
  }
  const freeOwn = () => {
    if (start.own) rt.free(start.own);
    if (vecBuf) rt.free(vecBuf);
    if (reqBuf) rt.free(reqBuf);
    fusedAdd?.free();
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
        const wgtBase = single || uniform ? 0 : slot * wgtSlot;
        const ic0 = k * tIC;
        // load stage
        if (j >= V) rt.depPop('compute', 'load');
        if (fusedAdd && j === 0) fusedAdd.loadIdentity();
        if (uniform) {
          if (j === 0) rt.loadBuffer2D(bufs.weight, 0, MEM_TYPE.WGT, 0, 1, 1, 1);
        } else if (single ? j === 0 : !resident || wgtLoaded[slot] !== t.grp) {
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
        // the tile's start above needs no loaded data, so it runs while the load stage still moves this step's
        rt.depPop('load', 'compute');
        const key = `conv:a${accBase}:i${inpBase}:w${wgtBase}${uniform ? 'u' : ''}:ic${tIC}:k${g.KH}x${g.KW}:s${g.strideH}x${g.strideW}:oc${tOC}:h${t.th}:w${t.tw}:c${inCols}:p${icPitch}`;
        const wgtOf = (ic: number, ky: number, kx: number) => (uniform ? 0 : wgtBase + (ic * g.KH + ky) * g.KW + kx);
        rt.pushGemm(
          rt.kernel(key, (kk: UopKernel) => {
            kk.loop(tOC, t.th * t.tw, 0, uniform ? 0 : tIC * KK).loop(t.th, t.tw, g.strideH * inCols, 0);
            for (let ic = 0; ic < tIC; ic++) {
              for (let ky = 0; ky < g.KH; ky++) {
                for (let kx = 0; kx < g.KW; kx++) {
                  for (let x = 0; x < t.tw; x++) {
                    kk.push(accBase + x, inpBase + ic * icPitch + ky * inCols + x * g.strideW + kx, wgtOf(ic, ky, kx));
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
      } else if (shiftOnly) rt.pushAlu(spanKernel(rt, accBase, nOut), 'SHR', epi.shift);
      else emitRequant(rt, accBase, nOut, { ...epi, shift: epi.channelShift ? 0 : epi.shift, offset });
      if (fusedAdd) {
        // the add's step: its residual rows into this step's INP slot, then ACC += them and the add's epilogue
        const inpBase = (j % V) * inpSlot;
        const blocks = Array.from({ length: tOC }, (_, oc) => ((t.nb * OB + t.grp * OCBg + t.oc0 + oc) * OH + t.h0) * OW + t.w0);
        const tile = { accBase, inpBase, nOut, blocks, th: t.th, tw: t.tw, rowPitch: OW };
        if (j >= V) rt.depPop('compute', 'load');
        fusedAdd.load(tile);
        rt.depPush('load', 'compute');
        rt.depPop('load', 'compute');
        fusedAdd.compute(tile);
        if (j + V < S) rt.depPush('compute', 'load');
        j++;
      }
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

/** Whether every `block`-byte block of `w` equals the first. */
function sameBlocks(w: Uint8Array, block: number): boolean {
  for (let off = block; off + block <= w.length; off += block) {
    for (let i = 0; i < block; i++) if (w[off + i] !== w[i]) return false;
  }
  return w.length >= block;
}

const asInt8 = (u: Uint8Array) => new Int8Array(u.buffer, u.byteOffset, u.byteLength);
