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

/** Output rows [oh0, oh0 + th) of one plane, and the input rows they read (inCols wide, padded by the load). */
export interface PoolTile {
  plane: number;
  oh0: number;
  th: number;
  inRows: number;
  /** The part inside the image: its first element in the input plane stack, rows and columns, and the load's pads. */
  src: number;
  ySize: number;
  xSize: number;
  pads: { y0: number; y1: number; x0: number; x1: number };
}

/**
 * A pool's row tiles over every plane: as many output rows per tile as `fits(th, inRows)` allows (the buffers'
 * halves, as the kernels use them), with where each tile's input rows come from.
 */
export function poolTiles(name: string, g: PoolGeometry, OH: number, OW: number, fits: (th: number, inRows: number) => boolean, buffers: string): PoolTile[] {
  const { kernel: K, stride: s, pad: p } = g;
  const rowsFor = (th: number) => (th - 1) * s + K;
  const inCols = (OW - 1) * s + K;
  let tOH = OH;
  while (tOH > 1 && !fits(tOH, rowsFor(tOH))) tOH--;
  if (!fits(tOH, rowsFor(tOH))) throw new OperatorError(`${name}: a ${OW}-wide output row does not fit the ${buffers}`);
  const tiles: PoolTile[] = [];
  for (let plane = 0; plane < g.NB * g.CB; plane++) {
    for (let oh0 = 0; oh0 < OH; oh0 += tOH) {
      const th = Math.min(tOH, OH - oh0);
      const inRows = rowsFor(th);
      const rowStart = oh0 * s - p;
      const pads = { y0: Math.max(0, -rowStart), y1: Math.max(0, rowStart + inRows - g.H), x0: p, x1: Math.max(0, inCols - p - g.W) };
      const src = (plane * g.H + Math.max(0, rowStart)) * g.W;
      tiles.push({ plane, oh0, th, inRows, src, ySize: inRows - pads.y0 - pads.y1, xSize: inCols - pads.x0 - pads.x1, pads });
    }
  }
  return tiles;
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
  const { kernel: K, stride: s } = g;
  const { OH, OW } = checkPool(name, g, input, out, cfg.tensor.acc.elemBytes, cfg.tensor.out.elemBytes);
  const accHalf = cfg.tensor.acc.depth >> 1;
  const inCols = (OW - 1) * s + K;
  // rows per tile: input rows + output rows fit half the ACC
  const tiles = poolTiles(name, g, OH, OW, (th, inRows) => inRows * inCols + th * OW <= accHalf, 'ACC buffer');
  await tiled(rt, name, tiles.length, (t, base) => {
    const { plane, oh0, th, src, ySize, xSize, pads } = tiles[t];
    const outBase = base;
    const inBase = base + th * OW;
    rt.loadBuffer2D(input, src, MEM_TYPE.ACC, inBase, ySize, xSize, g.W, pads);
    emitPoolWindows(rt, outBase, inBase, th, OW, K, s, inCols, { epilogue: e });
    rt.depPush('compute', 'store');
    rt.depPop('compute', 'store');
    rt.storeBuffer2D(outBase, out, (plane * OH + oh0) * OW, th, OW, OW);
  });
}

export interface PoolWindowOptions {
  /** How a window's values combine: MAX (default) or ADD (their sum). */
  combine?: 'MAX' | 'ADD';
  /** Shift and clip after the windows (none: the results stay in ACC as they are). */
  epilogue?: { shift: number; relu: boolean; min: number; max: number };
  /** The values are int8 already: the epilogue needs no clamp at an int8 limit (epilogue.ts emitRequant). */
  valuesInt8?: boolean;
  /** Subtracted from the results before the epilogue (the offset maxPoolInt8 adds to keep pads out of the max). */
  offset?: number;
}

/**
 * Each K x K window (stride s) of the input rows at ACC `inBase` (inCols wide) into `th` x `OW` outputs at
 * `outBase`: reset, ADD of the first tap, MAX (or ADD) of the other taps, then the offset and the epilogue.
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
  o: PoolWindowOptions,
): void {
  rt.pushGemm(
    rt.kernel(`pool-reset:${outBase}:${th * OW}`, (k) => k.loop(th * OW, 1, 0, 0).push(outBase, 0, 0)),
    { reset: true },
  );
  // the window's first element copied (ADD onto the reset), then combined with the other K*K - 1
  const win = (rest: boolean) =>
    rt.kernel(`pool:${rest ? 'rest' : 'first'}:${outBase}:${inBase}:${th}x${OW}:k${K}:s${s}:c${inCols}`, (k) => {
      k.loop(th, OW, s * inCols).loop(OW, 1, s);
      for (let ky = 0; ky < K; ky++) for (let kx = 0; kx < K; kx++) if (rest === ky + kx > 0) k.push(outBase, inBase + ky * inCols + kx);
    });
  rt.pushAlu(win(false), 'ADD');
  if (K > 1) rt.pushAlu(win(true), o.combine ?? 'MAX');
  if (o.offset) rt.pushAlu(spanKernel(rt, outBase, th * OW), 'ADD', -o.offset);
  if (o.epilogue) emitRequant(rt, outBase, th * OW, o.epilogue, o.valuesInt8);
}
