// vta compile and vta infer from the CLI: outputs, files, JSON, and one-line errors.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { main } from '../../../cli/dispatch';
import { loadDataSpec } from '../../../sw/compiler/data/idx';
import { idxFile } from '../helpers';

const MNIST = join(__dirname, '../../../../shared/models/mnist-lenet-bn/model.onnx');
const RESNET8_FLOAT = join(__dirname, '../../../../shared/models/mlperf-tiny-resnet8/pretrainedResnet.tflite');
const RESNET8_INT8 = join(__dirname, '../../../../shared/models/mlperf-tiny-resnet8/pretrainedResnet_quant.tflite');
const dir = mkdtempSync(join(tmpdir(), 'vta-cli-'));

async function vta(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (t) => void (out += t), stderr: (t) => void (err += t) });
  return { code, out, err };
}

test('vta infer: 3 MNIST images on fsim, JSON report', async () => {
  const json = join(dir, 'r.json');
  const svg = join(dir, 'r.svg');
  const r = await vta('infer', MNIST, '--data', 'mnist', '--target', 'fsim', '--limit', '3', '--calibrate-count', '20', '--json', json, '--svg', svg);
  expect(r.err).toContain('3/3 images');
  expect(r.code).toBe(0);
  expect(r.out).toContain('agreement int8 CPU vs device (identical outputs): 100.00%');
  const j = JSON.parse(readFileSync(json, 'utf8'));
  expect(j.images).toBe(3);
  for (const k of ['float', 'int8', 'device']) expect(j.top1[k]).toBeGreaterThanOrEqual(0);
  expect(j.top1.device).toBeLessThanOrEqual(1);
  expect(j.agreement).toBe(1);
  expect(j.cycles).toBeGreaterThan(0);
  expect(j.layers.filter((l: { target: string }) => l.target === 'vta').map((l: { op: string }) => l.op)).toEqual(['conv2d', 'conv2d', 'conv2d', 'dense']);
  expect(j.layers.find((l: { op: string; target: string }) => l.target === 'vta').dramBytes).toBeGreaterThan(0);
  expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^]*\/conv2\/Conv[^]*<\/svg>\n$/);
});

test('vta infer on a gzipped IDX pair; bad data specs are one line', async () => {
  const d = loadDataSpec('mnist');
  const im = join(dir, 'im.gz');
  const lb = join(dir, 'lb');
  writeFileSync(im, gzipSync(idxFile([2, 28, 28], d.pixels)));
  writeFileSync(lb, idxFile([2], d.labels));
  const r = await vta('infer', MNIST, '--data', `idx:${im},${lb}`, '--mean', '0.1307', '--std', '0.3081');
  expect(r.code).toBe(0);
  expect(r.out).toContain('images 2');
  writeFileSync(lb, idxFile([3], d.labels));
  const bad = await vta('infer', MNIST, '--data', `idx:${im},${lb}`);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/^vta infer: .*lb: 3 labels for 2 images in .*im\.gz\n$/);
  const spec = await vta('infer', MNIST, '--data', 'cifar');
  expect(spec.err).toBe('vta infer: --data cifar: expected mnist, mnist-train, idx:IMAGES,LABELS, npy:FILE or synthetic:N[@SEED][:HxW]\n');
  expect(spec.code).toBe(2);
});

test('vta infer: a wrong --data is named as given, exit 2, before any calibration or compilation', async () => {
  const typo = await vta('infer', MNIST, '--data', 'mnst');
  expect([typo.code, typo.err]).toEqual([
    2,
    'vta infer: --data mnst: expected mnist, mnist-train, idx:IMAGES,LABELS, npy:FILE or synthetic:N[@SEED][:HxW]; did you mean mnist?\n',
  ]);
  const t0 = Date.now();
  const wrong = await vta('infer', MNIST, '--data', 'synthetic:3:32x32');
  expect(wrong.code).toBe(2);
  expect(wrong.err).toBe('vta infer: --data synthetic:3:32x32: images of [32, 32, 3] (3072 values) do not fit the model\'s input "input" [1, 1, 28, 28]\n');
  const cifar = await vta('infer', RESNET8_FLOAT, '--data', 'mnist');
  expect(cifar.err).toMatch(/^vta infer: --data mnist: images of \[28, 28\] \(784 values\) do not fit the model's input ".*" \[1, 3, 32, 32\]\n$/);
  expect(Date.now() - t0).toBeLessThan(8000);
  const missing = await vta('infer', MNIST, '--data', 'idx:/nonexistent/im,/nonexistent/lb');
  expect([missing.code, missing.err]).toEqual([2, 'vta infer: cannot read data file /nonexistent/im: no such file\n']);
  expect((await vta('infer', MNIST, '--data', 'mnist', '--limit', '-5')).code).toBe(2);
});

test('vta infer: unlabelled data without a float reference runs and reports no top-1', async () => {
  const json = join(dir, 'unlabelled.json');
  const r = await vta('infer', RESNET8_INT8, '--data', 'synthetic:2', '--json', json);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^top-1: - \(no labels and no float reference\)$/m);
  expect(r.out).toContain('agreement int8 CPU vs device (identical outputs): 100.00%');
  expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({ images: 2, top1: null, agreement: 1, floatAgreement: null });
  const skip = await vta('infer', RESNET8_FLOAT, '--data', 'synthetic:2', '--skip-float', '--skip-int8');
  expect(skip.code).toBe(0);
  expect(skip.out).toMatch(/^top-1: - \(no labels and no float reference\)$/m);
  expect((await vta('infer', MNIST, '--data', 'mnist', '--skip-float', '--reference', MNIST)).code).toBe(2);
});

test('vta infer --skip-int8 / --skip-float: the skipped columns show -, agreement against what ran; labelled columns', async () => {
  const json = join(dir, 'skip.json');
  const r = await vta('infer', MNIST, '--data', 'mnist', '--limit', '3', '--calibrate-count', '10', '--skip-int8', '--json', json);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^top-1: float \d+\.\d+% {2}int8 CPU - {2}device \d+\.\d+%$/m);
  expect(r.out).toMatch(/^agreement int8 CPU vs device: - \(--skip-int8\); device vs float reference, same top-1: \d+\.\d+%$/m);
  expect(r.out).toContain('int8 reference - (skipped)');
  // what each number is: estimated cycles on fsim, host wall-clock milliseconds
  expect(r.out).toMatch(/^layer +op +tgt +est\. cycles +MACs +util +DRAM B +host ms\/img$/m);
  expect(r.out).toContain("est. cycles (~): the planner's cost model (fsim has no timing model; TSIM measures); host ms/img: wall-clock time of this machine");
  const j = JSON.parse(readFileSync(json, 'utf8'));
  expect(j).toMatchObject({ skipped: ['int8'], agreement: null, top1: { int8: null } });
  expect(j.floatAgreement).toBeGreaterThanOrEqual(0);
  expect(j.time.int8ReferenceSeconds).toBeNull();
  const f = await vta('infer', MNIST, '--data', 'mnist', '--limit', '2', '--calibrate-count', '10', '--skip-float');
  expect(f.code).toBe(0);
  expect(f.out).toMatch(/^top-1: float - {2}int8 CPU \d+\.\d+% {2}device/m);
  expect(f.out).toContain('agreement int8 CPU vs device (identical outputs): 100.00%');
});

test('vta infer --target pynq is a target here too: off the board one line at once, exit 1; outputs checked first', async () => {
  const t0 = Date.now();
  const r = await vta('infer', MNIST, '--data', 'mnist', '--target', 'pynq');
  expect(r.code).toBe(1);
  expect(r.err).toMatch(
    /^vta infer: --target pynq: this machine is not a Digilent PYNQ-Z1 \(Zynq-7020\) .*; run on the board's Linux, or use --target fsim or tsim\n$/,
  );
  expect((await vta('infer', MNIST, '--data', 'mnist', '--target', 'pynq-z1')).err).toMatch(
    /^vta infer: --target pynq-z1: this machine is not a Digilent PYNQ-Z1/,
  );
  expect(Date.now() - t0).toBeLessThan(8000);
  const bad = await vta('infer', MNIST, '--data', 'mnist', '--target', 'tsmi');
  expect([bad.code, bad.err]).toEqual([
    2,
    'vta infer: --target tsmi: unknown target; did you mean tsim?; targets: fsim, fsim-js, tsim, pynq-z1, ultra96, zcu104, de10-nano\n',
  ]);
  const out = await vta('infer', MNIST, '--data', 'mnist', '--json', '/nonexistent/dir/x.json');
  expect([out.code, out.err]).toEqual([2, 'vta infer: --json /nonexistent/dir/x.json: the folder /nonexistent/dir does not exist (create it first)\n']);
  expect(existsSync('/nonexistent')).toBe(false);
});

test('vta compile --print --out: every pass, the partition, and the compiled files', async () => {
  const out = join(dir, 'compiled');
  const r = await vta('compile', MNIST, '--print', '--out', out);
  expect(r.code).toBe(0);
  for (const pass of ['import', 'fold-batch-norm', 'fold-constants', 'fuse-activations', 'quantize', 'lower-gemm', 'partition', 'pack'])
    expect(r.out).toContain(`== after ${pass}\n`);
  expect(r.out).toContain('global scale 8');
  // the first conv's one channel: im2col on the host (9 of 16 lanes in one GEMM block instead of 9 blocks of 1)
  expect(r.out).toMatch(/cpu {2}\/conv1\/Conv:im2col +im2col +lays the host's input out for a 1x1 GEMM/);
  expect(r.out).toMatch(/vta {2}\/conv1\/Conv +conv2d +the operator library runs it/);
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  expect(m.programs.length).toBe(4);
  for (const p of m.programs) expect(readFileSync(join(out, p.file)).length).toBe(p.insns * 16);
  expect(m.uopKernels.length).toBeGreaterThan(0);
  expect(existsSync(join(out, m.buffers.find((b: { file: string | null }) => b.file).file))).toBe(true);
});

test('vta compile --out FILE fails before compiling; the step lines have no dangling comma', async () => {
  const t0 = Date.now();
  const file = join(dir, 'a-file.txt');
  writeFileSync(file, 'not a folder');
  const r = await vta('compile', MNIST, '--out', file);
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err).toBe(`vta compile: --out ${file}: ${file} exists and is not a directory\n`);
  expect(Date.now() - t0).toBeLessThan(3000);
  const res = await vta('compile', RESNET8_FLOAT);
  expect(res.code).toBe(0);
  // the residual add runs inside the conv2d producing one of its operands
  expect(res.out).toMatch(/^ {2}vta {7}add_3 \(add\): fused into conv2d_\d+$/m);
  expect(res.out).not.toMatch(/,$/m);
});

test('vta compile: a truncated model, a non-model and an unknown node override are one line', async () => {
  const trunc = join(dir, 'trunc.onnx');
  writeFileSync(trunc, readFileSync(MNIST).subarray(0, 5000));
  const a = await vta('compile', trunc);
  expect(a.code).toBe(1);
  expect(a.err).toMatch(/^vta compile: .*trunc\.onnx: not an ONNX model \(.*\)\n$/);
  const txt = join(dir, 'x.txt');
  writeFileSync(txt, 'hello');
  expect((await vta('compile', txt)).err).toMatch(/unknown model format \.txt; known: \.onnx, \.tflite\n$/);
  expect((await vta('compile', MNIST, '--vta', 'nope')).err).toMatch(/^vta compile: partition: no node named "nope"/);
});
