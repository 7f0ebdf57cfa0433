// The typed package API (api/index.ts): configuration, devices that close, and one result shape for
// every operator and its reference.

import { DEFAULT_DRAM_BYTES, openDevice, ops, reference, Runtime, vtaConfig, ConfigError, OpResult } from '../../api';

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
      ['dense', await ops.dense(rt, i8(3 * 32, 11), 3, 32, i8(16 * 32, 7), 16, b, { shift: 4 }), reference.denseRef(i8(3 * 32, 11), 3, 32, i8(16 * 32, 7), 16, b, { shift: 4 })],
      ['conv2d', await ops.conv2d(rt, x, [1, 16, 5, 5], w, [16, 16, 3, 3], b, { padding: 1, shift: 5 }), reference.conv2dRef(x, [1, 16, 5, 5], w, [16, 16, 3, 3], b, { padding: 1, shift: 5 })],
      ['add', await ops.add(rt, i32(16 * 4), i32(16 * 4), [1, 16, 2, 2], { shift: 2 }), reference.addRef(i32(16 * 4), i32(16 * 4), [1, 16, 2, 2], { shift: 2 })],
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
