// The Zynq UltraScale+ PS keeps the AXI port widths it booted with: a bitstream loaded at run time
// (fpgautil, the FPGA manager) does not change them, so a 32-bit master or a 128-bit slave in the fabric
// would be read and written at the boot widths. PYNQ sets the widths when it loads an overlay; the board
// runtime does the same, from the board record's `runtimePortWidths`, before it uses the core.
//
// Register facts (Zynq UltraScale+ register reference, as PYNQ's pl_server/embedded_device.py uses them):
//   FPD_SLCR.AXI_FS at 0xFD615000: DW_SS0_SEL bits [9:8] = M_AXI_HPM0_FPD, DW_SS1_SEL bits [11:10] =
//     M_AXI_HPM1_FPD; 0 = 32, 1 = 64, 2 = 128 bits. LPD_SLCR.AXI_FS at 0xFF419000: DW_SS2_SEL bits [9:8] =
//     M_AXI_HPM0_LPD.
//   AFIFM<n> (S_AXI_HPC0_FPD n=0 at 0xFD360000, HPC1 n=1 0xFD370000, HP0..HP3 n=2..5 0xFD380000..0xFD3B0000,
//     S_AXI_LPD n=6 0xFF9B0000): AFIFM_RDCTRL at +0x00 and AFIFM_WRCTRL at +0x14, FABRIC_WIDTH bits [1:0];
//     0 = 128, 1 = 64, 2 = 32 bits.

import { DeviceError } from '../device';
import type { RuntimePortWidth } from '../../hw/boards/processors';
import { mapWindow, MappedRegisters } from './mmio';

/** One field of a PS register: its physical address, bit position and width, and the value to hold. */
export interface RegisterField {
  readonly name: string;
  readonly addr: number;
  readonly lsb: number;
  readonly bits: number;
  readonly value: number;
}

const MASTER_SELECT: Readonly<Record<string, { name: string; addr: number; lsb: number }>> = {
  M_AXI_HPM0_FPD: { name: 'FPD_SLCR.AXI_FS.DW_SS0_SEL', addr: 0xfd61_5000, lsb: 8 },
  M_AXI_HPM1_FPD: { name: 'FPD_SLCR.AXI_FS.DW_SS1_SEL', addr: 0xfd61_5000, lsb: 10 },
  M_AXI_HPM0_LPD: { name: 'LPD_SLCR.AXI_FS.DW_SS2_SEL', addr: 0xff41_9000, lsb: 8 },
};
const MASTER_CODE: Readonly<Record<number, number>> = { 32: 0, 64: 1, 128: 2 };

const SLAVE_FIFO: Readonly<Record<string, { name: string; base: number }>> = {
  S_AXI_HPC0_FPD: { name: 'AFIFM0', base: 0xfd36_0000 },
  S_AXI_HPC1_FPD: { name: 'AFIFM1', base: 0xfd37_0000 },
  S_AXI_HP0_FPD: { name: 'AFIFM2', base: 0xfd38_0000 },
  S_AXI_HP1_FPD: { name: 'AFIFM3', base: 0xfd39_0000 },
  S_AXI_HP2_FPD: { name: 'AFIFM4', base: 0xfd3a_0000 },
  S_AXI_HP3_FPD: { name: 'AFIFM5', base: 0xfd3b_0000 },
  S_AXI_LPD: { name: 'AFIFM6', base: 0xff9b_0000 },
};
const SLAVE_CODE: Readonly<Record<number, number>> = { 128: 0, 64: 1, 32: 2 };

/** The register fields that give the PS's master and slave port these widths. */
export function portWidthFields(widths: { master: RuntimePortWidth; slave: RuntimePortWidth }): RegisterField[] {
  const m = MASTER_SELECT[widths.master.port];
  const s = SLAVE_FIFO[widths.slave.port];
  if (!m) throw new Error(`no width register known for the PS master ${widths.master.port}`);
  if (!s) throw new Error(`no width register known for the PS slave ${widths.slave.port}`);
  return [
    { name: m.name, addr: m.addr, lsb: m.lsb, bits: 2, value: MASTER_CODE[widths.master.bits] },
    { name: `${s.name}.AFIFM_RDCTRL.FABRIC_WIDTH`, addr: s.base, lsb: 0, bits: 2, value: SLAVE_CODE[widths.slave.bits] },
    { name: `${s.name}.AFIFM_WRCTRL.FABRIC_WIDTH`, addr: s.base + 0x14, lsb: 0, bits: 2, value: SLAVE_CODE[widths.slave.bits] },
  ];
}

const PAGE = 4096;

/**
 * Sets each field through `memPath` (/dev/mem; a file standing in for it in tests), changing the other bits
 * of its register not at all, and returns the names of the fields that held another value.
 */
export function applyRegisterFields(fields: readonly RegisterField[], memPath = '/dev/mem', why = "the PS's AXI port widths"): string[] {
  const pages = new Map<number, MappedRegisters>();
  const changed: string[] = [];
  try {
    for (const f of fields) {
      const page = f.addr - (f.addr % PAGE);
      let window = pages.get(page);
      if (!window) {
        window = mapWindow(memPath, page, PAGE, `${memPath} at 0x${page.toString(16)}`, why);
        pages.set(page, window);
      }
      const mask = ((1 << f.bits) - 1) << f.lsb;
      const old = window.read32(f.addr - page);
      const next = ((old & ~mask) | (f.value << f.lsb)) >>> 0;
      if (next !== old >>> 0) {
        window.write32(f.addr - page, next);
        changed.push(f.name);
      }
    }
  } finally {
    for (const w of pages.values()) w.close();
  }
  return changed;
}

/** Gives the PS the board's runtime port widths (a no-op on a PS whose widths are fixed). */
export function setRuntimePortWidths(widths: { master: RuntimePortWidth; slave: RuntimePortWidth } | null, memPath = '/dev/mem'): string[] {
  if (!widths) return [];
  const what = `the PS's AXI port widths (${widths.master.port} ${widths.master.bits}, ${widths.slave.port} ${widths.slave.bits} bits)`;
  try {
    return applyRegisterFields(portWidthFields(widths), memPath, what);
  } catch (e) {
    if (e instanceof DeviceError) throw new DeviceError(`${e.message}; or set VTA_PS_PORT_WIDTHS=keep when PYNQ has loaded the bitstream`);
    throw e;
  }
}
