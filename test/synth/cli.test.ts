// `vta synth` and `vta bench synth` on bad input: one line naming what is wrong, exit code 2, before any
// yosys run. The report's text form from a report object (no yosys).

import { vtaInProcess } from '../sim/helpers';
import { formatSynthReport } from '../../scripts/synth/command';
import { formatSynthBenchTable, synthBenchCases, synthBenchSvg } from '../../scripts/synth/bench';
import type { SynthReport } from '../../scripts/synth/report';

test.each([
  [['synth', '--board', 'zedboard'], 'vta synth: --board: unknown board "zedboard"; known boards: pynq-z1, ultra96, zcu104, de10-nano'],
  [['synth', '--family', 'virtex'], 'vta synth: --family: unknown family "virtex"; known families: xc7, xcup, cyclonev, ecp5'],
  [
    ['synth', '--board', 'pynq-z1', '--family', 'xcup'],
    'vta synth: --family xcup contradicts --board pynq-z1, whose xc7z020clg400-1 is family xc7; give one of them',
  ],
  [['synth', '--top', 'Nope'], 'vta synth: --top Nope: no such module in the generated Verilog of 1x16_i8w8a32_15_15_18_17 (its top is VtaCore)'],
  [['bench', 'synth', '--only', 'nope'], 'vta bench: --only: unknown case "nope"'],
])('vta %j', async (argv, message) => {
  const r = await vtaInProcess(...argv);
  expect(r.code).toBe(2);
  expect(r.stderr.split('\n')[0]).toContain(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
});

const zero = { lut: 0, ff: 0, dsp: 0, bram36: 0, lutram: 0, uram: 0 };
const report: SynthReport = {
  schema: 'vta-synth-report/2',
  config: {},
  configName: '1x16_i8w8a32_15_15_18_17',
  configHash: 'abc',
  top: 'VtaCore',
  family: 'xc7',
  board: 'pynq-z1',
  part: 'xc7z020clg400-1',
  yosysVersion: '0.55',
  script: '',
  seconds: 60,
  cached: true,
  logPath: '/x/yosys.log',
  units: { lut: 'LUT6', ff: 'FF', dsp: 'DSP48E1', bram36: 'RAMB36', lutram: 'LUT6 as memory', uram: 'URAM288' },
  resources: { ...zero, lut: 20451, dsp: 256, bram36: 116 },
  memories: [
    {
      module: 'Compute',
      name: 'acc_mem',
      depth: 2048,
      width: 512,
      bits: 1 << 20,
      readPorts: 1,
      writePorts: 1,
      instances: 1,
      mappedTo: { RAMB18E1: 57 },
      replicas: 1,
    },
  ],
  perModule: [
    {
      module: 'VtaCore',
      instances: 1,
      self: zero,
      total: { ...zero, lut: 20451 },
      timing: { fmaxMHz: 121.4, periodNs: 8.237, levels: 12, stages: { lut: 9, carry: 3 }, from: 'fetch/state[1]', to: 'compute/uop_idx[3]' },
    },
  ],
  timing: {
    fmaxMHz: 121.4,
    periodNs: 8.237,
    levels: 12,
    stages: { lut: 9, carry: 3 },
    from: 'fetch/state[1]',
    to: 'compute/uop_idx[3]',
    model: 'test model',
    fmaxRangeMHz: [98.2, 158.7],
    uncalibratedFmaxMHz: 60,
    path: [],
    unknownCells: {},
  },
  fit: { ok: false, lut: { used: 20451, budget: 53200, pct: 38.44, unit: 'LUT6' }, dsp: { used: 256, budget: 220, pct: 116.36, unit: 'DSP48E1' } },
};

test('the text report: resources with budget and %, OVER where it does not fit, per module, memories, the log', () => {
  const text = formatSynthReport(report);
  expect(text).toMatch(/dsp\s+256\s+DSP48E1\s+220\s+116\.4%\s+OVER/);
  expect(text).toContain('fit: NO');
  expect(text).toMatch(/Compute\s+acc_mem\s+2048\s+512\s+1024\.0\s+1\s+1\s+1\s+57 RAMB18E1\s+1/);
  expect(text).toContain('yosys log: /x/yosys.log');
  expect(text).toMatch(/fmax {4}121\.4 MHz \(period 8\.237 ns; 98-159 MHz with routing 1\.4x-0\.6x; 60\.0 uncalibrated\)/);
  expect(text).toMatch(/path {4}12 logic levels \(9 lut, 3 carry\)\n {2}from {4}fetch\/state\[1\]\n {2}to {6}compute\/uop_idx\[3\]/);
  expect(text).toMatch(/VtaCore\s+1\s+20,451\s+0\s+0\s+0\s+0\s+12\s+121\.4/);
});

test('the bench table and chart: every case, fit, the 100% line', () => {
  const cases = synthBenchCases();
  expect(cases.map((c) => c.label)).toEqual(expect.arrayContaining(['default', 'pynq-z1 preset', '1x32x32 zcu104', '2x16x16 de10-nano']));
  const rep = {
    schema: 'vta-synth-bench/1' as const,
    yosysVersion: '0.55',
    rows: [
      {
        label: 'pynq-z1 preset',
        board: 'pynq-z1',
        configName: 'c',
        configHash: 'h',
        family: 'xc7',
        resources: report.resources,
        fit: report.fit,
        seconds: 60,
        cached: true,
        error: null,
      },
    ],
  };
  expect(formatSynthBenchTable(rep)).toMatch(/pynq-z1 preset\s+c\s+xc7\s+20451\s+0\s+256\s+116\s+0\s+38\.4%\s+-\s+116\.4%\s+-\s+NO\s+60\*/);
  const svg = synthBenchSvg(rep);
  expect(svg).toContain('<svg');
  expect(svg).toContain('pynq-z1 preset (does not fit)');
  // an over-budget bar carries its percentage and the grid reaches it
  expect(svg).toMatch(/rotate\(-90\)" font-size="9">116%<\/text>/);
  expect(svg).toMatch(/>150%<\/text>/);
});
