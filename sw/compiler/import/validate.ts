// Every number a model file carries is checked where it enters, before any pass allocates from it: shapes
// (positive whole dimensions, a bounded element count), quantization parameters (finite positive scales,
// zero points inside their type, per-channel arrays as long as their axis), constant values (finite), and
// the graph's ends (at least one input and one output). One CompileError names the file, the tensor and
// the field.

import { CompileError, DType, Graph, Tensor } from '../ir';

/**
 * Largest tensor the compiler accepts, in elements: 2^24 (64 MiB of float32) is 20x ResNet-18's largest
 * activation at 224x224, and keeps the references' working set far below 1 GiB.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 24;

/** Zero points must lie inside the tensor's integer type. */
const ZERO_POINT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int32: [-(2 ** 31), 2 ** 31 - 1],
};

/** A float32 read from a file, as its shortest decimal (0.02, not 0.019999999552965164). */
const float32 = (v: number) => (Number.isFinite(v) ? +v.toPrecision(7) : v);

/** Checks a shape as read from a file (before anything is sized by it). */
export function checkShape(shape: readonly number[], where: string): void {
  let elements = 1;
  shape.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 1)
      throw new CompileError(`${where}: shape [${shape.join(', ')}]: dimension ${i} is ${d} (dimensions must be whole numbers >= 1)`);
    elements *= d;
  });
  if (elements > MAX_TENSOR_ELEMENTS) {
    throw new CompileError(`${where}: shape [${shape.join(', ')}] has ${elements} elements, more than the ${MAX_TENSOR_ELEMENTS} the compiler accepts`);
  }
}

/** Scales finite and > 0, one zero point per scale, each inside `dtype` (when it is an integer type). */
export function checkQuantParams(scale: readonly number[], zeroPoint: readonly number[], dtype: DType | undefined, where: string): void {
  if (!scale.length) throw new CompileError(`${where}: quantization has no scale`);
  scale.forEach((s, i) => {
    if (!Number.isFinite(s) || s <= 0) throw new CompileError(`${where}: quantization scale[${i}] is ${float32(s)} (a scale must be a finite number > 0)`);
  });
  if (zeroPoint.length !== scale.length) {
    throw new CompileError(`${where}: quantization has ${scale.length} scale(s) but ${zeroPoint.length} zero point(s)`);
  }
  const range = dtype && ZERO_POINT_RANGE[dtype];
  zeroPoint.forEach((z, i) => {
    const outside = !Number.isSafeInteger(z) || (range && (z < range[0] || z > range[1]));
    if (outside) throw new CompileError(`${where}: quantization zero_point[${i}] is ${z}, outside ${dtype}${range ? ` [${range[0]}, ${range[1]}]` : ''}`);
  });
}

function checkQuant(t: Tensor, where: string): void {
  const q = t.quant;
  if (!q) return;
  const { scale } = q;
  checkQuantParams(scale, q.zeroPoint, t.dtype, where);
  if (scale.length > 1) {
    const axis = q.axis ?? 0;
    if (!Number.isInteger(axis) || axis < 0 || axis >= t.shape.length) {
      throw new CompileError(`${where}: per-channel quantization on axis ${axis}, but the tensor has ${t.shape.length} dimensions`);
    }
    if (scale.length !== t.shape[axis]) {
      throw new CompileError(`${where}: ${scale.length} per-channel scales for ${t.shape[axis]} channels on axis ${axis} of shape [${t.shape.join(', ')}]`);
    }
  }
}

function checkValues(t: Tensor, where: string): void {
  const d = t.data;
  if (!(d instanceof Float32Array)) return;
  for (let i = 0; i < d.length; i++) {
    if (!Number.isFinite(d[i])) throw new CompileError(`${where}: value [${i}] is ${float32(d[i])} (constants must be finite)`);
  }
}

/** Checks every tensor and the graph's inputs and outputs; `file` prefixes each message. */
export function checkImportedGraph(g: Graph, file: string): void {
  if (!g.inputs.length) throw new CompileError(`${file}: the graph has no input`);
  if (!g.outputs.length) throw new CompileError(`${file}: the graph has no output`);
  for (const t of Object.values(g.tensors)) {
    const where = `${file}: tensor ${t.name}`;
    checkShape(t.shape, where);
    checkQuant(t, where);
    checkValues(t, where);
  }
}
