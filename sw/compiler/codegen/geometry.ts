// The packed GEMM a VTA conv2d or dense node runs as (from the pack pass's record), and per-channel
// amounts added to packed bias rows.

import type { VtaConfig } from '../../../hw/vta/config';
import type { Conv2dGeometry } from '../../ops/conv2d';
import { roundUp } from '../../ops/layout';
import { CompileError, Graph, Node } from '../ir';

/** Packed ACC bias rows [O/BO][B][BO] plus a per-channel amount. */
export function addPerChannel(cfg: VtaConfig, packed: Int32Array, add: number[]): Int32Array {
  const out = Int32Array.from(packed);
  for (let c = 0; c < add.length; c++) {
    for (let b = 0; b < cfg.batch; b++) {
      const i = (Math.floor(c / cfg.blockOut) * cfg.batch + b) * cfg.blockOut + (c % cfg.blockOut);
      out[i] = (out[i] + add[c]) | 0;
    }
  }
  return out;
}

/** The packed conv2d a VTA conv2d or dense node runs as (dense: a 1 x M/BATCH image of BATCH rows). */
export function nodeGeometry(cfg: VtaConfig, g: Graph, n: Node): Conv2dGeometry {
  const B = cfg.batch;
  const x = g.tensors[n.inputs[0]];
  if (!n.packed) throw new CompileError(`codegen: node ${n.name} (${n.op}) was not packed`);
  const [O, I, KH, KW] = n.packed.weightShape;
  if (n.op === 'conv2d') {
    const [N, C0, H, W] = x.shape;
    const C = n.packed.inputChannels ?? C0;
    const [pt, pb, pl, pr] = n.attrs.pads;
    const [sh, sw] = n.attrs.strides;
    return {
      N: roundUp(N, B),
      C: roundUp(C, cfg.blockIn),
      H,
      W,
      O: roundUp(O, cfg.blockOut),
      KH,
      KW,
      strideH: sh,
      strideW: sw,
      padTop: pt,
      padBottom: pb,
      padLeft: pl,
      padRight: pr,
      groups: n.packed.groups ?? n.attrs.groups,
    };
  }
  return {
    N: B,
    C: roundUp(I, cfg.blockIn),
    H: 1,
    W: Math.ceil(x.shape[0] / B),
    O: roundUp(O, cfg.blockOut),
    KH: 1,
    KW: 1,
    strideH: 1,
    strideW: 1,
    padTop: 0,
    padBottom: 0,
    padLeft: 0,
    padRight: 0,
    groups: 1,
  };
}
