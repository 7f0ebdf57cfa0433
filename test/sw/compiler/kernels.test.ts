// The CPU kernels every reference runs on, against the definitions written as plainly as possible:
// convolution sums (im2col + blocked product) for grouped, strided, padded shapes, and gemmlowp's
// rounding doubling high multiply (split into exact doubles) against 64-bit BigInt arithmetic.
import { convSums } from '../../../sw/compiler/exec/kernels';
import { saturatingRoundingDoublingHighMul } from '../../../sw/compiler/fixed-point';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

function naiveConv(
  x: number[],
  [N, C, H, W]: number[],
  w: number[],
  [O, Ig, KH, KW]: number[],
  bias: number[] | null,
  [sh, sw]: number[],
  [pt, , pl]: number[],
  groups: number,
  OH: number,
  OW: number,
  xZero: number,
): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = bias ? bias[o] : 0;
          const g = Math.floor(o / (O / groups));
          for (let i = 0; i < Ig; i++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const y = oy * sh - pt + ky;
                const xx = ox * sw - pl + kx;
                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                s += (x[((n * C + g * Ig + i) * H + y) * W + xx] - xZero) * w[((o * Ig + i) * KH + ky) * KW + kx];
              }
          out.push(s);
        }
  return out;
}

test('convSums equals the plain definition on random grouped, strided and padded shapes', () => {
  const r = lcg(7);
  for (let t = 0; t < 60; t++) {
    const groups = [1, 1, 2, 4][r() % 4];
    const Ig = 1 + (r() % 5);
    const Og = 1 + (r() % 9);
    const [C, O] = [Ig * groups, Og * groups];
    const [KH, KW] = [1 + (r() % 3), 1 + (r() % 4)];
    const [H, W] = [KH + (r() % 9), KW + (r() % 9)];
    const [sh, sw] = [1 + (r() % 3), 1 + (r() % 2)];
    const pads = [r() % 3, r() % 3, r() % 3, r() % 3];
    const N = 1 + (r() % 2);
    const OH = Math.floor((H + pads[0] + pads[1] - KH) / sh) + 1;
    const OW = Math.floor((W + pads[2] + pads[3] - KW) / sw) + 1;
    const x = Array.from({ length: N * C * H * W }, () => (r() % 256) - 128);
    const w = Array.from({ length: O * Ig * KH * KW }, () => (r() % 7 === 0 ? 0 : (r() % 256) - 128));
    const bias = t % 2 ? Array.from({ length: O }, () => (r() % 10000) - 5000) : null;
    const xZero = t % 3 === 0 ? (r() % 20) - 10 : 0;
    const got = convSums(
      Int8Array.from(x),
      [N, C, H, W],
      Int8Array.from(w),
      [O, Ig, KH, KW],
      bias && Int32Array.from(bias),
      { strides: [sh, sw], pads, groups },
      OH,
      OW,
      xZero,
    );
    expect(Array.from(got)).toEqual(naiveConv(x, [N, C, H, W], w, [O, Ig, KH, KW], bias, [sh, sw], pads, groups, OH, OW, xZero));
  }
});

test('saturatingRoundingDoublingHighMul equals the 64-bit definition', () => {
  const ref = (a: number, b: number) => {
    if (a === -(2 ** 31) && b === -(2 ** 31)) return 2 ** 31 - 1;
    const ab = BigInt(a) * BigInt(b);
    return Number((ab + (ab >= 0n ? 1n << 30n : 1n - (1n << 30n))) / (1n << 31n));
  };
  const r = lcg(99);
  const edge = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 30, -(2 ** 30), 65535, 65536, -65536, -65537, (1 << 16) | 1];
  const values = [...edge, ...Array.from({ length: 400 }, (_, i) => (i % 2 ? r() | 0 : (r() | 0) >> (r() % 31)))];
  let checked = 0;
  for (const a of values)
    for (const b of values) {
      expect(saturatingRoundingDoublingHighMul(a, b)).toBe(ref(a, b));
      checked++;
    }
  expect(checked).toBe(values.length ** 2);
});
