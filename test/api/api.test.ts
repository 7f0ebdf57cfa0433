// The typed package API (api/index.ts): configuration, devices that close, and one result shape for
// every operator and its reference.

import { join } from 'path';
import { compileModel, DEFAULT_DRAM_BYTES, openDevice, ops, reference, Runtime, vtaConfig, ConfigError, OpResult } from '../../api';
import { runInt8 } from '../../sw/compiler/exec/int8';

test('vtaConfig resolves like vta gen and rejects impossible configurations naming the key', () => {
  expect(vtaConfig({ gemm: '2x8x8', keys: { LOG_WGT_BUFF_SIZE: 16 } }).name).toBe('2x8_i8w8a32_15_15_16_17');
  expect(vtaConfig().name).toBe('1x16_i8w8a32_15_15_18_17');
  expect(() => vtaConfig({ gemm: '2x8x8' })).toThrow(ConfigError);
  expect(() => vtaConfig({ gemm: '3x8x8' })).toThrow(/gemm/);
});

test('every operator and its reference return { out, shape } with equal shapes and bytes', async () => {
  const cfg = vtaConfig();
  const device = await openDevice('fsim', cfg);
  try {
    expect(device.dramBytes).toBe(DEFAULT_DRAM_BYTES);
    const rt = new Runtime(device);
    const i8 = (n: number, m: number) => Int8Array.from({ length: n }, (_, i) => ((i * 37) % m) - (m >> 1));
    const i32 = (n: number) => Int32Array.from({ length: n }, (_, i) => ((i * 101) % 700) - 350);
    const x = i8(1 * 16 * 5 * 5, 9);
    const w = i8(16 * 16 * 3 * 3, 5);
    const b = i32(16);
    const pairs: [string, OpResult, OpResult][] = [
      [
        'dense',
        await ops.dense(rt, i8(3 * 32, 11), 3, 32, i8(16 * 32, 7), 16, b, { shift: 4 }),
        reference.denseRef(i8(3 * 32, 11), 3, 32, i8(16 * 32, 7), 16, b, { shift: 4 }),
      ],
      [
        'conv2d',
        await ops.conv2d(rt, x, [1, 16, 5, 5], w, [16, 16, 3, 3], b, { padding: 1, shift: 5 }),
        reference.conv2dRef(x, [1, 16, 5, 5], w, [16, 16, 3, 3], b, { padding: 1, shift: 5 }),
      ],
      [
        'add',
        await ops.add(rt, i32(16 * 4), i32(16 * 4), [1, 16, 2, 2], { shift: 2 }),
        reference.addRef(i32(16 * 4), i32(16 * 4), [1, 16, 2, 2], { shift: 2 }),
      ],
      ['relu', await ops.relu(rt, i32(16 * 4), [1, 16, 2, 2]), reference.unaryRef(i32(16 * 4), [1, 16, 2, 2], { relu: true })],
      ['maxPool2d', await ops.maxPool2d(rt, i32(16 * 16), [1, 16, 4, 4], 2, 2), reference.maxPoolRef(i32(16 * 16), [1, 16, 4, 4], 2, 2, 0)],
    ];
    for (const [name, got, ref] of pairs) {
      expect([name, [...got.shape]]).toEqual([name, [...ref.shape]]);
      expect([name, got.out.length]).toEqual([name, got.shape.reduce((p, q) => p * q, 1)]);
      expect([name, Array.from(got.out)]).toEqual([name, Array.from(ref.out)]);
    }
  } finally {
    device.close();
  }
});

test('per-call stats: each operator result says what its own call did; rt.stats sums them', async () => {
  const device = await openDevice('fsim', vtaConfig());
  try {
    const rt = new Runtime(device);
    const x = Int8Array.from({ length: 2 * 32 }, (_, i) => (i % 7) - 3);
    const w = Int8Array.from({ length: 16 * 32 }, (_, i) => (i % 5) - 2);
    const a = await ops.dense(rt, x, 2, 32, w, 16, null, { shift: 2 });
    const b = await ops.dense(rt, x, 2, 32, w, 16, null, { shift: 2 });
    expect(a.stats.insns).toBeGreaterThan(0);
    expect([a.stats.runs, b.stats.runs]).toEqual([1, 1]);
    expect([a.stats.counters.macs, b.stats.counters.macs]).toEqual([2 * 32 * 16, 2 * 32 * 16]);
    // the second call finds its micro-ops in the cache: no LOAD UOP of its own
    expect(a.stats.counters.byKind.LOAD_UOP).toBeGreaterThan(0);
    expect(b.stats.counters.byKind.LOAD_UOP).toBeUndefined();
    expect(rt.stats.insns).toBe(a.stats.insns + b.stats.insns);
    expect(rt.stats.counters.gemmUops).toBe(a.stats.counters.gemmUops + b.stats.counters.gemmUops);
  } finally {
    device.close();
  }
});

test("compileModel: feed an array, get the logits the integer reference computes; each run's own stats", async () => {
  const net = await compileModel(join(__dirname, '../../../shared/models/mnist-lenet-bn/model.onnx'), { target: 'fsim' });
  try {
    expect(net.inputShape).toEqual([1, 1, 28, 28]);
    const x = Array.from({ length: 784 }, (_, i) => ((i * 37) % 255) / 255);
    const logits = await net.run(x);
    expect(logits).toBeInstanceOf(Float32Array);
    expect(logits.length).toBe(10);
    const ref = runInt8(net.pipeline.quantized, { [net.inputName]: Float32Array.from(x) }).get(net.outputName) as Float32Array;
    expect(Array.from(logits)).toEqual(Array.from(ref));
    const one = await net.runDetailed(x);
    const two = await net.runDetailed(x);
    // a compiled network replays the same streams: each run's own figures are equal, not summed
    expect({ ...two.stats, wallSeconds: 0 }).toEqual({ ...one.stats, wallSeconds: 0 });
    expect(one.stats.counters.macs).toBeGreaterThan(1e6);
    expect(one.layers.filter((l) => l.target === 'vta').map((l) => l.op)).toEqual(['conv2d', 'conv2d', 'conv2d', 'dense']);
    await expect(net.run([1, 2, 3])).rejects.toThrow('input input: 3 values, the model takes [1, 1, 28, 28] = 784');
  } finally {
    net.close();
  }
  await expect(net.run(new Float32Array(784))).rejects.toThrow('the compiled model was closed');
});
