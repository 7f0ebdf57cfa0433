// The whole core (gen/rtl.ts emitRtl: VtaCore) on TSIM: the conformance vectors of the three
// configurations replay byte for byte, and random legal programs leave DRAM identical to fsim's.

import { readdirSync } from 'fs';
import { join } from 'path';
import { deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, VtaConfig, withOverrides } from '../../hw/vta/config';
import { loadVector, skipReason } from '../../sim/vector';
import { replay } from '../../sim/replay';
import { firstDramDifference } from './random-vs-fsim';

// Verilator is a required tool (scripts/setup-system.sh installs it): without it these fail, naming the install command.
const d = describe;
jest.setTimeout(900_000);

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const CONFIGS: [string, VtaConfig][] = [
  ['default', deriveConfig(DEFAULT_CONFIG_JSON)],
  ['b2x8', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }))],
  ['b1x32', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32')))],
];
const SEEDS = (process.env.VTA_TSIM_SEEDS ?? '1,2,3,4').split(',').map(Number);

d.each(CONFIGS)('VtaCore on TSIM, %s', (name, cfg) => {
  const files = readdirSync(VECTORS)
    .filter((f) => f.startsWith(`${name}__`) && f.endsWith('.json'))
    .sort();

  test.each(files)('conformance %s', async (file) => {
    const v = loadVector(join(VECTORS, file));
    expect(v.config.hash).toBe(cfg.hash);
    if (skipReason(v) !== null) return;
    const r = await replay(v, { target: 'tsim', maxMismatches: 4 });
    expect({ file, mismatches: r.mismatchCount, first: r.mismatches }).toEqual({ file, mismatches: 0, first: [] });
  });

  test.each(SEEDS)('random program seed %i: DRAM equals fsim byte for byte', async (seed) => {
    expect({ seed, firstDifference: await firstDramDifference(cfg, seed) }).toEqual({ seed, firstDifference: -1 });
  });
});
