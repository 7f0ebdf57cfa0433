// What `vta infer` reports (its JSON), shared by the command and its SVG chart.

import type { LayerRun } from '../codegen/network';

/** A layer's figures per image (cycles, seconds averaged over the images). */
export interface LayerReport extends Omit<LayerRun, 'counters'> {
  /** MACs / (cycles x BATCH x BLOCK_IN x BLOCK_OUT), measured cycles or else the estimate. */
  utilization: number | null;
  /** DRAM bytes per image (loads, stores and instructions) from the device counters. */
  dramBytes: number | null;
}

export interface InferReport {
  model: string;
  data: string;
  target: string;
  config: string;
  quantization: string;
  images: number;
  /** Stopped by Ctrl-C: the figures cover the first `images` images. */
  interrupted?: boolean;
  /** The references not run (--skip-float, --skip-int8, or an int8 model without --reference). */
  skipped: ('float' | 'int8')[];
  /**
   * Against the data's labels; unlabelled data (synthetic, npy) is labelled with the float reference's top-1.
   * null: no labels (unlabelled data and no float reference) or no classes (an autoencoder); a column null: not run.
   */
  top1: { float: number | null; int8: number | null; device: number; tflite?: number } | null;
  /** Identical outputs, device vs the int8 CPU reference; null when that reference was skipped. */
  agreement: number | null;
  /** Same top-1, device vs the float reference; null without a float reference or without classes. */
  floatAgreement: number | null;
  /** The largest |device - float reference| over every output value, real values; null without a float reference. */
  floatMaxError: number | null;
  /** A model whose output has its input's shape (an autoencoder): its output against its input, real values. */
  reconstruction?: { meanSquaredError: number };
  /** An imported int8 model: the device against the model's exact integer rules (TFLite's requantization). */
  exact?: { identical: number; top1: number };
  /** Device cycles per image (sum over VTA layers); measured on TSIM, the planner's estimate on fsim. */
  cycles: number | null;
  cyclesSource: 'measured' | 'estimate';
  /** MACs per image of the VTA layers. */
  macs: number;
  /** The VTA layers' share of all the model's MACs (every layer counts its MACs whatever its target); null: no MACs. */
  deviceMacFraction: number | null;
  utilization: number | null;
  layers: LayerReport[];
  /** Wall-clock seconds on this machine (a simulator's time, not the accelerator's); a skipped reference is null. */
  time: {
    deviceSeconds: number;
    cpuSeconds: number;
    floatReferenceSeconds: number | null;
    int8ReferenceSeconds: number | null;
    compileSeconds: number;
    imagesPerSecond: number;
    networkImagesPerSecond: number;
  };
}
