// The report of `vta bench network` (network.ts): what its --json holds and its --svg and --before read.

import type { LayerRun } from '../compiler/codegen/network';
import type { CycleBreakdown } from './cycle-breakdown';

/** VTA's published TSIM figures for ResNet-18's offloaded layers (all convolutions but the first). */
export const VTA_PUBLISHED = { cycles: 7.73e6, macs: 1.695e9, idealCycles: 6.62e6, goalCycles: 6.95e6 };

export type NetworkLayer = Pick<LayerRun, 'node' | 'op' | 'target' | 'cycles' | 'estCycles' | 'macs' | 'stages' | 'fusedInto'> & {
  utilization: number | null;
  /** Where its cycles go (cycle-breakdown.ts); null without the device's stage counters (fsim). */
  breakdown: CycleBreakdown | null;
};

export interface NetworkBenchReport {
  workload: string;
  target: string;
  config: string;
  quantization: string;
  /** Sum over the VTA layers; measured on TSIM, the planner's estimate on fsim (cyclesSource). */
  offloadedCycles: number;
  cyclesSource: 'measured' | 'estimate';
  /** The VTA convolutions' part of offloadedCycles. */
  convCycles: number;
  /**
   * VTA's scope (what its published figure counts): layer1-layer4, the convolutions with their residual adds
   * (TVM fuses those into the convolutions; the stem's convolution and pool and the classifier run on its CPU).
   */
  vtaScopeCycles: number;
  macs: number;
  utilization: number;
  idealCycles: number;
  published: typeof VTA_PUBLISHED;
  /** The device's output equals the integer reference's (null: not checked). */
  correct: boolean | null;
  layers: NetworkLayer[];
}
