// Max-pool of an int8 activation already on the device. The input rows are loaded as int8 into INP by the load
// stage (16 bytes a vector, with the load unit's zero padding) and copied into ACC by one GEMM micro-op per
// vector against an identity block; the tensor ALU then takes the window maxima (alu.ts emitPoolWindows). The
// int32 form (alu.ts maxPoolPacked) loads 64 bytes a vector in the compute stage. Two virtual threads.
//
// The load unit pads with 0, which would win a padded window whose values are all negative; the frameworks
// leave pads out of the max. With `excludePads` every real value gets +128 on its way into ACC (a second GEMM
// micro-op adds 64 times a plane of 2s loaded with the same padding, so the pads stay 0 and every real value
// is >= 0 = the pads), and the maxima get -128 back before the epilogue: exact for any int8 input.

import { MEM_TYPE } from '../../hw/vta/config';
import type { DeviceBuffer, Runtime } from '../runtime';
import { addGemmIssue, scaledIdentities } from './add-gemm';
import { AluEpilogue, checkEpi, checkPool, emitPoolWindows, PoolGeometry, PoolTile, poolTiles } from './alu';
import { OperatorError } from './errors';

/** ACC[inBase + i] = INP[inpBase + i] times WGT entry 0 (an identity block, scaled), i < n: a reset, then one GEMM micro-op a vector. */
export function copyIntoAcc(rt: Runtime, inBase: number, inpBase: number, n: number): void {
  rt.pushGemm(
    rt.kernel(`reset:a${inBase}:n${n}`, (k) => k.loop(n, 1, 0, 0).push(inBase, 0, 0)),
    { reset: true },
  );
  rt.pushGemm(rt.kernel(`copy:a${inBase}:i${inpBase}:n${n}`, (k) => k.loop(n, 1, 1, 0).push(inBase, inpBase, 0)));
}

/** Where one tile of an int8 pool sits: its INP half, its outputs in ACC and its input rows behind them. */
export interface Int8PoolSlot {
  tile: PoolTile;
  t: number;
  inpBase: number;
  outBase: number;
  inBase: number;
  /** Input vectors of the tile (rows x columns, padded). */
  n: number;
}

/**
 * The two-thread tile pipeline of the int8 pools: per tile, the load stage moves its padded input rows into an
 * INP half (`load` adds more beside them), the compute stage copies them into ACC with WGT entry 0 (`beforeCopy`
 * and `afterCopy` around it) and runs `windows`, the store stage writes the outputs. `wgtEntries` entries of
 * `wgt` are loaded by the first tile.
 */
export async function int8PoolPipeline(
  rt: Runtime,
  name: string,
  io: { input: DeviceBuffer; out: DeviceBuffer; W: number; OH: number; OW: number; inCols: number },
  tiles: readonly PoolTile[],
  wgt: { buf: DeviceBuffer; entries: number },
  steps: { load?(x: Int8PoolSlot): void; beforeCopy?(x: Int8PoolSlot): void; afterCopy?(x: Int8PoolSlot): void; windows(x: Int8PoolSlot): void },
): Promise<void> {
  const cfg = rt.config;
  const V = 2;
  const inpSlot = cfg.tensor.inp.depth >> 1;
  const accSlot = cfg.tensor.acc.depth >> 1;
  const { OH, OW, inCols } = io;
  const prev = rt.currentOperator;
  rt.setOperator(name);
  try {
    tiles.forEach((tile, t) => {
      const outBase = (t % V) * accSlot;
      const x: Int8PoolSlot = { tile, t, inpBase: (t % V) * inpSlot, outBase, inBase: outBase + tile.th * OW, n: tile.inRows * inCols };
      // load stage: the tile's input rows, padded, into this thread's INP half
      if (t >= V) rt.depPop('compute', 'load');
      if (t === 0) rt.loadBuffer2D(wgt.buf, 0, MEM_TYPE.WGT, 0, 1, wgt.entries, wgt.entries);
      rt.loadBuffer2D(io.input, tile.src, MEM_TYPE.INP, x.inpBase, tile.ySize, tile.xSize, io.W, tile.pads);
      steps.load?.(x);
      rt.depPush('load', 'compute');
      // compute stage: the rows into ACC (reset, then one GEMM per vector), then the windows
      if (t >= V) rt.depPop('store', 'compute');
      rt.depPop('load', 'compute');
      steps.beforeCopy?.(x);
      copyIntoAcc(rt, x.inBase, x.inpBase, x.n);
      steps.afterCopy?.(x);
      if (t + V < tiles.length) rt.depPush('compute', 'load');
      steps.windows(x);
      rt.depPush('compute', 'store');
      // store stage
      rt.depPop('compute', 'store');
      rt.storeBuffer2D(outBase, io.out, (tile.plane * OH + tile.oh0) * OW, tile.th, OW, OW);
      if (t + V < tiles.length) rt.depPush('store', 'compute');
    });
    await rt.synchronize();
  } finally {
    rt.setOperator(prev);
  }
}

/** Added to every real value with `excludePads`: int8 values become 0..255, above the pads' 0. */
const PAD_OFFSET = 128;

export async function maxPoolInt8(
  rt: Runtime,
  input: DeviceBuffer,
  out: DeviceBuffer,
  g: PoolGeometry,
  epilogue: AluEpilogue = {},
  name = 'max_pool2d',
  opts: { excludePads?: boolean } = {},
): Promise<void> {
  const cfg = rt.config;
  const issue = addGemmIssue(cfg);
  if (issue) throw new OperatorError(`${name}: ${issue}`);
  const e = checkEpi(name, epilogue);
  const { kernel: K, stride: s, pad: p } = g;
  const vec = cfg.tensor.out.elemBytes;
  const { OH, OW } = checkPool(name, g, input, out, vec, vec);
  const exclude = !!opts.excludePads && p > 0;
  const planes = exclude ? 2 : 1; // the input rows, and the plane of 2s beside them
  const inpSlot = cfg.tensor.inp.depth >> 1;
  const accSlot = cfg.tensor.acc.depth >> 1;
  const inCols = (OW - 1) * s + K;
  // rows per tile: the input rows fit half of INP, they and the output rows half of ACC
  const tiles = poolTiles(name, g, OH, OW, (th, inRows) => planes * inRows * inCols <= inpSlot && inRows * inCols + th * OW <= accSlot, 'INP and ACC buffers');
  const wgt = scaledIdentities(rt, exclude ? [1, PAD_OFFSET / 2] : [1]);
  const twosBytes = tiles[0].inRows * inCols * vec;
  const twos = exclude ? rt.alloc(twosBytes) : null;
  if (twos) rt.copyToDevice(twos, new Uint8Array(twosBytes).fill(2));

  try {
    await int8PoolPipeline(
      rt,
      name,
      { input, out, W: g.W, OH, OW, inCols },
      tiles,
      { buf: wgt, entries: planes },
      {
        load: ({ inpBase, n, tile }) => {
          if (twos) rt.loadBuffer2D(twos, 0, MEM_TYPE.INP, inpBase + n, tile.ySize, tile.xSize, tile.xSize, tile.pads);
        },
        afterCopy: ({ inBase, inpBase, n }) => {
          if (exclude) rt.pushGemm(rt.kernel(`offset:a${inBase}:i${inpBase + n}:n${n}`, (k) => k.loop(n, 1, 1, 0).push(inBase, inpBase + n, 1)));
        },
        windows: ({ outBase, inBase, tile }) =>
          emitPoolWindows(rt, outBase, inBase, tile.th, OW, K, s, inCols, { epilogue: e, valuesInt8: true, offset: exclude ? PAD_OFFSET : 0 }),
      },
    );
  } finally {
    rt.free(wgt);
    if (twos) rt.free(twos);
  }
}
