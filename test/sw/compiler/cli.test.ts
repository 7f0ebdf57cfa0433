// vta compile and vta infer from the CLI: outputs, files, JSON, and one-line errors.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { main } from '../../../cli/dispatch';
import { loadDataSpec } from '../../../sw/compiler/data/idx';

const MNIST = join(__dirname, '../../../../shared/models/mnist-lenet-bn/model.onnx');
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
  expect(j.layers.filter((l: { target: string }) => l.target === 'vta').map((l: { op: string }) => l.op)).toEqual(['conv2d', 'conv2d', 'dense']);
  expect(j.layers.find((l: { op: string; target: string }) => l.target === 'vta').dramBytes).toBeGreaterThan(0);
  expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^]*\/conv2\/Conv[^]*<\/svg>\n$/);
});

test('vta infer on a gzipped IDX pair; bad data specs are one line', async () => {
  const d = loadDataSpec('mnist');
  const header = (dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(0x800 + dims.length, 0);
    dims.forEach((v, i) => b.writeUInt32BE(v, 4 + 4 * i));
    return b;
  };
  const im = join(dir, 'im.gz');
  const lb = join(dir, 'lb');
  writeFileSync(im, gzipSync(Buffer.concat([header([2, 28, 28]), d.pixels.subarray(0, 2 * 784)])));
  writeFileSync(lb, Buffer.concat([header([2]), d.labels.subarray(0, 2)]));
  const r = await vta('infer', MNIST, '--data', `idx:${im},${lb}`, '--mean', '0.1307', '--std', '0.3081');
  expect(r.code).toBe(0);
  expect(r.out).toContain('images 2');
  writeFileSync(lb, Buffer.concat([header([3]), d.labels.subarray(0, 3)]));
  const bad = await vta('infer', MNIST, '--data', `idx:${im},${lb}`);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/^vta infer: .*lb: 3 labels for 2 images in .*im\.gz\n$/);
  const spec = await vta('infer', MNIST, '--data', 'cifar');
  expect(spec.err).toBe('vta infer: --data cifar: expected mnist, mnist-train, idx:IMAGES,LABELS or synthetic:N[@SEED][:HxW]\n');
});

test('vta compile --print --out: every pass, the partition, and the compiled files', async () => {
  const out = join(dir, 'compiled');
  const r = await vta('compile', MNIST, '--print', '--out', out);
  expect(r.code).toBe(0);
  for (const pass of ['import', 'fold-batch-norm', 'fold-constants', 'fuse-activations', 'quantize', 'partition', 'pack']) expect(r.out).toContain(`== after ${pass}\n`);
  expect(r.out).toContain('global scale 8');
  expect(r.out).toMatch(/cpu {2}\/conv1\/Conv +conv2d +policy: 1 input channel/);
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  expect(m.programs.length).toBe(3);
  for (const p of m.programs) expect(readFileSync(join(out, p.file)).length).toBe(p.insns * 16);
  expect(m.uopKernels.length).toBeGreaterThan(0);
  expect(existsSync(join(out, m.buffers.find((b: { file: string | null }) => b.file).file))).toBe(true);
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
