// The local executor: results in input order, a handler's error and a crashed worker are that task's
// failure (the other tasks still finish).

import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { createExecutor, LocalExecutor } from '../../exec';

const HANDLER = resolve(__dirname, 'fixtures', 'flaky-handler.ts');

test('forked workers: answers in order, errors and crashes fail only their task', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vta-exec-'));
  const inputs = [1, 2, -3, 4].map((value, i) => ({ marker: join(dir, `m${i}`), value }));
  const seen: number[] = [];
  // first pass: every task crashes its worker once
  const first = await new LocalExecutor(2).run<(typeof inputs)[0], number>({ name: 'flaky', handler: HANDLER, inputs }, (i) => seen.push(i));
  expect(first.every((o) => !o.ok && /worker process exited \(code 3\)/.test(o.error))).toBe(true);
  expect(seen.sort()).toEqual([0, 1, 2, 3]);
  const second = await new LocalExecutor(2).run<(typeof inputs)[0], number>({ name: 'flaky', handler: HANDLER, inputs });
  expect(second.map((o) => (o.ok ? o.output : o.error))).toEqual([2, 4, 'negative value -3', 8]);
});

test('executor choice errors are one line', () => {
  expect(() => createExecutor({ executor: 'pbs', jobs: 1 })).toThrow('--executor pbs: unknown; executors: local, slurm');
  expect(() => createExecutor({ executor: 'local', partition: 'x', jobs: 1 })).toThrow('--partition applies to --executor slurm only');
});
