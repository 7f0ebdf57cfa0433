// The ONNX importer and the float reference: the MNIST model and a generated model with every supported
// operator family against onnxruntime-node; errors for bad files, unsupported operators and attributes.
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { execFileSync } from 'child_process';
import { loadDataSpec } from '../../../sw/compiler/data/idx';
import { runFloat } from '../../../sw/compiler/exec/float';
import { importOnnx, importOnnxFile, readOnnxModel } from '../../../sw/compiler/import/onnx';
import { CompileError } from '../../../sw/compiler/ir';
import { floats, OnnxBuilder } from './onnx-builder';
import { mixedModel } from './models';

const MNIST = join(__dirname, '../../../../shared/models/mnist-lenet-bn/model.onnx');
const dir = mkdtempSync(join(tmpdir(), 'onnx-test-'));

/** onnxruntime-node's outputs for each input (in a child process: see ort-run.js). */
function ortRun(model: string | Uint8Array, name: string, shape: number[], batches: Float32Array[]): number[][] {
  let path = model as string;
  if (typeof model !== 'string') {
    path = join(dir, `m${Math.random().toString(36).slice(2)}.onnx`);
    writeFileSync(path, model);
  }
  const inputs = join(dir, 'inputs.json');
  writeFileSync(inputs, JSON.stringify({ name, shape, batches: batches.map((b) => Array.from(b)) }));
  return JSON.parse(execFileSync(process.execPath, [join(__dirname, 'ort-run.js'), path, inputs], { encoding: 'utf8' }));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('MNIST model: imports with shapes; float reference matches onnxruntime on 3 test images', () => {
  const g = importOnnxFile(MNIST);
  expect(g.nodes.map((n) => n.op)).toEqual([
    'conv2d',
    'batch_norm',
    'relu',
    'conv2d',
    'batch_norm',
    'relu',
    'conv2d',
    'batch_norm',
    'relu',
    'flatten',
    'dense',
  ]);
  expect(g.tensors.logits.shape).toEqual([1, 10]);
  const d = loadDataSpec('mnist');
  const xs = [0, 1, 2].map((i) => Float32Array.from(d.pixels.subarray(i * 784, (i + 1) * 784), (p) => (p / 255 - 0.1307) / 0.3081));
  const theirs = ortRun(MNIST, 'input', [1, 1, 28, 28], xs);
  xs.forEach((x, i) => expect(maxDiff(runFloat(g, { input: x }).get('logits')!, theirs[i])).toBeLessThan(1e-4));
});

test('generated model with every operator family matches onnxruntime', () => {
  const bytes = mixedModel();
  const g = importOnnx(readOnnxModel(bytes, 'mixed.onnx'), 'mixed.onnx');
  const xs = [0, 1].map((s) => floats(3 * 12 * 12, 100 + s, 2));
  const theirs = ortRun(bytes, 'x', [1, 3, 12, 12], xs);
  xs.forEach((x, i) => expect(maxDiff(runFloat(g, { x }).get('prob')!, theirs[i])).toBeLessThan(1e-5));
});

test('AveragePool with pads and count_include_pad, strided MaxPool with pads, Gemm transB with beta: match onnxruntime', () => {
  const b = new OnnxBuilder({ name: 'x', shape: [1, 2, 7, 7] }, 13);
  b.node({ op: 'AveragePool', inputs: ['x'], outputs: ['a'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 2], count_include_pad: 1 } });
  b.node({ op: 'MaxPool', inputs: ['x'], outputs: ['m'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
  b.node({ op: 'Concat', inputs: ['a', 'm'], outputs: ['c'], attrs: { axis: 1 } });
  b.node({ op: 'Flatten', inputs: ['c'], outputs: ['f'] });
  b.init('w', [5, 4 * 4 * 4 - 0], floats(5 * 64, 7));
  b.node({ op: 'Gemm', inputs: ['f', 'w'], outputs: ['y'], attrs: { transB: 1, beta: { float: 0.5 } } });
  const bytes = b.bytes('y');
  const g = importOnnx(readOnnxModel(bytes, 't.onnx'));
  const x = floats(2 * 49, 3, 3);
  expect(maxDiff(runFloat(g, { x }).get('y')!, ortRun(bytes, 'x', [1, 2, 7, 7], [x])[0])).toBeLessThan(1e-5);
});

function importError(bytes: Uint8Array, name = 'bad.onnx'): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  try {
    importOnnxFile(path);
  } catch (e) {
    expect(e).toBeInstanceOf(CompileError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

test('truncated and non-ONNX files: one line naming the file', () => {
  const good = mixedModel();
  for (const m of [importError(good.subarray(0, 300)), importError(Buffer.from('hello, not a model\n')), importError(new Uint8Array(0))]) {
    expect(m).toMatch(/^.*bad\.onnx: not an ONNX model/);
    expect(m).not.toContain('\n');
  }
});

test('unsupported operator, attribute and value: the node, op type and attribute are named', () => {
  const b1 = new OnnxBuilder({ name: 'x', shape: [1, 1, 4, 4] });
  b1.node({ op: 'Sigmoid', inputs: ['x'], outputs: ['y'], name: 'sig' });
  expect(importError(b1.bytes('y'))).toMatch(/node sig \(Sigmoid\): operator Sigmoid is not supported/);
  const b2 = new OnnxBuilder({ name: 'x', shape: [1, 1, 4, 4] });
  b2.node({ op: 'Conv', inputs: ['x', b2.init('w', [1, 1, 3, 3], floats(9, 1))], outputs: ['y'], name: 'dil', attrs: { dilations: [2, 2] } });
  expect(importError(b2.bytes('y'))).toMatch(/node dil \(Conv\): attribute dilations: only dilation 1 is supported/);
  const b3 = new OnnxBuilder({ name: 'x', shape: [1, 1, 4, 4] });
  b3.node({ op: 'MaxPool', inputs: ['x'], outputs: ['y'], name: 'mp', attrs: { kernel_shape: [2, 2], foo: 1 } });
  expect(importError(b3.bytes('y'))).toMatch(/node mp \(MaxPool\): attribute foo is not supported/);
  const b4 = new OnnxBuilder({ name: 'x', shape: [1, 1, 4, 4] });
  b4.node({ op: 'MaxPool', inputs: ['x'], outputs: ['y'], name: 'ceil', attrs: { kernel_shape: [2, 2], ceil_mode: 1 } });
  expect(importError(b4.bytes('y'))).toMatch(/node ceil \(MaxPool\): attribute ceil_mode: only 0/);
});
