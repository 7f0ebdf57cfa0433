// The compiled generated model (grouped conv, ALU max-pool and residual add, dense) on TSIM: outputs equal
// the int8 reference and every VTA layer has measured cycles. The TSIM library is the default
// configuration's, which the core and operator tests build (cached by content hash).
import { defaultConfig } from '../../../hw/vta/config';
import { openDevice } from '../../../sim/targets';
import { generate } from '../../../sw/compiler/codegen/network';
import { runInt8 } from '../../../sw/compiler/exec/int8';
import { importOnnx, readOnnxModel } from '../../../sw/compiler/import/onnx';
import { runPipeline } from '../../../sw/compiler/pipeline';
import { Runtime } from '../../../sw/runtime';
import { mixedModel } from './models';
import { floats } from './onnx-builder';
import { Int8Builder, rng } from './int8-builder';

test('generated model on TSIM equals the int8 reference, with cycles per layer', async () => {
  const cfg = defaultConfig();
  const g = importOnnx(readOnnxModel(mixedModel(), 'mixed.onnx'));
  const p = runPipeline(
    g,
    cfg,
    [0, 1].map((s) => ({ x: floats(3 * 12 * 12, 50 + s, 2) })),
  );
  const dev = await openDevice('tsim', cfg, { dramBytes: 16 << 20, log: () => undefined });
  try {
    const net = await generate(new Runtime(dev), p.device);
    const x = { x: floats(3 * 12 * 12, 300, 2) };
    const run = await net.run(x);
    expect(Array.from(run.values.get('prob')!)).toEqual(Array.from(runInt8(p.quantized, x).get('prob')!));
    const vta = run.layers.filter((l) => l.target === 'vta');
    expect(vta.length).toBeGreaterThanOrEqual(6);
    // a fused layer's cycles are those of the node that ran it
    for (const l of vta) expect({ node: l.node, ran: (l.cycles ?? 0) > 0 }).toEqual({ node: l.node, ran: !l.fusedInto });
    net.release();
  } finally {
    dev.close?.();
  }
}, 900_000);

test('int8 graph of the lowered operators on TSIM (im2col first conv, depthwise, add over a padded concat, pools, dense)', async () => {
  const cfg = defaultConfig();
  const b = new Int8Builder(rng(7));
  const x = b.input([1, 3, 10, 10]);
  const c = b.conv(x, 21, 3, 1, true, false);
  const d = b.conv(c, 0, 3, 1, true, true);
  const a = b.add(c, d);
  const y = b.dense(b.reshape(b.pool(b.pool(a, 2, 2, false), 0, 0, true)), 11);
  const p = runPipeline(b.graph(y), cfg, []);
  expect(p.placements.filter((q) => q.target === 'cpu').map((q) => q.op)).toEqual(['quantize', 'im2col']);
  const dev = await openDevice('tsim', cfg, { dramBytes: 16 << 20, log: () => undefined });
  try {
    const net = await generate(new Runtime(dev), p.device);
    const r = rng(8);
    const input = { x: Float32Array.from({ length: 300 }, () => (r.next() - 0.5) * 6) };
    const run = await net.run(input);
    expect(Array.from(run.values.get(y)!)).toEqual(Array.from(runInt8(p.quantized, input).get(y)!));
    for (const l of run.layers.filter((q) => q.target === 'vta')) expect(l.cycles).toBeGreaterThan(0);
    net.release();
  } finally {
    dev.close?.();
  }
}, 900_000);
