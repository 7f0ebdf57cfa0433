// A representative subset of the operator library on TSIM (the generated VtaCore under Verilator, default
// configuration), each against the integer reference: conv2d with padding, stride and both virtual threads
// (forced small tiles, so the token ping-pong and the MAX-initialised accumulators run), grouped conv2d,
// conv2d-transpose, dense with requantization and ReLU, the element-wise ALU ops and max-pool. Small shapes:
// the TSIM library is the one test/tsim/core.test.ts builds (cached by content hash), and each run is short.
import { defaultConfig } from '../../hw/vta/config';
import { openDevice, OpenedDevice } from '../../sim/targets';
import { add, clip, conv2d, conv2dTranspose, dense, maxPool2d, relu, shift } from '../../sw/ops';
import { addRef, conv2dRef, conv2dTransposeRef, denseRef, maxPoolRef, unaryRef } from '../../sw/ops/reference';
import { Runtime } from '../../sw/runtime';
import { firstDiff, Rng } from './helpers';

// Verilator is a required tool (scripts/setup-system.sh installs it): without it these fail, naming the install command.
const d = describe;

d('operators on TSIM (default config)', () => {
  let dev: OpenedDevice;
  let rt: Runtime;
  beforeAll(async () => {
    dev = await openDevice('tsim', defaultConfig(), { dramBytes: 8 << 20, log: () => undefined });
    rt = new Runtime(dev);
  }, 900_000);
  afterAll(() => dev?.close?.());

  test('conv2d: padding, stride, bias, ReLU, forced small tiles over both virtual threads', async () => {
    const rng = new Rng(101);
    for (const s of [
      { C: 32, H: 9, W: 8, O: 32, K: 3, stride: 1, pad: 1, relu: true, plan: { tOC: 1, tIC: 1, tH: 3, tW: 8, weightsResident: false, estBytes: 0 } },
      { C: 32, H: 9, W: 9, O: 32, K: 3, stride: 2, pad: 1, relu: false, plan: undefined },
    ]) {
      const x = rng.int8(s.C * s.H * s.W);
      const w = rng.int8(s.O * s.C * s.K * s.K);
      const b = rng.int32(s.O, -3000, 3000);
      const p = { stride: s.stride, padding: s.pad, shift: 7, relu: s.relu };
      rt.resetStats();
      const got = await conv2d(rt, x, [1, s.C, s.H, s.W], w, [s.O, s.C, s.K, s.K], b, { ...p, plan: s.plan });
      expect(firstDiff(got.out, conv2dRef(x, [1, s.C, s.H, s.W], w, [s.O, s.C, s.K, s.K], b, p).out)).toBe(-1);
      expect(rt.stats.cycles).toBeGreaterThan(0);
    }
  });

  test('grouped conv2d', async () => {
    const rng = new Rng(102);
    const x = rng.int8(64 * 6 * 5);
    const w = rng.int8(32 * 32 * 9);
    const b = rng.int32(32, -2000, 2000);
    const p = { stride: 1, padding: 1, groups: 2, shift: 6, relu: true };
    const got = await conv2d(rt, x, [1, 64, 6, 5], w, [32, 32, 3, 3], b, p);
    expect(firstDiff(got.out, conv2dRef(x, [1, 64, 6, 5], w, [32, 32, 3, 3], b, p).out)).toBe(-1);
  });

  test('conv2d-transpose (4x4 stride 2 pad 1)', async () => {
    const rng = new Rng(103);
    const x = rng.int8(32 * 4 * 4);
    const w = rng.int8(32 * 16 * 16);
    const b = rng.int32(16, -1000, 1000);
    const got = await conv2dTranspose(rt, x, [1, 32, 4, 4], w, [32, 16, 4, 4], b, { stride: 2, padding: 1, shift: 7, relu: true });
    const ref = conv2dTransposeRef(x, [1, 32, 4, 4], w, [32, 16, 4, 4], b, 2, 1, 0, { shift: 7, relu: true });
    expect(got.shape).toEqual(ref.shape);
    expect(firstDiff(got.out, ref.out)).toBe(-1);
  });

  test('dense with bias, requantization and ReLU', async () => {
    const rng = new Rng(104);
    const x = rng.int8(5 * 64);
    const w = rng.int8(48 * 64);
    const b = rng.int32(48, -20000, 20000);
    const r = { shift: 8, relu: true };
    expect(firstDiff((await dense(rt, x, 5, 64, w, 48, b, r)).out, denseRef(x, 5, 64, w, 48, b, r).out)).toBe(-1);
  });

  test('element-wise add, relu, clip, shift', async () => {
    const rng = new Rng(105);
    const shape = [1, 24, 3, 7];
    const n = 24 * 3 * 7;
    const a = rng.int32(n, -3000, 3000);
    const c = rng.int32(n, -3000, 3000);
    expect(firstDiff((await add(rt, a, c, shape, { shift: 4, relu: true })).out, addRef(a, c, shape, { shift: 4, relu: true }).out)).toBe(-1);
    expect(firstDiff((await relu(rt, a, shape)).out, unaryRef(a, shape, { relu: true }).out)).toBe(-1);
    expect(firstDiff((await clip(rt, a, shape, -20, 90)).out, unaryRef(a, shape, { min: -20, max: 90 }).out)).toBe(-1);
    expect(firstDiff((await shift(rt, a, shape, 5)).out, unaryRef(a, shape, { shift: 5 }).out)).toBe(-1);
  });

  test('max-pool 3x3 stride 2 pad 1', async () => {
    const rng = new Rng(106);
    const x = rng.int32(16 * 9 * 9, -200, 200);
    const got = await maxPool2d(rt, x, [1, 16, 9, 9], 3, 2, 1);
    const ref = maxPoolRef(x, [1, 16, 9, 9], 3, 2, 1);
    expect(got.shape).toEqual(ref.shape);
    expect(firstDiff(got.out, ref.out)).toBe(-1);
  });
});
