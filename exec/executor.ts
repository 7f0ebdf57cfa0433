// The executor interface: runs a batch of independent tasks (regression programs, tuning candidates,
// design points) somewhere and hands back one outcome per task. A task is JSON in, JSON out, computed by
// a handler module exporting `runTask(input)` (and optionally `dispose()`), so the same batch runs in
// forked local workers or as a Slurm array job. This folder imports nothing else of the project.

export interface TaskBatch<I> {
  /** What the batch is, for job names and messages: 'regress', 'tune', 'explore'. */
  readonly name: string;
  /** Absolute path of the handler module (a .ts file under this repository). */
  readonly handler: string;
  readonly inputs: readonly I[];
  /** Extra content of each task's hash (e.g. a code fingerprint), so stored results follow what produced them. */
  readonly salt?: string;
}

export type TaskOutcome<O> =
  { ok: true; output: O; attempts: number; cached: boolean } | { ok: false; error: string; attempts: number; cached: false; interrupted?: true };

/** The outcome of a task that never ran (or was stopped) because the batch's signal was aborted. */
export const INTERRUPTED_OUTCOME = { ok: false, error: 'interrupted before it finished', attempts: 0, cached: false, interrupted: true } as const;

export type OutcomeListener<O> = (index: number, outcome: TaskOutcome<O>) => void;
/** A running task's progress line (what its handler reports), or null when the task ends. */
export type ProgressListener = (index: number, line: string | null) => void;

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

export interface Executor {
  readonly kind: ExecutorKind;
  /** A line for the command's header, e.g. `local, 2 jobs` or `slurm, partition debug`. */
  readonly description: string;
  /**
   * Runs every task. `onProgress` hears the handlers' progress lines where the executor can pass them on
   * (local workers). With `signal` aborted (Ctrl-C) it starts no more tasks, stops the running ones promptly
   * and resolves with INTERRUPTED_OUTCOME for each (onOutcome is not called for those).
   */
  run<I, O>(batch: TaskBatch<I>, onOutcome?: OutcomeListener<O>, options?: RunOptions): Promise<TaskOutcome<O>[]>;
}

export type ExecutorKind = 'local' | 'slurm';
export const EXECUTOR_KINDS: readonly ExecutorKind[] = ['local', 'slurm'];

/** What a handler module exports. */
export interface TaskHandler<I = unknown, O = unknown> {
  /** `report` passes a line on to whoever watches the batch (the parent's progress display, or the task's log). */
  runTask(input: I, report?: (line: string) => void): Promise<O>;
  dispose?(): void;
}

/** A wrong executor choice or a scheduler that cannot be reached: one line for the user. */
export class ExecutorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutorError';
  }
}

export function loadHandler(path: string): TaskHandler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as Partial<TaskHandler>;
  if (typeof mod.runTask !== 'function') throw new ExecutorError(`${path}: a task handler must export runTask(input)`);
  return mod as TaskHandler;
}
