// Issue 19 §1: on a core with the requantization stage, the MLPerf Tiny int8 models compute the model's own
// integer rules (TFLite's Q31 requantization, its average pool) bit for bit on fsim: every VTA convolution and
// dense keeps TFLite's multiplier (no weight folding), TFLite's per-input-rescaled adds run exactly on the
// device (sw/ops/add-q31.ts, the stage's wide words), and the device's outputs equal the exact graph's.
import { join } from 'path';
import { FunctionalSimulator } from '../../../sim/fsim';
import { generate } from '../../../sw/compiler/codegen/network';
import { runInt8 } from '../../../sw/compiler/exec/int8';
import { importModel } from '../../../sw/compiler/import';
import { requantOf, type Requant } from '../../../sw/compiler/ir';
import { runPipeline } from '../../../sw/compiler/pipeline';
import { Runtime } from '../../../sw/runtime';
import { cfgWith, Rng } from '../helpers';

const MODELS = join(__dirname, '../../../../shared/models');

test.each([
  ['mlperf-tiny-resnet8/pretrainedResnet_quant.tflite', 3],
  ['mlperf-tiny-vww/vww_96_int8.tflite', 0],
  ['mlperf-tiny-ad/ad01_int8.tflite', 0],
])('%s: device = TFLite integers with the requantization stage', async (file, adds) => {
  const cfg = cfgWith({ REQUANT_BUFF_DEPTH: 64 });
  const g = importModel(join(MODELS, file));
  const p = runPipeline(g, cfg, []);
  const gemms = p.device.nodes.filter((n) => n.target === 'vta' && (n.op === 'conv2d' || n.op === 'dense'));
  expect(gemms.length).toBeGreaterThan(0);
  // TFLite's multiplier reaches the device untouched (the int8 reference is the exact graph's arithmetic)
  for (const n of gemms) expect([n.name, Boolean((requantOf(n) as Requant).multiplier)]).toEqual([n.name, true]);
  const addTargets = p.device.nodes.filter((n) => n.op === 'add').map((n) => n.target);
  expect(addTargets).toEqual(Array(adds).fill('vta'));
  const rt = new Runtime(new FunctionalSimulator(cfg, { dramBytes: 32 << 20 }));
  const net = await generate(rt, p.device);
  const input = g.tensors[g.inputs[0]];
  const q = input.quant ?? { scale: [1], zeroPoint: [0] };
  const size = input.shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(file.length);
  for (let k = 0; k < 2; k++) {
    // every int8 input value, dequantized: the whole range the model's first layer sees
    const x = { [g.inputs[0]]: Float32Array.from({ length: size }, () => (rng.int(-128, 127) - q.zeroPoint[0]) * q.scale[0]) };
    const got = (await net.run(x)).values.get(g.outputs[0])!;
    const want = runInt8(p.exact!, x).get(g.outputs[0])!;
    expect(Array.from(got)).toEqual(Array.from(want));
  }
  net.release();
});
