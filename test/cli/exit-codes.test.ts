// One rule for every command: a usage mistake (a flag, a value, a name, a file the user named that cannot be
// read) is exit 2; a valid request that fails (bad contents, no board here, a device error) is exit 1; both
// are one line on stderr. The cases are the mistakes a newcomer makes in the first hour.

import { join, resolve } from 'path';
import { main } from '../../cli/dispatch';

const ROOT = resolve(__dirname, '../..');
const VECTOR = join(ROOT, '../shared/conformance/vta-hls/default__tl_gemm_4x4x4_s111.json');
const MNIST = join(ROOT, '../shared/models/mnist-lenet-bn/model.onnx');

async function vta(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(argv, { stdout: () => undefined, stderr: (t) => void (err += t) });
  return { code, err };
}

const USAGE: string[][] = [
  ['gne'],
  ['gen', '--gem', '1x16x16'],
  ['gen', '--bus-width', '100'],
  ['infer', MNIST, '--data', 'mnst'],
  ['infer', MNIST, '--data', 'mnist', '--limit', '-5'],
  ['infer', MNIST, '--data', 'synthetic:2:32x32'],
  ['infer', MNIST, '--data', 'mnist', '--json', '/nonexistent/dir/x.json'],
  ['infer', MNIST, '--data', 'mnist', '--target', 'fpga'],
  ['compile', MNIST, '--cpu', 'nope'],
  ['compile', MNIST, '--out', join(ROOT, 'README.md')],
  ['compile', '/nonexistent/model.onnx'],
  ['run', '/nonexistent/vector.json'],
  ['run', VECTOR, '--target', 'tsmi'],
  ['conform', '/nonexistent'],
  ['disasm', '/nonexistent'],
  ['tune', '--trials', '0'],
  ['tune', '--target', 'fpga'],
  ['tune', '--db', '/nonexistent/dir/db.jsonl'],
  ['explore', '--space', '/nonexistent.json'],
  ['fpga', '--board', 'pynq-z2'],
  ['fpga', '--board', 'pynq-z1', '--estimate', 'fast'],
  ['synth', '--family', 'xc9'],
  ['bench', 'conv3d'],
  ['bench', 'conv2d', '--json', '/nonexistent/dir/x.json'],
  ['help', 'bench', 'netwrok'],
];

const FAILURE: string[][] = [
  ['disasm', join(ROOT, 'README.md')],
  ['compile', join(ROOT, 'package.json')],
  ['infer', MNIST, '--data', 'mnist', '--target', 'pynq'],
  ['run', VECTOR, '--target', 'pynq-z1'],
  ['conform', VECTOR, '--target', 'de10-nano'],
];

const named = (cases: string[][]) => cases.map((argv) => [argv.join(' ').replace(ROOT, '.'), argv] as [string, string[]]);

test.each(named(USAGE))('usage mistake, exit 2: vta %s', async (_name, argv) => {
  const r = await vta(argv);
  expect([r.code, r.err.trim().split('\n').length]).toEqual([2, 1]);
  expect(r.err).not.toContain('internal error');
});

test.each(named(FAILURE))('failure of a valid request, exit 1: vta %s', async (_name, argv) => {
  const r = await vta(argv);
  expect([r.code, r.err.trim().split('\n').length]).toEqual([1, 1]);
  expect(r.err).not.toContain('internal error');
});
