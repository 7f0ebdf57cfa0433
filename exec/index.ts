// Choosing an executor from the command line: `--executor local|slurm [--partition P] [--jobs N]`.

import { join } from 'path';
import { EXECUTOR_KINDS, Executor, ExecutorError } from './executor';
import { LocalExecutor } from './local';
import { SlurmExecutor } from './slurm';

export * from './executor';
export { LocalExecutor } from './local';
export { SlurmExecutor } from './slurm';
export type { SlurmOptions } from './slurm';
export { codeFingerprint, taskHash } from './fingerprint';

export interface ExecutorChoice {
  executor?: string;
  partition?: string;
  jobs: number;
  /** The shared directory of the Slurm executor (default $VTA_EXEC_DIR or build/exec). */
  dir?: string;
  log?: (line: string) => void;
}

export function createExecutor(c: ExecutorChoice): Executor {
  const kind = c.executor ?? 'local';
  if (kind === 'local') {
    if (c.partition) throw new ExecutorError('--partition applies to --executor slurm only');
    if (c.dir) throw new ExecutorError('--exec-dir applies to --executor slurm only');
    return new LocalExecutor(c.jobs);
  }
  if (kind === 'slurm') {
    const dir = c.dir ?? process.env.VTA_EXEC_DIR ?? join(process.cwd(), 'build', 'exec');
    return new SlurmExecutor({ dir, partition: c.partition, log: c.log });
  }
  throw new ExecutorError(`--executor ${kind}: unknown; executors: ${EXECUTOR_KINDS.join(', ')}`);
}
