// The Slurm executor: one `sbatch --array` job per batch. Task specs and results live in a shared
// directory, named by the task's content hash, so a re-run skips every task whose result is already
// there. Status comes from the result files and from squeue; array tasks that end without a result (or
// with a failed one) are resubmitted up to `retries` times and then reported with their log's last lines.

import { execFile } from 'child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import type { Executor, OutcomeListener, RunOptions, TaskBatch, TaskOutcome } from './executor';
import { ExecutorError, INTERRUPTED_OUTCOME } from './executor';
import { sha256, taskHash } from './fingerprint';
import type { StoredResult } from './worker';

export interface SlurmOptions {
  /** The shared directory (visible to every node) for specs, results, job scripts and logs. */
  dir: string;
  partition?: string;
  /** Resubmissions of failed array tasks (default 1). */
  retries?: number;
  /** Give up (scancel) after this long per submission (default 1 hour). */
  timeoutSeconds?: number;
  /** How often to look at results and squeue (default 1000 ms). */
  pollMs?: number;
  /** Most array tasks running at once (sbatch's %N; default no limit). */
  maxParallel?: number;
  /** Environment of sbatch/squeue/scancel and so of the tasks (default this process's; e.g. SLURM_CONF). */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv | undefined, timeoutMs = 30000): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8', env: env ?? process.env }, (err, stdout, stderr) => {
      if (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT')
          fail(new ExecutorError(`slurm executor: ${cmd} not found on PATH; install slurm-client (bash scripts/setup-system.sh) or use --executor local`));
        else fail(new ExecutorError(`slurm executor: ${cmd} ${args.join(' ')} failed: ${(stderr || err.message).trim().split('\n').pop()}`));
        return;
      }
      ok(stdout);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A result file, or null when it is missing, truncated or not a result (then the task has no result). */
function readResult(file: string): StoredResult | null {
  if (!existsSync(file)) return null;
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null; // truncated (a node that died while writing), or being written by another writer
  }
  const o = r as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return null;
  if (o.ok === true && 'output' in o) return o as StoredResult;
  if (o.ok === false && typeof o.error === 'string') return o as StoredResult;
  return null;
}

function logTail(file: string, lines = 3): string {
  if (!existsSync(file)) return '(no log)';
  const text = readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join(' | ');
  return text || '(empty log)';
}

export class SlurmExecutor implements Executor {
  readonly kind = 'slurm';
  private readonly dir: string;
  constructor(private readonly o: SlurmOptions) {
    this.dir = resolve(o.dir);
  }

  get description(): string {
    return `slurm${this.o.partition ? `, partition ${this.o.partition}` : ''}, shared directory ${this.dir}`;
  }

  async run<I, O>(batch: TaskBatch<I>, onOutcome?: OutcomeListener<O>, options: RunOptions = {}): Promise<TaskOutcome<O>[]> {
    const { signal } = options; // progress lines stay in the array tasks' logs
    const sub = (name: string) => {
      const p = join(this.dir, name);
      mkdirSync(p, { recursive: true });
      return p;
    };
    const [tasksDir, resultsDir] = [sub('tasks'), sub('results')];
    sub('jobs');
    sub('logs');
    const salt = batch.salt ?? '';
    const hashes = batch.inputs.map((input) => taskHash(batch.handler, salt, input));
    const outcomes: TaskOutcome<O>[] = new Array(hashes.length);
    const settle = (i: number, o: TaskOutcome<O>) => {
      outcomes[i] = o;
      onOutcome?.(i, o);
    };
    let pending: number[] = [];
    for (const [i, h] of hashes.entries()) {
      const r = readResult(join(resultsDir, `${h}.json`));
      if (r?.ok) settle(i, { ok: true, output: r.output as O, attempts: 0, cached: true });
      else {
        pending.push(i);
        writeFileSync(join(tasksDir, `${h}.json`), JSON.stringify({ handler: batch.handler, input: batch.inputs[i] }) + '\n');
      }
    }
    if (pending.length < hashes.length)
      this.o.log?.(`slurm: ${hashes.length - pending.length} of ${hashes.length} ${batch.name} tasks already have results in ${this.dir}`);
    const retries = this.o.retries ?? 1;
    for (let attempt = 1; pending.length > 0 && !signal?.aborted; attempt++) {
      // a task hash may appear several times in one batch: submit each once
      const unique = [...new Set(pending.map((i) => hashes[i]))];
      const failures = await this.submit(batch.name, unique, attempt, signal);
      const still: number[] = [];
      for (const i of pending) {
        const why = failures.get(hashes[i]);
        if (why !== undefined && signal?.aborted) continue; // stopped by Ctrl-C: reported as interrupted below
        if (why === undefined) {
          const r = readResult(join(resultsDir, `${hashes[i]}.json`))!;
          settle(i, { ok: true, output: (r as { output: unknown }).output as O, attempts: attempt, cached: false });
        } else if (attempt > retries)
          settle(i, { ok: false, error: `${why} (after ${attempt} attempt${attempt > 1 ? 's' : ''})`, attempts: attempt, cached: false });
        else still.push(i);
      }
      if (still.length)
        this.o.log?.(
          `slurm: ${new Set(still.map((i) => hashes[i])).size} ${batch.name} task(s) failed; resubmitting (attempt ${attempt + 1} of ${retries + 1})`,
        );
      pending = still;
    }
    for (let i = 0; i < outcomes.length; i++) outcomes[i] ??= INTERRUPTED_OUTCOME;
    return outcomes;
  }

  /** Submits one array job for `hashes` and waits for it; resolves to the failed tasks and why. */
  private async submit(name: string, hashes: string[], attempt: number, signal?: AbortSignal): Promise<Map<string, string>> {
    const id = sha256(hashes.join('\n')).slice(0, 12);
    const list = join(this.dir, 'jobs', `${name}-${id}-a${attempt}.list`);
    writeFileSync(list, hashes.join('\n') + '\n');
    // a failed result of an earlier run must not pass for this run's
    for (const h of hashes) rmSync(join(this.dir, 'results', `${h}.json`), { force: true });
    const script = join(this.dir, 'jobs', `${name}-${id}-a${attempt}.sh`);
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `cd ${q(process.cwd())}`,
        `exec ${q(process.execPath)} --require ${q(require.resolve('tsx/cjs'))} ${q(resolve(__dirname, 'worker.ts'))} --slurm ${q(list)}`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const range = `0-${hashes.length - 1}${this.o.maxParallel ? `%${this.o.maxParallel}` : ''}`;
    const args = [
      '--parsable',
      `--array=${range}`,
      `--job-name=vta-${name}`,
      `--output=${join(this.dir, 'logs', `${name}-%A_%a.out`)}`,
      '--ntasks=1',
      '--cpus-per-task=1',
    ];
    if (this.o.partition) args.push(`--partition=${this.o.partition}`);
    args.push(script);
    const out = await run('sbatch', args, this.o.env);
    const jobId = out.trim().split(';')[0];
    if (!/^\d+$/.test(jobId)) throw new ExecutorError(`slurm executor: sbatch answered ${JSON.stringify(out.trim())}, expected a job id`);
    this.o.log?.(`slurm: submitted ${name} array job ${jobId} (${hashes.length} task${hashes.length > 1 ? 's' : ''}, attempt ${attempt})`);
    const deadline = Date.now() + (this.o.timeoutSeconds ?? 3600) * 1000;
    let squeueErrors = 0;
    for (;;) {
      await sleep(this.o.pollMs ?? 1000);
      if (signal?.aborted) {
        await run('scancel', [jobId], this.o.env).catch(() => undefined);
        this.o.log?.(`slurm: cancelled array job ${jobId} (${name})`);
        break;
      }
      let running: boolean;
      try {
        running = (await run('squeue', ['-h', '-j', jobId, '-o', '%T'], this.o.env)).trim().length > 0;
        squeueErrors = 0;
      } catch (e) {
        // squeue forgets a finished job after MinJobAge: "Invalid job id specified"
        if (/Invalid job id/i.test((e as Error).message)) running = false;
        else if (++squeueErrors >= 5) throw e;
        else continue;
      }
      if (!running) break;
      if (Date.now() > deadline) {
        await run('scancel', [jobId], this.o.env).catch(() => undefined);
        throw new ExecutorError(`slurm executor: array job ${jobId} (${name}) did not finish in ${this.o.timeoutSeconds ?? 3600} s; cancelled`);
      }
    }
    const failures = new Map<string, string>();
    for (const [k, h] of hashes.entries()) {
      const r = readResult(join(this.dir, 'results', `${h}.json`));
      const logFile = join(this.dir, 'logs', `${name}-${jobId}_${k}.out`);
      if (!r) failures.set(h, `array task ${jobId}_${k} ended without a result; log ${logFile}: ${logTail(logFile)}`);
      else if (!r.ok) failures.set(h, `array task ${jobId}_${k} failed: ${r.error}`);
    }
    return failures;
  }
}
