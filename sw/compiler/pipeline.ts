// The pass pipeline from an imported float graph to a partitioned, packed int8 graph.

import type { VtaConfig } from '../../hw/vta/config';
import { Graph, requantOf, validateGraph } from './ir';
import { foldBatchNorm } from './passes/fold-batch-norm';
import { foldConstants } from './passes/fold-constants';
import { fuseActivations } from './passes/fuse';
import { pack } from './passes/pack';
import { partition, PartitionOptions, Placement } from './passes/partition';
import { quantize, QuantizeOptions } from './passes/quantize';
import { lowerTfliteRequant } from './passes/tflite-requant';
import { lowerToGemm } from './passes/lower-gemm';

export interface PipelineOptions {
  quantize?: QuantizeOptions;
  partition?: PartitionOptions;
  /** Called with each pass's result (`vta compile --print`). */
  onPass?: (pass: string, g: Graph) => void;
}

export interface PipelineResult {
  /** The float graph after folding and fusion: the float reference. */
  float: Graph;
  /** The quantized graph the device computes (VTA nodes in their device form): the integer reference. */
  quantized: Graph;
  /** An imported integer model as its format defines it (TFLite's exact rules), when the device form differs. */
  exact?: Graph;
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
  // an imported integer model (TFLite int8) keeps its own quantization
  const preQuantized = isQuantized(fused);
  const quantized = preQuantized ? fused : step('quantize', quantize(fused, calibration, opts.quantize));
  const gemms = step('lower-gemm', lowerToGemm(quantized, cfg, { cpu: opts.partition?.cpu }));
  const part = partition(gemms, cfg, opts.partition);
  step('partition', part.graph);
  // TFLite requantization of VTA nodes as the ALU can run it; what the integer reference and device compute
  const lowered = step('tflite-requant', lowerTfliteRequant(part.graph, { mul: cfg.aluOps.includes('MUL'), stage: cfg.requant ? cfg : undefined }));
  const device = step('pack', pack(lowered, cfg));
  return { float: fused, quantized: lowered, exact: preQuantized ? quantized : undefined, device, placements: part.placements };
}

/** True for a graph that is already integer (an imported int8 model): some node requantizes. */
export function isQuantized(g: Graph): boolean {
  return g.nodes.some((n) => requantOf(n) !== undefined);
}
