// Our TFLite integer reference (the int8 executor on an int8 model's exact graph, `vta infer`'s "exact")
// against TFLite Micro's reference kernels, recorded by scripts/tflm/ on synthetic inputs of each MLPerf Tiny
// int8 model: the outputs bit for bit on every recorded input, and every intermediate tensor on the first
// few, so that a difference names the first layer where the two part ways.

import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { defaultConfig } from '../../../hw/vta/config';
import { runInt8 } from '../../../sw/compiler/exec/int8';
import { importModel } from '../../../sw/compiler/import';
import { Graph, Requant } from '../../../sw/compiler/ir';
import { runPipeline } from '../../../sw/compiler/pipeline';
import { compareNpy, compareTensors, describeDiffs, inferFixture, graphInput, loadTflmFixture, TFLM_FIXTURE_MODELS, toTflmLayout } from './tflm-fixture';

const ROOT = join(__dirname, '..', '..', '..');

describe.each(TFLM_FIXTURE_MODELS)('TFLite Micro fixture %s', (model) => {
  const f = loadTflmFixture(model);
  let exact: Graph;
  beforeAll(() => {
    const p = runPipeline(importModel(join(ROOT, f.manifest.model)), defaultConfig(), []);
    if (!p.exact) throw new Error(`${f.manifest.model}: the pipeline made no exact graph (is the model int8?)`);
    exact = p.exact;
  });

  test('the fixture names its engine, its model file and holds every input', () => {
    expect(f.manifest.tflmCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(
      createHash('sha256')
        .update(readFileSync(join(ROOT, f.manifest.model)))
        .digest('hex'),
    ).toBe(f.manifest.modelSha256);
    expect(f.inputs.shape[0]).toBe(f.manifest.inputs);
    expect(f.outputs.shape[0]).toBe(f.manifest.inputs);
    expect(f.manifest.tensors.length).toBeGreaterThan(f.manifest.operators.length - 1);
  });

  test('outputs are TFLM’s bit for bit on every input', () => {
    const out = exact.outputs[0];
    const rows = Array.from({ length: f.manifest.inputs }, (_, i) => toTflmLayout(runInt8(exact, graphInput(exact, f, i)).get(out)!, exact.tensors[out].shape));
    const per = f.outputs.data.length / f.manifest.inputs;
    const diffs = rows.map((r, i) => ({ i, ...compareNpy(r, f.outputs.data.subarray(i * per, (i + 1) * per)) }));
    const differing = diffs.filter((d) => d.differing > 0);
    expect(differing.map((d) => `input ${d.i}: ${d.differing} of ${d.count} values differ, max |difference| ${d.maxAbs}`)).toEqual([]);
    expect(compareNpy(rows.flat(), f.outputs).differing).toBe(0);
  });

  test('every intermediate tensor is TFLM’s', () => {
    const { diffs, missing } = compareTensors(exact, f, (i) => runInt8(exact, graphInput(exact, f, i)));
    // every tensor an operator writes is in our graph under its TFLite index
    expect(missing).toEqual([]);
    expect(diffs.length).toBe(f.manifest.tensors.length);
    // the first line is the first layer where our reference and TFLM part ways
    expect(describeDiffs(diffs)).toEqual([]);
  });
});

// TFLM's own requantization constants of the autoencoder's ten FULLY_CONNECTED layers (OpDataFullyConnected
// after Prepare, printed from a copy of its fully_connected.cc): TFLite multiplies the input and weight
// scales of a per-tensor FULLY_CONNECTED in float32, so the Q31 multiplier differs from the double
// product's in its last bits (the last layer: 1462485078, not 1462485049), enough to flip one output of 200.
test('the autoencoder’s dense layers requantize with TFLM’s multipliers', () => {
  const f = loadTflmFixture('mlperf-tiny-ad');
  const exact = runPipeline(importModel(join(ROOT, f.manifest.model)), defaultConfig(), []).exact!;
  const dense = exact.nodes.filter((n) => n.op === 'dense').map((n) => n.attrs.requant as Requant);
  expect(dense.map((r) => [r.multiplier![0], -r.shift[0]])).toEqual([
    [1638001653, -8],
    [1442659874, -5],
    [1185020362, -2],
    [1439819933, -4],
    [1085889771, -6],
    [1442237646, -5],
    [1315670694, -5],
    [1994356843, -6],
    [1105921547, -6],
    [1462485078, -9],
  ]);
});

// The CLI path the device is checked on: `vta infer` on the fixture's inputs with the Pynq-Z1 preset (which has
// the requantization stage) saves rows in the fixture's shape, every one TFLM's bit for bit, and the report
// counts them all identical to the exact reference. fsim on every fixture input; TSIM below.
test.each(['mlperf-tiny-ad', 'mlperf-tiny-resnet8', 'mlperf-tiny-vww'])(
  '%s on fsim, Pynq-Z1 preset: --save-outputs gives TFLM’s outputs on every fixture input',
  async (fixture) => {
    const r = await inferFixture(fixture, 'fsim');
    expect(r.rows).toBe(loadTflmFixture(fixture).inputs.shape[0]);
    expect(r).toMatchObject({ identicalRows: r.rows, exact: 1 });
    expect(r.fraction).toBeGreaterThanOrEqual(0.99);
    // ResNet-8's three residual ADDs run exactly on the device (sw/ops/add-q31.ts), not on the CPU
    expect(r.addTargets).toEqual(fixture === 'mlperf-tiny-resnet8' ? ['vta', 'vta', 'vta'] : []);
  },
);

// ops-edges: an ADD of two tensors with different scales and zero points (TFLite's per-input multipliers, exact
// through the stage's wide words), a depthwise conv with depth multiplier 2 over the model's 4 input channels, a
// SAME max-pool over a zero point of -128 and a SAME average pool that does not count its pads: all on the device.
test('ops-edges on fsim, Pynq-Z1 preset: every node but the input quantization on the device, every output TFLM’s', async () => {
  const r = await inferFixture('ops-edges', 'fsim');
  expect(r.rows).toBe(loadTflmFixture('ops-edges').inputs.shape[0]);
  expect(r).toMatchObject({ identicalRows: r.rows, exact: 1, fraction: 1, addTargets: ['vta'], cpuNodes: ['quantize_input_0'] });
});
