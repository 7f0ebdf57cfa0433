// Data made for or read against one model's input: synthetic inputs of its own shape (dead-leaves images
// for image inputs, smooth seeded values for feature maps and vectors) and NumPy files in its own layout
// and dtype (int8 NHWC for a fully-integer TFLite model, dequantized and transposed as the importer does).

import { UsageError } from '../../../cli/errors';
import { mulberry32 } from '../../../sim/testing/prng';
import { CompileError, elementCount } from '../ir';
import { LabelledImages, ModelInput, quantRange } from './labelled';
import { readNpy } from './npy';
import { field, syntheticImage } from './synthetic';

/** NCHW [1, C, H, W] shapes that look like pictures: a few channels and both sides at least 16 pixels. */
const isImageShape = (s: readonly number[]) => s.length === 4 && s[1] <= 4 && Math.min(s[2], s[3]) >= 16;

/**
 * N dead-leaves images of H x W x C bytes (HWC): channels 0..2 the generator's RGB, one channel (or any
 * past the third) its luminance. C = 3 gives the images `synthetic:N:HxW` always gave.
 */
export function syntheticImages(count: number, seed: number, H: number, W: number, C: number): LabelledImages {
  const pixels = new Uint8Array(count * H * W * C);
  const n = H * W;
  for (let i = 0; i < count; i++) {
    const img = syntheticImage(i, H, W, seed);
    for (let k = 0; k < n; k++) {
      const luma = Math.round(0.299 * img[k] + 0.587 * img[n + k] + 0.114 * img[2 * n + k]);
      for (let c = 0; c < C; c++) pixels[(i * n + k) * C + c] = C === 1 || c >= 3 ? luma : img[c * n + k];
    }
  }
  const what = C === 3 ? 'CIFAR-like images' : `${C}-channel dead-leaves images`;
  return { pixels, labels: new Uint8Array(count), count, dims: [H, W, C], source: `synthetic:${count}@${seed} (${H}x${W} ${what})`, unlabelled: true };
}

/** A smooth seeded series of n values (random phases on a 1/f spectrum), zero mean, unit variance. */
function smoothSeries(n: number, rnd: () => number): Float64Array {
  const v = new Float64Array(n);
  const top = Math.max(1, Math.min(32, Math.floor(n / 4)));
  for (let f = 1; f <= top; f++) {
    const a = (0.5 + rnd()) / f;
    const phase = 2 * Math.PI * rnd();
    for (let k = 0; k < n; k++) v[k] += a * Math.cos((2 * Math.PI * f * k) / n + phase);
  }
  let m = 0;
  for (const x of v) m += x;
  m /= n;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  s = Math.sqrt(s / n) || 1;
  return v.map((x) => (x - m) / s);
}

/**
 * N inputs of the model's own shape: images (isImageShape) as bytes, normalized like any image set;
 * anything else as smooth values, per channel over H x W for 4-D inputs, over the whole input otherwise,
 * spread over the int8 input's real range, or standard normal for a float input.
 */
export function modelShapedSynthetic(count: number, seed: number, model: ModelInput): LabelledImages {
  const s = model.shape;
  if (isImageShape(s)) return syntheticImages(count, seed, s[2], s[3], s[1]);
  const per = elementCount(s);
  const values = new Float32Array(count * per);
  const [lo, hi] = model.quant ? quantRange(model.quant) : [0, 0];
  const real = (z: number) => (model.quant ? lo + (hi - lo) * (0.5 + 0.5 * Math.tanh(z)) : z);
  const spatial = s.length === 4 && Math.min(s[2], s[3]) >= 4;
  for (let i = 0; i < count; i++) {
    const rnd = mulberry32(seed * 100003 + i + 1);
    const planes = spatial ? s[0] * s[1] : 1;
    const plane = per / planes;
    for (let p = 0; p < planes; p++) {
      const z = spatial ? field(s[2], s[3], rnd) : smoothSeries(per, rnd);
      for (let k = 0; k < plane; k++) values[i * per + p * plane + k] = real(z[k]);
    }
  }
  const dims = s.slice(1);
  const kind = model.quant ? `over the int8 input's range [${lo.toPrecision(4)}, ${hi.toPrecision(4)}]` : 'standard normal';
  return {
    pixels: new Uint8Array(0),
    labels: new Uint8Array(count),
    count,
    dims,
    values,
    source: `synthetic:${count}@${seed} (smooth values of [${s.join(', ')}], ${kind})`,
    unlabelled: true,
  };
}

/** A 4-D tensor's NCHW shape in the order the model file declares it (NHWC for TFLite). */
export function declaredShape(shape: readonly number[], nhwc: boolean): number[] {
  return nhwc && shape.length === 4 ? [shape[0], shape[2], shape[3], shape[1]] : [...shape];
}

/** Copies `count` tensors of the NCHW `shape` (batch 1) between NHWC and NCHW orders. */
export function transposeRows<T extends Int8Array | Uint8Array | Float32Array>(src: T, count: number, shape: readonly number[], toNchw: boolean): T {
  const [, C, H, W] = shape;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  const per = C * H * W;
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < C; c++) {
      for (let p = 0; p < H * W; p++) {
        const nchw = i * per + c * H * W + p;
        const nhwc = i * per + p * C + c;
        if (toNchw) out[nchw] = src[nhwc];
        else out[nhwc] = src[nchw];
      }
    }
  }
  return out;
}

/**
 * `npy:FILE`: one input per row of the first axis, in the model's declared layout; int8 for an int8 model
 * (dequantized with the input's scale and zero point), float32 for a float model, or uint8 pixels of an
 * image input (normalized like any image set).
 */
export function npyForModel(path: string, model: ModelInput, given: string): LabelledImages {
  const a = readNpy(path);
  const want = declaredShape(model.shape, model.nhwc).slice(1);
  const count = a.shape[0];
  const rest = a.shape.slice(1);
  const squeeze = (d: readonly number[]) => d.filter((x) => x !== 1).join('x');
  if (a.shape.length < 1 || count < 1 || squeeze(rest) !== squeeze(want)) {
    const declared = declaredShape(model.shape, model.nhwc);
    throw new UsageError(
      `${given}: shape (${a.shape.join(', ')}) is not (N, ${want.join(', ')}): N inputs of the model's [${declared.join(', ')}]${model.nhwc && declared.length === 4 ? ' (NHWC)' : ''}`,
    );
  }
  const source = `${path} (${count} inputs, ${a.dtype})`;
  const image = model.nhwc && model.shape.length === 4;
  if (a.dtype === 'uint8') {
    if (!isImageShape(model.shape))
      throw new UsageError(`${given}: uint8 data is for image inputs; the model's input [${want.join(', ')}] takes ${model.quant ? 'int8' : 'float32'}`);
    return { pixels: a.data as Uint8Array, labels: new Uint8Array(count), count, dims: want, source, unlabelled: true };
  }
  const expected = model.quant ? 'int8' : 'float32';
  if (a.dtype !== expected) throw new UsageError(`${given}: ${a.dtype} data, the model's input takes ${expected}`);
  let values: Float32Array;
  if (a.dtype === 'int8') {
    const { scale, zeroPoint } = model.quant!;
    values = Float32Array.from(a.data as Int8Array, (q) => scale * (q - zeroPoint));
  } else {
    values = a.data as Float32Array;
  }
  if (!values.every(Number.isFinite)) throw new CompileError(`${path}: the data holds NaN or infinite values`);
  if (image) values = transposeRows(values, count, model.shape, true);
  return { pixels: new Uint8Array(0), labels: new Uint8Array(count), count, dims: model.shape.slice(1), values, source, unlabelled: true };
}
