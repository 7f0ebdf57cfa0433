// The process that runs tasks: a forked local worker (tasks over IPC, one after another, handlers kept
// loaded so devices stay open) or one Slurm array task (`--slurm LIST`: line $SLURM_ARRAY_TASK_ID of the
// list names the task spec; the result is written next to it).

import { existsSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { loadHandler, TaskHandler } from './executor';

export interface WorkerRequest {
  index: number;
  handler: string;
  input: unknown;
}

export type WorkerReply = { index: number; ok: true; output: unknown } | { index: number; ok: false; error: string } | { index: number; progress: string };

/** A spec file of the Slurm executor's shared directory. */
export interface StoredSpec {
  handler: string;
  input: unknown;
}

/** A result file: what the task returned, or why it failed. */
export type StoredResult = { ok: true; output: unknown } | { ok: false; error: string };

const handlers = new Map<string, TaskHandler>();

export async function runOne(handler: string, input: unknown, report?: (line: string) => void): Promise<StoredResult> {
  try {
    let h = handlers.get(handler);
    if (!h) {
      h = loadHandler(handler);
      handlers.set(handler, h);
    }
    return { ok: true, output: await h.runTask(input, report ?? ((line) => void process.stderr.write(`${line}\n`))) };
  } catch (e) {
    return { ok: false, error: (e as Error)?.message ?? String(e) };
  }
}

export function disposeHandlers(): void {
  for (const h of handlers.values()) h.dispose?.();
  handlers.clear();
}

export function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function slurmTask(listFile: string): Promise<number> {
  const id = Number(process.env.SLURM_ARRAY_TASK_ID);
  const hashes = readFileSync(listFile, 'utf8').split('\n').filter(Boolean);
  if (!Number.isInteger(id) || id < 0 || id >= hashes.length) {
    process.stderr.write(`vta exec: SLURM_ARRAY_TASK_ID ${process.env.SLURM_ARRAY_TASK_ID} is not an index of ${listFile} (${hashes.length} tasks)\n`);
    return 2;
  }
  const dir = join(listFile, '..', '..');
  const hash = hashes[id];
  const specFile = join(dir, 'tasks', `${hash}.json`);
  if (!existsSync(specFile)) {
    process.stderr.write(`vta exec: task spec ${specFile} is missing\n`);
    return 2;
  }
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as StoredSpec;
  const result = await runOne(spec.handler, spec.input);
  writeAtomically(join(dir, 'results', `${hash}.json`), JSON.stringify(result) + '\n');
  disposeHandlers();
  if (!result.ok) process.stderr.write(`vta exec: task ${hash} failed: ${result.error}\n`);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  const slurm = process.argv.indexOf('--slurm');
  if (slurm >= 0) {
    slurmTask(process.argv[slurm + 1]).then(
      (code) => process.exit(code),
      (e) => {
        process.stderr.write(`vta exec: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  } else if (process.send) {
    // Ctrl-C on the terminal reaches the whole process group: the parent decides (it stops the batch and
    // ends its workers), so a worker does not die mid-task on its own
    process.on('SIGINT', () => undefined);
    process.on('message', (m: WorkerRequest) => {
      const report = (line: string) => void process.send?.({ index: m.index, progress: line } as WorkerReply);
      runOne(m.handler, m.input, report).then((r) => process.send!({ index: m.index, ...r } as WorkerReply));
    });
    process.on('disconnect', () => {
      disposeHandlers();
      process.exit(0);
    });
  }
}
