// The flags of every command that runs its work through an executor (exec/): `--executor local|slurm`
// and `--partition P`, and the executor they choose.

import { createExecutor, EXECUTOR_KINDS, Executor, ExecutorError } from '../exec';
import type { FlagSpec, ParsedArgs } from './args';
import { UsageError } from './errors';

export const EXECUTOR_FLAGS: readonly FlagSpec[] = [
  {
    name: 'executor',
    type: 'string',
    metavar: EXECUTOR_KINDS.join('|'),
    help: 'where tasks run: local worker processes (--jobs) or one Slurm array job (default local)',
  },
  { name: 'partition', type: 'string', metavar: 'P', help: "Slurm partition (--executor slurm; default the cluster's default)" },
  { name: 'exec-dir', type: 'string', metavar: 'DIR', help: 'Slurm: shared directory for task specs, results and logs (default $VTA_EXEC_DIR or build/exec)' },
];

export function executorFromArgs(args: ParsedArgs, jobs: number, log: (line: string) => void): Executor {
  try {
    return createExecutor({ executor: args.string('executor'), partition: args.string('partition'), dir: args.string('exec-dir'), jobs, log });
  } catch (e) {
    if (e instanceof ExecutorError) throw new UsageError(e.message);
    throw e;
  }
}
