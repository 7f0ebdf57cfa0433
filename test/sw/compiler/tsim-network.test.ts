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
    for (const l of vta) expect(l.cycles).toBeGreaterThan(0);
    net.release();
  } finally {
    dev.close?.();
  }
}, 900_000);
