// The packed GEMM a VTA conv2d or dense node runs as (from the pack pass's record), and per-channel
// amounts added to packed bias rows.

import type { VtaConfig } from '../../../hw/vta/config';
import type { Conv2dGeometry } from '../../ops/conv2d';
import { denseAsConv2d, packedConv2dGeometry } from '../../ops/ops';
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
  const x = g.tensors[n.inputs[0]];
  if (!n.packed) throw new CompileError(`codegen: node ${n.name} (${n.op}) was not packed`);
  const [O, I, KH, KW] = n.packed.weightShape;
  if (n.op === 'conv2d') {
    const [N, C, H, W] = x.shape;
    return packedConv2dGeometry(cfg, [N, n.packed.inputChannels ?? C, H, W], [O, I, KH, KW], {
      stride: n.attrs.strides as [number, number],
      padding: n.attrs.pads as [number, number, number, number],
      groups: n.packed.groups ?? n.attrs.groups,
    });
  }
  const dense = denseAsConv2d(cfg, x.shape[0], I, O);
  return packedConv2dGeometry(cfg, dense.xShape, dense.wShape, {});
}
