import { readFileSync } from 'fs';
import { join } from 'path';
import { multiplyByQuantizedMultiplier, quantizeMultiplier, roundingDivideByPOT, saturatingRoundingDoublingHighMul } from '../../../sw/compiler/fixed-point';
import { importTflite, importTfliteFile } from '../../../sw/compiler/import/tflite';
import { readTflite } from '../../../sw/compiler/import/tflite-schema';
import { AddRequant, CompileError, Requant, requantOf } from '../../../sw/compiler/ir';
import { buildTflite } from './tflite-builder';

const DIR = join(__dirname, '../../../../shared/models/mlperf-tiny-resnet8');
const FLOAT = join(DIR, 'pretrainedResnet.tflite');
const QUANT = join(DIR, 'pretrainedResnet_quant.tflite');

const RESNET8_OPS = [
  'CONV_2D',
  'CONV_2D',
  'CONV_2D',
  'ADD',
  'CONV_2D',
  'CONV_2D',
  'CONV_2D',
  'ADD',
  'CONV_2D',
  'CONV_2D',
  'CONV_2D',
  'ADD',
  'AVERAGE_POOL_2D',
  'RESHAPE',
  'FULLY_CONNECTED',
  'SOFTMAX',
];

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('TFLite reader on the MLPerf Tiny ResNet-8 files', () => {
  test.each([FLOAT, QUANT])('%s: operators, tensors, buffers', (path) => {
    const m = readTflite(readFileSync(path), path);
    expect(m.description).toBe('MLIR Converted.');
    expect(m.operators.map((o) => o.op)).toEqual(RESNET8_OPS);
    const quant = path === QUANT;
    expect(m.tensors[m.inputs[0]]).toMatchObject({ shape: [1, 32, 32, 3], type: quant ? 'INT8' : 'FLOAT32', data: null });
    const w = m.tensors[m.operators[1].inputs[1]];
    expect(w.shape).toEqual([16, 3, 3, 16]);
    expect(w.data!.length).toBe(16 * 9 * 16 * (quant ? 1 : 4));
    if (quant) {
      expect(m.tensors[m.inputs[0]].quant).toEqual({ scale: [1], zeroPoint: [-128], quantizedDimension: 0 });
      expect(w.quant!.scale).toHaveLength(16);
      expect(m.tensors[m.outputs[0]].quant!.scale[0]).toBe(1 / 256);
    }
  });

  test('float graph: NCHW activations, OIHW weights with the data transposed, SAME pads', () => {
    const g = importTfliteFile(FLOAT);
    const raw = readFileSync(FLOAT);
    const m = readTflite(raw, FLOAT);
    expect(g.tensors[g.inputs[0]].shape).toEqual([1, 3, 32, 32]);
    expect(g.nodes.map((n) => n.op)).toEqual([
      'conv2d',
      'conv2d',
      'conv2d',
      'add',
      'conv2d',
      'conv2d',
      'conv2d',
      'add',
      'conv2d',
      'conv2d',
      'conv2d',
      'add',
      'avg_pool',
      'reshape',
      'dense',
      'softmax',
    ]);
    const conv = g.nodes[4]; // 3x3 stride 2 SAME on 32x32: TFLite pads 0 before, 1 after
    expect(conv.attrs).toMatchObject({ strides: [2, 2], pads: [0, 1, 0, 1], groups: 1, activation: { kind: 'relu' } });
    expect(g.tensors[conv.outputs[0]].shape).toEqual([1, 32, 16, 16]);
    // weight [o][i][ky][kx] in the IR is [o][ky][kx][i] in the file
    const wt = m.tensors[m.operators[4].inputs[1]];
    const src = new Float32Array(new Uint8Array(wt.data!).buffer);
    expect(src[1]).toBe(raw.readFloatLE(wt.data!.byteOffset - raw.byteOffset + 4)); // the file's own bytes
    const w = g.tensors[conv.inputs[1]];
    expect(w.shape).toEqual([32, 16, 3, 3]);
    const [o, i, ky, kx] = [5, 7, 2, 1];
    expect((w.data as Float32Array)[((o * 16 + i) * 3 + ky) * 3 + kx]).toBe(src[((o * 3 + ky) * 3 + kx) * 16 + i]);
    expect(g.nodes[12].attrs).toMatchObject({ kernel: [8, 8], strides: [8, 8], pads: [0, 0, 0, 0], countIncludePad: false });
  });

  test('int8 graph: per-channel weight scales, zero points and TFLite requantization', () => {
    const g = importTfliteFile(QUANT);
    const m = readTflite(readFileSync(QUANT), QUANT);
    // the int8 input takes real pixel values through a quantize node (q = pixel - 128)
    expect(g.nodes[0]).toMatchObject({ op: 'quantize', inputs: [g.inputs[0]] });
    expect(g.tensors[g.inputs[0]]).toMatchObject({ dtype: 'float32', shape: [1, 3, 32, 32] });
    expect(g.tensors[g.nodes[0].outputs[0]].quant).toEqual({ scale: [1], zeroPoint: [-128] });
    const conv = g.nodes[3]; // no activation, output zero point 4
    const r = requantOf(conv) as Requant;
    const [x, w, y] = [m.tensors[m.operators[2].inputs[0]], m.tensors[m.operators[2].inputs[1]], m.tensors[m.operators[2].outputs[0]]];
    expect(r.multiplier).toHaveLength(16);
    for (let c = 0; c < 16; c++) {
      // M = m / 2^31 * 2^-shift reproduces the real multiplier to Q31 precision
      const real = (x.quant!.scale[0] * w.quant!.scale[c]) / y.quant!.scale[0];
      expect(Math.abs((r.multiplier![c] / 2 ** 31) * 2 ** -r.shift[c] - real) / real).toBeLessThan(2 ** -30);
    }
    expect(r).toMatchObject({ rounding: 'nearest', zeroPoint: 4, min: -128, max: 127 });
    expect((requantOf(g.nodes[1]) as Requant).min).toBe(-128); // ReLU with zero point -128
    expect(g.tensors[conv.inputs[1]].quant!.axis).toBe(0);
    const add = requantOf(g.nodes[4]) as AddRequant;
    expect(add.inputShift).toEqual([20, 20]);
    expect(add.inputMultiplier![1]).toBe(2 ** 30); // the larger input scale: exactly 1/2
    expect(add.requant.zeroPoint).toBe(-128);
  });
});

describe('TFLite import errors are one line', () => {
  test('truncated file', () => {
    const bytes = readFileSync(QUANT).subarray(0, 4000);
    const e = errorOf(() => importTflite(bytes, 'cut.tflite'));
    expect(e).toBeInstanceOf(CompileError);
    expect(e.message).toMatch(/^cut\.tflite: truncated or corrupt \(.* runs past the end of the 4000-byte file\)$/);
  });

  test('not a TFLite file', () => {
    expect(errorOf(() => importTflite(new TextEncoder().encode('hello, this is not a model'), 'x.tflite')).message).toBe(
      'x.tflite: not a TFLite model (file identifier "o, t", expected "TFL3")',
    );
    expect(errorOf(() => importTflite(new Uint8Array(3), 'y.tflite')).message).toBe('y.tflite: not a TFLite model (3 bytes; a flatbuffer needs at least 8)');
    expect(errorOf(() => importTfliteFile('/nonexistent/m.tflite')).message).toBe('cannot read model /nonexistent/m.tflite: no such file');
  });

  const f32 = (n: number) => new Uint8Array(new Float32Array(n).buffer);

  test('unsupported operator names the operator index and op', () => {
    const bytes = buildTflite(
      [
        { shape: [1, 4], type: 0 },
        { shape: [1, 4], type: 0 },
        { shape: [1, 4], type: 0 },
      ],
      [{ code: 18, inputs: [0, 1], outputs: [2] }],
      [0, 1],
      [2],
    );
    expect(errorOf(() => importTflite(bytes, 'mul.tflite')).message).toMatch(/^mul\.tflite: operator 0 \(MUL\): operator not supported \(supported: CONV_2D, /);
  });

  test('unsupported option names the operator, op and option', () => {
    const bytes = buildTflite(
      [
        { shape: [1, 8, 8, 2], type: 0 },
        { shape: [4, 3, 3, 2], type: 0, data: f32(72) },
        { shape: [1, 4, 4, 4], type: 0 },
      ],
      [
        {
          code: 3,
          inputs: [0, 1],
          outputs: [2],
          optionsType: 1,
          options: [
            [0, 1, 1],
            [1, 4, 1],
            [2, 4, 1],
            [4, 4, 2],
            [5, 4, 2],
          ],
        },
      ],
      [0],
      [2],
    );
    expect(errorOf(() => importTflite(bytes, 'dil.tflite')).message).toBe(
      'dil.tflite: operator 0 (CONV_2D): option dilation_w_factor/dilation_h_factor = 2/2 is not supported (only 1)',
    );
    const tanh = buildTflite(
      [
        { shape: [1, 4], type: 0 },
        { shape: [3, 4], type: 0, data: f32(12) },
        { shape: [1, 3], type: 0 },
      ],
      [{ code: 9, inputs: [0, 1, -1], outputs: [2], optionsType: 8, options: [[0, 1, 4]] }],
      [0],
      [2],
    );
    expect(errorOf(() => importTflite(tanh, 'fc.tflite')).message).toBe(
      'fc.tflite: operator 0 (FULLY_CONNECTED): option fused_activation_function = TANH is not supported (NONE, RELU, RELU6, RELU_N1_TO_1)',
    );
  });

  test('depthwise convolution becomes a grouped conv2d with [C*m, 1, KH, KW] weights', () => {
    const w = new Float32Array(3 * 3 * 4).map((_, i) => i);
    const bytes = buildTflite(
      [
        { shape: [1, 5, 5, 2], type: 0 },
        { shape: [1, 3, 3, 4], type: 0, data: new Uint8Array(w.buffer) },
        { shape: [1, 5, 5, 4], type: 0 },
      ],
      [
        {
          code: 4,
          inputs: [0, 1, -1],
          outputs: [2],
          optionsType: 2,
          options: [
            [0, 1, 0],
            [1, 4, 1],
            [2, 4, 1],
            [3, 4, 2],
          ],
        },
      ],
      [0],
      [2],
    );
    const g = importTflite(bytes, 'dw.tflite');
    const n = g.nodes[0];
    expect(n.attrs).toMatchObject({ groups: 2, pads: [1, 1, 1, 1] });
    const wt = g.tensors[n.inputs[1]];
    expect(wt.shape).toEqual([4, 1, 3, 3]);
    // IR [c][0][ky][kx] = file [0][ky][kx][c]
    expect((wt.data as Float32Array)[(3 * 3 + 2) * 3 + 1]).toBe(w[(2 * 3 + 1) * 4 + 3]);
  });
});

describe('TFLite fixed-point arithmetic (hand-computed)', () => {
  test('quantizeMultiplier', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(3)).toEqual({ multiplier: 3 * 2 ** 29, shift: 2 });
    // 0.1 = 0.8 * 2^-3; round(0.8 * 2^31) = 1717986918
    expect(quantizeMultiplier(0.1)).toEqual({ multiplier: 1717986918, shift: -3 });
    // a mantissa that rounds up to 2^31 renormalises
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
  });

  test('rounding doubling high multiply and rounding divide by a power of two', () => {
    expect(saturatingRoundingDoublingHighMul(1000, 2 ** 30)).toBe(500);
    expect(saturatingRoundingDoublingHighMul(1001, 2 ** 30)).toBe(501); // 500.5 rounds away from zero
    expect(saturatingRoundingDoublingHighMul(-1001, 2 ** 30)).toBe(-500); // gemmlowp's nudge: -500.5 rounds up
    expect(saturatingRoundingDoublingHighMul(-1003, 2 ** 30)).toBe(-501);
    expect(saturatingRoundingDoublingHighMul(-(2 ** 31), -(2 ** 31))).toBe(2 ** 31 - 1);
    expect(saturatingRoundingDoublingHighMul(2 ** 31 - 1, 2 ** 31 - 1)).toBe(2 ** 31 - 2); // needs 62-bit product
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(-7, 2)).toBe(-2);
    expect(roundingDivideByPOT(6, 2)).toBe(2); // 1.5 -> 2
    expect(roundingDivideByPOT(-6, 2)).toBe(-2); // -1.5 -> -2
    expect(roundingDivideByPOT(-5, 2)).toBe(-1);
  });

  test('multiplyByQuantizedMultiplier = round(acc * M) for a conv-like accumulator', () => {
    const { multiplier, shift } = quantizeMultiplier(0.0123);
    for (const acc of [0, 1, -1, 4321, -4321, 123456, -987654]) {
      expect(multiplyByQuantizedMultiplier(acc, multiplier, shift)).toBe(Math.sign(acc) * Math.round(Math.abs(acc) * 0.0123) || 0);
    }
    const big = quantizeMultiplier(3);
    expect(multiplyByQuantizedMultiplier(-700, big.multiplier, big.shift)).toBe(-2100);
  });
});
