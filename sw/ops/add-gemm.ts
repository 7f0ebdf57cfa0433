// Element-wise add of two int8 activations already on the device, as GEMMs: out = epilogue(wa * a + wb * b).
// The operands are loaded as int8 into INP by the load stage (16 bytes a vector, overlapping compute), two GEMM
// micro-ops per vector multiply them by scaled identity blocks in WGT into ACC, then the epilogue (shift and
// clip, or one ALU REQ on a core with the requantization stage) and a store. The ALU's add (alu.ts) loads both
// operands as int32 in the compute stage instead: 128 bytes a vector, serialized with the arithmetic.
// Two virtual threads: INP and ACC in halves that alternate per tile, with VTA's token ping-pong.

import { MEM_TYPE } from '../../hw/vta/config';
import { MEM_TYPE_REQ } from '../../hw/vta/requant';
import type { DeviceBuffer, Runtime } from '../runtime';
import { emitRequant, emitStageRequant, shiftClipParams, spanKernel, stageParamTable } from './epilogue';
import { OperatorError } from './errors';

export interface GemmAddEpilogue {
  /** int8 factors of the two operands (default 1). */
  wa?: number;
  wb?: number;
  /** Added to every accumulator before the shift (the ALU's 16-bit immediate). */
  bias?: number;
  shift?: number;
  relu?: boolean;
  min?: number;
  max?: number;
}

const MAX_TILE = 2 ** 14 - 1;

/** A device buffer of WGT elements, element k = factors[k] times the identity (BLOCK_OUT = BLOCK_IN). */
export function scaledIdentities(rt: Runtime, factors: readonly number[]): DeviceBuffer {
  const B = rt.config.blockOut;
  const w = new Int8Array(factors.length * B * B);
  factors.forEach((f, k) => {
    for (let i = 0; i < B; i++) w[k * B * B + i * B + i] = f;
  });
  const buf = rt.alloc(w.byteLength);
  rt.copyToDevice(buf, new Uint8Array(w.buffer));
  return buf;
}

/** Why `addGemm` cannot run on this configuration (null when it can). */
export function addGemmIssue(cfg: Runtime['config']): string | null {
  if (cfg.blockIn !== cfg.blockOut) return `int8 activations are INP vectors only when BLOCK_IN ${cfg.blockIn} = BLOCK_OUT ${cfg.blockOut}`;
  if (cfg.tensor.wgt.depth < 4 || cfg.tensor.inp.depth < 8) return 'the INP and WGT buffers are too small';
  return null;
}

/** out = epilogue(wa * a + wb * b) over `vectors` int8 vectors (BATCH x BLOCK values each) of a, b and out. */
export async function addGemm(
  rt: Runtime,
  a: DeviceBuffer,
  b: DeviceBuffer,
  out: DeviceBuffer,
  vectors: number,
  e: GemmAddEpilogue = {},
  name = 'add',
): Promise<void> {
  const cfg = rt.config;
  const issue = addGemmIssue(cfg);
  if (issue) throw new OperatorError(`${name}: ${issue}`);
  const wa = e.wa ?? 1;
  const wb = e.wb ?? 1;
  const shift = e.shift ?? 0;
  const bias = e.bias ?? 0;
  for (const [what, v] of [
    ['wa', wa],
    ['wb', wb],
  ] as const) {
    if (!Number.isInteger(v) || v < -128 || v > 127) throw new OperatorError(`${name}: ${what} = ${v} must be an int8 factor`);
  }
  if (!Number.isInteger(bias) || bias < -32768 || bias > 32767) throw new OperatorError(`${name}: bias ${bias} must fit the ALU's 16-bit immediate`);
  if (!Number.isInteger(shift) || shift < 0 || shift > 31) throw new OperatorError(`${name}: shift must be an integer in 0..31, got ${shift}`);
  if (!Number.isSafeInteger(vectors) || vectors < 1) throw new OperatorError(`${name}: vector count must be positive, got ${vectors}`);
  const vecBytes = cfg.tensor.out.elemBytes;
  for (const [what, buf] of [
    ['a', a],
    ['b', b],
    ['output', out],
  ] as const) {
    if (buf.bytes < vectors * vecBytes) throw new OperatorError(`${name}: ${what} has ${buf.bytes} bytes, ${vectors} int8 vectors need ${vectors * vecBytes}`);
  }

  // WGT: wa * I at entry 0, wb * I at entry 1 (one copy, loaded by the first tile)
  const BO = cfg.blockOut;
  const wgt = scaledIdentities(rt, [wa, wb]);
  const stage = cfg.requant ? shiftClipParams({ shift, relu: e.relu ?? false, min: e.min, max: e.max }, BO) : null;
  const req = stage ? rt.alloc(cfg.requant!.elemBytes) : null;
  if (req) rt.copyToDevice(req, stageParamTable(cfg, stage!, BO, name));

  const V = 2;
  const inpSlot = cfg.tensor.inp.depth >> 1;
  const accSlot = cfg.tensor.acc.depth >> 1;
  const T = Math.min(inpSlot >> 1, accSlot, MAX_TILE);
  const tiles = Math.ceil(vectors / T);
  const prev = rt.currentOperator;
  rt.setOperator(name);
  try {
    for (let t = 0; t < tiles; t++) {
      const off = t * T;
      const n = Math.min(T, vectors - off);
      const inpBase = (t % V) * inpSlot;
      const accBase = (t % V) * accSlot;
      // load stage: both operands into this thread's INP half
      if (t >= V) rt.depPop('compute', 'load');
      if (t === 0) rt.loadBuffer2D(wgt, 0, MEM_TYPE.WGT, 0, 1, 2, 2);
      rt.loadBuffer2D(a, off, MEM_TYPE.INP, inpBase, 1, n, n);
      rt.loadBuffer2D(b, off, MEM_TYPE.INP, inpBase + n, 1, n, n);
      rt.depPush('load', 'compute');
      // compute stage
      if (t >= V) rt.depPop('store', 'compute');
      rt.depPop('load', 'compute');
      if (t === 0 && req) rt.loadBuffer2D(req, 0, MEM_TYPE_REQ, 0, 1, 1, 1);
      rt.pushGemm(
        rt.kernel(`reset:a${accBase}:n${n}`, (k) => k.loop(n, 1, 0, 0).push(accBase, 0, 0)),
        { reset: true },
      );
      rt.pushGemm(
        rt.kernel(`addgemm:a${accBase}:i${inpBase}:n${n}`, (k) =>
          k
            .loop(n, 1, 1, 0)
            .push(accBase, inpBase, 0)
            .push(accBase, inpBase + n, 1),
        ),
      );
      if (t + V < tiles) rt.depPush('compute', 'load');
      if (bias) rt.pushAlu(spanKernel(rt, accBase, n), 'ADD', bias);
      if (req) emitStageRequant(rt, accBase, 0, 1, n);
      else emitRequant(rt, accBase, n, { shift, relu: e.relu ?? false, min: e.min, max: e.max });
      rt.depPush('compute', 'store');
      // store stage
      rt.depPop('compute', 'store');
      rt.storeBuffer2D(accBase, out, off, 1, n, n);
      if (t + V < tiles) rt.depPush('store', 'compute');
    }
    await rt.synchronize();
  } finally {
    rt.setOperator(prev);
    rt.free(wgt);
    if (req) rt.free(req);
  }
}
