// yosys (WebAssembly, worker thread) on small modules only: a 1x4x4 GEMM core with two int8 products per
// DSP, a 4-lane ALU and a two-read-port memory, in one run. Checks the DSP packing (8 DSP48E1 for 16
// products), the replicated memory, per-module costs, the clock estimate of the mapped netlist (and the
// same estimate again from the cache's gzipped netlist), the cache, and a yosys failure naming its log.

import { mkdtempSync, existsSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { emitVerilog } from '../../hw/dsl';
import { DEFAULT_CONFIG_JSON, deriveConfig, withOverrides } from '../../hw/vta/config';
import { VtaComputeUnits } from '../../hw/vta/core/compute-units';
import { synthesize, SynthFailure } from '../../scripts/synth/synthesize';

jest.setTimeout(600_000);

const cfg = deriveConfig(
  withOverrides(DEFAULT_CONFIG_JSON, {
    LOG_BLOCK: 2,
    LOG_UOP_BUFF_SIZE: 10,
    LOG_INP_BUFF_SIZE: 10,
    LOG_WGT_BUFF_SIZE: 10,
    LOG_ACC_BUFF_SIZE: 10,
    GEMM_DSP_PACKING: 2,
  }),
  'small',
);
// GemmCore and TensorAlu side by side, every port passed through (so nothing is optimised away).
const units = (() => {
  const out = emitVerilog(new VtaComputeUnits(cfg));
  return { top: out.top, files: out.order.map((name) => ({ name, text: out.files.get(name)! })) };
})();
const MEM = `module AccLike(input clk, input we, input [9:0] wa, ra, rb, input [71:0] wd, output reg [71:0] qa, qb);
  reg  [71:0] acc_mem [0:1023];
  always @(posedge clk) begin
    if (we) acc_mem[wa] <= wd;
    qa <= acc_mem[ra];
    qb <= acc_mem[rb];
  end
endmodule
`;

let cacheDir: string;
beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'vta-synth-test-'));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

test('a 1x4x4 GEMM core and a 4-lane ALU on xc7: two products per DSP, per module, then from the cache', async () => {
  const lines: string[] = [];
  const r = await synthesize({ cfg, design: units, board: 'pynq-z1', cacheDir, progress: (l) => lines.push(l) });
  expect(r.cached).toBe(false);
  expect(lines.some((l) => /Executing|frontend|SYNTH_XILINX/i.test(l) || /^yosys /.test(l))).toBe(true);
  expect(r.family).toBe('xc7');
  expect(r.part).toBe('xc7z020clg400-1');
  const gemm = r.perModule.find((m) => m.module.startsWith('GemmCore_1x4x4'))!;
  expect(gemm.module).toMatch(/_pk2$/);
  expect(gemm.total.dsp).toBe(8); // 16 int8 products, two per DSP48E1
  const alu = r.perModule.find((m) => m.module.startsWith('TensorAlu_1x4'))!;
  expect(alu.total.lut).toBeGreaterThan(100);
  expect(alu.total.dsp).toBe(0);
  expect(r.resources.dsp).toBe(8);
  expect(r.resources.ff).toBeGreaterThan(0);
  expect(r.fit?.ok).toBe(true);
  expect(existsSync(r.logPath)).toBe(true);

  // The clock estimate: a real critical path between named registers, per module too.
  expect(r.script).toContain('write_blif -param -cname netlist.blif');
  const t = r.timing!;
  expect(t.fmaxMHz).toBeGreaterThan(50);
  expect(t.fmaxMHz).toBeLessThan(1000);
  expect(t.levels).toBeGreaterThan(0);
  expect(t.from).not.toMatch(/^(net \d+|no path)?$/);
  expect(t.to).not.toMatch(/^(net \d+|no path)?$/);
  expect(t.fmaxRangeMHz[0]).toBeLessThan(t.fmaxMHz);
  expect(t.unknownCells).toEqual({});
  expect(t.model).toMatch(/prjxray-db Artix-7 -1/);
  expect(gemm.timing!.fmaxMHz).toBeGreaterThanOrEqual(t.fmaxMHz);
  expect(alu.timing!.levels).toBeGreaterThan(0);

  const again = await synthesize({ cfg, design: units, family: 'xc7', cacheDir });
  expect(again.cached).toBe(true);
  expect(again.resources).toEqual(r.resources);
  expect(again.timing).toEqual(r.timing);
  expect(again.board).toBeNull();
  expect(again.fit).toBeNull();
});

test('a memory with two read ports is replicated into two block RAMs', async () => {
  const r = await synthesize({ cfg, design: { top: 'AccLike', files: [{ name: 'acc_like.v', text: MEM }] }, family: 'xc7', cacheDir });
  const mem = r.memories.find((m) => m.name === 'acc_mem')!;
  expect(mem).toMatchObject({ module: 'AccLike', depth: 1024, width: 72, readPorts: 2, writePorts: 1, replicas: 2 });
  expect(r.resources.bram36).toBe(4); // 1K x 72 is two RAMB36 (1K x 36 each), once per read port
});

test('a yosys error is one line naming the log, which is kept', async () => {
  const design = { top: 'Broken', files: [{ name: 'broken.v', text: 'module Broken(input a, output b);\n  assign b = a +;\nendmodule\n' }] };
  const err = await synthesize({ cfg, design, family: 'xc7', cacheDir }).catch((e) => e);
  expect(err).toBeInstanceOf(SynthFailure);
  expect(err.message).toMatch(/^yosys failed: .*broken\.v.*; log: .*yosys\.log$/);
  expect(existsSync(err.logPath)).toBe(true);
});
