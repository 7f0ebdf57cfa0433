// Every operator against the plain TypeScript integer reference on fsim, over many random shapes.
import {
  Conv2dPlan,
  OperatorError,
  requantOffset,
  add,
  clip,
  conv2d,
  conv2dTranspose,
  dense,
  maxPool2d,
  packActivations,
  packWeights,
  relu,
  shift,
  unpackActivations,
  unpackWeights,
} from '../../sw/ops';
import { addRef, conv2dRef, conv2dTransposeRef, denseRef, maxPoolRef, unaryRef } from '../../sw/ops/reference';
import { estimateConv2dPlan } from '../../sw/ops/conv2d';
import { RESNET18 } from '../../sw/bench/conv2d';
import { LayerSpec, layerGeometry } from '../../sw/workloads/layers';
import { cfgWith, firstDiff, Rng, runtime } from './helpers';

const CFG = cfgWith();

describe('layouts', () => {
  test('pack/unpack round-trips, zero-fills channels, rejects on request', () => {
    const rng = new Rng(1);
    const a = rng.int8(2 * 20 * 3 * 5);
    const p = packActivations(CFG, a, [2, 20, 3, 5], 'inp');
    expect(p.length).toBe(2 * 32 * 3 * 5);
    expect(Array.from(unpackActivations(CFG, p, [2, 20, 3, 5], 'inp'))).toEqual(Array.from(a));
    // channel 16 (block 1, lane 0) of n=0, y=0, x=0
    expect(p[1 * 3 * 5 * 16]).toBe(a[16 * 15]);
    expect(p[1 * 3 * 5 * 16 + 4]).toBe(0);
    expect(() => packActivations(CFG, a, [2, 20, 3, 5], 'inp', { pad: false, name: 'x' })).toThrow(/x: channel count 20 is not a multiple of BLOCK_IN 16/);
    const w = rng.int8(20 * 24 * 3 * 3);
    expect(Array.from(unpackWeights(CFG, packWeights(CFG, w, [20, 24, 3, 3]), [20, 24, 3, 3]))).toEqual(Array.from(w));
    const b2 = cfgWith({ LOG_BATCH: 1, LOG_BLOCK: 3, LOG_WGT_BUFF_SIZE: 16 });
    const q = packActivations(b2, a, [2, 20, 3, 5], 'out');
    expect(Array.from(unpackActivations(b2, q, [2, 20, 3, 5], 'out'))).toEqual(Array.from(a));
  });
});

async function checkConv(
  rt: ReturnType<typeof runtime>,
  rng: Rng,
  s: {
    N: number;
    C: number;
    H: number;
    W: number;
    O: number;
    K: number;
    KW?: number;
    stride: number;
    pad: number | [number, number, number, number];
    groups?: number;
    bias: boolean;
    shift: number;
    relu: boolean;
    plan?: Conv2dPlan;
  },
): Promise<void> {
  const groups = s.groups ?? 1;
  const KW = s.KW ?? s.K;
  const x = rng.int8(s.N * s.C * s.H * s.W);
  const w = rng.int8(s.O * (s.C / groups) * s.K * KW);
  const bias = s.bias ? rng.int32(s.O, -5000, 5000) : null;
  const p = { stride: s.stride, padding: s.pad, groups, shift: s.shift, relu: s.relu };
  const got = await conv2d(rt, x, [s.N, s.C, s.H, s.W], w, [s.O, s.C / groups, s.K, KW], bias, { ...p, plan: s.plan });
  const ref = conv2dRef(x, [s.N, s.C, s.H, s.W], w, [s.O, s.C / groups, s.K, KW], bias, p);
  expect(got.shape).toEqual(ref.shape);
  const d = firstDiff(got.out, ref.out);
  if (d >= 0) throw new Error(`conv2d ${JSON.stringify(s)} differs at ${d}: ${got.out[d]} vs ${ref.out[d]} (plan ${JSON.stringify(got.plan)})`);
}

describe('conv2d on fsim', () => {
  test('random shapes (kernel, stride, padding, bias, shift, ReLU, channel padding)', async () => {
    const rng = new Rng(7);
    const rt = runtime();
    for (let t = 0; t < 14; t++) {
      const K = rng.pick([1, 2, 3, 5]);
      const stride = rng.pick([1, 1, 2, 3]);
      const pad = rng.int(0, K - 1);
      const H = rng.int(Math.max(1, K - 2 * pad), 12);
      const W = rng.int(Math.max(1, K - 2 * pad), 12);
      await checkConv(rt, rng, {
        N: rng.pick([1, 1, 2]),
        C: rng.pick([16, 32, 20, 48]),
        H,
        W,
        O: rng.pick([16, 32, 24, 64]),
        K,
        stride,
        pad,
        bias: rng.int(0, 1) === 1,
        shift: rng.int(0, 10),
        relu: rng.int(0, 1) === 1,
      });
    }
  });

  test('forced small tiles: many steps, edge tiles, both virtual threads, token ping-pong', async () => {
    const rng = new Rng(11);
    const rt = runtime();
    await checkConv(rt, rng, {
      N: 1,
      C: 64,
      H: 13,
      W: 11,
      O: 64,
      K: 3,
      stride: 1,
      pad: 1,
      bias: true,
      shift: 7,
      relu: false,
      plan: { tOC: 2, tIC: 1, tH: 3, tW: 4, weightsResident: false, estBytes: 0 },
    });
    await checkConv(rt, rng, {
      N: 1,
      C: 32,
      H: 9,
      W: 9,
      O: 32,
      K: 3,
      stride: 2,
      pad: [1, 0, 2, 1],
      bias: false,
      shift: 6,
      relu: true,
      plan: { tOC: 1, tIC: 2, tH: 2, tW: 3, weightsResident: false, estBytes: 0 },
    });
  });

  test('requantization offset: MAX initialisation only where it is exact', async () => {
    expect(requantOffset(0, 0, 0, 9)).toBe(0); // no shift: b' = b + M would not bound M + 127
    expect(requantOffset(1, 0, 0, 9)).toBe(256); // 256 + 127 <= 512
    expect(requantOffset(1, -200, 0, 9)).toBe(512); // 512 + 127 <= -200 + 1024
    expect(requantOffset(8, -30000, 30000, 9) % 256).toBe(0);
    expect(requantOffset(24, 0, 0, 4608)).toBe(0); // 256 * 2^24 overflows int32
    // a bias so negative that no offset below 32768 covers it with shift 1
    expect(requantOffset(1, -40000, 0, 9)).toBe(0);
    // many tiles per ACC half with extreme biases: MAX-initialised tiles match the reference
    const rng = new Rng(21);
    const rt = runtime();
    const x = rng.int8(32 * 9 * 10);
    const w = rng.int8(32 * 32 * 9);
    const bias = Int32Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? -20000 : i % 3 === 1 ? 20000 : rng.int(-50, 50)));
    for (const [s, r] of [
      [1, true],
      [6, false],
      [9, true],
    ] as const) {
      const p = { stride: 1, padding: 1, shift: s, relu: r };
      const got = await conv2d(rt, x, [1, 32, 9, 10], w, [32, 32, 3, 3], bias, {
        ...p,
        plan: { tOC: 1, tIC: 2, tH: 2, tW: 10, weightsResident: false, estBytes: 0 },
      });
      const ref = conv2dRef(x, [1, 32, 9, 10], w, [32, 32, 3, 3], bias, p);
      expect(firstDiff(got.out, ref.out)).toBe(-1);
    }
  });

  test('non-square kernels and asymmetric padding', async () => {
    const rng = new Rng(3);
    const rt = runtime();
    await checkConv(rt, rng, { N: 1, C: 16, H: 7, W: 9, O: 16, K: 1, KW: 3, stride: 1, pad: [0, 0, 1, 1], bias: true, shift: 5, relu: false });
    await checkConv(rt, rng, { N: 1, C: 32, H: 8, W: 6, O: 16, K: 3, KW: 2, stride: 2, pad: [2, 1, 0, 1], bias: false, shift: 6, relu: false });
  });

  test('grouped conv2d', async () => {
    const rng = new Rng(5);
    const rt = runtime();
    await checkConv(rt, rng, { N: 1, C: 64, H: 6, W: 7, O: 32, K: 3, stride: 1, pad: 1, groups: 2, bias: true, shift: 6, relu: true });
    await checkConv(rt, rng, { N: 1, C: 64, H: 5, W: 5, O: 64, K: 1, stride: 2, pad: 0, groups: 4, bias: false, shift: 4, relu: false });
  });

  test('other configurations: BATCH 2, 8x8 blocks, small buffers', async () => {
    const rng = new Rng(9);
    await checkConv(runtime(cfgWith({ LOG_BATCH: 1, LOG_BLOCK: 3, LOG_WGT_BUFF_SIZE: 16 })), rng, {
      N: 3,
      C: 12,
      H: 6,
      W: 5,
      O: 20,
      K: 3,
      stride: 1,
      pad: 1,
      bias: true,
      shift: 6,
      relu: false,
    });
    const small = cfgWith({ LOG_INP_BUFF_SIZE: 11, LOG_WGT_BUFF_SIZE: 14, LOG_ACC_BUFF_SIZE: 12, LOG_UOP_BUFF_SIZE: 13 });
    await checkConv(runtime(small), rng, { N: 1, C: 48, H: 10, W: 10, O: 48, K: 3, stride: 1, pad: 1, bias: true, shift: 7, relu: true });
  });

  test('clear errors: groups that do not block, pads past the kernel, wrong dtype, too large for DRAM', async () => {
    const rt = runtime();
    const x = new Int8Array(32 * 4 * 4);
    await expect(conv2d(rt, x, [1, 32, 4, 4], new Int8Array(32 * 1 * 9), [32, 1, 3, 3], null, { groups: 32, padding: 1 })).rejects.toThrow(
      /channels per group \(1 in, 1 out\) must be multiples of BLOCK_IN 16/,
    );
    await expect(conv2d(rt, x, [1, 32, 4, 4], new Int8Array(16 * 32 * 9), [16, 32, 3, 3], null, { padding: 3 })).rejects.toThrow(
      /padTop 3 must be smaller than the kernel/,
    );
    await expect(conv2d(rt, new Int32Array(4) as unknown as Int8Array, [1, 1, 2, 2], new Int8Array(16), [16, 1, 1, 1], null)).rejects.toThrow(
      /input must be an Int8Array \(int8\), got Int32Array/,
    );
    await expect(conv2d(rt, x, [1, 30, 4, 4], new Int8Array(16 * 30), [16, 30, 1, 1], null, { padChannels: false })).rejects.toThrow(OperatorError);
    const tiny = runtime(CFG, undefined, 1 << 20);
    await expect(conv2d(tiny, new Int8Array(64 * 128 * 128), [1, 64, 128, 128], new Int8Array(64 * 64), [64, 64, 1, 1], null)).rejects.toThrow(
      /(larger than the device DRAM|cannot allocate .*bytes in all).*open the device with a larger dramBytes/,
    );
  });
});

describe('dense and conv2d-transpose on fsim', () => {
  test('dense: random shapes with bias and requantization', async () => {
    const rng = new Rng(21);
    const rt = runtime();
    for (let t = 0; t < 6; t++) {
      const M = rng.int(1, 40);
      const K = rng.pick([16, 64, 40, 256]);
      const N = rng.pick([16, 48, 10, 128]);
      const x = rng.int8(M * K);
      const w = rng.int8(N * K);
      const b = rng.int32(N, -20000, 20000);
      const r = { shift: rng.int(4, 10), relu: rng.int(0, 1) === 1 };
      const got = await dense(rt, x, M, K, w, N, b, r);
      expect(got.shape).toEqual([M, N]);
      expect(firstDiff(got.out, denseRef(x, M, K, w, N, b, r).out)).toBe(-1);
    }
  });

  test('dense with BATCH 4', async () => {
    const rng = new Rng(22);
    const rt = runtime(cfgWith({ LOG_BATCH: 2 }));
    const x = rng.int8(7 * 32);
    const w = rng.int8(16 * 32);
    expect(firstDiff((await dense(rt, x, 7, 32, w, 16, null, { shift: 6 })).out, denseRef(x, 7, 32, w, 16, null, { shift: 6 }).out)).toBe(-1);
  });

  test('conv2d-transpose (DCGAN 4x4 stride 2 pad 1, and others)', async () => {
    const rng = new Rng(31);
    const rt = runtime();
    for (const [C, O, H, K, s, p, op] of [
      [32, 16, 4, 4, 2, 1, 0],
      [16, 16, 5, 3, 2, 1, 1],
      [16, 32, 3, 3, 1, 0, 0],
    ]) {
      const x = rng.int8(C * H * H);
      const w = rng.int8(C * O * K * K);
      const b = rng.int32(O, -1000, 1000);
      const got = await conv2dTranspose(rt, x, [1, C, H, H], w, [C, O, K, K], b, { stride: s, padding: p, outputPadding: op, shift: 7, relu: true });
      const ref = conv2dTransposeRef(x, [1, C, H, H], w, [C, O, K, K], b, s, p, op, { shift: 7, relu: true });
      expect(got.shape).toEqual(ref.shape);
      expect(firstDiff(got.out, ref.out)).toBe(-1);
    }
  });
});

describe('ALU element-wise operators on fsim', () => {
  test('add, relu, clip, shift over random shapes', async () => {
    const rng = new Rng(41);
    const rt = runtime();
    for (let t = 0; t < 4; t++) {
      const shape = [rng.int(1, 2), rng.pick([16, 24, 64]), rng.int(1, 9), rng.int(1, 40)];
      const n = shape.reduce((a, b) => a * b);
      const a = rng.int32(n, -3000, 3000);
      const b = rng.int32(n, -3000, 3000);
      const sh = rng.int(0, 5);
      expect(firstDiff((await add(rt, a, b, shape, { shift: sh, relu: t % 2 === 1 })).out, addRef(a, b, shape, { shift: sh, relu: t % 2 === 1 }).out)).toBe(-1);
      expect(firstDiff((await relu(rt, a, shape)).out, unaryRef(a, shape, { relu: true }).out)).toBe(-1);
      expect(firstDiff((await clip(rt, a, shape, -20, 90)).out, unaryRef(a, shape, { min: -20, max: 90 }).out)).toBe(-1);
      expect(firstDiff((await shift(rt, a, shape, sh + 3)).out, unaryRef(a, shape, { shift: sh + 3 }).out)).toBe(-1);
    }
  });

  test('max-pool (ResNet 3x3 s2 p1, 2x2 s2)', async () => {
    const rng = new Rng(51);
    const rt = runtime();
    for (const [C, H, W, k, s, p] of [
      [16, 12, 12, 3, 2, 1],
      [32, 9, 7, 2, 2, 0],
      [16, 40, 40, 3, 1, 1],
    ]) {
      const x = rng.int32(C * H * W, -200, 200);
      const got = await maxPool2d(rt, x, [1, C, H, W], k, s, p);
      const ref = maxPoolRef(x, [1, C, H, W], k, s, p);
      expect(got.shape).toEqual(ref.shape);
      expect(firstDiff(got.out, ref.out)).toBe(-1);
    }
  });
});

describe('conv2d cost model', () => {
  test('an ALU micro-op at initiation interval 2 costs two cycles: the 1x1 stride-2 layers (ALU-bound) slow down, the GEMM-bound ones barely', () => {
    const ii2 = cfgWith({ ALU_INITIATION_INTERVAL: 2 });
    const ratio = (l: LayerSpec) => {
      const plan = (cfg: typeof CFG) => estimateConv2dPlan(cfg, layerGeometry(cfg, l), { tOC: 4, tIC: 4, tH: 7, tW: 7, ocThreads: 2, hThreads: 1 });
      return plan(ii2).estCycles! / plan(CFG).estCycles!;
    };
    const pointwise = ratio(RESNET18[2]);
    const conv3x3 = ratio(RESNET18[3]);
    expect(pointwise).toBeGreaterThan(1.1);
    expect(conv3x3).toBeGreaterThanOrEqual(1);
    expect(conv3x3).toBeLessThan(pointwise);
  });
});
