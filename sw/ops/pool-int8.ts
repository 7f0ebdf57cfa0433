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
import { AluEpilogue, checkEpi, checkPool, emitPoolWindows, PoolGeometry, poolTiles } from './alu';
import { OperatorError } from './errors';

/** ACC[inBase + i] = INP[inpBase + i] times WGT entry 0 (an identity block, scaled), i < n: a reset, then one GEMM micro-op a vector. */
export function copyIntoAcc(rt: Runtime, inBase: number, inpBase: number, n: number): void {
  rt.pushGemm(
    rt.kernel(`reset:a${inBase}:n${n}`, (k) => k.loop(n, 1, 0, 0).push(inBase, 0, 0)),
    { reset: true },
  );
  rt.pushGemm(rt.kernel(`copy:a${inBase}:i${inpBase}:n${n}`, (k) => k.loop(n, 1, 1, 0).push(inBase, inpBase, 0)));
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

  const V = 2;
  const prev = rt.currentOperator;
  rt.setOperator(name);
  try {
    tiles.forEach((tile, t) => {
      const { plane, oh0, th, inRows, src, ySize, xSize, pads } = tile;
      const inpBase = (t % V) * inpSlot;
      const outBase = (t % V) * accSlot;
      const inBase = outBase + th * OW;
      const n = inRows * inCols;
      // load stage: the tile's input rows, padded, into this thread's INP half
      if (t >= V) rt.depPop('compute', 'load');
      if (t === 0) rt.loadBuffer2D(wgt, 0, MEM_TYPE.WGT, 0, 1, planes, planes);
      rt.loadBuffer2D(input, src, MEM_TYPE.INP, inpBase, ySize, xSize, g.W, pads);
      if (twos) rt.loadBuffer2D(twos, 0, MEM_TYPE.INP, inpBase + n, ySize, xSize, xSize, pads);
      rt.depPush('load', 'compute');
      // compute stage: copy into ACC (reset, then one GEMM per vector), window maxima, epilogue
      if (t >= V) rt.depPop('store', 'compute');
      rt.depPop('load', 'compute');
      copyIntoAcc(rt, inBase, inpBase, n);
      if (exclude) rt.pushGemm(rt.kernel(`offset:a${inBase}:i${inpBase + n}:n${n}`, (k) => k.loop(n, 1, 1, 0).push(inBase, inpBase + n, 1)));
      if (t + V < tiles.length) rt.depPush('compute', 'load');
      emitPoolWindows(rt, outBase, inBase, th, OW, K, s, inCols, { epilogue: e, valuesInt8: true, offset: exclude ? PAD_OFFSET : 0 });
      rt.depPush('compute', 'store');
      // store stage
      rt.depPop('compute', 'store');
      rt.storeBuffer2D(outBase, out, (plane * OH + oh0) * OW, th, OW, OW);
      if (t + V < tiles.length) rt.depPush('store', 'compute');
    });
    await rt.synchronize();
  } finally {
    rt.setOperator(prev);
    rt.free(wgt);
    if (twos) rt.free(twos);
  }
}
