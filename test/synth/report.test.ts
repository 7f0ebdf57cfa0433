// The synthesis report built from yosys outputs (no yosys run here): hierarchy roll-up, per-family cell
// counting, the memory table (replicas from mapped cell names), the fit against a board, parse errors.

import { boardByName } from '../../hw/boards/boards';
import { DEFAULT_CONFIG_JSON, deriveConfig, withOverrides } from '../../hw/vta/config';
import { emitRtl } from '../../gen/rtl';
import { FAMILIES } from '../../scripts/synth/families';
import { analyse, declaredMemories, fitReport, parseStat, ReportParseError } from '../../scripts/synth/report';

const STAT = JSON.stringify({
  modules: {
    '\\Top': { num_cells_by_type: { Child: 2, FDRE: 10, LUT6: 4, BUFG: 1 }, estimated_num_lc: 4 },
    '\\Child': { num_cells_by_type: { DSP48E1: 3, RAMB36E1: 2, RAMB18E1: 1, RAM32M: 1, FDRE: 5 }, estimated_num_lc: 7 },
  },
  design: { num_cells_by_type: { DSP48E1: 6, RAMB36E1: 4, RAMB18E1: 2, RAM32M: 2, FDRE: 20, LUT6: 4, BUFG: 1 }, estimated_num_lc: 18 },
});
const VERILOG = [
  {
    text:
      'module Child(input clk);\n  reg  [71:0] acc_mem [0:1023];\n  always @(posedge clk) begin\n    acc_mem[a] <= d;\n    q0 <= acc_mem[r0];\n    q1 <= acc_mem[r1];\n  end\nendmodule\n' +
      'module Top(input clk);\nendmodule\n',
  },
];

test('totals, per module (rolled up, with instance counts) and the memory table', () => {
  const r = analyse({
    family: FAMILIES.xc7,
    top: 'Top',
    statText: STAT,
    declared: declaredMemories(VERILOG),
    memoryCellLists: { RAMB36E1: 'Child/acc_mem.0.0\nChild/acc_mem.1.0\n', RAMB18E1: 'Child/acc_mem.1.1\n', RAM32M: 'Child/other.0.0\n' },
  });
  expect(r.resources).toEqual({ lut: 18, ff: 20, dsp: 6, bram36: 5, lutram: 8, uram: 0 });
  const child = r.perModule.find((m) => m.module === 'Child')!;
  expect(child.instances).toBe(2);
  expect(child.self).toEqual({ lut: 7, ff: 5, dsp: 3, bram36: 2.5, lutram: 4, uram: 0 });
  const top = r.perModule.find((m) => m.module === 'Top')!;
  expect(top.total.dsp).toBe(6);
  expect(top.total.ff).toBe(20);
  expect(r.memories).toEqual([
    {
      module: 'Child',
      name: 'acc_mem',
      depth: 1024,
      width: 72,
      bits: 73728,
      readPorts: 2,
      writePorts: 1,
      instances: 2,
      mappedTo: { RAMB36E1: 2, RAMB18E1: 1 },
      replicas: 2,
    },
  ]);
});

test('Cyclone V counts DSP blocks (one 27x27, two 18x18 or three 9x9 each) and M10K', () => {
  const r = FAMILIES.cyclonev.tally({ MISTRAL_MUL9X9: 256, MISTRAL_MUL27X27: 1, MISTRAL_M10K: 12, MISTRAL_ALUT6: 5, MISTRAL_ALUT_ARITH: 3, MISTRAL_FF: 9 });
  expect(r).toEqual({ lut: 8, ff: 9, dsp: 87, bram36: 12, lutram: 0, uram: 0 });
});

test('fit: ok only if every budgeted resource is within the board', () => {
  const pynq = boardByName('pynq-z1');
  const ok = fitReport({ lut: 15000, ff: 9000, dsp: 128, bram36: 116, lutram: 100, uram: 0 }, pynq)!;
  expect(ok.ok).toBe(true);
  expect(ok.bram36).toEqual({ used: 116, budget: 140, pct: 82.86, unit: 'RAMB36' });
  const over = fitReport({ lut: 15000, ff: 9000, dsp: 256, bram36: 144.5, lutram: 100, uram: 0 }, pynq)!;
  expect(over.ok).toBe(false);
  expect(over.dsp?.pct).toBe(116.36);
  expect(fitReport({ lut: 1, ff: 1, dsp: 1, bram36: 1, lutram: 0, uram: 3 }, boardByName('ultra96'))!.ok).toBe(false);
  expect(fitReport({ lut: 1, ff: 1, dsp: 1, bram36: 1, lutram: 0, uram: 0 }, null)).toBeNull();
});

test('malformed statistics are one clear error naming the file', () => {
  expect(() => parseStat('{', 'x/stat.json')).toThrow(ReportParseError);
  expect(() => parseStat('{', 'x/stat.json')).toThrow(/^x\/stat.json: not JSON/);
  expect(() => parseStat('{"modules": {}}')).toThrow('stat.json: no "design" totals (stat must be run with -top)');
  expect(() => parseStat('[]')).toThrow('no "modules" object');
});

test('the generated core declares its scratchpads; ALU initiation interval 2 leaves ACC one read port', () => {
  const mems = (o: object) => declaredMemories(emitRtl(deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, o), 't')).files);
  const acc = (o: object) => mems(o).find((m) => m.name === 'acc_mem')!;
  expect(acc({})).toMatchObject({ depth: 2048, width: 512, readPorts: 2, writePorts: 1 });
  expect(acc({ ALU_INITIATION_INTERVAL: 2 })).toMatchObject({ depth: 2048, width: 512, readPorts: 1, writePorts: 1 });
  expect(mems({}).find((m) => m.name === 'wgt_mem')).toMatchObject({ depth: 1024, width: 2048, readPorts: 1 });
});
