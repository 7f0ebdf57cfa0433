// vta infer --jobs N: ranges of images in worker processes give the same report as one process.
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { main } from '../../../cli/dispatch';

const MNIST = join(__dirname, '../../../../shared/models/mnist-lenet-bn/model.onnx');
const dir = mkdtempSync(join(tmpdir(), 'vta-jobs-'));

async function infer(jobs: number): Promise<{ code: number; report: Record<string, unknown> }> {
  const json = join(dir, `r${jobs}.json`);
  const code = await main(['infer', MNIST, '--data', 'mnist', '--limit', '60', '--calibrate-count', '20', '--jobs', String(jobs), '--json', json], {
    stdout: () => {},
    stderr: () => {},
  });
  return { code, report: JSON.parse(readFileSync(json, 'utf8')) };
}

test('two worker processes give the one-process report (top-1, agreement, per-layer MACs and cycles)', async () => {
  const one = await infer(1);
  const two = await infer(2);
  expect([one.code, two.code]).toEqual([0, 0]);
  for (const k of ['images', 'top1', 'agreement', 'floatAgreement', 'cycles', 'macs']) expect(two.report[k]).toEqual(one.report[k]);
  const layers = (r: Record<string, unknown>) =>
    (r.layers as { node: string; target: string; macs: number; cycles: number | null }[]).map(({ node, target, macs, cycles }) => ({
      node,
      target,
      macs,
      cycles,
    }));
  expect(layers(two.report)).toEqual(layers(one.report));
  expect(one.report.images).toBe(60);
}, 180_000);

test('--jobs on a board target or below 1 is a usage error', async () => {
  let err = '';
  const code = await main(['infer', MNIST, '--data', 'mnist', '--jobs', '0'], { stdout: () => {}, stderr: (t) => void (err += t) });
  expect(code).toBe(2);
  expect(err).toMatch(/--jobs 0: expected at least 1/);
});
