// `vta regress`: thousands of random programs on a target against the reference (fsim), several
// configurations, in parallel worker processes, with a progress bar; JSON and JUnit XML reports; every
// failure saved as a replayable vector named by its seed.

import { mkdirSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { codeFingerprint, Executor, LocalExecutor } from '../../exec';
import { deriveConfig } from '../../hw/vta/config';
import { resolveRegressConfigs } from './config-spec';
import { Progress } from '../../exec/progress';
import { openDevice } from '../targets';
import { CaseResult, junitXml, RegressReport } from './report';
import type { WorkerResult, WorkerTask } from './worker';

export interface RegressOptions {
  target: string;
  reference: string;
  configs: string[];
  programs: number;
  seed: number;
  jobs: number;
  /** Where the tasks run (default: a local pool of `jobs` workers). */
  executor?: Executor;
  outDir: string;
  /** Progress and summary lines. */
  log: (line: string) => void;
  /** Whether to redraw one progress line in place (a terminal). */
  tty: boolean;
  /** Aborted by Ctrl-C: no more programs start, and the report holds those that finished. */
  signal?: AbortSignal;
}

export async function regress(o: RegressOptions): Promise<RegressReport> {
  const configs = resolveRegressConfigs(o.configs); // unknown or impossible configurations fail before any work
  const t0 = Date.now();
  // Build (or find cached) each configuration's models once, here, before the workers start.
  for (const c of configs) {
    if (o.signal?.aborted) break;
    for (const target of new Set([o.target, o.reference])) {
      const dev = await openDevice(target, deriveConfig(c.json, c.label), { dramBytes: 1 << 20, log: o.log });
      dev.close?.();
    }
  }
  const tasks: WorkerTask[] = [];
  for (let i = 0; i < o.programs; i++) {
    for (const c of configs) {
      tasks.push({ type: 'task', config: c.label, configJson: c.json, seed: o.seed + i, target: o.target, reference: o.reference });
    }
  }
  const results: CaseResult[] = [];
  const vectorsDir = join(o.outDir, 'failures');
  let failed = 0;
  const progress = new Progress(tasks.length, o.log, o.tty);
  const onResult = (r: WorkerResult) => {
    if (!r.result.ok) {
      failed++;
      if (r.vector) {
        mkdirSync(vectorsDir, { recursive: true });
        r.result.vector = join(vectorsDir, `${r.result.name}.json`);
        writeFileSync(r.result.vector, JSON.stringify(r.vector) + '\n');
      }
      progress.note(
        `FAIL ${r.result.name}: ${r.result.error ?? `${r.result.mismatchCount} DRAM bytes differ`}${r.result.vector ? ` (saved ${r.result.vector})` : ''}`,
      );
    }
    results.push(r.result);
    progress.tick(r.result.ok);
  };

  const executor = o.executor ?? new LocalExecutor(o.jobs);
  await executor.run<WorkerTask, WorkerResult>(
    { name: 'regress', handler: resolve(__dirname, 'worker.ts'), inputs: tasks, salt: codeFingerprint() },
    (i, outcome) => {
      const t = tasks[i];
      onResult(
        outcome.ok
          ? outcome.output
          : {
              type: 'result',
              result: {
                config: t.config,
                seed: t.seed,
                name: `${t.config}__random_s${t.seed}`,
                ok: false,
                seconds: 0,
                cycles: null,
                error: outcome.error,
                mismatchCount: 0,
              },
            },
      );
    },
    { signal: o.signal },
  );
  progress.end();

  results.sort((a, b) => a.config.localeCompare(b.config) || a.seed - b.seed);
  const report: RegressReport = {
    target: o.target,
    reference: o.reference,
    configs: configs.map((c) => c.label),
    programs: o.programs,
    seed: o.seed,
    passed: results.filter((r) => r.ok).length,
    failed,
    seconds: (Date.now() - t0) / 1000,
    cases: results,
    ...(o.signal?.aborted ? { interrupted: true } : {}),
  };
  mkdirSync(o.outDir, { recursive: true });
  writeFileSync(join(o.outDir, 'regress.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(o.outDir, 'regress.xml'), junitXml(report));
  return report;
}
