// The DE10-Nano board shell simulated: TSIM drives the shell's AXI names (ap_clk, ap_rst_n, s_axi_control_*,
// m_axi_gmem_* as an AXI3 master with 4-bit lengths, so no burst can exceed 16 beats) through a thin
// adapter, and the board runtime's register-level driver (sim/driver, the code that programs a real board's
// registers) launches, polls and reads the counters. Every conformance vector of the default configuration
// passes (the preset changes timing, not semantics); errors and timeouts come back as the same DeviceErrors TSIM raises.

import { readdirSync } from 'fs';
import { join } from 'path';
import { boardByName } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { deriveConfig, VtaConfigJson, withOverrides } from '../../hw/vta/config';
import { boardShellFiles, shellPlan, shellSimAdapterVerilog } from '../../hw/boards/shell';
import { build, encodeProgram } from '../../hw/vta/isa';
import { emitRtl } from '../../gen/rtl';
import { IllegalInstructionError } from '../../sim/device';
import type { RegisterDevice } from '../../sim/driver/register-device';
import { DeviceTimeoutError } from '../../sim/driver/registers';
import { tsimRegisterDevice } from '../../sim/driver/tsim-port';
import { TsimDevice } from '../../sim/tsim/device';
import { initialDram, loadVector, skipReason } from '../../sim/vector';
import { boardConfig } from './helpers';

jest.setTimeout(900_000);

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const board = boardByName('de10-nano');
const cfg = boardConfig('de10-nano');
let tsim: TsimDevice;
let dev: RegisterDevice;

beforeAll(async () => {
  const rtl = emitRtl(cfg);
  const plan = shellPlan(board, cfg, board.clockMhz);
  expect(plan).toMatchObject({ protocol: 'AXI3', maxBurst: 16, split: true, lenBits: 4 });
  const verilog = [...rtl.files, ...boardShellFiles(plan, rtl.top, 'vta-ts test'), { name: 'VtaShellSimAdapter.v', text: shellSimAdapterVerilog(plan) }];
  tsim = await TsimDevice.build(cfg, { core: { top: 'VtaShellSimAdapter', verilog }, dramBytes: 64 << 20, log: () => undefined });
  dev = tsimRegisterDevice(tsim, { maxCycles: 5_000_000 });
});

afterAll(() => dev?.close());

const files = readdirSync(VECTORS)
  .filter((f) => f.startsWith('default__') && f.endsWith('.json'))
  .sort();

test.each(files)('%s through the DE10-Nano shell and the board driver', async (file) => {
  const v = loadVector(join(VECTORS, file));
  // The vectors are VTA's default configuration; with the DE10-Nano preset applied they are this core.
  expect(deriveConfig(withOverrides(v.configJson as unknown as VtaConfigJson, boardPreset(board))).hash).toBe(cfg.hash);
  if (skipReason(v) !== null) return;
  dev.loadImage(initialDram(v));
  const r = await dev.run(v.insnAddr, v.insnCount);
  let mismatches = 0;
  for (const blob of v.expect) {
    const got = dev.read(blob.addr, blob.data.length);
    for (let k = 0; k < got.length; k++) if (got[k] !== blob.data[k]) mismatches++;
  }
  expect({ file, mismatches }).toEqual({ file, mismatches: 0 });
  // The driver read the counters the hardware kept.
  expect(r.cycles).toBeGreaterThan(0);
  expect(r.counters.loadInsns + r.counters.computeInsns + r.counters.storeInsns).toBeGreaterThan(0);
});

test('an illegal instruction comes back as IllegalInstructionError with its index', async () => {
  dev.loadImage(new Uint8Array(1 << 16));
  const program = encodeProgram(cfg, [{ op: 'UNKNOWN', opcode: 6, popPrev: false, popNext: false, pushPrev: false, pushNext: false }, build.finish({})]);
  dev.write(0x1000, program);
  const err = await dev.run(0x1000, 2).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(IllegalInstructionError);
  expect((err as IllegalInstructionError).index).toBe(0);
});

test("a program that never finishes times out with each stage's wait", async () => {
  dev.loadImage(new Uint8Array(1 << 16));
  // GEMM waits for a token from load that is never pushed.
  dev.write(0x1000, encodeProgram(cfg, [build.gemm({ popPrev: true, uopBgn: 0, uopEnd: 1 }), build.finish({})]));
  const small = tsimRegisterDevice(tsim, { maxCycles: 20_000, closeModel: false });
  const err = await small.run(0x1000, 2).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeviceTimeoutError);
  expect((err as DeviceTimeoutError).message).toMatch(/did not finish within 20000 cycles.*compute waits at instruction 0 for a token in l2g/);
});
