// Ctrl-C (SIGINT) on real `vta` processes: each long job stops within about a second, exits with 130 and
// leaves a partial report of what finished; `vta tune` resumes from its database on the next run.
import { ChildProcess, spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const VTA = join(__dirname, '..', '..', 'bin', 'vta.js');
const MNIST = join(__dirname, '../../../shared/models/mnist-lenet-bn/model.onnx');

jest.setTimeout(240_000);

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<{ code: number | null; at: number }>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [VTA, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; at: number }>((r) => child.on('exit', (code) => r({ code, at: Date.now() })));
  return { child, out: () => out, err: () => err, exit };
}

async function until(what: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sends SIGINT and returns the exit code and how long the process took to stop. */
async function interrupt(r: Run): Promise<{ code: number | null; ms: number }> {
  const at = Date.now();
  r.child.kill('SIGINT');
  const e = await r.exit;
  return { code: e.code, ms: e.at - at };
}

test('vta infer: Ctrl-C prints and writes the report of the images that finished', async () => {
  const json = join(mkdtempSync(join(tmpdir(), 'vta-int-')), 'r.json');
  const r = start(['infer', MNIST, '--data', 'mnist', '--calibrate-count', '20', '--json', json]);
  await until(() => /\d+\/10000 images/.test(r.err()), 120_000);
  const { code, ms } = await interrupt(r);
  expect(code).toBe(130);
  expect(ms).toBeLessThan(1500);
  expect(r.err()).toContain('Ctrl-C: stopping inference');
  const done = Number(/interrupted: the report covers the first (\d+) image/.exec(r.out())![1]);
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(10000);
  const j = JSON.parse(readFileSync(json, 'utf8'));
  expect(j).toMatchObject({ interrupted: true, images: done, agreement: 1 });
});

test('vta regress: Ctrl-C stops the workers and writes the reports of the programs that ran', async () => {
  const out = mkdtempSync(join(tmpdir(), 'vta-int-'));
  const r = start(['regress', '--target', 'fsim', '--reference', 'fsim', '--configs', 'default', '--programs', '100000', '--jobs', '2', '--out', out]);
  await until(() => r.out().startsWith('regress:'), 60_000);
  await new Promise((res) => setTimeout(res, 4000));
  const { code, ms } = await interrupt(r);
  expect(code).toBe(130);
  expect(ms).toBeLessThan(1500);
  const j = JSON.parse(readFileSync(join(out, 'regress.json'), 'utf8'));
  expect(j.interrupted).toBe(true);
  expect(j.failed).toBe(0);
  expect(j.cases.length).toBe(j.passed);
  expect(r.out()).toMatch(new RegExp(`interrupted: ${j.cases.length} of 100000 programs ran`));
  expect(existsSync(join(out, 'regress.xml'))).toBe(true);
});

test('vta tune: Ctrl-C keeps the layers already tuned; the same command resumes and skips them', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'vta-int-')), 'db.jsonl');
  // a configuration the shipped database does not cover (three GEMM pipeline stages), so every layer is tuned
  const args = ['tune', '--target', 'fsim-cycles', '--workload', 'resnet18', '--gemm-pipeline', '3', '--trials', '3', '--jobs', '1', '--db', db];
  const r = start(args);
  await until(() => /planner \d+, tuned \d+ cycles/.test(r.err()), 120_000);
  const { code, ms } = await interrupt(r);
  expect(code).toBe(130);
  expect(ms).toBeLessThan(1500);
  const kept = readFileSync(db, 'utf8').trim().split('\n').length;
  expect(kept).toBeGreaterThan(0);
  expect(r.out()).toMatch(/interrupted: \d+ of \d+ layers done and saved; run the same command again to resume/);
  const again = start(args);
  expect((await again.exit).code).toBe(0);
  expect(again.err().match(/in the database \(\d+ cycles, planner \d+\); skipped/g)!.length).toBe(kept);
});
