// Element-wise operators on the tensor ALU over packed int32 tensors in ACC layout
// ([N/B, C/BO, H, W, B, BO]), written out as int8 (OUT layout): residual add, ReLU, clip, shift, max-pool.
// Data is loaded with LOAD ACC (compute stage); ACC/OUT halves alternate per tile with the
// compute->store token ping-pong so stores overlap the next tile.

import { MEM_TYPE } from '../../hw/vta/config';
import type { DeviceBuffer, Runtime } from '../runtime';
import { emitRequant, spanKernel } from './epilogue';
import { OperatorError } from './errors';

export interface AluEpilogue {
  shift?: number;
  relu?: boolean;
  /** Clip bounds (within int8). */
  min?: number;
  max?: number;
}

export function checkEpi(name: string, e: AluEpilogue): { shift: number; relu: boolean; min: number; max: number } {
  const shift = e.shift ?? 0;
  const min = e.min ?? -128;
  const max = e.max ?? 127;
  if (!Number.isInteger(shift) || shift < 0 || shift > 31) throw new OperatorError(`${name}: shift must be an integer in 0..31, got ${shift}`);
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max || min < -128 || max > 127) {
    throw new OperatorError(`${name}: clip bounds [${min}, ${max}] must be integers within [-128, 127]`);
  }
  return { shift, relu: e.relu ?? false, min, max };
}

async function tiled(rt: Runtime, name: string, tiles: number, body: (t: number, accBase: number, accHalf: number) => void): Promise<void> {
  const prev = rt.currentOperator;
  rt.setOperator(name);
  const accHalf = rt.config.tensor.acc.depth >> 1;
  try {
    for (let t = 0; t < tiles; t++) {
      if (t >= 2) rt.depPop('store', 'compute');
      body(t, (t % 2) * accHalf, accHalf);
      if (t + 2 < tiles) rt.depPush('store', 'compute');
    }
    await rt.synchronize();
  } finally {
    rt.setOperator(prev);
  }
}

/**
 * out = epilogue(a op b) element by element over `elements` ACC elements; `b` null applies the epilogue
 * to `a` alone (ReLU, clip, shift).
 */
export async function aluElementwise(
  rt: Runtime,
  a: DeviceBuffer,
  b: DeviceBuffer | null,
  out: DeviceBuffer,
  elements: number,
  op: 'ADD' | 'MAX' | 'MIN',
  epilogue: AluEpilogue = {},
  name = 'elementwise',
): Promise<void> {
  const cfg = rt.config;
  const e = checkEpi(name, epilogue);
  if (!Number.isSafeInteger(elements) || elements < 1) throw new OperatorError(`${name}: element count must be positive, got ${elements}`);
  const accBytes = elements * cfg.tensor.acc.elemBytes;
  for (const [what, buf] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (buf && buf.bytes < accBytes)
      throw new OperatorError(`${name}: operand ${what} has ${buf.bytes} bytes, ${elements} int32 ACC elements need ${accBytes}`);
  }
  if (out.bytes < elements * cfg.tensor.out.elemBytes) throw new OperatorError(`${name}: the output buffer is too small`);
  const accHalf = cfg.tensor.acc.depth >> 1;
  const chunk = Math.min(b ? accHalf >> 1 : accHalf, 8192);
  const tiles = Math.ceil(elements / chunk);
  await tiled(rt, name, tiles, (t, base) => {
    const off = t * chunk;
    const n = Math.min(chunk, elements - off);
    rt.loadBuffer2D(a, off, MEM_TYPE.ACC, base, 1, n, n);
    if (b) {
      rt.loadBuffer2D(b, off, MEM_TYPE.ACC, base + n, 1, n, n);
      rt.pushAlu(
        rt.kernel(`ew:${base}:${n}`, (k) => k.loop(n, 1, 1).push(base, base + n)),
        op,
      );
    }
    emitRequant(rt, base, n, e);
    rt.depPush('compute', 'store');
    rt.depPop('compute', 'store');
    rt.storeBuffer2D(base, out, off, 1, n, n);
  });
}

export interface PoolGeometry {
  /** Packed ACC-layout input: N/B batch blocks, C/BO channel blocks, H, W. */
  NB: number;
  CB: number;
  H: number;
  W: number;
  kernel: number;
  stride: number;
  pad: number;
}

/** The output size of a pool after checking its window and buffers (input elements of `inBytes` bytes). */
export function checkPool(
  name: string,
  g: PoolGeometry,
  input: DeviceBuffer,
  out: DeviceBuffer,
  inBytes: number,
  outBytes: number,
): { OH: number; OW: number } {
  const { kernel: K, stride: s, pad: p } = g;
  if (K < 1 || s < 1 || p < 0 || p >= K || p > 15)
    throw new OperatorError(`${name}: kernel ${K}, stride ${s}, pad ${p}: need kernel >= 1, stride >= 1, 0 <= pad < kernel, pad <= 15`);
  const OH = Math.floor((g.H + 2 * p - K) / s) + 1;
  const OW = Math.floor((g.W + 2 * p - K) / s) + 1;
  if (OH < 1 || OW < 1) throw new OperatorError(`${name}: the ${K}x${K} window does not fit the padded ${g.H}x${g.W} input`);
  const planes = g.NB * g.CB;
  if (input.bytes < planes * g.H * g.W * inBytes) throw new OperatorError(`${name}: the input buffer is too small`);
  if (out.bytes < planes * OH * OW * outBytes) throw new OperatorError(`${name}: the output buffer is too small`);
  return { OH, OW };
}

/** Max-pool over int32 ACC-layout input; padded positions read as 0 (the load unit's zero pad). */
export async function maxPoolPacked(
  rt: Runtime,
  input: DeviceBuffer,
  out: DeviceBuffer,
  g: PoolGeometry,
  epilogue: AluEpilogue = {},
  name = 'max_pool2d',
): Promise<void> {
  const cfg = rt.config;
  const e = checkEpi(name, epilogue);
  const { kernel: K, stride: s, pad: p } = g;
  const { OH, OW } = checkPool(name, g, input, out, cfg.tensor.acc.elemBytes, cfg.tensor.out.elemBytes);
  const accHalf = cfg.tensor.acc.depth >> 1;
  const inCols = (OW - 1) * s + K;
  // rows per tile: input rows + output rows fit half the ACC
  let tOH = OH;
  while (tOH > 1 && ((tOH - 1) * s + K) * inCols + tOH * OW > accHalf) tOH--;
  if (((tOH - 1) * s + K) * inCols + tOH * OW > accHalf) throw new OperatorError(`${name}: a ${OW}-wide output row does not fit the ACC buffer`);
  const tiles: { plane: number; oh0: number; th: number }[] = [];
  for (let plane = 0; plane < g.NB * g.CB; plane++) for (let oh0 = 0; oh0 < OH; oh0 += tOH) tiles.push({ plane, oh0, th: Math.min(tOH, OH - oh0) });
  await tiled(rt, name, tiles.length, (t, base) => {
    const { plane, oh0, th } = tiles[t];
    const inRows = (th - 1) * s + K;
    const rowStart = oh0 * s - p;
    const y0 = Math.max(0, -rowStart);
    const y1 = Math.max(0, rowStart + inRows - g.H);
    const x0 = p;
    const x1 = Math.max(0, inCols - p - g.W);
    const outBase = base;
    const inBase = base + th * OW;
    rt.loadBuffer2D(input, (plane * g.H + Math.max(0, rowStart)) * g.W, MEM_TYPE.ACC, inBase, inRows - y0 - y1, inCols - x0 - x1, g.W, { y0, y1, x0, x1 });
    emitPoolWindows(rt, outBase, inBase, th, OW, K, s, inCols, e);
    rt.depPush('compute', 'store');
    rt.depPop('compute', 'store');
    rt.storeBuffer2D(outBase, out, (plane * OH + oh0) * OW, th, OW, OW);
  });
}

/**
 * The max over each K x K window (stride s) of the input rows at ACC `inBase` (inCols wide) into `th` x `OW`
 * outputs at `outBase`: reset, ADD of the first tap, MAX over all taps, then the epilogue.
 */
export function emitPoolWindows(
  rt: Runtime,
  outBase: number,
  inBase: number,
  th: number,
  OW: number,
  K: number,
  s: number,
  inCols: number,
  e: { shift: number; relu: boolean; min: number; max: number },
  valuesInt8 = false,
  /** Subtracted from the maxima before the epilogue (the offset maxPoolInt8 adds to keep pads out of the max). */
  offset = 0,
): void {
  rt.pushGemm(
    rt.kernel(`pool-reset:${outBase}:${th * OW}`, (k) => k.loop(th * OW, 1, 0, 0).push(outBase, 0, 0)),
    { reset: true },
  );
  // the window's first element copied (ADD onto the reset), then MAX with the other K*K - 1
  const win = (rest: boolean) =>
    rt.kernel(`pool:${rest ? 'rest' : 'first'}:${outBase}:${inBase}:${th}x${OW}:k${K}:s${s}:c${inCols}`, (k) => {
      k.loop(th, OW, s * inCols).loop(OW, 1, s);
      for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) if (rest === ky + kx > 0) k.push(outBase, inBase + ky * inCols + kx);
    });
  rt.pushAlu(win(false), 'ADD');
  if (K > 1) rt.pushAlu(win(true), 'MAX');
  if (offset) rt.pushAlu(spanKernel(rt, outBase, th * OW), 'ADD', -offset);
  emitRequant(rt, outBase, th * OW, e, valuesInt8);
}
