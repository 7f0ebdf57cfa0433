// Loop kernels shared by the float and the integer executors (NCHW / OIHW, numbers accumulated as JS
// doubles for float, or as int32 with wrap for integers: `wrap` = (v) => v | 0).

import type { Activation } from '../ir';
import { hostMatmul, MATMUL_BLOCK, roundUp } from './wasm-matmul';

/** A fused activation on float values, in place. */
export function applyActivation(v: Float32Array, a: Activation | undefined): void {
  if (!a || a.kind === 'none') return;
  const lo = a.kind === 'relu' ? 0 : a.min;
  const hi = a.kind === 'relu' ? Infinity : a.max;
  for (let i = 0; i < v.length; i++) v[i] = Math.min(hi, Math.max(lo, v[i]));
}

export interface ConvParams {
  strides: number[];
  pads: number[];
  groups: number;
}

const f64Cache = new WeakMap<object, Float64Array>();

/** The values as doubles (constants are converted once and cached): one array type keeps the loops monomorphic. */
export function asF64(a: ArrayLike<number>, zero = 0, cache = false): Float64Array {
  if (a instanceof Float64Array && zero === 0) return a;
  if (cache && zero === 0) {
    const hit = f64Cache.get(a as object);
    if (hit) return hit;
  }
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - zero;
  if (cache && zero === 0) f64Cache.set(a as object, out);
  return out;
}

/**
 * Unrolls one image-group's input windows into `col`: row (i, ky, kx), column oy·OW + ox, `stride` columns
 * per row (columns past OH·OW are zeroed); pads read as 0 (the input's zero point was subtracted).
 */
function im2col(
  x: Float64Array,
  base: number,
  [Ig, H, W]: number[],
  [KH, KW]: number[],
  p: ConvParams,
  OH: number,
  OW: number,
  col: Float64Array,
  stride: number,
): void {
  const [sh, sw] = p.strides;
  const [pt, , pl] = p.pads;
  const plane = OH * OW;
  for (let i = 0, row = 0; i < Ig; i++) {
    const xc = base + i * H * W;
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++, row++) {
        const rb = row * stride;
        const ox0 = Math.max(0, Math.ceil((pl - kx) / sw));
        const ox1 = Math.min(OW - 1, Math.floor((W - 1 + pl - kx) / sw));
        for (let oy = 0; oy < OH; oy++) {
          const y = oy * sh - pt + ky;
          const ob = rb + oy * OW;
          if (y < 0 || y >= H || ox0 > ox1) {
            col.fill(0, ob, ob + OW);
            continue;
          }
          // pads at the row ends are a few elements: plain stores, not fill() calls
          for (let ox = 0; ox < ox0; ox++) col[ob + ox] = 0;
          const xrow = xc + y * W - pl + kx;
          for (let ox = ox0; ox <= ox1; ox++) col[ob + ox] = x[xrow + ox * sw];
          for (let ox = ox1 + 1; ox < OW; ox++) col[ob + ox] = 0;
        }
        if (stride > plane) col.fill(0, rb + plane, rb + stride);
      }
    }
  }
}

/**
 * Sums of a grouped 2-D convolution (bias included) for every output element, in doubles: exact for
 * integer data (|sum| < 2^53), so an int32 wrap of the result equals wrapping every step.
 * Per image and group the input windows are unrolled once (im2col: [Ig*KH*KW][OH*OW]) and the sums are a
 * matrix product whose inner loop runs over the output plane: long, contiguous and branch-free, where the
 * direct loop nest spent its time on bounds for rows of 7 or 14 outputs.
 */
export function convSums(
  xs: ArrayLike<number>,
  [N, C, H, W]: number[],
  ws: ArrayLike<number>,
  [O, Ig, KH, KW]: number[],
  bias: ArrayLike<number> | null,
  p: ConvParams,
  OH: number,
  OW: number,
  xZero = 0,
): Float64Array {
  const x = asF64(xs, xZero);
  const w = asF64(ws, 0, true);
  const b = bias ? asF64(bias, 0, true) : null;
  const out = new Float64Array(N * O * OH * OW);
  const Og = O / p.groups;
  const plane = OH * OW;
  const K = Ig * KH * KW;
  // the kernel works on four channels at a time: a group of fewer (depthwise) stays in the loops below
  const mm = Og >= MATMUL_BLOCK ? hostMatmul() : null;
  const cols = mm ? roundUp(plane, MATMUL_BLOCK) : plane;
  const jsCol = mm ? null : new Float64Array(K * plane);
  for (let n = 0; n < N; n++) {
    for (let grp = 0; grp < p.groups; grp++) {
      if (mm) {
        // the WebAssembly kernel: the same sums in the same order, four channels by four positions at a time
        const v = mm.views(Og, K, plane);
        im2col(x, (n * C + grp * Ig) * H * W, [Ig, H, W], [KH, KW], p, OH, OW, v.col, cols);
        v.w.fill(0);
        v.w.set(w.subarray(grp * Og * K, (grp + 1) * Og * K));
        for (let og = 0; og < Og; og++) v.out.fill(b ? b[grp * Og + og] : 0, og * cols, (og + 1) * cols);
        v.run();
        for (let og = 0; og < Og; og++) out.set(v.out.subarray(og * cols, og * cols + plane), (n * O + grp * Og + og) * plane);
        continue;
      }
      const col = jsCol!;
      im2col(x, (n * C + grp * Ig) * H * W, [Ig, H, W], [KH, KW], p, OH, OW, col, plane);
      // four output channels per pass over the unrolled input: a quarter of the reads of `col`
      let og = 0;
      for (; og + 4 <= Og; og += 4) {
        const o = grp * Og + og;
        const b0 = (n * O + o) * plane;
        const [b1, b2, b3] = [b0 + plane, b0 + 2 * plane, b0 + 3 * plane];
        if (b) for (let j = 0; j < 4; j++) out.fill(b[o + j], b0 + j * plane, b0 + (j + 1) * plane);
        for (let k = 0; k < K; k++) {
          const w0 = w[o * K + k];
          const w1 = w[(o + 1) * K + k];
          const w2 = w[(o + 2) * K + k];
          const w3 = w[(o + 3) * K + k];
          const cb = k * plane;
          for (let q = 0; q < plane; q++) {
            const c = col[cb + q];
            out[b0 + q] += w0 * c;
            out[b1 + q] += w1 * c;
            out[b2 + q] += w2 * c;
            out[b3 + q] += w3 * c;
          }
        }
      }
      for (; og < Og; og++) {
        const o = grp * Og + og;
        const base = (n * O + o) * plane;
        if (b) out.fill(b[o], base, base + plane);
        for (let k = 0; k < K; k++) {
          const wv = w[o * K + k];
          const cb = k * plane;
          for (let q = 0; q < plane; q++) out[base + q] += wv * col[cb + q];
        }
      }
    }
  }
  return out;
}

/** y[m][n] = bias[n] + sum_k x[m][k] * w[n][k], in doubles (see convSums). */
export function denseSums(
  xs: ArrayLike<number>,
  M: number,
  K: number,
  ws: ArrayLike<number>,
  N: number,
  bias: ArrayLike<number> | null,
  xZero = 0,
): Float64Array {
  const x = asF64(xs, xZero);
  const w = asF64(ws, 0, true);
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n] : 0;
      for (let k = 0; k < K; k++) s += x[m * K + k] * w[n * K + k];
      out[m * N + n] = s;
    }
  }
  return out;
}

/** Pooling windows: `reduce` gets the in-bounds values of each window and the window's size with pads. */
export function pool(
  x: ArrayLike<number>,
  [N, C, H, W]: number[],
  kernel: number[],
  strides: number[],
  pads: number[],
  OH: number,
  OW: number,
  out: { [i: number]: number },
  reduce: (vals: number[], padded: number) => number,
): void {
  const [kh, kw] = kernel;
  const [sh, sw] = strides;
  const [pt, pb, pl, pr] = pads;
  const vals: number[] = [];
  for (let nc = 0; nc < N * C; nc++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        vals.length = 0;
        let padded = 0;
        for (let ky = 0; ky < kh; ky++) {
          const y = oy * sh - pt + ky;
          for (let kx = 0; kx < kw; kx++) {
            const xx = ox * sw - pl + kx;
            if (y < -pt || y >= H + pb || xx < -pl || xx >= W + pr) continue;
            padded++;
            if (y >= 0 && y < H && xx >= 0 && xx < W) vals.push(x[(nc * H + y) * W + xx]);
          }
        }
        out[(nc * OH + oy) * OW + ox] = reduce(vals, padded);
      }
    }
  }
}

/** Index into a broadcast operand of shape `s` (right-aligned) for a flat index into `out`. */
export function broadcastIndex(outShape: number[], s: number[]): (i: number) => number {
  if (s.reduce((a, b) => a * b, 1) === outShape.reduce((a, b) => a * b, 1)) return (i) => i;
  const r = outShape.length;
  const full = Array.from({ length: r }, (_, k) => s[s.length - r + k] ?? 1);
  return (i: number) => {
    let idx = 0;
    let rest = i;
    let stride = 1;
    const coords: number[] = new Array(r);
    for (let k = r - 1; k >= 0; k--) {
      coords[k] = rest % outShape[k];
      rest = Math.floor(rest / outShape[k]);
    }
    for (let k = r - 1; k >= 0; k--) {
      idx += (full[k] === 1 ? 0 : coords[k]) * stride;
      stride *= full[k];
    }
    return idx;
  };
}

/** Concatenation of row-major tensors along `axis`. */
export function concat<T extends { length: number; set(a: ArrayLike<number>, o: number): void; subarray(a: number, b: number): ArrayLike<number> }>(
  parts: { data: T; shape: number[] }[],
  axis: number,
  out: T,
): void {
  const outer = parts[0].shape.slice(0, axis).reduce((a, b) => a * b, 1);
  let off = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const inner = p.shape.slice(axis).reduce((a, b) => a * b, 1);
      out.set(p.data.subarray(o * inner, (o + 1) * inner), off);
      off += inner;
    }
  }
}
