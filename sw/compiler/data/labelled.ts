// The data `vta infer` feeds a model: images as bytes (IDX, synthetic CIFAR-like), or real values already in
// the model input's form (npy files, synthetic non-image inputs), and the input they are made for.

export interface LabelledImages {
  /** Images as raw bytes, one after another, each `rows x cols x channels`; empty when `values` holds the data. */
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** Per-image dimensions after the count (e.g. [28, 28]); with `values`, the model input's shape without its batch. */
  dims: number[];
  source: string;
  /** No labels of its own (synthetic or npy data). */
  unlabelled?: boolean;
  /** Real values in the model input's own order (NCHW after import), `count x dims`, fed without normalization. */
  values?: Float32Array;
}

/** The model input data is made for or checked against. */
export interface ModelInput {
  /** The graph input's shape as imported (batch first, NCHW for 4-D). */
  shape: readonly number[];
  /** An int8 model: the quantization the input goes through (real = scale x (q - zeroPoint)). */
  quant?: { scale: number; zeroPoint: number };
  /** The model file declares 4-D tensors NHWC (TFLite): its npy inputs and saved outputs are NHWC. */
  nhwc: boolean;
}

/** The real range an int8 input's quantization spans. */
export function quantRange(q: { scale: number; zeroPoint: number }): [number, number] {
  return [q.scale * (-128 - q.zeroPoint), q.scale * (127 - q.zeroPoint)];
}
