// The MLPerf Tiny int8 ResNet-8 (TFLite) through the whole pipeline on fsim, with the default ALU and with MUL:
// the convolutions and the dense run on VTA with TFLite's zero points and per-channel requantization in the
// device form, and every tensor equals the integer reference's; the exact TFLite rules give the same class.
import { join } from 'path';
import { generate } from '../../../sw/compiler/codegen/network';
import { syntheticImage } from '../../../sw/compiler/data/synthetic';
import { runInt8 } from '../../../sw/compiler/exec/int8';
import { requantOf } from '../../../sw/compiler/ir';
import { importModel } from '../../../sw/compiler/import';
import { runPipeline } from '../../../sw/compiler/pipeline';
import { FunctionalSimulator } from '../../../sim/fsim';
import { Runtime } from '../../../sw/runtime';
import { cfgWith } from '../helpers';

const QUANT = join(__dirname, '../../../../shared/models/mlperf-tiny-resnet8/pretrainedResnet_quant.tflite');
const argmax = (a: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
};

test.each([false, true])('ResNet-8 int8 on fsim equals the integer reference (ALU MUL: %s)', async (mul) => {
  const cfg = cfgWith(mul ? { ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'] } : {});
  const g = importModel(QUANT);
  const p = runPipeline(g, cfg, []);
  const onVta = p.placements.filter((x) => x.target === 'vta').map((x) => x.node);
  // everything but the input quantization (with the first conv's im2col) and the softmax: adds as concat + 1x1 GEMMs,
  // the pool as a depthwise GEMM
  expect(p.placements.filter((x) => x.target === 'cpu').map((x) => x.node)).toEqual(['quantize_input_0', 'conv2d_0:im2col', 'softmax_15']);
  expect(onVta).toEqual(expect.arrayContaining(['conv2d_0', 'add_3:pair', 'add_3', 'add_11', 'avg_pool_12', 'reshape_13', 'dense_14']));
  // the device form: no Q31 multipliers left on VTA nodes; the exact graph keeps them
  for (const n of p.quantized.nodes.filter((x) => x.target === 'vta'))
    expect((requantOf(n) as { multiplier?: number[] } | undefined)?.multiplier).toBeUndefined();
  const rt = new Runtime(new FunctionalSimulator(cfg, { dramBytes: 16 << 20 }));
  const net = await generate(rt, p.device);
  const x = { [g.inputs[0]]: syntheticImage(5) };
  const run = await net.run(x);
  const ref = runInt8(p.quantized, x);
  for (const n of p.quantized.nodes) {
    const got = run.values.get(n.outputs[0]);
    if (got) expect([n.name, Array.from(got)]).toEqual([n.name, Array.from(ref.get(n.outputs[0])!)]);
  }
  const exact = runInt8(p.exact!, x).get(g.outputs[0])!;
  expect(argmax(run.values.get(g.outputs[0])!)).toBe(argmax(exact));
  net.release();
});
