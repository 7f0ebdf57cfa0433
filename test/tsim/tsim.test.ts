// TSIM infrastructure tests with the fixture core (test/tsim/fixture-core.v, a test fixture, not VTA).

import { existsSync, mkdtempSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { IllegalInstructionError, MemoryAccessError } from '../../sim/device';
import { buildTsim, TsimBuild } from '../../sim/tsim/build';
import { TsimDevice } from '../../sim/tsim/device';
import { CoreError, CycleLimitError, DramFaultError, WatchdogError } from '../../sim/tsim/errors';
import { corePorts } from '../../hw/vta/ports';
import { tsimShellVerilog } from '../../sim/tsim/shell';
import { configWithBus, FIXTURE_DST_OFFSET, FIXTURE_TOP, fixtureCycles, fixtureText, fixtureVerilog } from './fixture';

const cfg = configWithBus(64);
const quiet = () => undefined;
const MiB = 1024 * 1024;

let lib: TsimBuild;
beforeAll(async () => {
  lib = await buildTsim({ cfg, core: { top: FIXTURE_TOP, verilog: fixtureVerilog(64) }, log: quiet });
}, 300_000);

function open(options: ConstructorParameters<typeof TsimDevice>[2] = {}): TsimDevice {
  return new TsimDevice(cfg, lib.artifact, { dramBytes: 4 * MiB, checkPrograms: false, ...options });
}

/** Fills `insns` x 16 bytes at `addr` with distinct 64-bit words; returns them. */
function fill(dev: TsimDevice, addr: number, insns: number, seed = 1n): bigint[] {
  const words: bigint[] = [];
  const bytes = new Uint8Array(insns * 16);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < insns * 2; i++) {
    const w = ((BigInt(i) * 0x9e3779b97f4a7c15n + seed) & 0x00ffffffffffffffn) | 0x0100000000000000n;
    words.push(w);
    dv.setBigUint64(8 * i, w, true);
  }
  dev.write(addr, bytes);
  return words;
}

function readWords(dev: TsimDevice, addr: number, count: number): bigint[] {
  const b = dev.read(addr, count * 8);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: count }, (_, i) => dv.getBigUint64(8 * i, true));
}

test('the fixture has exactly the contract ports and the shell instantiates them all', () => {
  const header = fixtureText()
    .split(/module\s+TsimFixtureCore\s*\(/)[1]
    .split(');')[0];
  const declared = [...header.matchAll(/(input|output)\s+(?:wire|reg)\s+(?:\[([^\]]+)\]\s*)?(\w+)/g)].map((m) => m[3]);
  expect(declared).toEqual(corePorts(cfg).map((p) => p.name));
  const shell = tsimShellVerilog(cfg, { core: FIXTURE_TOP });
  for (const p of corePorts(cfg)) expect(shell).toContain(`.${p.name}(${p.name})`);
  expect(shell).toContain('import "DPI-C" function void tsim_mem_tick');
  expect(shell).toContain('import "DPI-C" function void tsim_host_tick');
  expect(() => corePorts({ busBits: 32 })).toThrow(/64, 128, 256, 512/);
});

test('data round-trips through the shared DRAM and the cycle count is the predicted one', async () => {
  const dev = open();
  try {
    const src = dev.alloc(64 * 16);
    dev.alloc(0x10000); // keep src + 0x10000 inside what we own
    const words = fill(dev, src, 64);
    const r = await dev.run(src, 64);
    expect(readWords(dev, src + FIXTURE_DST_OFFSET, 128)).toEqual(words.map((w) => w + 1n));
    expect(r.cycles).toBe(fixtureCycles(64 * 16, 8, 16, 4));
    expect(r.registers.CONTROL).toBe(2);
    expect(r.registers.DRAM_READ_BYTES).toBe(1024);
    expect(r.counters.outStoreBytes).toBe(1024);
    expect(r.bus).toEqual({ readBursts: 8, readBeats: 128, writeBursts: 8, writeBeats: 128, cross4k: 0 });
    expect(r.simCycles).toBeGreaterThan(r.cycles!);

    // No copy: a write through the view is what the model reads; its writes are visible in the view.
    const view = dev.dramView();
    new DataView(view.buffer, view.byteOffset).setBigUint64(src, 41n, true);
    await dev.run(src, 1);
    expect(new DataView(view.buffer, view.byteOffset).getBigUint64(src + FIXTURE_DST_OFFSET, true)).toBe(42n);
  } finally {
    dev.close();
  }
});

test('the memory knobs change the cycle count exactly as the model says', async () => {
  const dev = open();
  try {
    const src = 0x2000;
    fill(dev, src, 100); // 1600 bytes = 200 beats = 12 bursts of 16 + one of 8
    const base = (await dev.run(src, 100)).cycles!;
    expect(base).toBe(fixtureCycles(1600, 8, 16, 4));
    dev.setMemory({ readLatency: 40 });
    const slow = (await dev.run(src, 100)).cycles!;
    expect(slow - base).toBe(13 * 24);
    dev.setMemory({ readLatency: 16, readInterval: 3, writeLatency: 10 });
    expect((await dev.run(src, 100)).cycles).toBe(fixtureCycles(1600, 8, 16, 10, 3));
    expect(() => dev.setMemory({ readLatency: 0 })).toThrow(/readLatency must be an integer ≥ 1/);
  } finally {
    dev.close();
  }
});

test('an access outside DRAM is a DramFaultError with the address, not a crash; the device recovers', async () => {
  const dev = open({ dramBytes: 256 * 1024 });
  try {
    // The fixture writes to src + 0x10000; with src near the end that lands past DRAM.
    const src = dev.dramBytes - 0x8000;
    fill(dev, src, 4);
    const err = await dev.run(src, 4).catch((e) => e);
    expect(err).toBeInstanceOf(DramFaultError);
    expect(err).toBeInstanceOf(MemoryAccessError);
    expect(err.write).toBe(true);
    expect(err.addr).toBe(src + FIXTURE_DST_OFFSET);
    expect(err.length).toBe(64);
    expect(err.message).toMatch(/AXI write of 64 bytes at 0x00048000 .* past the end of DRAM \(262144 bytes\)/);

    // A read that starts inside and runs past the end.
    const rd = await dev.run(dev.dramBytes - 16, 4).catch((e) => e);
    expect(rd).toBeInstanceOf(DramFaultError);
    expect(rd.write).toBe(false);
    expect(rd.addr).toBe(dev.dramBytes - 16);

    // The next run resets the model and works.
    fill(dev, 0x1000, 4);
    const ok = await dev.run(0x1000, 4);
    expect(ok.registers.CONTROL).toBe(2);
  } finally {
    dev.close();
  }
});

test('the core error register becomes an IllegalInstructionError at the right index', async () => {
  const dev = open();
  try {
    fill(dev, 0x1000, 8);
    dev.write(0x1000 + 5 * 16 + 8, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0xff]));
    const err = await dev.run(0x1000, 8).catch((e) => e);
    expect(err).toBeInstanceOf(IllegalInstructionError);
    expect(err.index).toBe(5);
  } finally {
    dev.close();
  }
});

test('a core that stops making progress trips the watchdog with what the core exposes', async () => {
  const dev = open({ watchdogCycles: 5000 });
  try {
    fill(dev, 0x1000, 40);
    dev.write(0x1000 + 20 * 16, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0xee])); // the fixture hangs here
    const t0 = Date.now();
    const err = await dev.run(0x1000, 40).catch((e) => e);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(WatchdogError);
    expect(err.idleCycles).toBe(5000);
    expect(err.progress).toBe(2); // bursts completed before the hang (16 beats = 8 instructions each)
    expect(err.state >>> 31).toBe(1); // the fixture's hang flag
    expect(err.registers.INSN_COUNT).toBe(40);
    expect(err.message).toMatch(
      /watchdog: the core made no progress for 5000 cycles .*debug_progress stuck at 0x2\).*debug_state = 0x80000006; 0 read \/ 0 write bursts outstanding; registers CONTROL=1 INSN_COUNT=40/,
    );

    // A cycle limit is a different error.
    const lim = await dev.run(0x1000, 40, { maxCycles: 100, watchdogCycles: 0 }).catch((e) => e);
    expect(lim).toBeInstanceOf(CycleLimitError);
    expect(lim.message).toMatch(/did not finish within 100 cycles/);

    fill(dev, 0x1000, 40);
    expect((await dev.run(0x1000, 40)).registers.CONTROL).toBe(2);
  } finally {
    dev.close();
  }
});

test('$stop in the core ends the run with an error, not the process', async () => {
  const dev = await TsimDevice.build(cfg, {
    core: { top: FIXTURE_TOP, verilog: fixtureVerilog(64, ['FIXTURE_STOP_ON_LAUNCH']) },
    dramBytes: 4 * MiB,
    log: quiet,
    checkPrograms: false,
  });
  try {
    fill(dev, 0x1000, 4);
    await expect(dev.run(0x1000, 4)).rejects.toThrow(/the model executed \$stop at .*fixture_core\.v:\d+/);
    await expect(dev.run(0x1000, 4)).rejects.toBeInstanceOf(CoreError);
  } finally {
    dev.close();
  }
}, 300_000);

test('two devices on one library keep separate state', async () => {
  const a = open();
  const b = open({ memory: { readLatency: 50 } });
  try {
    const wa = fill(a, 0x1000, 16, 7n);
    const wb = fill(b, 0x1000, 16, 99n);
    const [ra, rb] = [await a.run(0x1000, 16), await b.run(0x1000, 16)];
    expect(readWords(a, 0x11000, 32)).toEqual(wa.map((w) => w + 1n));
    expect(readWords(b, 0x11000, 32)).toEqual(wb.map((w) => w + 1n));
    expect(rb.cycles! - ra.cycles!).toBe(2 * 34);
  } finally {
    a.close();
    b.close();
  }
});

test('wide buses carry every byte lane (128 and 512 bits)', async () => {
  for (const bus of [128, 512]) {
    const c = configWithBus(bus);
    const dev = await TsimDevice.build(c, { core: { top: FIXTURE_TOP, verilog: fixtureVerilog(bus) }, dramBytes: 4 * MiB, log: quiet, checkPrograms: false });
    try {
      const words = fill(dev, 0x3000, 64);
      const r = await dev.run(0x3000, 64);
      expect(readWords(dev, 0x13000, 128)).toEqual(words.map((w) => w + 1n));
      expect(r.cycles).toBe(fixtureCycles(1024, bus / 8, 16, 4));
      expect(r.bus.readBeats).toBe(1024 / (bus / 8));
    } finally {
      dev.close();
    }
  }
}, 300_000);

test('tracing writes a non-empty FST limited to a cycle window; untraced libraries say how to get one', async () => {
  const plain = open();
  const dir = mkdtempSync(join(tmpdir(), 'vta-tsim-'));
  try {
    fill(plain, 0x1000, 4);
    await expect(plain.run(0x1000, 4, { trace: { path: join(dir, 'x.fst') } })).rejects.toThrow(/built without tracing .*trace: 'fst'/);
  } finally {
    plain.close();
  }
  const dev = await TsimDevice.build(cfg, {
    core: { top: FIXTURE_TOP, verilog: fixtureVerilog(64) },
    trace: 'fst',
    dramBytes: 4 * MiB,
    log: quiet,
    checkPrograms: false,
  });
  try {
    fill(dev, 0x1000, 32);
    const full = join(dir, 'full.fst');
    const part = join(dir, 'part.fst');
    const r = await dev.run(0x1000, 32, { trace: { path: full } });
    await dev.run(0x1000, 32, { trace: { path: part, fromCycle: 100, toCycle: 120 } });
    expect(existsSync(full) && existsSync(part)).toBe(true);
    expect(statSync(full).size).toBeGreaterThan(500);
    expect(statSync(part).size).toBeGreaterThan(100);
    expect(statSync(part).size).toBeLessThan(statSync(full).size);
    expect(r.cycles).toBe(fixtureCycles(512, 8, 16, 4));
  } finally {
    dev.close();
  }
}, 300_000);

test('builds are cached by content: the second build of the same design is instant', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'vta-tsim-cache-'));
  const spec = { cfg, core: { top: FIXTURE_TOP, verilog: fixtureVerilog(64) }, cacheDir, log: quiet };
  const first = await buildTsim(spec);
  expect(first.cached).toBe(false);
  const t0 = Date.now();
  const again = await buildTsim(spec);
  expect(again.cached).toBe(true);
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(again.artifact).toBe(first.artifact);
  const other = await buildTsim({ ...spec, trace: 'vcd' as const });
  expect(other.hash).not.toBe(first.hash);
}, 300_000);

test('clock-loop throughput with the fixture (simulated cycles per second)', async () => {
  const dev = open({ dramBytes: 8 * MiB });
  try {
    const insns = 65536; // 1 MiB copied: 131072 beats each way
    fill(dev, 0x100000, insns);
    const r = await dev.run(0x100000, insns);
    process.stdout.write(
      `tsim fixture throughput: ${r.simCycles} cycles in ${(r.simCycles / r.simCyclesPerSecond).toFixed(3)} s = ` +
        `${(r.simCyclesPerSecond / 1e6).toFixed(2)} M cycles/s\n`,
    );
    expect(r.cycles).toBe(fixtureCycles(insns * 16, 8, 16, 4));
    expect(r.simCyclesPerSecond).toBeGreaterThan(200_000);
  } finally {
    dev.close();
  }
}, 120_000);
