// `--workload NAME|FILE.onnx`: a named network's layers, or the tunable layers of an ONNX model.

import { existsSync } from 'fs';
import type { VtaConfig } from '../../hw/vta/config';
import { UsageError } from '../../cli/errors';
import type { LayerSpec } from './layers';
import { NETWORKS } from './networks';

export const WORKLOAD_HELP = `a network (${Object.keys(NETWORKS).join(', ')}; default resnet18) or an ONNX model file`;

export interface Workload {
  name: string;
  layers: readonly LayerSpec[];
}

export async function resolveWorkload(spec: string, _cfg: VtaConfig): Promise<Workload> {
  const named = NETWORKS[spec];
  if (named) return { name: spec, layers: named };
  if (/\.onnx$/i.test(spec)) {
    if (!existsSync(spec)) throw new UsageError(`--workload ${spec}: no such file`);
    throw new UsageError(`--workload ${spec}: ONNX models need the graph compiler's importer (sw/compiler), which this build does not have yet; use one of ${Object.keys(NETWORKS).join(', ')}`);
  }
  throw new UsageError(`--workload ${spec}: unknown; known: ${Object.keys(NETWORKS).join(', ')}, or a FILE.onnx`);
}
