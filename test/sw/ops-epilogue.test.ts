// conv2d/dense with an input zero point (TFLite's padding with the zero point), per-channel shifts, clip
// bounds and the MUL form of the epilogue, on fsim, against a direct integer computation.
import { conv2d, dense } from '../../sw/ops';
import { cfgWith, firstDiff, Rng, runtime } from './helpers';

interface Case {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  K: number;
  stride: number;
  pad: [number, number, number, number];
  z: number;
  min: number;
  max: number;
}

/** sum over in-image taps of (x - z) * w + b, then the epilogue: (((acc >> pre) * mul + add) >> shift), clipped. */
function reference(x: Int8Array, w: Int8Array, b: Int32Array, s: Case, ep: { pre?: number[]; mul?: number[]; add?: number[]; shift: number[] }) {
  const OH = Math.floor((s.H + s.pad[0] + s.pad[1] - s.K) / s.stride) + 1;
  const OW = Math.floor((s.W + s.pad[2] + s.pad[3] - s.K) / s.stride) + 1;
  const out = new Int8Array(s.N * s.O * OH * OW);
  for (let n = 0; n < s.N; n++)
    for (let o = 0; o < s.O; o++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let acc = b[o];
          for (let c = 0; c < s.C; c++)
            for (let ky = 0; ky < s.K; ky++)
              for (let kx = 0; kx < s.K; kx++) {
                const y = oy * s.stride - s.pad[0] + ky;
                const xx = ox * s.stride - s.pad[2] + kx;
                if (y < 0 || y >= s.H || xx < 0 || xx >= s.W) continue;
                acc += (x[((n * s.C + c) * s.H + y) * s.W + xx] - s.z) * w[((o * s.C + c) * s.K + ky) * s.K + kx];
              }
          let v = acc >> (ep.pre?.[o] ?? 0);
          if (ep.mul) v = Math.imul(v, ep.mul[o]);
          if (ep.add) v = (v + ep.add[o]) | 0;
          v >>= ep.shift[o];
          out[((n * s.O + o) * OH + oy) * OW + ox] = Math.min(s.max, Math.max(s.min, v));
        }
  return out;
}

const CASES: Case[] = [
  { N: 1, C: 16, H: 9, W: 7, O: 32, K: 3, stride: 1, pad: [1, 1, 1, 1], z: -128, min: -128, max: 127 },
  { N: 1, C: 20, H: 8, W: 8, O: 20, K: 3, stride: 2, pad: [0, 1, 0, 1], z: 4, min: -17, max: 100 },
  { N: 1, C: 32, H: 6, W: 5, O: 16, K: 1, stride: 2, pad: [0, 0, 0, 0], z: -3, min: -128, max: 127 },
  // several tiles, so border rectangles are cut by tile edges
  { N: 1, C: 32, H: 30, W: 30, O: 48, K: 3, stride: 1, pad: [1, 1, 1, 1], z: -128, min: -128, max: 127 },
  { N: 1, C: 16, H: 11, W: 9, O: 16, K: 5, stride: 2, pad: [2, 2, 1, 2], z: 77, min: -128, max: 127 },
];

describe.each([false, true])('conv2d with an input zero point and a per-channel epilogue (MUL form: %s)', (useMul) => {
  test.each(CASES)('%#: $C->$O kernel $K stride $stride, input zero point $z', async (s) => {
    const cfg = cfgWith(useMul ? { ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'] } : {});
    const rt = runtime(cfg);
    const rng = new Rng(7 + s.C);
    const x = rng.int8(s.N * s.C * s.H * s.W);
    const w = rng.int8(s.O * s.C * s.K * s.K);
    const b = rng.int32(s.O, -20000, 20000);
    const shift = Array.from({ length: s.O }, () => rng.int(useMul ? 12 : 6, useMul ? 16 : 11));
    const ep = useMul
      ? { pre: shift.map((_, i) => i % 3), mul: shift.map(() => rng.int(100, 700)), add: shift.map((t) => 2 ** (t - 1) + rng.int(-3, 3) * 2 ** t), shift }
      : { shift };
    const epilogue = useMul
      ? { min: s.min, max: s.max, preShift: ep.pre, multiplier: ep.mul, addend: ep.add, channelShift: shift }
      : { min: s.min, max: s.max, channelShift: shift };
    const got = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, [s.O, s.C, s.K, s.K], b, { stride: s.stride, padding: s.pad, inputZeroPoint: s.z, epilogue });
    const ref = reference(x, w, b, s, ep);
    const d = firstDiff(got.out, ref);
    if (d >= 0) throw new Error(`differs at ${d}: ${got.out[d]} vs ${ref[d]}`);
    // the output is not trivially clipped
    expect(new Set(ref).size).toBeGreaterThan(20);
  });
});

test('dense with an input zero point and per-channel shifts', async () => {
  const rt = runtime();
  const rng = new Rng(3);
  const [M, K, N] = [3, 64, 10];
  const x = rng.int8(M * K);
  const w = rng.int8(N * K);
  const b = rng.int32(N, -1000, 1000);
  const shift = Array.from({ length: N }, () => rng.int(5, 9));
  const { out: got } = await dense(rt, x, M, K, w, N, b, { inputZeroPoint: -128, epilogue: { channelShift: shift, min: -100 } });
  const want = Int8Array.from({ length: M * N }, (_, i) => {
    const [m, n] = [Math.floor(i / N), i % N];
    let acc = b[n];
    for (let k = 0; k < K; k++) acc += (x[m * K + k] + 128) * w[n * K + k];
    return Math.min(127, Math.max(-100, acc >> shift[n]));
  });
  expect(Array.from(got)).toEqual(Array.from(want));
});

test('a multiplier without MUL in ALU_OPS is a clear error', async () => {
  const rt = runtime();
  await expect(
    conv2d(rt, new Int8Array(16 * 4 * 4), [1, 16, 4, 4], new Int8Array(16 * 16), [16, 16, 1, 1], null, { epilogue: { multiplier: [3] } }),
  ).rejects.toThrow(/conv2d: a per-channel multiplier needs the ALU's MUL \(configure ALU_OPS with MUL/);
});
