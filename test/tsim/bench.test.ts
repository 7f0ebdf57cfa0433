// Smoke test of the TSIM section of `vta bench` (sim/bench/tsim-bench.ts): the ALU synthetic programs on the
// default core reach one micro-op per cycle across back-to-back instructions, and the table/SVG writers
// render a report. The full bench (`npm run bench`) is not part of the test suite.

import { deriveConfig, DEFAULT_CONFIG_JSON } from '../../hw/vta/config';
import { buildHash } from '../../sim/verilator/build';
import { aluWorkload, formatTsimTable, TsimBenchReport, tsimUtilizationSvg } from '../../sim/bench/tsim-bench';
import { openDevice } from '../../sim/targets';

// Verilator is a required tool (scripts/setup-system.sh installs it): without it these fail, naming the install command.
const t = test;
jest.setTimeout(600_000);

t.each(['imm', 'vec'] as const)('ALU %s: back-to-back ALU instructions run at one micro-op per cycle', async (form) => {
  const cfg = deriveConfig(DEFAULT_CONFIG_JSON);
  const dev = await openDevice('tsim', cfg, { dramBytes: 1 << 20, log: () => undefined });
  try {
    const cycles: number[] = [];
    for (const k of [1, 2]) {
      const w = aluWorkload(cfg, form, k);
      dev.loadImage(w.image);
      const r = await dev.run(w.insnAddr, w.insnCount);
      expect(r.counters.aluUops).toBe(2048 * k);
      cycles.push(r.cycles ?? 0);
    }
    expect(cycles[1] - cycles[0]).toBe(2048);
    expect(cycles[0] - 2048).toBeLessThan(100);
  } finally {
    dev.close?.();
  }
});

test('table and SVG of a TSIM bench report', () => {
  const report: TsimBenchReport = {
    date: 'now',
    cpu: 'cpu',
    memory: 'mem',
    simSpeed: { workload: 'w', simCyclesPerSecond: 1.5e6, runs: 3, baselineCyclesPerSecond: 0.5e6, buildSeconds: { tuned: 12.5, baseline: 0 } },
    gemm: [
      {
        workload: 'a<b',
        config: 'c',
        busBits: 64,
        cycles: 100,
        gemmUops: 50,
        macs: 50 * 256,
        utilization: 0.5,
        dramReadBytes: 640,
        dramWriteBytes: 0,
        busBoundCycles: 80,
        utilizationBound: 0.625,
        simCyclesPerSecond: 1e6,
      },
    ],
    alu: [{ form: 'imm', uopsPerInsn: 2048, cycles1: 2100, cycles4: 8244, marginalUopsPerCycle: 1, wholeUopsPerCycle: 0.99, fixedOverheadCycles: 52 }],
  };
  const text = formatTsimTable(report);
  expect(text).toContain('1.50M simulated cycles/s');
  expect(text).toContain('baseline flags');
  expect(text).toContain('0.50M cycles/s; tuned / baseline = 3.00x; builds here: tuned 12.5 s, baseline cached');
  expect(text).toContain('50.0%');
  expect(text).toContain('62.5%');
  const svg = tsimUtilizationSvg(report);
  expect(svg).toMatch(/^<svg /);
  expect(svg).toContain('a&lt;b');
  expect(svg.trim().endsWith('</svg>')).toBe(true);
  // Axis titles, and a legend saying what the bar, the dashed outline and the red target line are.
  expect(svg).toContain('GEMM utilization = MACs per cycle / peak MACs per cycle');
  expect(svg).toContain('workload (DRAM bus width)');
  expect(svg).toMatch(/bus bound: .*DRAM byte/);
  expect(svg).toMatch(/target: the utilization .* \(90% of peak\)/);
  expect(svg.match(/>\d+%<\/text>/g)).toHaveLength(11);
});

test('the baseline-flags build is a different cache entry of the same sources', () => {
  const spec = { name: 'x', top: 'T', verilog: [{ name: 'T.v', text: 'module T; endmodule' }], cpp: [], kind: 'lib' as const };
  expect(buildHash({ ...spec, flagSet: 'baseline' })).not.toBe(buildHash(spec));
  expect(buildHash({ ...spec, flagSet: 'tuned' })).toBe(buildHash(spec));
});
