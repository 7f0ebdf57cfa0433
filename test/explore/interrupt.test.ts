// `vta explore` as a user runs it: the shipped Pynq-Z1 space on an empty synthesis cache. The point the
// lower bound rules out (VTA's default 1x16x16: 256 multipliers, 220 DSPs) is never synthesized; Ctrl-C
// (a real SIGINT to the real process, while yosys runs in the forked workers) writes the partial JSON and
// HTML, says how to resume, exits 130, and leaves no worker behind.

import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '../..');
const SPACE = join(ROOT, 'scripts/explore/spaces/pynq-z1.json');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vta-explore-int-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function waitFor(what: string, cond: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  return new Promise((done, fail) => {
    const poll = setInterval(() => {
      if (cond()) {
        clearInterval(poll);
        done();
      } else if (Date.now() - t0 > ms) {
        clearInterval(poll);
        fail(new Error(`timed out waiting for ${what}`));
      }
    }, 100);
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};

test.each([
  ['to the vta process alone (kill -INT)', false],
  ["to its process group, as a terminal's Ctrl-C does", true],
])(
  'the shipped Pynq-Z1 space: the point that cannot fit is pruned unsynthesized; SIGINT %s writes a partial report',
  async (_how, group) => {
    const run = mkdtempSync(join(dir, 'run-'));
    const cache = join(run, 'cache');
    const json = join(run, 'report.json');
    const html = join(run, 'report.html');
    const child: ChildProcess = spawn(
      process.execPath,
      [join(ROOT, 'bin/vta.js'), 'explore', '--space', SPACE, '--target', 'fsim', '--jobs', '2', '--json', json, '--html', html, '--db', join(run, 'db.jsonl')],
      { cwd: run, env: { ...process.env, VTA_CACHE_DIR: cache, VTA_DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'], detached: group },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    child.stderr!.on('data', (d) => {
      err += d;
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));

    // yosys has started on the first points that can fit (one folder per synthesis in the cache)
    const synthDirs = () => (existsSync(join(cache, 'synth')) ? readdirSync(join(cache, 'synth')) : []);
    /** What yosys has read so far: module names carry the configuration hash (Compute_<hash>). */
    const logs = () =>
      synthDirs()
        .map((d) => join(cache, 'synth', d, 'yosys.log'))
        .filter(existsSync)
        .map((f) => readFileSync(f, 'utf8'))
        .join('\n');
    await waitFor('yosys to read the Verilog', () => /Compute_[0-9a-f]{12}/.test(logs()), 60_000);
    expect(out).toContain(
      "1x16_i8w8a32_15_15_18_17: pruned, not synthesized: the GEMM core's 256 int8 multipliers need at least 256 DSP48E1 blocks, pynq-z1 has 220",
    );
    expect(out).toMatch(/3 point\(s\) to synthesize with yosys: about .* each on a first run \(cached after\)/);
    const workers = childrenOf(child.pid!);
    expect(workers.length).toBeGreaterThan(0);

    const t0 = Date.now();
    if (group) process.kill(-child.pid!, 'SIGINT');
    else child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(err).toContain('vta explore: stopped (Ctrl-C): 0 of the 3 points to synthesize finished');
    expect(err).toContain('To resume, run the same command again');
    await waitFor('the workers to end', () => workers.every((pid) => !alive(pid)), 10_000);

    // two workers, so two syntheses started, and none of them was the pruned point's
    expect(synthDirs().length).toBeLessThanOrEqual(2);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const hashes = report.points.map((p: { configHash: string }) => p.configHash);
    expect(logs()).not.toContain(`Compute_${hashes[0]}`);
    expect(hashes.slice(1).some((h: string) => logs().includes(`Compute_${h}`))).toBe(true);
    expect(report.interrupted).toEqual({ done: 0, total: 3 });
    expect(report.points.map((p: { name: string; pruned?: string; unfinished?: boolean }) => [p.name, !!p.pruned, !!p.unfinished])).toEqual([
      ['1x16_i8w8a32_15_15_18_17', true, false],
      ['1x16_i8w8a32_15_15_18_17+aluii2+dsp2', false, true],
      ['1x16_i8w8a32_15_15_17_17+dsp2', false, true],
      ['1x8_i8w8a32_15_14_16_16', false, true],
    ]);
    expect(report.points[0].resources).toEqual({ bram36: 107, dsp: 256 });

    // the partial page is a whole document: it opens, says it is partial, and names the pruned point
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>\n<html lang="en">[^]*<\/html>\n$/);
    for (const [open, close] of [
      ['<table>', '</table>'],
      ['<svg ', '</svg>'],
      ['<body>', '</body>'],
    ]) {
      expect(page.split(open).length).toBe(page.split(close).length);
    }
    expect(page).toContain('Partial: the run was stopped (Ctrl-C) with 0 of 3 points to synthesize finished');
    expect(page).toContain("1x16_i8w8a32_15_15_18_17: the GEMM core's 256 int8 multipliers need at least 256 DSP48E1 blocks");
  },
  120_000,
);
