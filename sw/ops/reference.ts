// Plain TypeScript integer references for every operator (NCHW / OIHW, int8 data, int32 accumulation
// with 32-bit wrap), the oracle of the tests and of `vta bench conv2d`.

import { requantize as requantizeScheme, ShiftScheme } from '../../hw/vta/requant';

export interface Requant {
  /** Arithmetic right shift applied to the int32 accumulator (default 0). */
  shift?: number;
  /** Clamp at 0 after the int8 clip. */
  relu?: boolean;
}

/** The tensor ALU's requantization epilogue as the shared scheme: SHR, clip to int8 (to [0, 127] with ReLU). */
export function requantScheme(r: ClipRequant = {}): ShiftScheme {
  const min = Math.max(-128, r.min ?? -128);
  const max = Math.min(127, r.max ?? 127);
  // ReLU after the clip: max(0, clamp(v, min, max)) = clamp(v, max(0, min), max(0, max)).
  return { kind: 'shift', shift: r.shift ?? 0, rounding: 'floor', zeroPoint: 0, min: r.relu ? Math.max(0, min) : min, max: r.relu ? Math.max(0, max) : max };
}

/** The tensor ALU's requantization epilogue: SHR, MAX -128, MIN 127, optional MAX 0. */
export function requantize(acc: number, r: Requant = {}): number {
  return requantizeScheme(acc, requantScheme(r));
}

export interface Conv2dRefParams extends Requant {
  stride?: number | [number, number];
  /** One number, [h, w], or [top, bottom, left, right]. */
  padding?: number | [number, number] | [number, number, number, number];
  groups?: number;
}

export function pads4(p: Conv2dRefParams['padding']): [number, number, number, number] {
  if (p === undefined) return [0, 0, 0, 0];
  if (typeof p === 'number') return [p, p, p, p];
  if (p.length === 2) return [p[0], p[0], p[1], p[1]];
  return [p[0], p[1], p[2], p[3]];
}

export function strides2(s: Conv2dRefParams['stride']): [number, number] {
  if (s === undefined) return [1, 1];
  return typeof s === 'number' ? [s, s] : [s[0], s[1]];
}

/** int32 accumulators of a grouped 2-D convolution: x [N,C,H,W], w [O,C/groups,KH,KW], bias [O]. */
export function conv2dAccRef(
  x: Int8Array,
  [N, C, H, W]: readonly number[],
  w: Int8Array,
  [O, Ig, KH, KW]: readonly number[],
  bias: Int32Array | null,
  p: Conv2dRefParams = {},
): { acc: Int32Array; shape: [number, number, number, number] } {
  const [sh, sw] = strides2(p.stride);
  const [pt, pb, pl, pr] = pads4(p.padding);
  const g = p.groups ?? 1;
  const OH = Math.floor((H + pt + pb - KH) / sh) + 1;
  const OW = Math.floor((W + pl + pr - KW) / sw) + 1;
  const Og = O / g;
  const acc = new Int32Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const grp = Math.floor(o / Og);
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let s = bias ? bias[o] : 0;
          for (let i = 0; i < Ig; i++) {
            const c = grp * Ig + i;
            for (let ky = 0; ky < KH; ky++) {
              const y = oy * sh - pt + ky;
              if (y < 0 || y >= H) continue;
              const xrow = ((n * C + c) * H + y) * W;
              const wrow = ((o * Ig + i) * KH + ky) * KW;
              for (let kx = 0; kx < KW; kx++) {
                const xx = ox * sw - pl + kx;
                if (xx < 0 || xx >= W) continue;
                s = (s + x[xrow + xx] * w[wrow + kx]) | 0;
              }
            }
          }
          acc[((n * O + o) * OH + oy) * OW + ox] = s;
        }
      }
    }
  }
  return { acc, shape: [N, O, OH, OW] };
}

/** Requantized int8 convolution (the operator's output). */
export function conv2dRef(
  x: Int8Array,
  xShape: readonly number[],
  w: Int8Array,
  wShape: readonly number[],
  bias: Int32Array | null,
  p: Conv2dRefParams = {},
): { out: Int8Array; shape: [number, number, number, number] } {
  const { acc, shape } = conv2dAccRef(x, xShape, w, wShape, bias, p);
  return { out: Int8Array.from(acc, (v) => requantize(v, p)), shape };
}

/** Dense: x [M,K] times w [N,K] transposed plus bias [N], requantized to int8 [M,N]. */
export function denseRef(
  x: Int8Array,
  M: number,
  K: number,
  w: Int8Array,
  N: number,
  bias: Int32Array | null,
  r: Requant = {},
): { out: Int8Array; shape: [number, number] } {
  const out = new Int8Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) s = (s + x[m * K + k] * w[n * K + k]) | 0;
      out[m * N + n] = requantize(s, r);
    }
  }
  return { out, shape: [M, N] };
}

/**
 * Transposed convolution (PyTorch ConvTranspose2d): x [N,Cin,H,W], w [Cin,Cout,KH,KW];
 * out size (H-1)·s - 2p + K + outputPadding.
 */
export function conv2dTransposeRef(
  x: Int8Array,
  [N, C, H, W]: readonly number[],
  w: Int8Array,
  [Ci, O, KH, KW]: readonly number[],
  bias: Int32Array | null,
  stride: number,
  padding: number,
  outputPadding: number,
  r: Requant = {},
): { out: Int8Array; shape: [number, number, number, number] } {
  if (Ci !== C) throw new Error('conv2dTransposeRef: channel mismatch');
  const OH = (H - 1) * stride - 2 * padding + KH + outputPadding;
  const OW = (W - 1) * stride - 2 * padding + KW + outputPadding;
  const acc = new Int32Array(N * O * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) for (let i = 0; i < OH * OW; i++) acc[(n * O + o) * OH * OW + i] = bias ? bias[o] : 0;
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          const v = x[((n * C + c) * H + y) * W + xx];
          for (let o = 0; o < O; o++) {
            for (let ky = 0; ky < KH; ky++) {
              const oy = y * stride - padding + ky;
              if (oy < 0 || oy >= OH) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ox = xx * stride - padding + kx;
                if (ox < 0 || ox >= OW) continue;
                const idx = ((n * O + o) * OH + oy) * OW + ox;
                acc[idx] = (acc[idx] + v * w[((c * O + o) * KH + ky) * KW + kx]) | 0;
              }
            }
          }
        }
      }
    }
  }
  return { out: Int8Array.from(acc, (v) => requantize(v, r)), shape: [N, O, OH, OW] };
}

export interface ClipRequant extends Requant {
  /** Clip bounds applied after the shift (default the int8 range). */
  min?: number;
  max?: number;
}

/** Element-wise epilogue of the ALU operators: shift, clip to [min,max] within int8, optional ReLU. */
export function aluEpilogue(v: number, r: ClipRequant = {}): number {
  return requantizeScheme(v, requantScheme(r));
}

/** Residual add of two int32 tensors of `shape`, then the epilogue. */
export function addRef(a: Int32Array, b: Int32Array, shape: readonly number[], r: ClipRequant = {}): { out: Int8Array; shape: number[] } {
  return { out: Int8Array.from(a, (v, i) => aluEpilogue((v + b[i]) | 0, r)), shape: [...shape] };
}

/** One int32 tensor of `shape` through the epilogue (ReLU, clip, shift). */
export function unaryRef(a: Int32Array, shape: readonly number[], r: ClipRequant = {}): { out: Int8Array; shape: number[] } {
  return { out: Int8Array.from(a, (v) => aluEpilogue(v, r)), shape: [...shape] };
}

/**
 * Max pooling over int32 [N,C,H,W]; padded positions count as 0 (as the load unit pads), or are left out of the
 * max with `padsExcluded` (as the frameworks do); output clipped to int8.
 */
export function maxPoolRef(
  x: Int32Array,
  [N, C, H, W]: readonly number[],
  k: number,
  stride: number,
  pad: number,
  r: ClipRequant = {},
  padsExcluded = false,
): { out: Int8Array; shape: [number, number, number, number] } {
  const OH = Math.floor((H + 2 * pad - k) / stride) + 1;
  const OW = Math.floor((W + 2 * pad - k) / stride) + 1;
  const out = new Int8Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let m = -Infinity;
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const y = oy * stride - pad + ky;
            const xx = ox * stride - pad + kx;
            const inside = y >= 0 && y < H && xx >= 0 && xx < W;
            if (!inside && padsExcluded) continue;
            m = Math.max(m, inside ? x[(nc * H + y) * W + xx] : 0);
          }
        }
        out[(nc * OH + oy) * OW + ox] = aluEpilogue(m, r);
      }
    }
  }
  return { out, shape: [N, C, OH, OW] };
}
