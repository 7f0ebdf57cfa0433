// The Slurm executor against a real single-node cluster on loopback (munged, slurmctld, slurmd started
// here and stopped afterwards): a regression and a tuning sweep through Slurm give the local executor's
// results, a re-run takes every result from the shared directory, and an array task that dies is
// resubmitted and reported.
// Needs root (the daemons run as root with their files in a temp dir); otherwise skipped, saying so.

import execa from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { ExecutorError, SlurmExecutor } from '../../exec';
import { SlurmCluster, startSlurmCluster } from './slurm-cluster';

const ROOT = resolve(__dirname, '..', '..');
const isRoot = process.getuid?.() === 0;
const maybe = isRoot ? describe : describe.skip;
if (!isRoot) console.warn('test/exec/slurm.test.ts: SKIPPED: not running as root, so no Slurm daemons can be started here');

interface Case {
  name: string;
  ok: boolean;
  cycles: number | null;
  mismatchCount: number;
}

maybe('Slurm executor on a single-node cluster', () => {
  let cluster: SlurmCluster;
  let work: string;
  beforeAll(async () => {
    cluster = await startSlurmCluster();
    work = mkdtempSync(join(tmpdir(), 'vta-slurm-work-'));
  }, 60000);
  afterAll(async () => {
    await cluster?.stop();
  }, 30000);

  const regress = (out: string, extra: string[]) =>
    execa('node', ['bin/vta.js', 'regress', '--target', 'fsim-js', '--configs', 'default,b2x8', '--programs', '3', '--out', out, ...extra], {
      cwd: ROOT,
      env: cluster.env,
      reject: false,
      timeout: 180000,
    });
  const cases = (out: string): Case[] =>
    (JSON.parse(readFileSync(join(out, 'regress.json'), 'utf8')).cases as Case[]).map(({ name, ok, cycles, mismatchCount }) => ({
      name,
      ok,
      cycles,
      mismatchCount,
    }));

  test('a regression through Slurm equals the local one; a re-run reuses the stored results', async () => {
    const execDir = join(work, 'exec');
    const slurm = await regress(join(work, 'slurm'), ['--executor', 'slurm', '--partition', cluster.partition, '--exec-dir', execDir]);
    expect(slurm.stderr).toMatch(/submitted regress array job \d+ \(6 tasks, attempt 1\)/);
    expect(slurm.stdout).toContain('6 passed, 0 failed');
    expect(slurm.exitCode).toBe(0);
    const local = await regress(join(work, 'local'), ['--jobs', '2']);
    expect(local.exitCode).toBe(0);
    expect(cases(join(work, 'slurm'))).toEqual(cases(join(work, 'local')));

    const again = await regress(join(work, 'slurm2'), ['--executor', 'slurm', '--exec-dir', execDir]);
    expect(again.stderr).toContain('6 of 6 regress tasks already have results');
    expect(again.stderr).not.toContain('submitted');
    expect(cases(join(work, 'slurm2'))).toEqual(cases(join(work, 'local')));
  }, 240000);

  test('a tuning sweep through Slurm picks the same schedules as the local executor', async () => {
    const tuneRun = (db: string, extra: string[]) =>
      execa('node', ['bin/vta.js', 'tune', '--workload', 'mnist-lenet-bn', '--target', 'fsim-cycles', '--trials', '2', '--db', db, ...extra], {
        cwd: ROOT,
        env: cluster.env,
        reject: false,
        timeout: 180000,
      });
    const records = (db: string) =>
      readFileSync(db, 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const { workload, knobs, cycles, plannerCycles } = JSON.parse(line);
          return { workload, knobs, cycles, plannerCycles };
        });
    const slurm = await tuneRun(join(work, 'slurm-tune.jsonl'), [
      '--executor',
      'slurm',
      '--partition',
      cluster.partition,
      '--exec-dir',
      join(work, 'exec-tune'),
    ]);
    expect(slurm.stderr).toMatch(/submitted tune array job \d+ \(8 tasks, attempt 1\)/);
    expect(slurm.exitCode).toBe(0);
    const local = await tuneRun(join(work, 'local-tune.jsonl'), ['--jobs', '1']);
    expect(local.exitCode).toBe(0);
    expect(records(join(work, 'slurm-tune.jsonl'))).toEqual(records(join(work, 'local-tune.jsonl')));
    expect(records(join(work, 'local-tune.jsonl'))).toHaveLength(4);
  }, 240000);

  test('array tasks that die are resubmitted; a task that keeps failing is reported', async () => {
    const logs: string[] = [];
    const ex = new SlurmExecutor({
      dir: join(work, 'flaky'),
      partition: cluster.partition,
      retries: 1,
      pollMs: 300,
      timeoutSeconds: 120,
      env: cluster.env,
      log: (l) => logs.push(l),
    });
    const inputs = [5, -1].map((value, i) => ({ marker: join(work, `flaky-${i}`), value }));
    const out = await ex.run<(typeof inputs)[0], number>({ name: 'flaky', handler: resolve(__dirname, 'fixtures', 'flaky-handler.ts'), inputs });
    expect(out[0]).toEqual({ ok: true, output: 10, attempts: 2, cached: false });
    expect(out[1].ok).toBe(false);
    expect(!out[1].ok && out[1].error).toMatch(/^array task \d+_1 failed: negative value -1 \(after 2 attempts\)$/);
    expect(logs.some((l) => /2 flaky task\(s\) failed; resubmitting \(attempt 2 of 2\)/.test(l))).toBe(true);
  }, 180000);
  /** An environment whose `sbatch` is a script of ours in front of the real one (fault injection). */
  const withSbatch = (name: string, body: string): NodeJS.ProcessEnv => {
    const bin = join(work, `bin-${name}`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\n${body}\nexec /usr/bin/sbatch "$@"\n`);
    chmodSync(join(bin, 'sbatch'), 0o755);
    return { ...cluster.env, PATH: `${bin}:${cluster.env.PATH ?? process.env.PATH}` };
  };
  const handler = resolve(__dirname, 'fixtures', 'flaky-handler.ts');

  test('a shared directory the nodes cannot see: every attempt fails and the task is reported with its log', async () => {
    const dir = join(work, 'unshared');
    // the job starts after its spec files vanished, as on a node that does not mount the directory
    const env = withSbatch('unshared', `rm -f '${dir}'/tasks/*.json`);
    const ex = new SlurmExecutor({ dir, partition: cluster.partition, retries: 1, pollMs: 300, timeoutSeconds: 120, env });
    const marker = join(work, 'unshared-marker');
    writeFileSync(marker, 'no crash\n');
    const out = await ex.run<{ marker: string; value: number }, number>({ name: 'unshared', handler, inputs: [{ marker, value: 4 }] });
    expect(out[0].ok).toBe(false);
    expect(!out[0].ok && out[0].error).toMatch(
      /^array task \d+_0 ended without a result; log .*: vta exec: task spec .*\.json is missing \(after 2 attempts\)$/,
    );
  }, 180000);

  test('a truncated result file is not a result: the task is resubmitted and its real result used', async () => {
    const dir = join(work, 'truncated');
    const once = join(work, 'truncated-once');
    // first submission only: the job's result files are cut to 7 bytes after the worker wrote them
    const env = withSbatch(
      'truncated',
      [
        `if [ ! -e '${once}' ]; then touch '${once}'; for a; do script="$a"; done`,
        `  sed -i 's/^exec //' "$script"; echo "for f in '${dir}'/results/*.json; do truncate -s 7 \\"\\$f\\"; done" >> "$script"; fi`,
      ].join('\n'),
    );
    const ex = new SlurmExecutor({ dir, partition: cluster.partition, retries: 1, pollMs: 300, timeoutSeconds: 120, env });
    const marker = join(work, 'truncated-marker');
    writeFileSync(marker, 'no crash\n');
    const out = await ex.run<{ marker: string; value: number }, number>({ name: 'truncated', handler, inputs: [{ marker, value: 21 }] });
    expect(out[0]).toEqual({ ok: true, output: 42, attempts: 2, cached: false });
  }, 180000);

  test('sbatch that refuses the job, and no sbatch at all, are one-line executor errors', async () => {
    const refuse = new SlurmExecutor({ dir: join(work, 'refused'), partition: 'no-such-partition', pollMs: 300, env: cluster.env });
    await expect(refuse.run({ name: 'refused', handler, inputs: [{ marker: join(work, 'm'), value: 1 }] })).rejects.toThrow(
      /^slurm executor: sbatch .* failed: .*(invalid partition|Invalid partition).*$/,
    );
    const none = new SlurmExecutor({ dir: join(work, 'none'), pollMs: 300, env: { ...cluster.env, PATH: join(work, 'empty-bin') } });
    const err = await none.run({ name: 'none', handler, inputs: [{ marker: join(work, 'm'), value: 1 }] }).catch((e) => e);
    expect(err).toBeInstanceOf(ExecutorError);
    expect(err.message).toBe('slurm executor: sbatch not found on PATH; install slurm-client (bash scripts/setup-system.sh) or use --executor local');
  }, 60000);
});
