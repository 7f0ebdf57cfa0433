// LOAD ACC_8BIT (hw/vta/ACC_8BIT.md) on TSIM: its conformance-style vectors (test/sim/fixtures/acc8-vectors,
// made by scripts/acc8-vectors.ts from fsim) replay byte for byte, and random programs that load int8 tiles
// and operands into ACC leave DRAM identical to fsim's, on the default shape and with the Pynq-Z1 preset
// (where LOAD ACC, LOAD ACC_8BIT and LOAD REQ share one VME client); mutants of the vectors (among them
// LOAD ACC <-> ACC_8BIT swaps and changed int8 bytes) get the same verdict and DRAM on both.

import { readdirSync } from 'fs';
import { join } from 'path';
import { boardPreset } from '../../hw/boards/presets';
import { deriveConfig, DEFAULT_CONFIG_JSON, withOverrides } from '../../hw/vta/config';
import { replay } from '../../sim/replay';
import { loadVector } from '../../sim/vector';
import { runMutationCheck } from '../../sim/testing/mutate';
import { firstDramDifference } from './random-vs-fsim';

jest.setTimeout(900_000);

const VECTORS = join(__dirname, '../sim/fixtures/acc8-vectors');
const SEEDS = (process.env.VTA_TSIM_SEEDS ?? '1,2,3,4,5,6').split(',').map(Number);

test.each(readdirSync(VECTORS).filter((f) => f.endsWith('.json')))('vector %s on TSIM', async (file) => {
  const v = loadVector(join(VECTORS, file));
  expect(v.config.acc8).not.toBeNull();
  const r = await replay(v, { target: 'tsim', maxMismatches: 4 });
  expect({ file, mismatches: r.mismatchCount, first: r.mismatches }).toEqual({ file, mismatches: 0, first: [] });
});

describe.each([
  ['default+acc8', deriveConfig({ ...DEFAULT_CONFIG_JSON, ACC_8BIT_LOAD: 1 })],
  ['pynq-z1+acc8', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...boardPreset('pynq-z1'), ACC_8BIT_LOAD: 1 }))],
])('%s', (_label, cfg) => {
  test.each(SEEDS)('random program seed %i: DRAM equals fsim byte for byte', async (seed) => {
    expect({ seed, firstDifference: await firstDramDifference(cfg, seed) }).toEqual({ seed, firstDifference: -1 });
  });
});

test('12 mutants of each ACC_8BIT vector: fsim and TSIM agree', async () => {
  const vectors = readdirSync(VECTORS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadVector(join(VECTORS, f)));
  const report = await runMutationCheck({ vectors, mutants: 12, seed: 301 });
  expect(report.runs).toBe(12 * vectors.length);
  expect(report.disagreements).toEqual([]);
  expect(Object.keys(report.verdicts).length).toBeGreaterThanOrEqual(2);
});
