// avgPoolInt8: TFLite's SAME average pool (pads not counted) on the device, exact: border windows hold fewer
// values and get their own Q31 rule (one REQ per rectangle of equal window sizes), checked against TFLite's
// rounding of every window's sum over the values inside the image.
import { exactAverages, tfliteAverage } from '../../sw/compiler/fixed-point';
import { avgPoolInt8, OperatorError, packActivations, unpackActivations, windowCounts } from '../../sw/ops';
import { cfgWith, firstDiff, Rng, runtime } from './helpers';

function reference(x: Int8Array, C: number, H: number, W: number, K: number, s: number, p: number): { out: Int8Array; OH: number; OW: number } {
  const OH = Math.floor((H + 2 * p - K) / s) + 1;
  const OW = Math.floor((W + 2 * p - K) / s) + 1;
  const out = new Int8Array(C * OH * OW);
  for (let c = 0; c < C; c++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++) {
        let sum = 0;
        let count = 0;
        for (let ky = 0; ky < K; ky++)
          for (let kx = 0; kx < K; kx++) {
            const y = oy * s - p + ky;
            const xx = ox * s - p + kx;
            if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
            sum += x[(c * H + y) * W + xx];
            count++;
          }
        out[(c * OH + oy) * OW + ox] = tfliteAverage(sum, count);
      }
  return { out, OH, OW };
}

test('windowCounts: values inside the image per output index', () => {
  expect(windowCounts(5, 9, 3, 2, 1)).toEqual([2, 3, 3, 3, 2]);
  expect(windowCounts(4, 4, 3, 1, 1)).toEqual([2, 3, 3, 2]);
  expect(windowCounts(3, 5, 5, 2, 2)).toEqual([3, 5, 3]);
});

test('avgPoolInt8 equals TFLite’s average with the pads left out (3x3 s1/s2 p1, 5x5 s2 p2, several tiles)', async () => {
  const cfg = cfgWith({ REQUANT_BUFF_DEPTH: 16 });
  const rt = runtime(cfg);
  const rng = new Rng(11);
  for (const [C, H, W, K, s, p] of [
    [16, 5, 5, 3, 1, 1],
    [32, 9, 7, 3, 2, 1],
    [16, 13, 11, 5, 2, 2],
    [16, 60, 40, 3, 1, 1],
  ]) {
    const x = rng.int8(C * H * W);
    const ref = reference(x, C, H, W, K, s, p);
    const counts = [...new Set(windowCounts(ref.OH, H, K, s, p).flatMap((a) => windowCounts(ref.OW, W, K, s, p).map((b) => a * b)))];
    const exact = exactAverages(counts)!;
    const rules = { weight: exact[0].weight, byCount: new Map(counts.map((c, i) => [c, exact[i]])) };
    const xin = rt.alloc(C * H * W);
    rt.copyToDevice(xin, new Uint8Array(packActivations(cfg, x, [1, C, H, W], 'out').buffer));
    const out = rt.alloc(C * ref.OH * ref.OW);
    await avgPoolInt8(rt, xin, out, { NB: 1, CB: C / 16, H, W, kernel: K, stride: s, pad: p }, rules, 'pool');
    const got = unpackActivations(cfg, new Int8Array(rt.copyFromDevice(out, C * ref.OH * ref.OW).slice().buffer), [1, C, ref.OH, ref.OW], 'out');
    const d = firstDiff(got, ref.out);
    if (d >= 0) throw new Error(`${[C, H, W, K, s, p]}: element ${d} is ${got[d]}, expected ${ref.out[d]}`);
    rt.free(xin);
    rt.free(out);
  }
  // without the stage: a clear error, not a wrong result
  const plain = runtime(cfgWith());
  const buf = plain.alloc(16 * 25);
  await expect(
    avgPoolInt8(plain, buf, buf, { NB: 1, CB: 1, H: 5, W: 5, kernel: 3, stride: 1, pad: 1 }, { weight: 1, byCount: new Map() }, 'pool'),
  ).rejects.toThrow(OperatorError);
});
