// The board runtime's Device off the board: `--target pynq` (and the other boards) fails at once with one
// line naming what is missing, from openDevice and from the CLI. (On the board it is the shared register
// driver of sim/driver, which shell-sim.test.ts runs against the RTL.)

import { closeSync, ftruncateSync, openSync, readSync, writeFileSync, writeSync } from 'fs';
import { join } from 'path';
import { deriveConfig, DEFAULT_CONFIG_JSON, withOverrides } from '../../hw/vta/config';
import { checkCoreConfig, checkOnBoard, openBoardDevice } from '../../sim/board/device';
import { mapWindow } from '../../sim/board/mmio';
import { configHashWord, REG } from '../../hw/vta/regs';
import { applyRegisterFields, portWidthFields, setRuntimePortWidths } from '../../sim/board/ps-port-widths';
import { boardByName } from '../../hw/boards/boards';
import { DeviceError } from '../../sim/device';
import { openDevice } from '../../sim/targets';
import { runConvBenchCommand } from '../../sw/bench/command';
import { CommandFailure } from '../../cli/errors';
import { captureIo } from '../gen/util';
import { cleanup, tempDir } from './helpers';

afterAll(cleanup);

const cfg64 = deriveConfig(DEFAULT_CONFIG_JSON);

test.each(['pynq', 'ultra96', 'zcu104', 'de10-nano'])('openDevice(%s) on this machine fails at once with one line', async (target) => {
  const t0 = Date.now();
  const err = await openDevice(target, cfg64, { dramBytes: 1 << 20 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeviceError);
  const message = (err as Error).message;
  expect(message).toMatch(new RegExp(`^--target ${target}: this machine is not a .*; run on the board's Linux, or use --target fsim or tsim$`));
  expect(message).not.toContain('\n');
  expect(Date.now() - t0).toBeLessThan(2000);
});

test('the board check reads the device tree: the right SoC passes, another one is named', () => {
  const dir = tempDir();
  const dt = join(dir, 'compatible');
  writeFileSync(dt, 'tul,pynq-z1\0xlnx,zynq-7000\0');
  expect(() => checkOnBoard('pynq', boardByName('pynq-z1'), dt)).not.toThrow();
  expect(() => checkOnBoard('zcu104', boardByName('zcu104'), dt)).toThrow(/names tul,pynq-z1, xlnx,zynq-7000, not xlnx,zynqmp/);
});

test('on the right SoC without u-dma-buf, the error says how to load it; a wrong bus width is refused first', () => {
  const dir = tempDir();
  const dt = join(dir, 'compatible');
  writeFileSync(dt, 'altr,socfpga-cyclone5-de10nano\0altr,socfpga-cyclone5\0altr,socfpga\0');
  expect(() => openBoardDevice('de10-nano', cfg64, { dramBytes: 1 << 20, deviceTree: dt, env: { VTA_UDMABUF: 'udmabuf-test-absent' } })).toThrow(
    /^no u-dma-buf \/dev\/udmabuf-test-absent: load the module first, e\.g\. sudo insmod u-dma-buf\.ko udmabuf-test-absent=67108864$/,
  );
  const cfg128 = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BUS_WIDTH: 7 }));
  expect(() => openBoardDevice('de10-nano', cfg128, { dramBytes: 1 << 20, deviceTree: dt })).toThrow(
    /the configuration has a 128-bit bus, de10-nano's bitstream a 64-bit one/,
  );
});

test('vta bench conv2d --target pynq off the board: a CommandFailure (exit 1) with that one line', async () => {
  const io = captureIo();
  const err = await runConvBenchCommand(['--target', 'pynq'], io).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CommandFailure);
  expect((err as Error).message).toMatch(/^--target pynq: this machine is not a Digilent PYNQ-Z1 \(Zynq-7020\) /);
});

// A file standing in for /dev/mem: sparse, large enough for the PS's configuration registers, mapped by the
// runtime's own mmap code (koffi, mmap64 at the physical address as the file offset).
function fakeDevMem(words: Record<number, number>): { path: string; read: (addr: number) => number } {
  const path = join(tempDir(), 'mem');
  const fd = openSync(path, 'w+');
  ftruncateSync(fd, 0x1_0000_0000);
  for (const [addr, v] of Object.entries(words)) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    writeSync(fd, b, 0, 4, Number(addr));
  }
  closeSync(fd);
  return {
    path,
    read: (addr) => {
      const f = openSync(path, 'r');
      const b = Buffer.alloc(4);
      readSync(f, b, 0, 4, addr);
      closeSync(f);
      return b.readUInt32LE();
    },
  };
}

const AXI_FS = 0xfd615000;
const AFIFM0_RD = 0xfd360000;
const AFIFM0_WR = 0xfd360014;

describe("ZynqMP: the PS's AXI port widths are set before the core is used", () => {
  test('the fields: FPD_SLCR.AXI_FS DW_SS0_SEL for HPM0 (32 bits = 0), AFIFM0 read and write FABRIC_WIDTH for HPC0 (128 bits = 0)', () => {
    const fields = portWidthFields({ master: { port: 'M_AXI_HPM0_FPD', bits: 32 }, slave: { port: 'S_AXI_HPC0_FPD', bits: 128 } });
    expect(fields.map((f) => [f.addr, f.lsb, f.bits, f.value])).toEqual([
      [AXI_FS, 8, 2, 0],
      [AFIFM0_RD, 0, 2, 0],
      [AFIFM0_WR, 0, 2, 0],
    ]);
    const narrow = portWidthFields({ master: { port: 'M_AXI_HPM0_FPD', bits: 128 }, slave: { port: 'S_AXI_HPC0_FPD', bits: 64 } });
    expect(narrow.map((f) => f.value)).toEqual([2, 1, 1]);
  });

  test('read-modify-write through the mapped memory: only the width fields change, the rest of each register is kept', () => {
    // Boot state: HPM0 and HPM1 at 128 bits (DW_SS0_SEL = DW_SS1_SEL = 2) plus other bits; HPC0 at 32 bits.
    const mem = fakeDevMem({ [AXI_FS]: 0x0000_0a05, [AFIFM0_RD]: 0x0000_0002, [AFIFM0_WR]: 0x0000_0006 });
    const ps = boardByName('ultra96').processor;
    if (ps.flow !== 'vivado') throw new Error('the Ultra96 is a Vivado board');
    const changed = setRuntimePortWidths(ps.runtimePortWidths, mem.path);
    expect(changed).toEqual(['FPD_SLCR.AXI_FS.DW_SS0_SEL', 'AFIFM0.AFIFM_RDCTRL.FABRIC_WIDTH', 'AFIFM0.AFIFM_WRCTRL.FABRIC_WIDTH']);
    expect(mem.read(AXI_FS)).toBe(0x0000_0805);
    expect(mem.read(AFIFM0_RD)).toBe(0);
    expect(mem.read(AFIFM0_WR)).toBe(0x4);
    // Already right: nothing written.
    expect(
      applyRegisterFields(portWidthFields({ master: { port: 'M_AXI_HPM0_FPD', bits: 32 }, slave: { port: 'S_AXI_HPC0_FPD', bits: 128 } }), mem.path),
    ).toEqual([]);
  });

  test('openDevice on a ZynqMP board sets them first (before the DMA buffer is even opened); VTA_PS_PORT_WIDTHS=keep leaves them', () => {
    const dt = join(tempDir(), 'compatible');
    writeFileSync(dt, 'avnet,ultra96-rev1\0xlnx,zynqmp\0');
    const cfg128 = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BUS_WIDTH: 7 }));
    const mem = fakeDevMem({ [AXI_FS]: 0x0000_0a00, [AFIFM0_RD]: 0x2, [AFIFM0_WR]: 0x2 });
    const env = { VTA_UDMABUF: 'udmabuf-test-absent' };
    expect(() =>
      openBoardDevice('ultra96', cfg128, { dramBytes: 1 << 20, deviceTree: dt, devMem: mem.path, env: { ...env, VTA_PS_PORT_WIDTHS: 'keep' } }),
    ).toThrow(/^no u-dma-buf/);
    expect(mem.read(AXI_FS)).toBe(0x0000_0a00);
    expect(() => openBoardDevice('ultra96', cfg128, { dramBytes: 1 << 20, deviceTree: dt, devMem: mem.path, env })).toThrow(/^no u-dma-buf/);
    expect([mem.read(AXI_FS), mem.read(AFIFM0_RD), mem.read(AFIFM0_WR)]).toEqual([0x0000_0800, 0, 0]);
  });

  test('without access to the physical memory: one line naming what to do', () => {
    const dt = join(tempDir(), 'compatible');
    writeFileSync(dt, 'xlnx,zynqmp\0');
    const cfg128 = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BUS_WIDTH: 7 }));
    const missing = join(tempDir(), 'no-such-mem');
    const err = (() => {
      try {
        openBoardDevice('zcu104', cfg128, { dramBytes: 1 << 20, deviceTree: dt, devMem: missing, env: {} });
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(DeviceError);
    expect(err!.message).toMatch(
      /^cannot open .*no-such-mem for the PS's AXI port widths \(M_AXI_HPM0_FPD 32, S_AXI_HPC0_FPD 128 bits\): .*; or set VTA_PS_PORT_WIDTHS=keep when PYNQ has loaded the bitstream$/,
    );
    expect(err!.message).not.toContain('\n');
  });
});

test("the loaded core must be the configuration's: CONFIG_HASH read through a mapped register window, never written", () => {
  const file = join(tempDir(), 'registers');
  const regs = Buffer.alloc(4096);
  regs.writeUInt32LE(configHashWord(cfg64.hash), REG.CONFIG_HASH);
  writeFileSync(file, regs);
  const window = mapWindow(file, 0, 4096, 'a register file');
  try {
    expect(() => checkCoreConfig(window, cfg64, 'pynq-z1')).not.toThrow();
    const other = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BUS_WIDTH: 7 }));
    expect(() => checkCoreConfig(window, other, 'pynq-z1')).toThrow(
      new RegExp(
        `^--target pynq-z1: the loaded bitstream is a core of configuration hash ${cfg64.hash.slice(0, 8)}\\.\\.\\., the command's configuration is ${other.name} \\(hash ${other.hash}\\); load the bitstream built for it`,
      ),
    );
    window.write32(REG.CONFIG_HASH, 0);
    expect(() => checkCoreConfig(window, cfg64, 'pynq-z1')).toThrow(
      /CONFIG_HASH reads 0: a bitstream from an older vta fpga, or no VTA core at the register base/,
    );
  } finally {
    window.close();
  }
});
