// The Verilator cache under real processes: two builders of one model at once, a builder killed with
// SIGKILL mid-build, an entry truncated after it was finished, and a cache path that is a file.
import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, readdirSync, truncateSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import execa from 'execa';

const CHILD = join(__dirname, 'fixtures', 'build-child.ts');
const run = (cache: string) => execa(process.execPath, ['-r', 'tsx/cjs', CHILD, cache], { reject: false });
const result = (stdout: string) => JSON.parse(stdout) as { cached: boolean; artifact: string; dir: string };

jest.setTimeout(300_000);

test('two processes building the same model at once both succeed and leave one complete entry', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'vta-cc-'));
  const [a, b] = await Promise.all([run(cache), run(cache)]);
  expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
  const built = [result(a.stdout), result(b.stdout)];
  expect(built.filter((r) => !r.cached)).toHaveLength(1);
  expect(built[0].artifact).toBe(built[1].artifact);
  expect(readdirSync(cache)).toEqual([built[0].dir.split('/').pop()]);
  expect((await execa(built[0].artifact, { reject: false })).exitCode).toBe(0);
});

test('a builder killed with SIGKILL mid-build leaves nothing taken for finished; the next run rebuilds at once', async () => {
  const cache = mkdtempSync(join(tmpdir(), 'vta-cc-'));
  const child: ChildProcess = spawn(process.execPath, ['-r', 'tsx/cjs', CHILD, cache], { stdio: 'ignore' });
  // wait until its temporary build directory exists, then kill it
  for (let i = 0; i < 600 && !readdirSync(cache).some((f) => f.includes('.tmp-')); i++) await new Promise((r) => setTimeout(r, 50));
  expect(readdirSync(cache).some((f) => f.includes('.tmp-'))).toBe(true);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(readdirSync(cache).some((f) => f.endsWith('.lock'))).toBe(true); // the dead builder's lock
  const t0 = Date.now();
  const next = await run(cache);
  expect(next.exitCode).toBe(0);
  expect(result(next.stdout).cached).toBe(false);
  expect(Date.now() - t0).toBeLessThan(120_000); // the dead owner's lock is taken over, not waited out
  expect(readdirSync(cache).filter((f) => f.includes('.tmp-') || f.endsWith('.lock'))).toEqual([]);

  // an entry whose artifact was truncated (a kill during a rewrite, a full disk) is rebuilt, not used
  truncateSync(result(next.stdout).artifact, 100);
  const again = await run(cache);
  expect(again.exitCode).toBe(0);
  expect(result(again.stdout).cached).toBe(false);
  expect(result((await run(cache)).stdout).cached).toBe(true);
});

test('a cache path that is a file: the build goes to a temporary directory, with a note', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'vta-cc-')), 'not-a-dir');
  writeFileSync(file, 'x');
  const r = await run(file);
  expect(r.exitCode).toBe(0);
  expect(r.stderr).toMatch(/note: the Verilator cache .*not-a-dir is not writable \(.*\); building in .* for this run/);
  expect(result(r.stdout).dir.startsWith(tmpdir())).toBe(true);
});
