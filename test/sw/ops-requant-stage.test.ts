// conv2d and dense with the epilogue in the requantization stage (hw/vta/REQUANT.md): one ALU REQ per tile
// with per-channel parameters, against the integer reference's accumulators requantized by hw/vta/requant.ts.
import { RequantParam, requantStage } from '../../hw/vta/requant';
import { conv2d, dense, OperatorError } from '../../sw/ops';
import { conv2dAccRef, conv2dRef } from '../../sw/ops/reference';
import { cfgWith, firstDiff, Rng, runtime } from './helpers';

/** A random parameter word: TFLite's Q31 rule (either shift direction) or VTA's shift, with a zero point and clamp. */
function randomParam(rng: Rng): RequantParam {
  const lo = rng.int(-128, 0);
  const q31 = rng.int(0, 3) > 0;
  return {
    mode: q31 ? 'q31' : 'shift',
    multiplier: q31 ? rng.int(2 ** 30, 2 ** 31 - 1) * (rng.int(0, 7) ? 1 : -1) : 0,
    exponent: q31 ? rng.int(-14, 1) : -rng.int(0, 12),
    zeroPoint: rng.int(-20, 20),
    min: lo,
    max: rng.int(lo, 127),
  };
}

describe('conv2d with the requantization stage on fsim', () => {
  const shapes = [
    { N: 1, C: 32, H: 7, W: 6, O: 48, K: 3, stride: 1, pad: 1, groups: 1 },
    { N: 2, C: 16, H: 9, W: 9, O: 20, K: 1, stride: 2, pad: 0, groups: 1 },
    { N: 1, C: 32, H: 6, W: 5, O: 32, K: 3, stride: 1, pad: 1, groups: 2 },
    { N: 1, C: 48, H: 5, W: 5, O: 80, K: 2, stride: 1, pad: 0, groups: 1 },
  ];
  // depth 64 keeps every output block resident; depth 2 loads each tile's blocks in chunks of two
  for (const depth of [64, 2]) {
    test(`random shapes and parameters, REQUANT_BUFF_DEPTH ${depth}`, async () => {
      const cfg = cfgWith({ REQUANT_BUFF_DEPTH: depth });
      const rt = runtime(cfg);
      const rng = new Rng(depth);
      for (const s of shapes) {
        const wShape = [s.O, s.C / s.groups, s.K, s.K];
        const x = rng.int8(s.N * s.C * s.H * s.W);
        const w = rng.int8(wShape[0] * wShape[1] * s.K * s.K);
        const bias = rng.int32(s.O, -20000, 20000);
        const params = Array.from({ length: s.O }, () => randomParam(rng));
        const zx = rng.int(-10, 10);
        const geo = { stride: s.stride, padding: s.pad, groups: s.groups };
        const got = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, wShape, bias, { ...geo, inputZeroPoint: zx, epilogue: { stage: params } });
        // the input's zero point is subtracted over the taps inside the image: minus zx times the convolution of ones
        const { acc: raw, shape } = conv2dAccRef(x, [s.N, s.C, s.H, s.W], w, wShape, bias, geo);
        const { acc: ones } = conv2dAccRef(new Int8Array(x.length).fill(1), [s.N, s.C, s.H, s.W], w, wShape, null, geo);
        const acc = Int32Array.from(raw, (v, i) => v - zx * ones[i]);
        const plane = shape[2] * shape[3];
        const want = Int8Array.from(acc, (v, i) => requantStage(v, params[Math.floor(i / plane) % s.O]));
        const d = firstDiff(got.out, want);
        if (d >= 0) throw new Error(`conv2d ${JSON.stringify(s)} differs at ${d}: ${got.out[d]} vs ${want[d]} (acc ${acc[d]})`);
      }
    });
  }

  test("VTA's shift-and-clip epilogue runs in the stage too: same outputs, a third of the ALU micro-ops", async () => {
    const rng = new Rng(9);
    const x = rng.int8(32 * 8 * 8);
    const w = rng.int8(32 * 32 * 9);
    const bias = rng.int32(32, -4000, 4000);
    const opts = { padding: 1, shift: 9, relu: true };
    const aluUops: number[] = [];
    for (const depth of [0, 64]) {
      const rt = runtime(cfgWith(depth ? { REQUANT_BUFF_DEPTH: depth } : {}));
      const got = await conv2d(rt, x, [1, 32, 8, 8], w, [32, 32, 3, 3], bias, opts);
      expect(Array.from(got.out)).toEqual(Array.from(conv2dRef(x, [1, 32, 8, 8], w, [32, 32, 3, 3], bias, opts).out));
      aluUops.push(rt.stats.counters.aluUops);
    }
    expect(aluUops[1]).toBeLessThan(aluUops[0] * 0.75);
  });

  test('dense: per-channel Q31 parameters', async () => {
    const cfg = cfgWith({ REQUANT_BUFF_DEPTH: 64 });
    const rt = runtime(cfg);
    const rng = new Rng(5);
    const [M, K, N] = [1, 72, 40];
    const x = rng.int8(M * K);
    const w = rng.int8(N * K);
    const bias = rng.int32(N, -3000, 3000);
    const params = Array.from({ length: N }, () => randomParam(rng));
    const got = await dense(rt, x, M, K, w, N, bias, { epilogue: { stage: params } });
    const want = new Int8Array(M * N);
    for (let n = 0; n < N; n++) {
      let s = bias[n];
      for (let k = 0; k < K; k++) s += x[k] * w[n * K + k];
      want[n] = requantStage(s, params[n]);
    }
    expect(Array.from(got.out)).toEqual(Array.from(want));
  });

  test('refuses the stage on a core without it, and a shift beside it', async () => {
    const rng = new Rng(2);
    const x = rng.int8(16 * 4 * 4);
    const w = rng.int8(16 * 16);
    const params = Array.from({ length: 16 }, () => randomParam(rng));
    await expect(conv2d(runtime(cfgWith()), x, [1, 16, 4, 4], w, [16, 16, 1, 1], null, { epilogue: { stage: params } })).rejects.toThrow(
      /requantization stage; this configuration has REQUANT_BUFF_DEPTH 0/,
    );
    const rt = runtime(cfgWith({ REQUANT_BUFF_DEPTH: 16 }));
    await expect(conv2d(rt, x, [1, 16, 4, 4], w, [16, 16, 1, 1], null, { shift: 3, epilogue: { stage: params } })).rejects.toThrow(OperatorError);
  });
});
