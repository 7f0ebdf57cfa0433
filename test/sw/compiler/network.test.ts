// End to end on fsim: the generated model (grouped conv, ALU max-pool and residual add, host-fed dense)
// and the MNIST model compile through every pass; the device's outputs equal the int8 reference's.
import { join } from 'path';
import { defaultConfig } from '../../../hw/vta/config';
import { FunctionalSimulator } from '../../../sim/fsim';
import { generate } from '../../../sw/compiler/codegen/network';
import { runInt8 } from '../../../sw/compiler/exec/int8';
import { importOnnx, importOnnxFile, readOnnxModel } from '../../../sw/compiler/import/onnx';
import { runPipeline } from '../../../sw/compiler/pipeline';
import { loadDataSpec } from '../../../sw/compiler/data/idx';
import { Runtime } from '../../../sw/runtime';
import { mixedModel } from './models';
import { floats } from './onnx-builder';
import { cfgWith } from '../helpers';

const MNIST = join(__dirname, '../../../../shared/models/mnist-lenet-bn/model.onnx');

test('generated model: placement, and device outputs equal the int8 reference (1x16x16, 2x16x16, 1x32x16)', async () => {
  const g = importOnnx(readOnnxModel(mixedModel(), 'mixed.onnx'));
  const calib = [0, 1, 2].map((s) => ({ x: floats(3 * 12 * 12, 50 + s, 2) }));
  for (const cfg of [defaultConfig(), cfgWith({ LOG_BATCH: 1 }), cfgWith({ LOG_BLOCK_IN: 5, LOG_INP_BUFF_SIZE: 16, LOG_WGT_BUFF_SIZE: 19 })]) {
    const p = runPipeline(g, cfg, calib);
    const where = Object.fromEntries(p.placements.map((x) => [x.node, x.target]));
    // the grouped conv (16 input channels per group) and the average pool (a depthwise GEMM, lower-gemm.ts) run as
    // grouped GEMMs over whole channel blocks, also with BLOCK_IN 32 (two groups, or 32 depthwise channels, a block)
    expect(where).toMatchObject({
      Conv_0: 'vta',
      Conv_3: 'vta',
      MaxPool_5: 'vta',
      Conv_6: 'vta',
      Conv_8: 'vta',
      Add_9: 'vta',
      Concat_13: 'vta',
      AveragePool_14: 'vta',
      MatMul_18: 'vta',
      Gemm_21: 'vta',
      Softmax_22: 'cpu',
    });
    const rt = new Runtime(new FunctionalSimulator(cfg, { dramBytes: 32 << 20 }));
    const net = await generate(rt, p.device);
    for (let s = 0; s < 2; s++) {
      const x = { x: floats(3 * 12 * 12, 200 + s, 2) };
      const ref = runInt8(p.quantized, x);
      const run = await net.run(x);
      const added = p.quantized.nodes.find((n) => n.name === 'Add_9')!.outputs[0];
      expect(new Set(ref.get(added)!).size).toBeGreaterThan(10);
      // every tensor the device run brought to the host (the dense outputs, ...)
      const seen = [...run.values.keys()].filter((k) => ref.has(k));
      expect(seen).toEqual(expect.arrayContaining(['prob']));
      for (const name of seen) expect([name, Array.from(run.values.get(name)!)]).toEqual([name, Array.from(ref.get(name)!)]);
      expect(run.layers.find((l) => l.node === 'Conv_8')!.counters!.macs).toBeGreaterThan(0);
    }
    net.release();
  }
});

test('MNIST: 4 test images, device equals int8 reference; replaying the recorded streams is repeatable', async () => {
  const g = importOnnxFile(MNIST);
  const cfg = defaultConfig();
  const d = loadDataSpec('mnist');
  const img = (i: number) => ({ input: Float32Array.from(d.pixels.subarray(i * 784, (i + 1) * 784), (px) => (px / 255 - 0.1307) / 0.3081) });
  const p = runPipeline(
    g,
    cfg,
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => img(9000 + i)),
  );
  expect(p.placements.filter((x) => x.target === 'vta').map((x) => x.op)).toEqual(['conv2d', 'conv2d', 'conv2d', 'flatten', 'dense']);
  const rt = new Runtime(new FunctionalSimulator(cfg, { dramBytes: 16 << 20 }));
  const net = await generate(rt, p.device);
  for (const i of [0, 1, 2, 3, 0]) {
    const out = (await net.run(img(i))).values.get('logits')!;
    expect(Array.from(out)).toEqual(Array.from(runInt8(p.quantized, img(i)).get('logits')!));
  }
  net.release();
});
