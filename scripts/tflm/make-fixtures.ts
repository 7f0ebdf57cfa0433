// Regenerates test/fixtures/tflm/<model>/: the int8 inputs `vta infer --data synthetic:N` feeds each int8
// model of ../shared/models, and what TFLite Micro's reference kernels compute on them (tflm_runner.cc,
// built by build.sh): outputs.npy for every input, tensors/t<index>.npy (every operator's result) for the
// first few, manifest.json. See README.md here.
//
//   npx tsx scripts/tflm/make-fixtures.ts RUNNER [--count N (all models)] [--keep K] [--out DIR]
// (--out: another directory than test/fixtures/tflm, e.g. for a larger check that is not committed)

import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, relative } from 'path';
import { parseArgs } from '../../cli/args';
import { modelInputOf, normalizationFromArgs, imageInput } from '../../sw/compiler/commands/common';
import { loadDataSpec } from '../../sw/compiler/data/idx';
import { declaredShape, transposeRows } from '../../sw/compiler/data/model-data';
import { npyBytes } from '../../sw/compiler/data/npy';
import { runInt8Node } from '../../sw/compiler/exec/int8';
import { importModel } from '../../sw/compiler/import';
import { elementCount, Graph } from '../../sw/compiler/ir';

const ROOT = join(__dirname, '..', '..');
/**
 * Each model (its path from the repository root) and how many inputs its fixture records: the small
 * autoencoder 200 (a rounding difference of its last layer showed on 1 value of 200 inputs), the image
 * models 20 (each input is a few seconds of test), ops-edges (ops-model.ts writes it) 50.
 */
export const TFLM_MODELS: Record<string, { file: string; count: number }> = {
  'mlperf-tiny-resnet8': { file: '../shared/models/mlperf-tiny-resnet8/pretrainedResnet_quant.tflite', count: 20 },
  'mlperf-tiny-vww': { file: '../shared/models/mlperf-tiny-vww/vww_96_int8.tflite', count: 20 },
  'mlperf-tiny-ad': { file: '../shared/models/mlperf-tiny-ad/ad01_int8.tflite', count: 200 },
  'ops-edges': { file: 'test/fixtures/tflm/ops-edges.tflite', count: 50 },
};

/** The int8 input rows (the model's declared layout, NHWC for images) `vta infer --data synthetic:count` feeds. */
function syntheticInt8Inputs(g: Graph, modelPath: string, count: number): { shape: number[]; data: Int8Array } {
  const input = modelInputOf(g, modelPath);
  const spec = `synthetic:${count}`;
  const data = loadDataSpec(spec, '--data', input);
  const norm = normalizationFromArgs(
    parseArgs({ command: 'tflm fixtures', flags: ['mean', 'std'].map((name) => ({ name, type: 'string' as const, help: '' })) }, []),
    spec,
    input,
  );
  const quantize = g.nodes.find((n) => n.op === 'quantize' && n.inputs[0] === g.inputs[0]);
  if (!quantize) throw new Error(`${modelPath}: the input is not int8 (no quantize node after ${g.inputs[0]})`);
  const int8Shape = g.tensors[quantize.outputs[0]].shape;
  const per = elementCount(int8Shape);
  const rows = new Int8Array(count * per);
  for (let i = 0; i < count; i++) {
    const x = imageInput(g, data, i, norm);
    const q = runInt8Node(g, quantize, (name) => x[name]) as Int8Array;
    rows.set(int8Shape.length === 4 ? transposeRows(q, 1, int8Shape, false) : q, i * per);
  }
  return { shape: [count, ...declaredShape(int8Shape, input.nhwc).slice(1)], data: rows };
}

function main(): void {
  const argv = process.argv.slice(2);
  const runner = argv[0];
  if (!runner) throw new Error('usage: make-fixtures.ts RUNNER [--count N] [--keep K] [--out DIR]');
  const flag = (name: string, def: string) => {
    const i = argv.indexOf(`--${name}`);
    return i < 0 ? def : argv[i + 1];
  };
  const countFlag = flag('count', '');
  const keep = Number(flag('keep', '2'));
  const outDir = flag('out', join(ROOT, 'test', 'fixtures', 'tflm'));
  for (const [name, { file, count: modelCount }] of Object.entries(TFLM_MODELS)) {
    const count = countFlag ? Number(countFlag) : modelCount;
    const modelPath = join(ROOT, file);
    const out = join(outDir, name);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, 'tensors'), { recursive: true });
    const inputs = syntheticInt8Inputs(importModel(modelPath), modelPath, count);
    writeFileSync(join(out, 'inputs.npy'), npyBytes({ dtype: 'int8', shape: inputs.shape, data: inputs.data }));
    process.stdout.write(execFileSync(runner, [modelPath, join(out, 'inputs.npy'), out, String(keep)]));
    // the runner's manifest, with where the model and the inputs came from
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const described = {
      model: relative(ROOT, modelPath),
      modelSha256: createHash('sha256').update(readFileSync(modelPath)).digest('hex'),
      inputsFile: 'inputs.npy',
      inputsData: `synthetic:${count} (vta infer --data synthetic:${count} on this model, int8 in its declared layout)`,
      ...manifest,
    };
    // one line per operator and tensor: number arrays kept on their line
    const text = JSON.stringify(described, null, 1).replace(/\[\s*([-\d.e+,\s]*?)\s*\]/g, (_, a: string) => `[${a.split(/,\s*/).join(', ')}]`);
    writeFileSync(join(out, 'manifest.json'), text + '\n');
  }
}

main();
