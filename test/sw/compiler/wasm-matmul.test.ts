// The executors' WebAssembly convolution against a plain loop nest summing in the same order (bias, then
// input channel, kernel row, kernel column; pads as zeros): bit-identical on integer and on float data.

import { convSums } from '../../../sw/compiler/exec/kernels';
import { hostMatmul, loadHostMatmul } from '../../../sw/compiler/exec/wasm-matmul';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function plainConv(
  x: Float64Array,
  [N, C, H, W]: number[],
  w: Float64Array,
  [O, Ig, KH, KW]: number[],
  b: Float64Array,
  p: { strides: number[]; pads: number[]; groups: number },
  OH: number,
  OW: number,
): Float64Array {
  const out = new Float64Array(N * O * OH * OW);
  const Og = O / p.groups;
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / Og);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = b[o];
          for (let i = 0; i < Ig; i++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const y = oy * p.strides[0] - p.pads[0] + ky;
                const xx = ox * p.strides[1] - p.pads[2] + kx;
                const v = y < 0 || y >= H || xx < 0 || xx >= W ? 0 : x[((n * C + g * Ig + i) * H + y) * W + xx];
                s += w[((o * Ig + i) * KH + ky) * KW + kx] * v;
              }
          out[((n * O + o) * OH + oy) * OW + ox] = s;
        }
    }
  return out;
}

describe('WebAssembly convolution kernel', () => {
  beforeAll(() => loadHostMatmul());

  it('is available on this Node (WebAssembly SIMD)', () => {
    expect(hostMatmul()).not.toBeNull();
  });

  // [N, C, H, W, O, K, stride, pad, groups]: odd planes and channel counts, strides, groups, 1x1 kernels
  const cases = [
    [1, 16, 14, 14, 32, 3, 1, 1, 1],
    [1, 1, 28, 28, 6, 5, 1, 2, 1],
    [2, 6, 9, 7, 10, 3, 2, 1, 2],
    [1, 8, 12, 12, 8, 3, 1, 1, 2],
    [1, 3, 17, 13, 5, 1, 1, 0, 1],
    [1, 12, 8, 8, 12, 3, 2, 0, 3],
  ];
  for (const [N, C, H, W, O, K, s, pd, g] of cases) {
    it(`matches the plain loop bit for bit: N${N} C${C} ${H}x${W} O${O} k${K} s${s} p${pd} g${g}`, () => {
      const rnd = lcg(N * 1000 + C * 100 + O);
      const x = Float64Array.from({ length: N * C * H * W }, () => Math.round(rnd() * 510 - 255));
      const w = Float64Array.from({ length: O * (C / g) * K * K }, () => Math.round(rnd() * 255 - 128));
      const b = Float64Array.from({ length: O }, () => Math.round(rnd() * 2e5 - 1e5));
      const OH = Math.floor((H + 2 * pd - K) / s) + 1;
      const OW = Math.floor((W + 2 * pd - K) / s) + 1;
      const p = { strides: [s, s], pads: [pd, pd, pd, pd], groups: g };
      const inShape = [N, C, H, W];
      const wShape = [O, C / g, K, K];
      expect(Array.from(convSums(x, inShape, w, wShape, b, p, OH, OW))).toEqual(Array.from(plainConv(x, inShape, w, wShape, b, p, OH, OW)));
      // float data: the same rounded multiplies and adds in the same order
      const xf = x.map((v) => v * 0.0123);
      const wf = w.map((v) => v * 0.00731);
      const got = convSums(xf, inShape, wf, wShape, b, p, OH, OW);
      const want = plainConv(xf, inShape, wf, wShape, b, p, OH, OW);
      let differing = 0;
      for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) differing++;
      expect(differing).toBe(0);
    });
  }
});
