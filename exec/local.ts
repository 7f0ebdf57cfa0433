// The local executor: a pool of forked worker processes on this machine (`--jobs N`), or the tasks in
// this process, one after another, with one job.

import { fork } from 'child_process';
import { resolve } from 'path';
import type { Executor, OutcomeListener, ProgressListener, TaskBatch, TaskOutcome } from './executor';
import { runOne, WorkerReply, WorkerRequest } from './worker';

export class LocalExecutor implements Executor {
  readonly kind = 'local';
  constructor(readonly jobs: number) {}

  get description(): string {
    return `local, ${this.jobs} job${this.jobs === 1 ? '' : 's'}`;
  }

  async run<I, O>(batch: TaskBatch<I>, onOutcome?: OutcomeListener<O>, onProgress?: ProgressListener): Promise<TaskOutcome<O>[]> {
    const outcomes: TaskOutcome<O>[] = new Array(batch.inputs.length);
    const settle = (index: number, r: { ok: true; output: unknown } | { ok: false; error: string }) => {
      onProgress?.(index, null);
      const o: TaskOutcome<O> = r.ok ? { ok: true, output: r.output as O, attempts: 1, cached: false } : { ok: false, error: r.error, attempts: 1, cached: false };
      outcomes[index] = o;
      onOutcome?.(index, o);
    };
    const jobs = Math.min(this.jobs, batch.inputs.length);
    if (jobs <= 1) {
      for (const [i, input] of batch.inputs.entries()) settle(i, await runOne(batch.handler, input, onProgress && ((line) => onProgress(i, line))));
      return outcomes;
    }
    await new Promise<void>((done) => {
      let next = 0;
      let running = 0;
      const script = resolve(__dirname, 'worker.ts');
      const spawnWorker = () => {
        running++;
        // tsx by its path: a bare 'tsx/cjs' resolves from the working directory, which may be any folder
        const child = fork(script, [], { execArgv: ['--require', require.resolve('tsx/cjs')], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        let current = -1;
        const feed = () => {
          if (next < batch.inputs.length) {
            current = next++;
            child.send({ index: current, handler: batch.handler, input: batch.inputs[current] } as WorkerRequest);
          } else {
            current = -1;
            child.disconnect();
          }
        };
        child.on('message', (m: WorkerReply) => {
          if ('progress' in m) {
            onProgress?.(m.index, m.progress);
            return;
          }
          settle(m.index, m);
          feed();
        });
        child.on('exit', (code, signal) => {
          running--;
          // a crashed worker fails the task it held; a fresh one takes over the rest
          if (current >= 0) {
            settle(current, { ok: false, error: `worker process exited (${signal ?? `code ${code}`}) while running this task` });
            if (next < batch.inputs.length) spawnWorker();
          }
          if (running === 0) done();
        });
        feed();
      };
      for (let w = 0; w < jobs; w++) spawnWorker();
    });
    // tasks never handed out because every worker died
    for (let i = 0; i < outcomes.length; i++) if (!outcomes[i]) settle(i, { ok: false, error: 'no worker process left to run this task' });
    return outcomes;
  }
}
