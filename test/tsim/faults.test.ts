// Bad programs on the TSIM core give fsim's verdict (issue 10, sections 1-3): DMA addresses past DRAM or
// past 2^32, SRAM indices (strict, and identical wrapping with strict off), no stray DRAM writes after an
// error, faults that name the instruction, missing FINISH, illegal words after FINISH, misaligned programs,
// long legal instructions under the watchdog, micro-op ranges and the work budget.

import { spawnSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { deriveConfig, DEFAULT_CONFIG_JSON, MEM_TYPE } from '../../hw/vta/config';
import { ALU_OPCODE, build, decodeInsn, encodeInsn, encodeProgram, Insn, INSN_BYTES } from '../../hw/vta/isa';
import { DeadlockError, Device, DeviceArgumentError, MemoryAccessError, RunOptions, WorkBudgetError } from '../../sim/device';
import { FunctionalSimulator } from '../../sim/fsim';
import { openDevice, OpenedDevice } from '../../sim/targets';
import { CycleLimitError, DramFaultError } from '../../sim/tsim/errors';
import type { TsimRunOptions } from '../../sim/tsim/device';
import { initialDram, loadVector } from '../../sim/vector';
import { replay } from '../../sim/replay';

jest.setTimeout(900_000);

const cfg = deriveConfig(DEFAULT_CONFIG_JSON);
const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const gemm444 = loadVector(join(VECTORS, 'default__tl_gemm_4x4x4_s111.json'));
const DRAM = Math.ceil(gemm444.dramBytes / 4096) * 4096;

let tsim: OpenedDevice;
let fsim: FunctionalSimulator;
beforeAll(async () => {
  tsim = await openDevice('tsim', cfg, { dramBytes: DRAM, log: () => undefined });
  fsim = new FunctionalSimulator(cfg, { dramBytes: DRAM });
});
afterAll(() => tsim?.close?.());

/** The vector's image with instruction `i` changed by `edit`. */
function edited(i: number, edit: (insn: Insn) => Insn): Uint8Array {
  const image = new Uint8Array(DRAM);
  image.set(initialDram(gemm444));
  const at = gemm444.insnAddr + i * INSN_BYTES;
  encodeInsn(cfg, edit(decodeInsn(cfg, image, at)), image, at);
  return image;
}

interface Outcome {
  error: Error | null;
  dram: Uint8Array;
  warnings: string[];
}

async function runOn(dev: Device, image: Uint8Array, insnAddr: number, insnCount: number, options: TsimRunOptions = {}): Promise<Outcome> {
  dev.loadImage(image);
  try {
    const r = await dev.run(insnAddr, insnCount, options);
    return { error: null, dram: dev.read(0, DRAM), warnings: r.warnings };
  } catch (e) {
    return { error: e as Error, dram: dev.read(0, DRAM), warnings: [] };
  }
}

async function both(image: Uint8Array, insnCount = gemm444.insnCount, options: RunOptions = {}, insnAddr = gemm444.insnAddr) {
  return { f: await runOn(fsim, image, insnAddr, insnCount, options), t: await runOn(tsim, image, insnAddr, insnCount, options) };
}

function changedBytes(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) n++;
  return n;
}

test('a STORE whose DRAM address passes 2^32 faults on TSIM as on fsim (it used to wrap and pass)', async () => {
  const image = edited(5, (s) => ({ ...s, dramBase: (s as { dramBase: number }).dramBase + 2 ** 28 }) as Insn);
  const { f, t } = await both(image);
  expect(f.error).toBeInstanceOf(MemoryAccessError);
  expect(t.error).toBeInstanceOf(MemoryAccessError);
  expect(t.error!.message).toBe(f.error!.message);
  expect(t.error!.message).toMatch(/^instruction 5: STORE writes DRAM bytes/);
  expect(changedBytes(t.dram, image)).toBe(0);
});

test('a STORE running past DRAM changes no byte on TSIM (it used to write 5,831 stray bytes first)', async () => {
  const image = edited(5, (s) => ({ ...s, dramBase: 256, ySize: 2000 }) as Insn);
  const { f, t } = await both(image);
  expect(f.error).toBeInstanceOf(MemoryAccessError);
  expect(t.error?.name).toBe(f.error!.name);
  expect((t.error as MemoryAccessError).index).toBe(5);
  expect(changedBytes(f.dram, image)).toBe(0);
  expect(changedBytes(t.dram, image)).toBe(0);
});

test('without the program check, the bus fault names the STORE and its index (not only the AXI address)', async () => {
  const image = edited(5, (s) => ({ ...s, dramBase: 256, ySize: 2000 }) as Insn);
  const t = await runOn(tsim, image, gemm444.insnAddr, gemm444.insnCount, { precheck: false });
  expect(t.error).toBeInstanceOf(DramFaultError);
  const e = t.error as DramFaultError;
  expect([e.index, e.source.kind, e.write]).toEqual([5, 'STORE', true]);
  expect(e.message).toMatch(/^instruction 5 \(STORE\): DRAM fault at cycle \d+: AXI write .* past the end of DRAM .*\(STORE/);
  // Without the check, rows before the faulting one did land (the bus cannot see the rest of the STORE coming):
  // that is why TSIM checks every program first.
  expect(changedBytes(t.dram, image)).toBeGreaterThan(0);
});

test('an INP index past the buffer: the same MemoryAccessError in strict mode; identical wrapping with strict off', async () => {
  const image = edited(3, (l) => ({ ...l, sramBase: cfg.tensor.inp.depth }) as Insn);
  const strict = await both(image);
  expect(strict.f.error).toBeInstanceOf(MemoryAccessError);
  expect(strict.t.error?.message).toBe(strict.f.error!.message);
  expect(strict.t.error!.message).toMatch(/^instruction 3: LOAD INP SRAM index \d+ is past the end of the buffer/);
  const loose = await both(image, gemm444.insnCount, { strict: false });
  expect([loose.f.error, loose.t.error]).toEqual([null, null]);
  expect(changedBytes(loose.t.dram, loose.f.dram)).toBe(0);
});

test('a micro-op range past the UOP buffer is an error naming the GEMM on both targets', async () => {
  const image = edited(4, (g) => ({ ...g, uopEnd: cfg.tensor.uop.depth + 1 }) as Insn);
  const { f, t } = await both(image);
  expect(f.error).toBeInstanceOf(MemoryAccessError);
  expect(t.error?.message).toBe(f.error!.message);
  expect(t.error!.message).toMatch(/^instruction 4: micro-op index \d+ is past the end/);
});

test('leftover tokens and instructions after FINISH give the same warnings on TSIM as on fsim', async () => {
  // GEMM also pushes g2l, which nobody pops; an illegal word follows FINISH.
  const image = edited(4, (g) => ({ ...g, pushPrev: true }));
  image.set([5, 0, 0, 0], gemm444.insnAddr + gemm444.insnCount * INSN_BYTES);
  const { f, t } = await both(image, gemm444.insnCount + 1);
  expect([f.error, t.error]).toEqual([null, null]);
  expect(f.warnings).toContain('tokens left in queues after FINISH: g2l=1');
  expect(f.warnings).toContain('1 instruction(s) after FINISH (index 6) were not executed');
  expect(t.warnings.sort()).toEqual(f.warnings.sort());
});

test('a program without FINISH is reported as such on both targets', async () => {
  const image = edited(6, () => build.load({ memType: MEM_TYPE.INP, xSize: 0, popNext: false }));
  const { f, t } = await both(image);
  expect(f.error).toBeInstanceOf(DeadlockError);
  expect(t.error?.message).toBe(f.error!.message);
  expect(t.error!.message).toMatch(/^no FINISH: all 7 instructions ran and none was FINISH/);
});

test('a misaligned instruction address is refused on both targets', async () => {
  const image = new Uint8Array(DRAM);
  image.set(initialDram(gemm444));
  const { f, t } = await both(image, gemm444.insnCount, {}, gemm444.insnAddr + 8);
  expect(f.error).toBeInstanceOf(DeviceArgumentError);
  expect(t.error?.message).toBe(f.error!.message);
  expect(t.error!.message).toMatch(/insnAddr \d+ \(0x[0-9a-f]+\) is not 16-byte aligned/);
});

test('a long legal ALU instruction is progress for the watchdog, not a hang', async () => {
  // 120x120 iterations without a retired instruction: the old watchdog (retirements only) stops it at 5,000 cycles.
  const insns: Insn[] = [build.alu({ aluOp: ALU_OPCODE.ADD, useImm: true, imm: 1, uopBgn: 0, uopEnd: 1, iterOut: 120, iterIn: 120 }), build.finish()];
  const image = new Uint8Array(DRAM);
  image.set(encodeProgram(cfg, insns), 0x1000);
  const t = await runOn(tsim, image, 0x1000, insns.length, { watchdogCycles: 5000 });
  expect(t.error).toBeNull();
});

test('the work budget: a 16383x16383 GEMM is refused at once on both targets, naming the instruction', async () => {
  const image = edited(4, (g) => ({ ...g, iterOut: 16383, iterIn: 16383 }) as Insn);
  const t0 = Date.now();
  const { f, t } = await both(image);
  expect(Date.now() - t0).toBeLessThan(20_000);
  expect(f.error).toBeInstanceOf(WorkBudgetError);
  expect(t.error?.message).toBe(f.error!.message);
  expect(f.error!.message).toMatch(
    /^instruction 4: GEMM of 64 micro-op\(s\) x 16383 x 16383 iterations = 17177772096 micro-ops exceeds the run's work budget .*--max-uops/,
  );
  // Raised, fsim runs it (a smaller loop nest keeps the test quick).
  const small = edited(4, (g) => ({ ...g, iterOut: 1, iterIn: 2 }) as Insn);
  expect((await both(small, gemm444.insnCount, { maxUops: 100 })).f.error).toBeInstanceOf(WorkBudgetError);
  expect((await both(small, gemm444.insnCount, { maxUops: 128 })).t.error).toBeNull();
});

test('the TSIM cycle budget stops a run with the instruction each stage is at', async () => {
  const image = edited(4, (g) => ({ ...g, iterOut: 30, iterIn: 30 }) as Insn);
  const t = await runOn(tsim, image, gemm444.insnAddr, gemm444.insnCount, { maxCycles: 3000 });
  expect(t.error).toBeInstanceOf(CycleLimitError);
  expect(t.error).toBeInstanceOf(WorkBudgetError);
  expect((t.error as CycleLimitError).index).toBe(4);
  expect(t.error!.message).toMatch(/did not finish within 3000 cycles \(its cycle budget\): .*compute at instruction 4 \(GEMM/);
});

test("a TSIM mismatch is reported as TSIM's, with the fsim re-run that names STOREs labelled (its error no longer replaces it)", async () => {
  // A STORE writes the bytes a later LOAD UOP reads: the program check cannot know those micro-ops, TSIM runs
  // the GEMM (wrapping its index, as hardware does) while fsim's strict mode stops at it.
  const insns: Insn[] = [
    build.load({ memType: MEM_TYPE.UOP, dramBase: 0x3000 / 4, xSize: 1, ySize: 1, xStride: 1 }),
    build.alu({ aluOp: ALU_OPCODE.ADD, useImm: true, imm: 4, uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 1, pushNext: true }),
    build.store({ memType: MEM_TYPE.OUT, dramBase: 0x2000 / 16, xSize: 1, ySize: 1, xStride: 1, popPrev: true, pushPrev: true }),
    build.load({ memType: MEM_TYPE.UOP, sramBase: 1, dramBase: 0x2000 / 4, xSize: 1, ySize: 1, xStride: 1, popNext: true }),
    build.gemm({ uopBgn: 1, uopEnd: 2, iterOut: 2, iterIn: 1, dstFactorOut: 1024 }),
    build.finish(),
  ];
  const vector = {
    name: 'stored_uops',
    config: gemm444.configJson,
    dram_bytes: 0x4000,
    insn_addr: 0x1000,
    insn_count: insns.length,
    init: [{ addr: 0x1000, data: Buffer.from(encodeProgram(cfg, insns)).toString('base64') }],
    expect: [{ addr: 0x2000, data: Buffer.alloc(16).toString('base64') }],
  };
  const dir = mkdtempSync(join(tmpdir(), 'vta-faults-'));
  const file = join(dir, 'stored_uops.json');
  writeFileSync(file, JSON.stringify(vector));
  const r = await replay(loadVector(file), { target: 'tsim' });
  expect([r.ok, r.target, r.mismatchCount]).toEqual([false, 'tsim', 16]);
  expect(r.run.warnings).toEqual([
    'instruction 4: its micro-ops were loaded from DRAM that a STORE of this run wrote; their SRAM indices are not checked before the run',
  ]);
  expect(r.attributionError).toMatch(
    /^fsim \(re-run to name the STOREs\) failed: MemoryAccessError: instruction 4: GEMM dst \(ACC\) index 2052 is past the end/,
  );
  const cli = spawnSync(process.execPath, ['bin/vta.js', 'run', file, '--target', 'tsim'], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
    timeout: 300_000,
  });
  expect(cli.status).toBe(1);
  expect(cli.stdout).toMatch(/^FAIL stored_uops: 16 byte\(s\) differ on tsim, which ran to FINISH/m);
  expect(cli.stdout).toMatch(/^ {2}fsim \(re-run to name the STOREs\) failed: MemoryAccessError: instruction 4/m);
});
