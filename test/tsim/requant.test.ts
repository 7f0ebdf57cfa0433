// The requantization stage (hw/vta/REQUANT.md) on TSIM: the stage's conformance-style vectors
// (test/sim/fixtures/requant-vectors, made by scripts/requant-vectors.ts from fsim) replay byte for byte,
// and random programs using LOAD REQ and ALU REQ leave DRAM identical to fsim's, on the default shape and
// with the Pynq-Z1 preset's knobs (ALU initiation interval 2, DSP packing).

import { readdirSync } from 'fs';
import { join } from 'path';
import { boardPreset } from '../../hw/boards/presets';
import { deriveConfig, DEFAULT_CONFIG_JSON, withOverrides } from '../../hw/vta/config';
import { replay } from '../../sim/replay';
import { loadVector } from '../../sim/vector';
import { firstDramDifference } from './random-vs-fsim';

jest.setTimeout(900_000);

const VECTORS = join(__dirname, '../sim/fixtures/requant-vectors');
const SEEDS = (process.env.VTA_TSIM_SEEDS ?? '1,2,3,4').split(',').map(Number);

test.each(readdirSync(VECTORS).filter((f) => f.endsWith('.json')))('vector %s on TSIM', async (file) => {
  const v = loadVector(join(VECTORS, file));
  expect(v.config.requant).not.toBeNull();
  const r = await replay(v, { target: 'tsim', maxMismatches: 4 });
  expect({ file, mismatches: r.mismatchCount, first: r.mismatches }).toEqual({ file, mismatches: 0, first: [] });
});

describe.each([
  ['default+req64', deriveConfig({ ...DEFAULT_CONFIG_JSON, REQUANT_BUFF_DEPTH: 64 })],
  ['pynq-z1+req8', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...boardPreset('pynq-z1'), REQUANT_BUFF_DEPTH: 8 }))],
])('%s', (_label, cfg) => {
  test.each(SEEDS)('random program seed %i: DRAM equals fsim byte for byte', async (seed) => {
    expect({ seed, firstDifference: await firstDramDifference(cfg, seed) }).toEqual({ seed, firstDifference: -1 });
  });
});
