// Any model's inputs (issue 19, section 3): synthetic data of the model's own shape, npy files in its own
// layout and dtype, --save-outputs rows, optional labels, an autoencoder's reconstruction error, and
// deviceMacFraction; on the MLPerf Tiny int8 models, fsim.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { main } from '../../../cli/dispatch';
import { imageInput, modelInputOf, normalizationFromArgs, schedulesFromArgs } from '../../../sw/compiler/commands/common';
import { parseInferArgs } from '../../../sw/compiler/commands/infer';
import { loadDataSpec } from '../../../sw/compiler/data/idx';
import { npyBytes, parseNpy, readNpy, writeNpy } from '../../../sw/compiler/data/npy';
import { importModel } from '../../../sw/compiler/import';
import { compileGraph } from '../../../sw/compiler/model';
import { runFloat } from '../../../sw/compiler/exec/float';

const MODELS = join(__dirname, '../../../../shared/models');
const RESNET8 = join(MODELS, 'mlperf-tiny-resnet8/pretrainedResnet_quant.tflite');
const VWW = join(MODELS, 'mlperf-tiny-vww/vww_96_int8.tflite');
const AD = join(MODELS, 'mlperf-tiny-ad/ad01_int8.tflite');
const AD_FLOAT = join(MODELS, 'mlperf-tiny-ad/ad01_fp32.tflite');
const dir = mkdtempSync(join(tmpdir(), 'vta-inputs-'));

async function vta(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
  return { code, out, err };
}

/** The device's raw outputs of a model on a data spec, computed here through the library, one row per input. */
async function deviceRows(model: string, spec: string): Promise<number[][]> {
  const g = importModel(model);
  const input = modelInputOf(g, model);
  const data = loadDataSpec(spec, '--data', input);
  const args = parseInferArgs([model, '--data', spec]);
  const norm = normalizationFromArgs(args, spec, input);
  const compiled = await compileGraph(g, [], { target: 'fsim', schedules: schedulesFromArgs(args) }); // the CLI's tilings
  try {
    const rows: number[][] = [];
    for (let i = 0; i < data.count; i++) rows.push(Array.from((await compiled.runDetailed(imageInput(g, data, i, norm)[g.inputs[0]])).raw));
    return rows;
  } finally {
    compiled.close();
  }
}

const rowsOf = (a: { shape: number[]; data: ArrayLike<number> }) => {
  const per = a.data.length / a.shape[0];
  return Array.from({ length: a.shape[0] }, (_, i) => Array.from(a.data).slice(i * per, (i + 1) * per));
};

describe.each([
  // VWW's int8 CPU references are slow under jest: one input
  ['ResNet-8', RESNET8, 2, '32x32 CIFAR-like images', [2, 10]],
  ['VWW', VWW, 1, '96x96 CIFAR-like images', [1, 2]],
  ['AD', AD, 2, 'smooth values of [1, 640]', [2, 640]],
] as const)('%s int8 on synthetic inputs of its own shape (fsim)', (_, model, count, what, outShape) => {
  test("runs unlabelled, reports deviceMacFraction and every layer's MACs; --save-outputs rows are the device outputs", async () => {
    const json = join(dir, `${_}.json`);
    const npy = join(dir, `${_}.npy`);
    const spec = `synthetic:${count}@3`;
    const r = await vta('infer', model, '--data', spec, '--target', 'fsim', '--json', json, '--save-outputs', npy);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    // exit 1 exactly when the device disagrees with the int8 reference (VWW does on main today)
    expect(r.code).toBe(j.agreement < 1 ? 1 : 0);
    expect(j.data).toContain(what);
    expect(j).toMatchObject({ images: count, top1: null });
    expect(r.out).toMatch(/device MACs\/image \d+ \(\d+\.\d\d% of the model's\)/);
    const all = j.layers.reduce((a: number, l: { macs: number }) => a + l.macs, 0);
    expect(j.deviceMacFraction).toBeCloseTo(j.macs / all, 12);
    expect(j.deviceMacFraction).toBeGreaterThan(0.5);
    for (const l of j.layers) if (l.op === 'conv2d' || l.op === 'dense') expect(l.macs).toBeGreaterThan(0);
    const saved = readNpy(npy);
    expect([saved.dtype, saved.shape]).toEqual(['int8', [...outShape]]);
    expect(rowsOf(saved)).toEqual(await deviceRows(model, spec));
  }, 30_000);
});

test('synthetic data of a 32x32x3 input is the CIFAR-like set synthetic:N:HxW gives; other shapes are seeded and deterministic', () => {
  const resnet = modelInputOf(importModel(RESNET8), RESNET8);
  expect(loadDataSpec('synthetic:3@2', '--data', resnet).pixels).toEqual(loadDataSpec('synthetic:3@2:32x32').pixels);
  const ad = modelInputOf(importModel(AD), AD);
  const a = loadDataSpec('synthetic:2@5', '--data', ad);
  expect(a.values).toEqual(loadDataSpec('synthetic:2@5', '--data', ad).values);
  expect(a.values).not.toEqual(loadDataSpec('synthetic:2@6', '--data', ad).values);
  const [lo, hi] = [0.3910152316093445 * (-128 - 89), 0.3910152316093445 * (127 - 89)];
  const v = Array.from(a.values!);
  expect(Math.min(...v)).toBeGreaterThanOrEqual(lo);
  expect(Math.max(...v)).toBeLessThanOrEqual(hi);
  expect(Math.max(...v) - Math.min(...v)).toBeGreaterThan(0.5 * (hi - lo)); // spans the range
  // one channel: the luminance of the dead-leaves images
  const gray = loadDataSpec('synthetic:1', '--data', { shape: [1, 1, 40, 24], nhwc: false });
  expect(gray.dims).toEqual([40, 24, 1]);
  // a feature map: smooth values, standard normal for a float input
  const kws = loadDataSpec('synthetic:1', '--data', { shape: [1, 1, 49, 10], nhwc: true });
  expect(kws.values!.length).toBe(490);
  const mean = kws.values!.reduce((x, y) => x + y, 0) / 490;
  expect(Math.abs(mean)).toBeLessThan(1e-5);
});

test('npy: round trip of int8, uint8 and float32; hand-built 1.0 and 2.0 headers', () => {
  for (const a of [
    { dtype: 'int8' as const, shape: [2, 3], data: Int8Array.from([-128, -1, 0, 1, 2, 127]) },
    { dtype: 'uint8' as const, shape: [3], data: Uint8Array.from([0, 128, 255]) },
    { dtype: 'float32' as const, shape: [1, 2, 2], data: Float32Array.from([0.5, -1.25, 3e-8, 1e9]) },
  ]) {
    const f = join(dir, `rt-${a.dtype}.npy`);
    writeNpy(f, a);
    expect(readNpy(f)).toEqual(a);
    expect(npyBytes(a).length % 64).toBe(a.data.byteLength % 64); // the header pads the data to 64 bytes
  }
  const hand = (major: number, dict: string, data: number[]) => {
    const len = major === 1 ? 2 : 4;
    const h = Buffer.from(dict, 'latin1');
    const b = Buffer.alloc(8 + len + h.length + data.length);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(b);
    if (major === 1) b.writeUInt16LE(h.length, 8);
    else b.writeUInt32LE(h.length, 8);
    h.copy(b, 8 + len);
    Buffer.from(data).copy(b, 8 + len + h.length);
    return b;
  };
  const f32 = [...Buffer.from(Float32Array.from([1.5, -2]).buffer)];
  expect(parseNpy(hand(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n", f32), 'h1')).toEqual({
    dtype: 'float32',
    shape: [2],
    data: Float32Array.from([1.5, -2]),
  });
  expect(parseNpy(hand(2, '{"descr":"|i1","fortran_order":False,"shape":(1, 2)}   \n', [255, 7]), 'h2')).toEqual({
    dtype: 'int8',
    shape: [1, 2],
    data: Int8Array.from([-1, 7]),
  });
  // hostile files: one line naming the file and what is wrong
  const bad = (b: Uint8Array) => () => parseNpy(b, 'x.npy');
  expect(bad(Buffer.from('PK\x03\x04 not npy at all'))).toThrow(/^x\.npy: not a \.npy file/);
  expect(bad(hand(3, '{}', []))).toThrow(/version 3\.0 is not supported/);
  expect(bad(hand(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0, 0, 0, 0, 0]))).toThrow(
    "x.npy: .npy dtype '<f8' is not supported",
  );
  expect(bad(hand(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0]))).toThrow("dtype '>f4' is not supported");
  expect(bad(hand(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", [0, 0, 0, 0]))).toThrow(/Fortran order is not supported/);
  expect(bad(hand(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, 3), }", [1, 2, 3]))).toThrow(
    'x.npy: shape (2, 3) of |i1 needs 6 data bytes, the file has 3',
  );
  expect(bad(hand(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (2, -3), }", []))).toThrow(/shape \(2, -3\) must be non-negative integers/);
  expect(bad(hand(1, 'not a dict', []))).toThrow(/header is not a dict/);
  const huge = hand(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (1,), }", [1]);
  huge.writeUInt16LE(60000, 8);
  expect(bad(huge)).toThrow(/header claims 60000 bytes/);
});

test("--data npy:FILE in the model's layout and dtype (int8 NHWC) gives the outputs of the same synthetic images; bad files are one line", async () => {
  // ResNet-8's int8 input: q = pixel - 128, NHWC; the synthetic images are HWC bytes already
  const imgs = loadDataSpec('synthetic:2@4:32x32');
  const f = join(dir, 'resnet-in.npy');
  writeNpy(f, { dtype: 'int8', shape: [2, 32, 32, 3], data: Int8Array.from(imgs.pixels, (p) => p - 128) });
  const [a, b] = [join(dir, 'npy-out.npy'), join(dir, 'syn-out.npy')];
  expect((await vta('infer', RESNET8, '--data', `npy:${f}`, '--save-outputs', a)).code).toBe(0);
  expect((await vta('infer', RESNET8, '--data', 'synthetic:2@4', '--save-outputs', b)).code).toBe(0);
  expect(readNpy(a)).toEqual(readNpy(b));
  const nchw = join(dir, 'nchw.npy');
  writeNpy(nchw, { dtype: 'int8', shape: [2, 3, 32, 32], data: new Int8Array(2 * 3072) });
  expect(await vta('infer', RESNET8, '--data', `npy:${nchw}`)).toMatchObject({
    code: 2,
    err: `vta infer: --data npy:${nchw}: shape (2, 3, 32, 32) is not (N, 32, 32, 3): N inputs of the model's [1, 32, 32, 3] (NHWC)\n`,
  });
  const floats = join(dir, 'floats.npy');
  writeNpy(floats, { dtype: 'float32', shape: [1, 640], data: new Float32Array(640) });
  expect(await vta('infer', AD, '--data', `npy:${floats}`)).toMatchObject({
    code: 2,
    err: `vta infer: --data npy:${floats}: float32 data, the model's input takes int8\n`,
  });
  const junk = join(dir, 'junk.npy');
  writeFileSync(junk, 'hello');
  expect(await vta('infer', AD, '--data', `npy:${junk}`)).toMatchObject({
    code: 1,
    err: `vta infer: ${junk}: not a .npy file (it must start with \\x93NUMPY)\n`,
  });
  expect((await vta('infer', AD, '--data', 'npy:/nonexistent/x.npy')).err).toBe('vta infer: cannot read data file /nonexistent/x.npy: no such file\n');
}, 30_000);

test('AD (autoencoder): reconstruction error against its input, largest error against the float model; --jobs keeps the rows in order', async () => {
  const json = join(dir, 'ad.json');
  const one = join(dir, 'ad1.npy');
  const r = await vta('infer', AD, '--data', 'synthetic:6', '--reference', AD_FLOAT, '--json', json, '--save-outputs', one);
  expect(r.code).toBe(0);
  const j = JSON.parse(readFileSync(json, 'utf8'));
  expect(j).toMatchObject({ top1: null, floatAgreement: null, agreement: 1, deviceMacFraction: 1 });
  expect(r.out).toMatch(/^top-1: - \(the model has no classes\)$/m);
  // the reported error is the device output (dequantized) against the input, recomputed here from the saved rows
  const input = modelInputOf(importModel(AD), AD);
  const x = loadDataSpec('synthetic:6', '--data', input).values!;
  const rows = rowsOf(readNpy(one));
  let mse = 0;
  for (let i = 0; i < 6; i++) mse += rows[i].reduce((a, q, k) => a + (0.36449846625328064 * (q - 96) - x[i * 640 + k]) ** 2, 0) / 640 / 6;
  expect(j.reconstruction.meanSquaredError).toBeCloseTo(mse, 3); // float32 dequantization here
  // the largest error against the float model, recomputed from the saved rows and the float model's outputs
  const f = importModel(AD_FLOAT);
  let worst = 0;
  for (let i = 0; i < 6; i++) {
    const yf = runFloat(f, { [f.inputs[0]]: x.slice(i * 640, (i + 1) * 640) }).get(f.outputs[0])!;
    rows[i].forEach((q, k) => (worst = Math.max(worst, Math.abs(Math.fround(0.36449846625328064 * (q - 96)) - yf[k]))));
  }
  expect(j.floatMaxError).toBeGreaterThan(0);
  expect(j.floatMaxError).toBeCloseTo(worst, 4);
  const two = join(dir, 'ad2.npy');
  expect((await vta('infer', AD, '--data', 'synthetic:6', '--jobs', '2', '--save-outputs', two)).code).toBe(0);
  expect(readNpy(two)).toEqual(readNpy(one));
}, 60_000);
