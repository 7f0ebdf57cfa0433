// The int8 add as GEMMs against scaled identity blocks (sw/ops/add-gemm.ts), against the plain formula, with
// and without the requantization stage, over more vectors than one tile; the max-pool of int8 activations
// copied into ACC by GEMMs (sw/ops/pool-int8.ts) against the reference.
import { maxPoolRef, requantize } from '../../sw/ops/reference';
import { addGemm, maxPoolInt8, OperatorError, packActivations, unpackActivations } from '../../sw/ops';
import { cfgWith, firstDiff, Rng, runtime } from './helpers';

describe('addGemm on fsim', () => {
  for (const depth of [0, 16]) {
    test(`random operands, factors and epilogues (REQUANT_BUFF_DEPTH ${depth})`, async () => {
      const rt = runtime(cfgWith(depth ? { REQUANT_BUFF_DEPTH: depth } : {}));
      const rng = new Rng(11 + depth);
      for (const vectors of [1, 37, 1300]) {
        const a = rng.int8(vectors * 16);
        const b = rng.int8(vectors * 16);
        const e = {
          wa: rng.int(-128, 127),
          wb: rng.int(1, 127),
          bias: rng.int(-3000, 3000),
          shift: rng.int(0, 9),
          relu: rng.int(0, 1) === 1,
          min: -100,
          max: 120,
        };
        const [ba, bb, bo] = [a, b, a].map((x) => rt.alloc(x.length));
        rt.copyToDevice(ba, new Uint8Array(a.buffer));
        rt.copyToDevice(bb, new Uint8Array(b.buffer));
        await addGemm(rt, ba, bb, bo, vectors, e);
        const got = new Int8Array(rt.copyFromDevice(bo, vectors * 16).slice().buffer);
        const want = Int8Array.from(a, (v, i) => requantize(e.wa * v + e.wb * b[i] + e.bias, e));
        const d = firstDiff(got, want);
        if (d >= 0) throw new Error(`${vectors} vectors ${JSON.stringify(e)}: element ${d} is ${got[d]}, expected ${want[d]}`);
        for (const x of [ba, bb, bo]) rt.free(x);
      }
    });
  }

  test('refuses factors outside int8 and a bias past the immediate', async () => {
    const rt = runtime();
    const buf = rt.alloc(64);
    await expect(addGemm(rt, buf, buf, buf, 4, { wa: 200 })).rejects.toThrow(OperatorError);
    await expect(addGemm(rt, buf, buf, buf, 4, { bias: 40000 })).rejects.toThrow(/16-bit immediate/);
    await expect(addGemm(rt, buf, buf, buf, 5)).rejects.toThrow(/5 int8 vectors need 80/);
  });
});

test('maxPoolInt8: ResNet 3x3 s2 p1, 2x2 s2, a wide 3x3 s1 p1 (several tiles a plane), ReLU, a shift and clip bounds', async () => {
  const cfg = cfgWith();
  const rt = runtime(cfg);
  const rng = new Rng(3);
  for (const [C, H, W, k, s, p, sh] of [
    [16, 12, 12, 3, 2, 1, 0],
    [32, 9, 7, 2, 2, 0, 1],
    [16, 40, 40, 3, 1, 1, 0],
    [48, 112, 20, 3, 2, 1, 2],
    [16, 10, 10, 3, 2, 1, -1], // shift 0 with clip bounds inside int8 (the int8 path skips only bounds at the limits)
  ]) {
    const x = rng.int8(C * H * W);
    const e = sh < 0 ? { shift: 0, relu: false, min: -5, max: 100 } : { shift: sh, relu: sh === 1 };
    const ref = maxPoolRef(Int32Array.from(x), [1, C, H, W], k, s, p, e);
    const [, , OH, OW] = ref.shape;
    const xin = rt.alloc(C * H * W);
    rt.copyToDevice(xin, new Uint8Array(packActivations(cfg, x, [1, C, H, W], 'out').buffer));
    const out = rt.alloc(C * OH * OW);
    await maxPoolInt8(rt, xin, out, { NB: 1, CB: C / 16, H, W, kernel: k, stride: s, pad: p }, e);
    const got = unpackActivations(cfg, new Int8Array(rt.copyFromDevice(out, C * OH * OW).slice().buffer), [1, C, OH, OW], 'out');
    const d = firstDiff(got, ref.out);
    if (d >= 0) throw new Error(`${[C, H, W, k, s, p]}: element ${d} is ${got[d]}, expected ${ref.out[d]}`);
    rt.free(xin);
    rt.free(out);
  }
});

test('maxPoolInt8 with excludePads: pads left out of the max (as TFLite and ONNX), also where every value is negative', async () => {
  const cfg = cfgWith();
  const rt = runtime(cfg);
  const rng = new Rng(5);
  for (const [C, H, W, k, s, p, negative] of [
    [16, 12, 12, 3, 2, 1, 1],
    [32, 9, 7, 3, 1, 1, 1],
    [16, 40, 40, 3, 1, 1, 0],
    [16, 13, 11, 5, 2, 2, 0],
  ]) {
    const x = negative ? Int8Array.from(rng.int8(C * H * W), (v) => -1 - (Math.abs(v) % 128)) : rng.int8(C * H * W);
    const ref = maxPoolRef(Int32Array.from(x), [1, C, H, W], k, s, p, {}, true);
    const [, , OH, OW] = ref.shape;
    const xin = rt.alloc(C * H * W);
    rt.copyToDevice(xin, new Uint8Array(packActivations(cfg, x, [1, C, H, W], 'out').buffer));
    const out = rt.alloc(C * OH * OW);
    const window = { NB: 1, CB: C / 16, H, W, kernel: k, stride: s, pad: p };
    const run = async (excludePads: boolean) => {
      await maxPoolInt8(rt, xin, out, window, {}, 'pool', { excludePads });
      return unpackActivations(cfg, new Int8Array(rt.copyFromDevice(out, C * OH * OW).slice().buffer), [1, C, OH, OW], 'out');
    };
    const d = firstDiff(await run(true), ref.out);
    if (d >= 0) throw new Error(`${[C, H, W, k, s, p]}: element ${d} differs`);
    // the zero pads would have won the border windows of all-negative data
    if (negative) expect(firstDiff(await run(false), ref.out)).toBeGreaterThanOrEqual(0);
    rt.free(xin);
    rt.free(out);
  }
});
