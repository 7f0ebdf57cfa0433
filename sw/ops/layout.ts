// Layout helpers: NCHW <-> NCHWnc activations (n = BATCH, c = BLOCK_IN for inputs or BLOCK_OUT for
// outputs) and OIHW <-> OIHWoi weights (o = BLOCK_OUT, i = BLOCK_IN). Packed arrays are the DRAM images
// the load unit reads: element by element, each element a row-major [n][c] (or [o][i]) block.
// Channels (and the batch) that do not fill a block are zero-filled, or rejected when `pad` is false.

import type { VtaConfig } from '../../hw/vta/config';
import { OperatorError } from './errors';

export type Int8OrInt32 = Int8Array | Int32Array;
export type Shape4 = readonly [number, number, number, number];

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);
export const roundUp = (a: number, b: number): number => ceilDiv(a, b) * b;

export interface PackOptions {
  /** Zero-fill channels up to a block multiple (default true); false rejects such shapes. */
  pad?: boolean;
  /** Names the tensor in error messages. */
  name?: string;
}

function checkData(data: Int8OrInt32, shape: Shape4, name: string): void {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d <= 0) throw new OperatorError(`${name}: shape [${shape.join(', ')}] must hold positive integers`);
  }
  const n = shape[0] * shape[1] * shape[2] * shape[3];
  if (data.length !== n) throw new OperatorError(`${name}: ${data.length} values do not match shape [${shape.join(', ')}] (${n} values)`);
}

function blockOf(dim: number, block: number, pad: boolean, what: string, name: string, key: string): number {
  if (dim % block !== 0 && !pad) {
    throw new OperatorError(`${name}: ${what} ${dim} is not a multiple of ${key} ${block}; pad it (pad: true) or change the shape`);
  }
  return ceilDiv(dim, block);
}

/** The packed shape [N/BATCH, C/c, H, W, BATCH, c] of an NCHW activation; `c` = BLOCK_IN ('inp') or BLOCK_OUT ('out'/'acc'). */
export function packedActShape(cfg: VtaConfig, [n, c, h, w]: Shape4, kind: 'inp' | 'out' | 'acc', pad = true, name = 'tensor'): number[] {
  const cb = kind === 'inp' ? cfg.blockIn : cfg.blockOut;
  return [
    blockOf(n, cfg.batch, pad, 'batch', name, 'BATCH'),
    blockOf(c, cb, pad, 'channel count', name, kind === 'inp' ? 'BLOCK_IN' : 'BLOCK_OUT'),
    h,
    w,
    cfg.batch,
    cb,
  ];
}

/** NCHW -> NCHWnc (same element type). */
export function packActivations<T extends Int8OrInt32>(cfg: VtaConfig, data: T, shape: Shape4, kind: 'inp' | 'out' | 'acc', opt: PackOptions = {}): T {
  const name = opt.name ?? 'activation';
  checkData(data, shape, name);
  const [N, C, H, W] = shape;
  const [NB, CB, , , B, BC] = packedActShape(cfg, shape, kind, opt.pad ?? true, name);
  const out = new (data.constructor as { new (n: number): T })(NB * CB * H * W * B * BC);
  for (let n = 0; n < N; n++) {
    const nb = Math.floor(n / B);
    const bi = n % B;
    for (let c = 0; c < C; c++) {
      const cb = Math.floor(c / BC);
      const ci = c % BC;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          out[((((nb * CB + cb) * H + y) * W + x) * B + bi) * BC + ci] = data[((n * C + c) * H + y) * W + x];
        }
      }
    }
  }
  return out;
}

/** NCHWnc -> NCHW, dropping padded channels and batch rows. */
export function unpackActivations<T extends Int8OrInt32>(cfg: VtaConfig, packed: T, shape: Shape4, kind: 'inp' | 'out' | 'acc'): T {
  const [N, C, H, W] = shape;
  const [NB, CB, , , B, BC] = packedActShape(cfg, shape, kind);
  if (packed.length !== NB * CB * H * W * B * BC) {
    throw new OperatorError(`unpack: ${packed.length} values do not match the packed shape [${[NB, CB, H, W, B, BC].join(', ')}]`);
  }
  const out = new (packed.constructor as { new (n: number): T })(N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          out[((n * C + c) * H + y) * W + x] = packed[((((Math.floor(n / B) * CB + Math.floor(c / BC)) * H + y) * W + x) * B + (n % B)) * BC + (c % BC)];
        }
      }
    }
  }
  return out;
}

/** The packed shape [O/BLOCK_OUT, I/BLOCK_IN, KH, KW, BLOCK_OUT, BLOCK_IN] of OIHW weights. */
export function packedWgtShape(cfg: VtaConfig, [o, i, kh, kw]: Shape4, pad = true, name = 'weights'): number[] {
  return [
    blockOf(o, cfg.blockOut, pad, 'output channel count', name, 'BLOCK_OUT'),
    blockOf(i, cfg.blockIn, pad, 'input channel count', name, 'BLOCK_IN'),
    kh,
    kw,
    cfg.blockOut,
    cfg.blockIn,
  ];
}

/** OIHW -> OIHWoi (int8). */
export function packWeights(cfg: VtaConfig, data: Int8Array, shape: Shape4, opt: PackOptions = {}): Int8Array {
  const name = opt.name ?? 'weights';
  checkData(data, shape, name);
  const [O, I, KH, KW] = shape;
  const [OB, IB, , , BO, BI] = packedWgtShape(cfg, shape, opt.pad ?? true, name);
  const out = new Int8Array(OB * IB * KH * KW * BO * BI);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < KH; y++) {
        for (let x = 0; x < KW; x++) {
          out[((((Math.floor(o / BO) * IB + Math.floor(i / BI)) * KH + y) * KW + x) * BO + (o % BO)) * BI + (i % BI)] = data[((o * I + i) * KH + y) * KW + x];
        }
      }
    }
  }
  return out;
}

/** OIHWoi -> OIHW. */
export function unpackWeights(cfg: VtaConfig, packed: Int8Array, shape: Shape4): Int8Array {
  const [O, I, KH, KW] = shape;
  const [OB, IB, , , BO, BI] = packedWgtShape(cfg, shape);
  if (packed.length !== OB * IB * KH * KW * BO * BI) throw new OperatorError(`unpackWeights: ${packed.length} values do not match the packed shape`);
  const out = new Int8Array(O * I * KH * KW);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < KH; y++) {
        for (let x = 0; x < KW; x++) {
          out[((o * I + i) * KH + y) * KW + x] = packed[((((Math.floor(o / BO) * IB + Math.floor(i / BI)) * KH + y) * KW + x) * BO + (o % BO)) * BI + (i % BI)];
        }
      }
    }
  }
  return out;
}

/** Per-channel int32 values (a bias) as ACC elements [C/BLOCK_OUT][BATCH][BLOCK_OUT], replicated over the batch rows. */
export function packBias(cfg: VtaConfig, bias: Int32Array, channels: number): Int32Array {
  if (bias.length !== channels) throw new OperatorError(`bias: ${bias.length} values for ${channels} output channels`);
  const CB = ceilDiv(channels, cfg.blockOut);
  const out = new Int32Array(CB * cfg.batch * cfg.blockOut);
  for (let c = 0; c < channels; c++) {
    for (let b = 0; b < cfg.batch; b++) out[(Math.floor(c / cfg.blockOut) * cfg.batch + b) * cfg.blockOut + (c % cfg.blockOut)] = bias[c];
  }
  return out;
}
