// Mutated conformance vectors on fsim and the TSIM core (issue 10, "done when"): the same verdict on every
// mutant — pass, or the same error class and instruction index — no DRAM byte outside the program's STOREs
// changed after an error, and equal DRAM when both pass unless instructions race (fsim's race detector;
// SEMANTICS.md lets hardware timing decide those). `vta mutate` runs the same check at any size.

import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import { join } from 'path';
import { runMutationCheck } from '../../sim/testing/mutate';
import { loadVector, skipReason } from '../../sim/vector';

jest.setTimeout(900_000);

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const vectors = readdirSync(VECTORS)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => loadVector(join(VECTORS, f)))
  .filter((v) => skipReason(v) === null);

test('2 mutants of each of the 35 vectors: fsim and TSIM agree', async () => {
  const report = await runMutationCheck({ vectors, mutants: 2, seed: 101 });
  expect(report.runs).toBe(70);
  expect(report.disagreements).toEqual([]);
  // The mutants are not all harmless: errors of several classes occur.
  expect(Object.keys(report.verdicts).length).toBeGreaterThanOrEqual(3);
});

test('vta mutate: one vector, 3 mutants, a summary line and exit 0', () => {
  const r = spawnSync(process.execPath, ['bin/vta.js', 'mutate', join(VECTORS, 'default__tl_gemm_4x4x4_s111.json'), '--mutants', '3', '--seed', '7'], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
    timeout: 600_000,
  });
  expect(r.stdout.trimEnd().split('\n').pop()).toMatch(
    /^3 mutants \((pass|\w+Error) \d+.*\); \d+ with racing instructions left timing-dependent DRAM; 0 disagreement\(s\)$/,
  );
  expect(r.status).toBe(0);
});
