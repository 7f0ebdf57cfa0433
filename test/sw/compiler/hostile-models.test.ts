// Hostile model files through `vta compile`: every one is refused with exit status 1 and one line naming
// the file, the tensor or node and the field, and nothing is sized from an unchecked number.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { onnx } from 'onnx-proto';
import { main } from '../../../cli/dispatch';
import { buildTflite, BTensor, BOperator } from './tflite-builder';
import { floats, OnnxBuilder } from './onnx-builder';

const dir = mkdtempSync(join(tmpdir(), 'vta-hostile-'));
const SHARED = join(__dirname, '../../../../shared/models');

async function compile(name: string, bytes: Uint8Array): Promise<{ code: number; err: string }> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  let err = '';
  const code = await main(['compile', file, '--out', join(dir, 'out')], { stdout: () => {}, stderr: (t) => void (err += t) });
  return { code, err };
}

async function expectRefused(name: string, bytes: Uint8Array, message: RegExp): Promise<void> {
  const r = await compile(name, bytes);
  expect(r.err).toMatch(message);
  expect(r.err).not.toMatch(/internal error/);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toContain(name);
  expect(r.code).toBe(1);
}

// --- TFLite: an int8 fully connected layer, input [1,4] -> output [1,3] ---
const i8 = (xs: number[]) => new Uint8Array(Int8Array.from(xs).buffer);
const i32 = (xs: number[]) => new Uint8Array(Int32Array.from(xs).buffer);
const f32 = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

function fcInt8(edit: (t: BTensor[], ops: BOperator[]) => void = () => {}, io: { inputs?: number[]; outputs?: number[]; version?: number } = {}): Uint8Array {
  const tensors: BTensor[] = [
    { shape: [1, 4], type: 9, scale: [0.5], zeroPoint: [-3], name: 'x' },
    { shape: [3, 4], type: 9, data: i8([1, -2, 3, 4, 5, -6, 7, 8, 9, 10, -11, 12]), scale: [0.01, 0.02, 0.03], zeroPoint: [0, 0, 0], name: 'w' },
    { shape: [3], type: 2, data: i32([5, -5, 7]), scale: [0.005, 0.01, 0.015], zeroPoint: [0, 0, 0], name: 'b' },
    { shape: [1, 3], type: 9, scale: [0.25], zeroPoint: [2], name: 'y' },
  ];
  const ops: BOperator[] = [{ code: 9, inputs: [0, 1, 2], outputs: [3], optionsType: 8, options: [[0, 1, 0]] }];
  edit(tensors, ops);
  return buildTflite(tensors, ops, io.inputs ?? [0], io.outputs ?? [3], io.version);
}

describe('hostile TFLite files', () => {
  test('the unedited builder model compiles (the cases below differ from it in one field)', async () => {
    const r = await compile('fc-ok.tflite', fcInt8());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  const cases: [string, Uint8Array, RegExp][] = [
    ['negative-dim.tflite', fcInt8((t) => (t[0].shape = [1, -4])), /tensor t0:x: shape \[1, -4\]: dimension 1 is -4/],
    ['zero-dim.tflite', fcInt8((t) => (t[0].shape = [0, 4])), /tensor t0:x: shape \[0, 4\]: dimension 0 is 0/],
    [
      'huge-dims.tflite',
      fcInt8((t) => (t[0].shape = [1, 1 << 20, 1 << 20])),
      /tensor t0:x: shape \[1, 1048576, 1048576\] has 1099511627776 elements, more than/,
    ],
    ['short-weights.tflite', fcInt8((t) => (t[1].data = i8([1, 2, 3, 4, 5, 6, 7, 8]))), /tensor 1 \(w\) holds 8 bytes, shape \[3,4\] of INT8 needs 12/],
    ['float16-weights.tflite', fcInt8((t) => (t[1].type = 1)), /tensor 1 \(w\) has type FLOAT16; supported: /],
    ['int16-input.tflite', fcInt8((t) => (t[0].type = 7)), /tensor 0 \(x\) has type INT16; supported: /],
    ['int4-weights.tflite', fcInt8((t) => (t[1].type = 17)), /tensor 1 \(w\) has type INT4; supported: /],
    ['nan-scale.tflite', fcInt8((t) => (t[3].scale = [NaN])), /tensor t3:y: quantization scale\[0\] is NaN \(a scale must be a finite number > 0\)/],
    ['zero-scale.tflite', fcInt8((t) => (t[0].scale = [0])), /tensor t0:x(:real)?: quantization scale\[0\] is 0 /],
    ['negative-scale.tflite', fcInt8((t) => (t[1].scale = [0.01, -0.02, 0.03])), /quantization scale\[1\] is -0.02/],
    ['infinite-scale.tflite', fcInt8((t) => (t[3].scale = [Infinity])), /tensor t3:y: quantization scale\[0\] is Infinity/],
    [
      'per-channel-length.tflite',
      fcInt8((t) => {
        t[1].scale = [0.01, 0.02];
        t[1].zeroPoint = [0, 0];
      }),
      /weights 1 have 2 scales for 3 output channels|2 per-channel scales for 3 channels/,
    ],
    ['zero-point-range.tflite', fcInt8((t) => (t[3].zeroPoint = [200])), /tensor t3:y: quantization zero_point\[0\] is 200, outside int8 \[-128, 127\]/],
    ['missing-tensor.tflite', fcInt8((_, ops) => (ops[0].inputs = [0, 9, 2])), /operator 0 inputs refers to tensor 9, but the subgraph has 4/],
    ['no-outputs.tflite', fcInt8(() => {}, { outputs: [] }), /the graph has no output/],
    [
      'dangling-output.tflite',
      fcInt8((t) => t.push({ shape: [1, 3], type: 9, scale: [0.25], zeroPoint: [0], name: 'z' }), { outputs: [4] }),
      /tensor 4 \(z\) is used before any operator produces it/,
    ],
    ['future-version.tflite', fcInt8(() => {}, { version: 99 }), /unsupported TFLite schema version 99 \(expected 3\)/],
  ];
  test.each(cases)('%s', async (name, bytes, message) => {
    await expectRefused(name, bytes, message);
  });

  test("a cycle: two operators that each consume the other's output", async () => {
    const tensors: BTensor[] = [
      { shape: [1, 4], type: 0, name: 'x' },
      { shape: [4, 4], type: 0, data: f32(Array(16).fill(0.5)), name: 'w' },
      { shape: [1, 4], type: 0, name: 'a' },
      { shape: [1, 4], type: 0, name: 'b' },
    ];
    const ops: BOperator[] = [
      { code: 0, inputs: [0, 3], outputs: [2], optionsType: 11, options: [[0, 1, 0]] },
      { code: 9, inputs: [2, 1, -1], outputs: [3], optionsType: 8, options: [[0, 1, 0]] },
    ];
    await expectRefused('cycle.tflite', buildTflite(tensors, ops, [0], [3]), /tensor 3 \(b\) is used before any operator produces it/);
  });

  test('NaN and infinite float weights', async () => {
    const model = (w: number[]) =>
      buildTflite(
        [
          { shape: [1, 2], type: 0, name: 'x' },
          { shape: [2, 2], type: 0, data: f32(w), name: 'w' },
          { shape: [1, 2], type: 0, name: 'y' },
        ],
        [{ code: 9, inputs: [0, 1, -1], outputs: [2], optionsType: 8, options: [[0, 1, 0]] }],
        [0],
        [2],
      );
    await expectRefused('nan-weight.tflite', model([1, NaN, 2, 3]), /tensor t1:w(:\w+)?: value \[\d\] is NaN \(constants must be finite\)/);
    await expectRefused('inf-weight.tflite', model([1, 2, -Infinity, 3]), /value \[\d\] is -Infinity/);
  });
});

// --- ONNX: a small Gemm model, and edits of the real MNIST model ---
function gemmModel(edit: (m: onnx.ModelProto) => void = () => {}): Uint8Array {
  const b = new OnnxBuilder({ name: 'x', shape: ['N', 4] });
  b.init('w', [3, 4], floats(12, 1));
  b.init('bias', [3], floats(3, 2));
  b.node({ op: 'Gemm', inputs: ['x', 'w', 'bias'], outputs: ['y'], attrs: { transB: 1 } });
  const m = onnx.ModelProto.decode(b.bytes('y'));
  edit(m);
  return onnx.ModelProto.encode(m).finish();
}

describe('hostile ONNX files', () => {
  const input = (m: onnx.ModelProto) => m.graph!.input![0].type!.tensorType!.shape!.dim!;
  const init = (m: onnx.ModelProto, name: string) => m.graph!.initializer!.find((t) => t.name === name)!;
  const floatsRaw = (xs: number[]) => new Uint8Array(Float32Array.from(xs).buffer);

  test('the unedited builder model compiles', async () => {
    const r = await compile('gemm-ok.onnx', gemmModel());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  const cases: [string, Uint8Array, RegExp][] = [
    [
      'negative-dim.onnx',
      gemmModel((m) => (input(m)[1] = onnx.TensorShapeProto.Dimension.create({ dimValue: -4 }))),
      /graph input x: shape \[1, -4\]: dimension 1 is -4/,
    ],
    [
      'zero-dim.onnx',
      gemmModel((m) => (input(m)[1] = onnx.TensorShapeProto.Dimension.create({ dimValue: 0 }))),
      /graph input x: shape \[1, 0\]: dimension 1 is 0/,
    ],
    [
      'huge-dim.onnx',
      gemmModel((m) => (input(m)[1] = onnx.TensorShapeProto.Dimension.create({ dimValue: 2 ** 40 }))),
      /graph input x: shape \[1, 1099511627776\] has 1099511627776 elements/,
    ],
    [
      'huge-initializer.onnx',
      gemmModel((m) => (init(m, 'w').dims = [2 ** 20, 2 ** 20])),
      /initializer w: shape \[1048576, 1048576\] has 1099511627776 elements/,
    ],
    ['short-initializer.onnx', gemmModel((m) => (init(m, 'w').rawData = floatsRaw([1, 2, 3]))), /initializer w: raw_data has 12 bytes, shape \[3,4\] needs 48/],
    ['float16-initializer.onnx', gemmModel((m) => (init(m, 'w').dataType = 10)), /initializer w: data type FLOAT16 is not supported/],
    ['int16-initializer.onnx', gemmModel((m) => (init(m, 'w').dataType = 5)), /initializer w: data type INT16 is not supported/],
    ['nan-weight.onnx', gemmModel((m) => (init(m, 'w').rawData = floatsRaw([1, 2, 3, 4, 5, NaN, 7, 8, 9, 10, 11, 12]))), /tensor w: value \[5\] is NaN/],
    ['inf-bias.onnx', gemmModel((m) => (init(m, 'bias').rawData = floatsRaw([1, Infinity, 2]))), /tensor bias: value \[1\] is Infinity/],
    ['no-outputs.onnx', gemmModel((m) => (m.graph!.output = [])), /the graph has no output/],
    ['dangling-output.onnx', gemmModel((m) => (m.graph!.output![0].name = 'nobody')), /graph output nobody is not produced by any node/],
    ['missing-input.onnx', gemmModel((m) => (m.graph!.node![0].input![1] = 'ghost')), /node Gemm_0 \(Gemm\): .*ghost/],
    ['future-opset.onnx', gemmModel((m) => (m.opsetImport![0].version = 99)), /ai\.onnx opset 99 is outside what the importer supports \(7\.\.22\)/],
    ['old-opset.onnx', gemmModel((m) => (m.opsetImport![0].version = 1)), /ai\.onnx opset 1 is outside/],
    ['future-ir.onnx', gemmModel((m) => (m.irVersion = 99)), /ONNX IR version 99 is outside what the importer reads \(3\.\.11\)/],
  ];
  test.each(cases)('%s', async (name, bytes, message) => {
    await expectRefused(name, bytes, message);
  });

  test('a cycle between two nodes', async () => {
    const b = new OnnxBuilder({ name: 'x', shape: [1, 4] });
    b.node({ op: 'Add', inputs: ['x', 'b'], outputs: ['a'] });
    b.node({ op: 'Relu', inputs: ['a'], outputs: ['b'] });
    await expectRefused('cycle.onnx', b.bytes('b'), /node Add_0 \(Add\): input b is not defined before this node/);
  });

  test('MNIST with a negative BatchNorm variance', async () => {
    const m = onnx.ModelProto.decode(readFileSync(join(SHARED, 'mnist-lenet-bn/model.onnx')));
    const bn = m.graph!.node!.find((n) => n.opType === 'BatchNormalization')!;
    const v = init(m, bn.input![4]);
    const data = new Float32Array(new Uint8Array(v.rawData!).slice().buffer);
    data[2] = -0.5;
    v.rawData = new Uint8Array(data.buffer);
    await expectRefused(
      'negative-variance.onnx',
      onnx.ModelProto.encode(m).finish(),
      /node .* \(BatchNormalization\): input var \(.*\) \[2\] is -0.5; a variance must be >= 0/,
    );
  });
});
