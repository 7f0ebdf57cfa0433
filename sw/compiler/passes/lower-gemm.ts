// Integer operators without a VTA operator of their own, rewritten as GEMMs the device runs (before the
// partition, so that it places the result like any convolution):
// - an average pool without padding (or counting the padding) and a global average pool: a depthwise
//   convolution with all-one weights and the multiplier s_in / (s_out * window) in TFLite's Q31 form, which
//   the tflite-requant pass folds into the weights on VTA (packed as block-diagonal GEMMs, pack.ts); on a core
//   with the requantization stage, TFLite's average exactly (lowerPool);
// - an add the ALU cannot run (zero points, different input scales, a multiplier): the inputs concatenated
//   along channels (free on VTA when the producers can write into slices of one buffer) and a 1x1
//   convolution with weights w_a, w_b on the two diagonals, w_k = round(M_k * 2^n), the zero points in the
//   bias: out = clamp((w_a * a + w_b * b - z_a * w_a - z_b * w_b + 2^(n-1)) >> n + z_out). That is the device
//   approximation of the add's rescaling (about 7 bits per multiplier), as for convolutions without MUL;
// - a convolution over few channels of the host's input: im2col on the host (beside the input quantization,
//   padding with the zero point) and a 1x1 convolution, when that takes fewer GEMM blocks;
// - a reshape to [N, C*H*W] of an NCHW tensor: a flatten (which is free between a VTA conv and a VTA dense).
// Lowered nodes keep their names and record `loweredFrom`; nodes forced onto the CPU are left as they are.

import type { VtaConfig } from '../../../hw/vta/config';
import { exactAverage, quantizeMultiplier } from '../fixed-point';
import { AddRequant, cloneGraph, elementCount, Graph, makeNode, Node, NodeOf, pruneTensors, Requant } from '../ir';
import { deviceSupport, exactAddReason } from './partition';
import { freshName } from './util';

export interface LowerGemmOptions {
  /** Node names forced onto the CPU: left alone. */
  cpu?: string[];
}

const q31 = (m: number) => m / 2 ** 31;

/** The real factor the integer add applies to input k, through to its output (before the zero point). */
function addFactor(ar: AddRequant, k: 0 | 1): number {
  let f = 2 ** ar.inputShift[k];
  if (ar.inputMultiplier) f *= q31(ar.inputMultiplier[k]) * 2 ** -(ar.inputPostShift?.[k] ?? 0);
  const r = ar.requant;
  return f * (r.multiplier ? q31(r.multiplier[0]) : 1) * 2 ** -r.shift[0];
}

/** The largest right shift n (at most `cap`) with round(max * 2^n) <= 127. */
function foldShift(max: number, cap: number): number {
  let n = Math.min(cap, Math.floor(Math.log2(127 / max)));
  while (n > 0 && Math.round(max * 2 ** n) > 127) n--;
  return Math.max(0, n);
}

function addConstant(g: Graph, base: string, dtype: 'int8' | 'int32', shape: number[], data: Int8Array | Int32Array): string {
  const name = freshName(g, base);
  g.tensors[name] = { name, dtype, shape, data, quant: { scale: [1], zeroPoint: [0] } };
  return name;
}

const isInt8 = (g: Graph, t: string) => g.tensors[t]?.dtype === 'int8' && g.tensors[t].quant?.scale.length === 1;

/** avg_pool / global_avg_pool -> depthwise conv2d, or null when the pool does not fit one. */
function lowerPool(g: Graph, cfg: VtaConfig, n: NodeOf<'avg_pool'> | NodeOf<'global_avg_pool'>): Node | null {
  const x = g.tensors[n.inputs[0]];
  const y = g.tensors[n.outputs[0]];
  if (!isInt8(g, n.inputs[0]) || !isInt8(g, n.outputs[0]) || x.shape.length !== 4) return null;
  const [, C, H, W] = x.shape;
  const pool = n.op === 'avg_pool' ? n.attrs : null;
  const kernel = pool ? pool.kernel : [H, W];
  const pads = pool ? pool.pads : [0, 0, 0, 0];
  // without the padding in the count, border windows divide by fewer taps: not one convolution
  if (pads.some((p) => p !== 0) && !pool?.countIncludePad) return null;
  const window = kernel[0] * kernel[1];
  const zIn = x.quant!.zeroPoint[0];
  const zp = y.quant!.zeroPoint[0];
  // with the requantization stage, an avg_pool computes the integer reference's (TFLite's) average exactly:
  // acc = w * (sum of the raw values) (the bias cancels the input zero point the convolution subtracts), then
  // a Q31 rule checked on every window sum (fixed-point.ts exactAverage)
  const exact = cfg.requant && n.op === 'avg_pool' && x.quant!.scale[0] === y.quant!.scale[0] && zIn === zp ? exactAverage(window) : null;
  let weight = 1;
  let bias = 0;
  let requant: Requant;
  if (exact) {
    weight = exact.weight;
    bias = weight * window * zIn;
    requant = { shift: [-exact.exponent], multiplier: [exact.multiplier], rounding: 'nearest', zeroPoint: 0, min: -128, max: 127 };
  } else {
    const qm = quantizeMultiplier(x.quant!.scale[0] / (y.quant!.scale[0] * window));
    if (qm.multiplier === 0) return null;
    requant = { shift: [-qm.shift], multiplier: [qm.multiplier], rounding: 'nearest', zeroPoint: zp, min: -128, max: 127 };
  }
  const w = addConstant(g, `${n.name}:ones`, 'int8', [C, 1, kernel[0], kernel[1]], new Int8Array(C * window).fill(weight));
  const b = addConstant(g, `${n.name}:zero_bias`, 'int32', [C], new Int32Array(C).fill(bias));
  const strides = pool ? pool.strides : [1, 1];
  return makeNode('conv2d', { ...n, inputs: [n.inputs[0], w, b] }, { strides, pads, groups: C, activation: { kind: 'none' }, requant, loweredFrom: n.op });
}

/** add -> concat + 1x1 conv2d: the concat node and the conv node, or null. */
function lowerAdd(g: Graph, n: NodeOf<'add'>): Node[] | null {
  const [a, b] = n.inputs;
  const ar = n.attrs.requant;
  if (!ar || !isInt8(g, a) || !isInt8(g, b) || !isInt8(g, n.outputs[0])) return null;
  const shape = g.tensors[a].shape;
  if (shape.length !== 4 || g.tensors[b].shape.join() !== shape.join() || ar.requant.shift.length !== 1) return null;
  const [N, C, H, W] = shape;
  const fa = addFactor(ar, 0);
  const fb = addFactor(ar, 1);
  const r = ar.requant;
  // the device adds the output zero point before its shift (device-requant.ts): |zp| * 2^n within 2^29
  const n0 = foldShift(Math.max(fa, fb), 29 - Math.ceil(Math.log2(Math.abs(r.zeroPoint) + 1)));
  const [wa, wb] = [Math.round(fa * 2 ** n0), Math.round(fb * 2 ** n0)];
  const [za, zb] = [g.tensors[a].quant!.zeroPoint[0], g.tensors[b].quant!.zeroPoint[0]];
  const wData = new Int8Array(C * 2 * C);
  for (let c = 0; c < C; c++) {
    wData[c * 2 * C + c] = wa;
    wData[c * 2 * C + C + c] = wb;
  }
  const bias = -(za * wa + zb * wb) + (n0 > 0 ? 2 ** (n0 - 1) : 0);
  const w = addConstant(g, `${n.name}:pair_weights`, 'int8', [C, 2 * C, 1, 1], wData);
  const bi = addConstant(g, `${n.name}:pair_bias`, 'int32', [C], new Int32Array(C).fill(bias));
  const pair = freshName(g, `${n.name}:pair`);
  // raw int8 values side by side; the zero points are in the bias, so the pair has none
  g.tensors[pair] = { name: pair, dtype: 'int8', shape: [N, 2 * C, H, W], quant: { scale: [g.tensors[a].quant!.scale[0]], zeroPoint: [0] } };
  const concat = makeNode('concat', { name: `${n.name}:pair`, inputs: [a, b], outputs: [pair] }, { axis: 1 });
  const requant: Requant = { shift: [n0], rounding: 'floor', zeroPoint: r.zeroPoint, min: r.min, max: r.max };
  const conv = makeNode(
    'conv2d',
    { ...n, inputs: [pair, w, bi] },
    { strides: [1, 1], pads: [0, 0, 0, 0], groups: 1, activation: { kind: 'none' }, requant, loweredFrom: 'add' },
  );
  return [concat, conv];
}

/**
 * A convolution over few input channels fed from the host (the quantized model input) -> im2col on the host
 * and a 1x1 convolution over C*KH*KW channels, when that needs fewer GEMM blocks per output: 3 channels of a
 * 3x3 kernel are 27 of 32 lanes in 2 blocks, where padded to a block they are 9 blocks of 3 of 16 lanes.
 */
function lowerIm2col(g: Graph, cfg: VtaConfig, n: Node, fromHost: boolean): Node[] | null {
  const x = g.tensors[n.inputs[0]];
  const w = g.tensors[n.inputs[1]];
  if (n.op !== 'conv2d' || !fromHost || n.attrs.groups !== 1 || !isInt8(g, n.inputs[0]) || x.shape.length !== 4 || !w?.data) return null;
  const [O, C, KH, KW] = w.shape;
  const K = C * KH * KW;
  if (KH * KW === 1 || Math.ceil(C / cfg.blockIn) * KH * KW <= Math.ceil(K / cfg.blockIn)) return null;
  const y = g.tensors[n.outputs[0]];
  const cols = freshName(g, `${n.name}:im2col`);
  g.tensors[cols] = { name: cols, dtype: 'int8', shape: [x.shape[0], K, y.shape[2], y.shape[3]], quant: x.quant };
  const wName = freshName(g, `${n.inputs[1]}:im2col`);
  // OIHW flattened is already [O, C*KH*KW] in im2col's channel order
  g.tensors[wName] = { ...w, name: wName, shape: [O, K, 1, 1] };
  const cut = makeNode('im2col', { name: cols, inputs: [n.inputs[0]], outputs: [cols] }, { kernel: [KH, KW], strides: n.attrs.strides, pads: n.attrs.pads });
  const conv = makeNode('conv2d', { ...n, inputs: [cols, wName, ...n.inputs.slice(2)] }, { ...n.attrs, strides: [1, 1], pads: [0, 0, 0, 0] });
  return [cut, conv];
}

export function lowerToGemm(input: Graph, cfg: VtaConfig, opts: LowerGemmOptions = {}): Graph {
  const g = cloneGraph(input);
  const nodes: Node[] = [];
  const byOutput = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  const fromHost = (t: string) => g.inputs.includes(t) || byOutput.get(t)?.op === 'quantize';
  for (const n of g.nodes) {
    if (opts.cpu?.includes(n.name)) {
      nodes.push(n);
      continue;
    }
    if (n.op === 'reshape') {
      const x = g.tensors[n.inputs[0]].shape;
      const y = g.tensors[n.outputs[0]].shape;
      if (x.length === 4 && y.length === 2 && y[0] === x[0] && y[1] === elementCount(x) / x[0]) {
        nodes.push(makeNode('flatten', n, { axis: 1 }));
        continue;
      }
    }
    let lowered: Node[] | null = null;
    if (n.op === 'avg_pool' || n.op === 'global_avg_pool') {
      const conv = lowerPool(g, cfg, n);
      lowered = conv && [conv];
    } else if (n.op === 'add' && deviceSupport(g, cfg, n) !== null && !exactAddReason(cfg, n.attrs.requant)) {
      lowered = lowerAdd(g, n);
    } else if (n.op === 'conv2d') {
      lowered = lowerIm2col(g, cfg, n, fromHost(n.inputs[0]));
    }
    // only what the device then runs: a lowered node the partition would keep on the CPU stays the original
    const conv = lowered?.[lowered.length - 1];
    if (lowered && conv && deviceSupport(g, cfg, conv) === null) nodes.push(...lowered);
    else nodes.push(n);
  }
  return pruneTensors({ ...g, nodes });
}
