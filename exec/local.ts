// The local executor: a pool of forked worker processes on this machine (`--jobs N`), or the tasks in
// this process, one after another, with one job.

import { ChildProcess, fork } from 'child_process';
import { resolve } from 'path';
import { Executor, INTERRUPTED_OUTCOME, OutcomeListener, RunOptions, TaskBatch, TaskOutcome } from './executor';
import { runOne, WorkerReply, WorkerRequest } from './worker';

export class LocalExecutor implements Executor {
  readonly kind = 'local';
  constructor(readonly jobs: number) {}

  get description(): string {
    return `local, ${this.jobs} job${this.jobs === 1 ? '' : 's'}`;
  }

  async run<I, O>(batch: TaskBatch<I>, onOutcome?: OutcomeListener<O>, options: RunOptions = {}): Promise<TaskOutcome<O>[]> {
    const { signal, onProgress } = options;
    const outcomes: TaskOutcome<O>[] = new Array(batch.inputs.length);
    const settle = (index: number, r: { ok: true; output: unknown } | { ok: false; error: string }) => {
      onProgress?.(index, null);
      const o: TaskOutcome<O> = r.ok
        ? { ok: true, output: r.output as O, attempts: 1, cached: false }
        : { ok: false, error: r.error, attempts: 1, cached: false };
      outcomes[index] = o;
      onOutcome?.(index, o);
    };
    const interrupted = () => {
      for (let i = 0; i < outcomes.length; i++) outcomes[i] ??= INTERRUPTED_OUTCOME;
      return outcomes;
    };
    const jobs = Math.min(this.jobs, batch.inputs.length);
    if (jobs <= 1) {
      for (const [i, input] of batch.inputs.entries()) {
        await new Promise((r) => setImmediate(r)); // a task may never yield: let Ctrl-C's handler run between tasks
        if (signal?.aborted) return interrupted();
        settle(i, await runOne(batch.handler, input, onProgress && ((line) => onProgress(i, line))));
      }
      return outcomes;
    }
    const children = new Set<ChildProcess>();
    const stopAll = () => {
      for (const c of children) c.kill('SIGTERM');
    };
    signal?.addEventListener('abort', stopAll, { once: true });
    await new Promise<void>((done) => {
      let next = 0;
      let running = 0;
      const script = resolve(__dirname, 'worker.ts');
      const spawnWorker = () => {
        running++;
        // tsx by its path: a bare 'tsx/cjs' resolves from the working directory, which may be any folder
        const child = fork(script, [], { execArgv: ['--require', require.resolve('tsx/cjs')], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        children.add(child);
        let current = -1;
        const feed = () => {
          if (next < batch.inputs.length && !signal?.aborted) {
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
        child.on('exit', (code, sig) => {
          running--;
          children.delete(child);
          // a crashed worker fails the task it held; a fresh one takes over the rest (not after Ctrl-C)
          if (current >= 0 && !signal?.aborted) {
            settle(current, { ok: false, error: `worker process exited (${sig ?? `code ${code}`}) while running this task` });
            if (next < batch.inputs.length) spawnWorker();
          }
          if (running === 0) done();
        });
        feed();
      };
      for (let w = 0; w < jobs; w++) spawnWorker();
    });
    signal?.removeEventListener('abort', stopAll);
    if (signal?.aborted) return interrupted();
    // tasks never handed out because every worker died
    for (let i = 0; i < outcomes.length; i++) if (!outcomes[i]) settle(i, { ok: false, error: 'no worker process left to run this task' });
    return outcomes;
  }
}
