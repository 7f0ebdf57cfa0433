// How conv2d's accumulators start on a core with the requantization stage (sw/ops/conv2d-bias.ts): REQ-initialised
// accumulators (the bias's low bits as an init word, the rest in the zero point) and the MAX offset, each exact
// against the stage's rule on the full accumulator, and on fsim against the integer reference.
import { RequantParam, requantStage } from '../../hw/vta/requant';
import { conv2d } from '../../sw/ops';
import { stageBiasInit, stageOffset } from '../../sw/ops/conv2d-bias';
import { conv2dAccRef, conv2dRef } from '../../sw/ops/reference';
import { cfgWith, firstDiff, Rng, runtime } from './helpers';

function shiftParam(rng: Rng, maxShift: number, minShift = 0): RequantParam {
  const lo = rng.int(-128, 0);
  return { mode: 'shift', multiplier: 0, exponent: -rng.int(minShift, maxShift), zeroPoint: rng.int(-20, 20), min: lo, max: rng.int(lo, 127) };
}

describe('bias moved into the requantization stage', () => {
  test('init words plus the adjusted zero point give the rule on bias + sum', () => {
    const rng = new Rng(31);
    let checked = 0;
    for (let trial = 0; trial < 200; trial++) {
      const params = Array.from({ length: 16 }, () => shiftParam(rng, 8));
      const bias = Array.from({ length: 16 }, (_, k) => rng.int(-128, 127) * 2 ** -params[k].exponent + rng.int(-300, 300));
      const split = stageBiasInit(params, bias);
      if (!split) continue;
      for (let k = 0; k < 16; k++) {
        const c = split.init[k].min;
        expect(split.init[k].max).toBe(c);
        // the init word sets any accumulator to c
        expect(requantStage(rng.int(-(2 ** 31), 2 ** 31 - 1), split.init[k])).toBe(c);
        for (let i = 0; i < 20; i++) {
          const sum = rng.int(-(2 ** 22), 2 ** 22);
          expect(requantStage(c + sum, split.epilogue[k])).toBe(requantStage(bias[k] + sum, params[k]));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(10000);
  });

  test('refuses shifts past 8, Q31 words and zero points that leave int8', () => {
    const p: RequantParam = { mode: 'shift', multiplier: 0, exponent: -9, zeroPoint: 0, min: -128, max: 127 };
    expect(stageBiasInit([p], [1000])).toBeNull();
    expect(stageBiasInit([{ ...p, mode: 'q31', multiplier: 2 ** 30, exponent: -2 }], [1000])).toBeNull();
    expect(stageBiasInit([{ ...p, exponent: -2, zeroPoint: 100 }], [4 * 100])).toBeNull();
  });

  test("the MAX offset: b' above every word's upper bound, outputs unchanged", () => {
    const rng = new Rng(32);
    for (let trial = 0; trial < 100; trial++) {
      const params = Array.from({ length: 16 }, () => shiftParam(rng, 16));
      const bias = Array.from({ length: 16 }, () => rng.int(-50000, 50000));
      const lifted = stageOffset(params, bias, 9 * 64);
      if (!lifted) continue;
      const top = Math.max(...params.map((q) => q.max));
      for (let k = 0; k < 16; k++) {
        expect(lifted.bias[k]).toBeGreaterThanOrEqual(top);
        const sum = rng.int(-(2 ** 20), 2 ** 20);
        expect(requantStage(lifted.bias[k] + sum, lifted.epilogue[k])).toBe(requantStage(bias[k] + sum, params[k]));
      }
    }
  });
});

describe('conv2d on fsim with the stage: both starts exact, the cheaper one taken', () => {
  const cases = [
    { minShift: 0, maxShift: 8, label: 'shifts up to 8: REQ-initialised, no reset GEMM' },
    { minShift: 9, maxShift: 14, label: 'larger shifts: reset, then MAX over clean regions' },
  ];
  for (const c of cases) {
    test(c.label, async () => {
      const rng = new Rng(c.maxShift);
      const s = { N: 1, C: 32, H: 12, W: 12, O: 40, K: 3 };
      const wShape = [s.O, s.C, s.K, s.K];
      const x = rng.int8(s.N * s.C * s.H * s.W);
      const w = rng.int8(s.O * s.C * s.K * s.K);
      const params = Array.from({ length: s.O }, () => ({ ...shiftParam(rng, c.maxShift, c.minShift), zeroPoint: 0 }));
      const bias = Int32Array.from({ length: s.O }, (_, k) => rng.int(-60, 60) * 2 ** -params[k].exponent + rng.int(-100, 100));
      const rt = runtime(cfgWith({ REQUANT_BUFF_DEPTH: 64 }));
      // small tiles, so the ACC halves are reused and the MAX start applies
      const plan = { tOC: 1, tIC: 1, tH: 4, tW: 4, weightsResident: false, estBytes: 0, estCycles: 0, ocThreads: 2, hThreads: 1 };
      const got = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, wShape, bias, { padding: 1, plan, epilogue: { stage: params } });
      const { acc, shape } = conv2dAccRef(x, [s.N, s.C, s.H, s.W], w, wShape, bias, { padding: 1 });
      const plane = shape[2] * shape[3];
      const want = Int8Array.from(acc, (v, i) => requantStage(v, params[Math.floor(i / plane) % s.O]));
      const d = firstDiff(got.out, want);
      if (d >= 0) throw new Error(`differs at ${d}: ${got.out[d]} vs ${want[d]}`);
      const resets = rt.stats.counters.gemmResetUops;
      if (c.maxShift <= 8) expect(resets).toBe(0);
      else expect(resets).toBeLessThan((s.O / 16) * plane);
    });
  }
});

describe('conv2d with a fused residual add on fsim equals conv2d, then the add', () => {
  const cases = [
    { label: 'ALU epilogue with the requantization offset', cfg: {}, shift: 9, addShift: 0 },
    { label: 'ALU epilogue, the add shifting', cfg: {}, shift: 9, addShift: 1 },
    { label: 'stage, REQ-initialised accumulators', cfg: { REQUANT_BUFF_DEPTH: 64 }, shift: 6, addShift: 0 },
    { label: 'stage, MAX start, the add shifting', cfg: { REQUANT_BUFF_DEPTH: 64 }, shift: 11, addShift: 1 },
    { label: 'stage too small for the words: the add on the ALU', cfg: { REQUANT_BUFF_DEPTH: 2 }, shift: 10, addShift: 0 },
    { label: 'batch 2, blocks of 8', cfg: { LOG_BATCH: 1, LOG_BLOCK_IN: 3, LOG_BLOCK_OUT: 3, LOG_WGT_BUFF_SIZE: 16 }, shift: 8, addShift: 0, N: 2 },
  ];
  for (const c of cases) {
    test(c.label, async () => {
      const rng = new Rng(c.shift * 10 + c.addShift);
      const s = { N: c.N ?? 1, C: 32, H: 10, W: 9, O: 48 };
      const wShape = [s.O, s.C, 3, 3];
      const x = rng.int8(s.N * s.C * s.H * s.W);
      const w = rng.int8(s.O * s.C * 9);
      const bias = rng.int32(s.O, -3000, 3000);
      const residual = rng.int8(s.N * s.O * s.H * s.W);
      const rt = runtime(cfgWith(c.cfg));
      const opts = { padding: 1, shift: c.shift, relu: false };
      const add = { x: residual, shift: c.addShift, min: 0, max: 127 };
      for (const plan of [undefined, { tOC: 1, tIC: 1, tH: 3, tW: 4, weightsResident: false, estBytes: 0, estCycles: 0, ocThreads: 2, hThreads: 1 }]) {
        const got = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, wShape, bias, { ...opts, plan, residual: add });
        const a = conv2dRef(x, [s.N, s.C, s.H, s.W], w, wShape, bias, opts).out;
        const want = Int8Array.from(a, (v, i) => Math.min(add.max, Math.max(add.min, (v + residual[i]) >> add.shift)));
        const d = firstDiff(got.out, want);
        if (d >= 0) throw new Error(`plan ${JSON.stringify(plan)}: differs at ${d}: ${got.out[d]} vs ${want[d]} (conv ${a[d]}, residual ${residual[d]})`);
      }
    });
  }
});

describe('a fused add whose clamp makes the conv2d clamp redundant', () => {
  test("ResNet's identity shortcut (residual >= 0, add clamped to [0, 127]): the shift alone, the same outputs", async () => {
    const rng = new Rng(91);
    const s = { N: 1, C: 32, H: 9, W: 8, O: 32 };
    const wShape = [s.O, s.C, 3, 3];
    const x = rng.int8(s.N * s.C * s.H * s.W);
    const w = rng.int8(s.O * s.C * 9);
    const bias = rng.int32(s.O, -3000, 3000);
    // residuals of a ReLU output, with both ends; a small shift saturates the conv2d both ways
    const residual = Int8Array.from({ length: s.N * s.O * s.H * s.W }, (_, i) => (i % 7 === 0 ? 127 : i % 11 === 0 ? 0 : rng.int(0, 127)));
    for (const shift of [4, 9]) {
      const opts = { padding: 1, shift, relu: false };
      const a = conv2dRef(x, [s.N, s.C, s.H, s.W], w, wShape, bias, opts).out;
      expect(a.some((v) => v === 127) && a.some((v) => v === -128)).toBe(true);
      const want = Int8Array.from(a, (v, i) => Math.min(127, Math.max(0, v + residual[i])));
      const aluUops: number[] = [];
      for (const range of [undefined, [0, 127] as [number, number]]) {
        const rt = runtime(cfgWith());
        const got = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, wShape, bias, { ...opts, residual: { x: residual, min: 0, max: 127, range } });
        const d = firstDiff(got.out, want);
        if (d >= 0) throw new Error(`shift ${shift}, range ${range}: differs at ${d}: ${got.out[d]} vs ${want[d]}`);
        aluUops.push(rt.stats.counters.aluUops);
      }
      expect(aluUops[1]).toBeLessThan(aluUops[0]);
    }
    const rt = runtime(cfgWith());
    await expect(
      conv2d(rt, x, [s.N, s.C, s.H, s.W], w, wShape, bias, { padding: 1, shift: 4, residual: { x: Int8Array.from(residual, (v) => v - 1), range: [0, 127] } }),
    ).rejects.toThrow(/residual value -1 at \d+ is outside its declared range \[0, 127\]/);
  });
});

describe('conv2d whose weight blocks are all the same', () => {
  test('a grouped conv of identity blocks (an average pool as GEMMs) loads one WGT block and gives the same outputs', async () => {
    const rng = new Rng(77);
    const s = { N: 1, C: 64, H: 7, W: 7 };
    const x = rng.int8(s.N * s.C * s.H * s.W);
    // 7x7 identity blocks, one group per channel block: how the compiler lowers a global average pool
    const w = Int8Array.from({ length: s.C * 16 * 49 }, (_, k) => (Math.floor(k / (16 * 49)) % 16 === Math.floor(k / 49) % 16 ? 1 : 0));
    const bias = rng.int32(s.C, -100, 100);
    const opts = { groups: s.C / 16, shift: 6, relu: false };
    const rt = runtime(cfgWith());
    const got = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, [s.C, 16, 7, 7], bias, opts);
    expect(Array.from(got.out)).toEqual(Array.from(conv2dRef(x, [s.N, s.C, s.H, s.W], w, [s.C, 16, 7, 7], bias, opts).out));
    expect(got.stats.streamBytes.wgt).toBe(rt.config.tensor.wgt.elemBytes);
    // one weight that differs: every block is loaded again
    w[5] += 2;
    const other = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, [s.C, 16, 7, 7], bias, opts);
    expect(Array.from(other.out)).toEqual(Array.from(conv2dRef(x, [s.N, s.C, s.H, s.W], w, [s.C, 16, 7, 7], bias, opts).out));
    expect(other.stats.streamBytes.wgt).toBeGreaterThanOrEqual((s.C / 16) * 49 * rt.config.tensor.wgt.elemBytes);
  });
});
