// How `vta fpga` checks the fit: it says so before it starts; `--estimate bound` skips yosys with a lower
// bound from the buffers and the GEMM multipliers (instant, proves misfits only); how long a first
// synthesis will take comes from earlier runs in the cache, else a rule of thumb.
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runFpga } from '../../scripts/fpga/command';
import { lowerBound } from '../../scripts/fpga/fit';
import { expectedSynthSeconds } from '../../scripts/synth/synthesize';
import { boardByName } from '../../hw/boards/boards';
import { deriveConfig, DEFAULT_CONFIG_JSON, withOverrides } from '../../hw/vta/config';
import { boardPreset } from '../../hw/boards/presets';
import { captureIo, fakeEmitRtl } from '../gen/util';
import { cleanup, tempDir } from './helpers';

afterAll(cleanup);

test("--estimate bound: no synthesis; VTA's default core on the Pynq-Z1 is refused for its 256 multipliers", async () => {
  const t0 = Date.now();
  const io = captureIo();
  const code = await runFpga(
    ['--board', 'pynq-z1', '--alu-ii', '1', '--gemm-dsp-packing', '1', '--requant-depth', '0', '--estimate', 'bound', '--out', tempDir()],
    io,
    {
      emitRtl: fakeEmitRtl,
    },
  );
  expect(code).toBe(1);
  expect(io.err).toContain('vta fpga: checking the fit with the lower bound from the buffers and multipliers (no synthesis)');
  expect(io.err).toMatch(
    /does not fit pynq-z1 \(lower bound .*\): the GEMM core's 256 int8 multipliers need at least 256 DSP48E1 blocks, pynq-z1 has 220; use --gemm-dsp-packing 2/,
  );
  expect(io.err).not.toContain('yosys');
  const preset = captureIo();
  expect(await runFpga(['--board', 'pynq-z1', '--estimate', 'bound', '--out', tempDir()], preset, { emitRtl: fakeEmitRtl })).toBe(0);
  // the preset's requantization stage: at least two DSPs per 32x32 product lane
  expect(preset.out).toMatch(/fit {4}fits: bram36 \d+\/140, dsp 160\/220 \(lower bound/);
  expect(Date.now() - t0).toBeLessThan(10_000);
});

test('the default check announces yosys and how to skip it; a bad --estimate is a usage error', async () => {
  const io = captureIo();
  // a stand-in estimator keeps the test fast; the announcement comes before it runs
  expect(await runFpga(['--board', 'ultra96', '--out', tempDir()], io, { emitRtl: fakeEmitRtl, estimator: lowerBound })).toBe(0);
  expect(io.err).toContain('vta fpga: checking the fit with vta synth (yosys; cached after the first run; --estimate bound skips it)');
  const bad = captureIo();
  expect(await runFpga(['--board', 'ultra96', '--estimate', 'fast'], bad, { emitRtl: fakeEmitRtl })).toBe(2);
  expect(bad.err).toBe('vta fpga: --estimate fast: expected yosys or bound\n');
});

test('the lower bound counts DSPs per family and packing', async () => {
  const cfg = (keys: Record<string, number>) => deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, keys));
  const dsp = async (board: string, keys: Record<string, number>) =>
    (await lowerBound(cfg(keys), boardByName(board))).rows.find((r) => r.resource === 'dsp')!.used;
  expect(await dsp('pynq-z1', {})).toBe(256);
  expect(await dsp('pynq-z1', { GEMM_DSP_PACKING: 2 })).toBe(128);
  // the requantization stage adds at least two DSPs per lane (32 x 32 products)
  expect(await dsp('pynq-z1', { GEMM_DSP_PACKING: 2, REQUANT_BUFF_DEPTH: 64 })).toBe(128 + 32);
  expect(await dsp('de10-nano', {})).toBe(86); // three 9x9 products per Cyclone V block
  const pynq = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, boardPreset(boardByName('pynq-z1'))));
  expect((await lowerBound(pynq, boardByName('pynq-z1'))).fits).toBe(true);
});

test("a first synthesis's expected time: scaled from the nearest earlier run of the family, else a rule of thumb", () => {
  const cache = tempDir();
  expect(expectedSynthSeconds('xc7', 256, cache)).toEqual({ seconds: 217, basis: 'a rough guess; later runs here sharpen it' });
  expect(expectedSynthSeconds('xc7', 64, cache).seconds).toBeCloseTo(114.25, 2); // 1x8x8 took 114 s here
  const run = (key: string, meta: object) => {
    mkdirSync(join(cache, key));
    writeFileSync(join(cache, key, 'meta.json'), JSON.stringify(meta));
  };
  run('a', { seconds: 130, version: 'x', family: 'xc7', macs: 64 });
  run('b', { seconds: 900, version: 'x', family: 'cyclonev', macs: 256 });
  run('c', { seconds: 99, version: 'x' }); // an older run that did not record what it was
  const e = expectedSynthSeconds('xc7', 256, cache);
  expect(e.basis).toBe('from a 64-MAC run here');
  expect(e.seconds).toBe(80 + (130 - 80) * 4);
  expect(expectedSynthSeconds('cyclonev', 256, cache).seconds).toBe(900);
});
