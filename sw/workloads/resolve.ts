// `--workload NAME|FILE.onnx`: a named network's layers, or the VTA layers of a model the graph compiler
// imports (its conv2d and dense nodes after the passes and the partition, as the packed shapes they run).

import { existsSync } from 'fs';
import { basename } from 'path';
import type { VtaConfig } from '../../hw/vta/config';
import { UsageError } from '../../cli/errors';
import { importModel } from '../compiler/import';
import { nodeGeometry } from '../compiler/codegen/network';
import { CompileError } from '../compiler/ir';
import { runPipeline } from '../compiler/pipeline';
import type { LayerSpec } from './layers';
import { NETWORKS } from './networks';

export const WORKLOAD_HELP = `a network (${Object.keys(NETWORKS).join(', ')}; default resnet18) or a model file the compiler imports (.onnx, .tflite)`;

export interface Workload {
  name: string;
  layers: readonly LayerSpec[];
}

/** The VTA conv2d and dense layers of a model (global-scale quantization: shapes do not depend on it). */
export function modelLayers(file: string, cfg: VtaConfig): LayerSpec[] {
  const p = runPipeline(importModel(file), cfg, [], { quantize: { scheme: 'global' } });
  const layers: LayerSpec[] = [];
  for (const n of p.device.nodes) {
    if (n.target !== 'vta' || (n.op !== 'conv2d' && n.op !== 'dense')) continue;
    const g = nodeGeometry(cfg, p.device, n);
    if (n.op === 'dense') {
      const x = p.device.tensors[n.inputs[0]];
      layers.push({ op: 'dense', name: n.name, M: x.shape[0], K: g.C, N: g.O });
    } else {
      layers.push({
        op: 'conv2d',
        name: n.name,
        N: g.N,
        C: g.C,
        H: g.H,
        W: g.W,
        O: g.O,
        KH: g.KH,
        KW: g.KW,
        stride: [g.strideH, g.strideW],
        padding: [g.padTop, g.padBottom, g.padLeft, g.padRight],
        groups: g.groups,
      });
    }
  }
  return layers;
}

export async function resolveWorkload(spec: string, cfg: VtaConfig): Promise<Workload> {
  const named = NETWORKS[spec];
  if (named) return { name: spec, layers: named };
  if (/\.(onnx|tflite)$/i.test(spec)) {
    if (!existsSync(spec)) throw new UsageError(`--workload ${spec}: no such file`);
    let layers: LayerSpec[];
    try {
      layers = modelLayers(spec, cfg);
    } catch (e) {
      if (e instanceof CompileError) throw new UsageError(`--workload ${spec}: ${e.message}`);
      throw e;
    }
    if (!layers.length) throw new UsageError(`--workload ${spec}: the compiler places no conv2d or dense layer on VTA`);
    return { name: basename(spec), layers };
  }
  throw new UsageError(`--workload ${spec}: unknown; known: ${Object.keys(NETWORKS).join(', ')}, or a FILE.onnx`);
}
