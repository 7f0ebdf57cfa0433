// Layout packing for VTA: the weights of every VTA conv2d/dense become OIHWoi (BLOCK_OUT x BLOCK_IN
// blocks, channels zero-padded to block multiples) and the biases ACC rows ([O/BLOCK_OUT][BATCH][BLOCK_OUT]);
// activations between VTA nodes are marked NCHWnc. A dense that reads a flattened VTA output takes the
// packed activation as it is: its weight columns are permuted into the packed order
// ((cb*H + h)*W + w)*BLOCK_OUT + ci, with zero columns for padded channels. A grouped convolution (depthwise, a
// depth multiplier, any groups) becomes a grouped GEMM over whole channel blocks (block-groups.ts,
// `packed.groups` groups; block-diagonal weights for depthwise). A conv reading
// a VTA concat with padded slices has its weights' input channels spread onto that layout (`packed.inputChannels`).
// What the pass did is recorded in each node's `packed` (ir.ts PackedGemm), which code generation reads.

import type { VtaConfig } from '../../../hw/vta/config';
import { packBias, packWeights, roundUp } from '../../ops/layout';
import { cloneGraph, Graph, PackedGemm, producers } from '../ir';
import { blockGroups, expandGroups } from './block-groups';
import { freshName } from './util';

/** Dense weights [N, C*H*W] (NCHW flatten order) -> [N, CB*H*W*BO] in packed-activation order. */
export function permuteFlattenedColumns(w: Int8Array, N: number, [C, H, W]: number[], blockOut: number): { data: Int8Array; K: number } {
  const Cp = roundUp(C, blockOut);
  const K = Cp * H * W;
  const out = new Int8Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const cb = Math.floor(c / blockOut);
      const ci = c % blockOut;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) out[n * K + ((cb * H + y) * W + x) * blockOut + ci] = w[n * C * H * W + (c * H + y) * W + x];
      }
    }
  }
  return { data: out, K };
}

/**
 * Weights [O, sum C_k, KH, KW] over a channel concat -> [O, C', KH, KW] over its padded slices: every input but the
 * last starts at a block boundary (C' = sum of the others' widths rounded up to `block`, plus the last's), zeros between.
 */
export function spreadInputChannels(w: Int8Array, [O, C, KH, KW]: number[], widths: number[], block: number): { data: Int8Array; shape: number[] } {
  const at = concatPositions(widths, block);
  const off = at.length ? at[at.length - 1] + 1 : 0;
  const KK = KH * KW;
  const out = new Int8Array(O * off * KK);
  for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) out.set(w.subarray((o * C + c) * KK, (o * C + c + 1) * KK), (o * off + at[c]) * KK);
  return { data: out, shape: [O, off, KH, KW] };
}

/** Where each channel of a concat of `widths` channels sits when every input but the last starts at a block boundary. */
export function concatPositions(widths: readonly number[], block: number): number[] {
  const at: number[] = [];
  let off = 0;
  widths.forEach((wk, k) => {
    for (let c = 0; c < wk; c++) at.push(off + c);
    off += k === widths.length - 1 ? wk : roundUp(wk, block);
  });
  return at;
}

export function pack(input: Graph, cfg: VtaConfig): Graph {
  const g = cloneGraph(input);
  const prod = producers(g);
  for (const n of g.nodes) {
    if (n.target !== 'vta') continue;
    for (const t of [...n.inputs, ...n.outputs]) {
      const tt = g.tensors[t];
      if (t && !tt.data && tt.shape.length === 4) tt.layout = 'NCHWnc';
    }
    if (n.op !== 'conv2d' && n.op !== 'dense') continue;
    const w = g.tensors[n.inputs[1]];
    // the rewrites below, in the order they apply (the graph printer lists them in this order too)
    const how: Pick<PackedGemm, 'input' | 'inputChannels' | 'groups'> = {};
    let wData = w.data as Int8Array;
    let oihw = w.shape.length === 4 ? w.shape : [w.shape[0], w.shape[1], 1, 1];
    const flat = prod.get(n.inputs[0]);
    if (n.op === 'dense' && flat?.op === 'flatten' && flat.target === 'vta') {
      const [, C, H, W] = g.tensors[flat.inputs[0]].shape;
      const p = permuteFlattenedColumns(wData, w.shape[0], [C, H, W], cfg.blockOut);
      wData = p.data;
      oihw = [w.shape[0], p.K, 1, 1];
      how.input = 'flattened';
    }
    const cat = prod.get(n.inputs[0]);
    const spreadWidths =
      n.op === 'conv2d' && cat?.op === 'concat' && cat.target === 'vta' && cat.attrs.paddedSlices ? cat.inputs.map((i) => g.tensors[i].shape[1]) : null;
    if (n.op === 'conv2d' && n.attrs.groups > 1) {
      // a grouped GEMM over whole channel blocks (block-groups.ts): block-diagonal weights for depthwise
      const C = g.tensors[n.inputs[0]].shape[1];
      const at = spreadWidths ? concatPositions(spreadWidths, cfg.blockOut) : Array.from({ length: C }, (_, c) => c);
      const bg = blockGroups(at, oihw[0], n.attrs.groups, cfg.blockIn, cfg.blockOut);
      const ex = expandGroups(wData, oihw, at, n.attrs.groups, bg);
      wData = ex.data;
      oihw = ex.shape;
      how.groups = bg.groups;
      if (spreadWidths) how.inputChannels = at[at.length - 1] + 1;
    } else if (spreadWidths) {
      const spread = spreadInputChannels(wData, oihw, spreadWidths, cfg.blockOut);
      wData = spread.data;
      oihw = spread.shape;
      how.inputChannels = spread.shape[1];
    }
    const wName = freshName(g, `${n.inputs[1]}:packed`);
    const packed = packWeights(cfg, wData, [oihw[0], oihw[1], oihw[2], oihw[3]], { name: `${n.name} weights` });
    g.tensors[wName] = {
      name: wName,
      dtype: 'int8',
      shape: [roundUp(oihw[0], cfg.blockOut) / cfg.blockOut, roundUp(oihw[1], cfg.blockIn) / cfg.blockIn, oihw[2], oihw[3], cfg.blockOut, cfg.blockIn],
      data: packed,
      layout: 'OIHWoi',
      quant: w.quant,
    };
    const b = g.tensors[n.inputs[2]];
    const bName = freshName(g, `${n.inputs[2]}:packed`);
    const pb = packBias(cfg, b.data as Int32Array, oihw[0]);
    g.tensors[bName] = { name: bName, dtype: 'int32', shape: [pb.length / (cfg.batch * cfg.blockOut), cfg.batch, cfg.blockOut], data: pb, quant: b.quant };
    n.packed = { ...how, weight: wName, weightShape: oihw, bias: bName };
  }
  return g;
}
