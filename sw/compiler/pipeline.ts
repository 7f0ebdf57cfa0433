// The pass pipeline from an imported float graph to a partitioned, packed int8 graph.

import type { VtaConfig } from '../../hw/vta/config';
import { Graph, validateGraph } from './ir';
import { foldBatchNorm } from './passes/fold-batch-norm';
import { foldConstants } from './passes/fold-constants';
import { fuseActivations } from './passes/fuse';
import { pack } from './passes/pack';
import { partition, PartitionOptions, Placement } from './passes/partition';
import { quantize, QuantizeOptions } from './passes/quantize';

export interface PipelineOptions {
  quantize?: QuantizeOptions;
  partition?: PartitionOptions;
  /** Called with each pass's result (`vta compile --print`). */
  onPass?: (pass: string, g: Graph) => void;
}

export interface PipelineResult {
  /** The float graph after folding and fusion: the float reference. */
  float: Graph;
  /** The quantized graph: the integer reference. */
  quantized: Graph;
  /** Partitioned and packed: what code generation takes. */
  device: Graph;
  placements: Placement[];
}

export function runPipeline(imported: Graph, cfg: VtaConfig, calibration: Record<string, Float32Array>[], opts: PipelineOptions = {}): PipelineResult {
  const step = (name: string, g: Graph) => {
    validateGraph(g);
    opts.onPass?.(name, g);
    return g;
  };
  step('import', imported);
  const bn = step('fold-batch-norm', foldBatchNorm(imported));
  const folded = step('fold-constants', foldConstants(bn));
  const fused = step('fuse-activations', fuseActivations(folded));
  const quantized = step('quantize', quantize(fused, calibration, opts.quantize));
  const part = partition(quantized, cfg, opts.partition);
  step('partition', part.graph);
  const device = step('pack', pack(part.graph, cfg));
  return { float: fused, quantized, device, placements: part.placements };
}
