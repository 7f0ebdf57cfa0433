// The one table of FPGA boards the project targets: part numbers, resource budgets, clocks, and the
// vendor facts the shells need (which processor port carries data and which carries control).
// Budgets are the device totals of the vendors' product tables (Xilinx DS190/DS891 device tables,
// Vivado utilization "Available" columns; Intel Cyclone V SoC table and Quartus fitter totals).
// This file imports nothing from the HDL so that the CLI, synthesis, tuning and FPGA flows can share it.

import { ConfigError } from '../vta/errors';
import { didYouMean } from '../../util/suggest';

/** Synthesis families `vta synth` knows (yosys' synth_xilinx -family xc7|xcup, synth_intel_alm, synth_ecp5). */
export const FAMILY_NAMES = ['xc7', 'xcup', 'cyclonev', 'ecp5'] as const;
export type FamilyName = (typeof FAMILY_NAMES)[number];

/** The resources a synthesis report counts and a board budgets. */
export const RESOURCE_NAMES = ['lut', 'ff', 'dsp', 'bram36', 'lutram', 'uram'] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

/** One budgeted resource: how many the device has, in the unit the vendor counts it. */
export interface ResourceBudget {
  readonly amount: number;
  /** e.g. "LUT6", "DSP48E1", "RAMB36", "M10K", "URAM288", "ALUT". */
  readonly unit: string;
}

/** How the accelerator reaches the processor's memory and how the processor reaches its registers. */
export interface BoardPorts {
  /** The processor-side slave port the accelerator's data master connects to. */
  readonly dataPort: string;
  /** Protocol of the data port (AXI4, AXI3). */
  readonly dataProtocol: 'AXI4' | 'AXI3';
  /** Longest burst the data port accepts, in beats. */
  readonly maxBurstBeats: number;
  /** The processor-side master port that drives the accelerator's control registers. */
  readonly controlPort: string;
  /**
   * Physical base address of the accelerator's registers: fixed by the platform (DE10-Nano's lightweight
   * bridge), or the address `vta fpga`'s block design assigns (Xilinx), which the board runtime maps.
   */
  readonly registerBase: number | null;
  /** Offset added to a CMA buffer's address to get the address the accelerator uses, when not 0. */
  readonly cmaPhysOffset: number;
  /** Constant AxCACHE the board shell drives (0b1111 write-back allocate for a snooped port, 0b0011 otherwise). */
  readonly axCache: number;
  /** Constant AxPROT the board shell drives. */
  readonly axProt: number;
  /** Constant AxUSER on a port that has one (Cyclone V f2h: bit 0 marks a shared, coherent access), else null. */
  readonly axUser: { readonly bits: number; readonly value: number } | null;
  /** Whether the accelerator's DRAM accesses are cache coherent with the CPU (no flush/invalidate needed). */
  readonly coherent: boolean;
}

export interface Board {
  /** The name `--board` takes. */
  readonly name: string;
  readonly title: string;
  readonly vendor: 'Xilinx' | 'Intel';
  readonly family: FamilyName;
  /** Full ordering part number of the FPGA on the board. */
  readonly part: string;
  /** Device totals; a resource the device lacks is absent. */
  readonly budgets: Readonly<Partial<Record<ResourceName, ResourceBudget>>>;
  /** The fabric clock VTA runs at on this board. */
  readonly clockMhz: number;
  /** How the clock is made, when that matters to the shell. */
  readonly clockSource: string;
  /** Width of the accelerator's memory bus, bits. */
  readonly memBusBits: 64 | 128 | 256 | 512;
  readonly ports: BoardPorts;
}

const BOARD_LIST: readonly Board[] = [
  {
    name: 'pynq-z1',
    title: 'Digilent PYNQ-Z1 (Zynq-7020)',
    vendor: 'Xilinx',
    family: 'xc7',
    part: 'xc7z020clg400-1',
    budgets: {
      lut: { amount: 53_200, unit: 'LUT6' },
      ff: { amount: 106_400, unit: 'FF' },
      dsp: { amount: 220, unit: 'DSP48E1' },
      bram36: { amount: 140, unit: 'RAMB36' },
      lutram: { amount: 17_400, unit: 'LUT6 (SLICEM)' },
    },
    clockMhz: 100,
    clockSource: 'PS7 FCLK_CLK0',
    memBusBits: 64,
    ports: {
      dataPort: 'PS7 S_AXI_ACP', dataProtocol: 'AXI3', maxBurstBeats: 16,
      controlPort: 'PS7 M_AXI_GP0', registerBase: 0x43c0_0000, cmaPhysOffset: 0,
      // ACP snoops the CPU caches (the PS supplies ACP's AxUSER: PCW_USE_DEFAULT_ACP_USER_VAL).
      axCache: 0b1111, axProt: 0b000, axUser: null, coherent: true,
    },
  },
  {
    name: 'ultra96',
    title: 'Avnet Ultra96 (Zynq UltraScale+ ZU3EG)',
    vendor: 'Xilinx',
    family: 'xcup',
    part: 'xczu3eg-sbva484-1-e',
    budgets: {
      lut: { amount: 70_560, unit: 'LUT6' },
      ff: { amount: 141_120, unit: 'FF' },
      dsp: { amount: 360, unit: 'DSP48E2' },
      bram36: { amount: 216, unit: 'RAMB36' },
      lutram: { amount: 28_800, unit: 'LUT6 (SLICEM)' },
      uram: { amount: 0, unit: 'URAM288' },
    },
    clockMhz: 333,
    clockSource: 'PS pl_clk0',
    memBusBits: 128,
    ports: {
      dataPort: 'PS S_AXI_HPC0_FPD', dataProtocol: 'AXI4', maxBurstBeats: 256,
      controlPort: 'PS M_AXI_HPM0_FPD', registerBase: 0xa000_0000, cmaPhysOffset: 0,
      // HPC0 snoops only when the kernel enables CCI coherency for it; the runtime flushes and invalidates.
      axCache: 0b0011, axProt: 0b010, axUser: null, coherent: false,
    },
  },
  {
    name: 'zcu104',
    title: 'Xilinx ZCU104 (Zynq UltraScale+ ZU7EV)',
    vendor: 'Xilinx',
    family: 'xcup',
    part: 'xczu7ev-ffvc1156-2-e',
    budgets: {
      lut: { amount: 230_400, unit: 'LUT6' },
      ff: { amount: 460_800, unit: 'FF' },
      dsp: { amount: 1_728, unit: 'DSP48E2' },
      bram36: { amount: 312, unit: 'RAMB36' },
      lutram: { amount: 101_760, unit: 'LUT6 (SLICEM)' },
      uram: { amount: 96, unit: 'URAM288' },
    },
    clockMhz: 333,
    clockSource: 'PS pl_clk0',
    memBusBits: 128,
    ports: {
      dataPort: 'PS S_AXI_HPC0_FPD', dataProtocol: 'AXI4', maxBurstBeats: 256,
      controlPort: 'PS M_AXI_HPM0_FPD', registerBase: 0xa000_0000, cmaPhysOffset: 0,
      // HPC0 snoops only when the kernel enables CCI coherency for it; the runtime flushes and invalidates.
      axCache: 0b0011, axProt: 0b010, axUser: null, coherent: false,
    },
  },
  {
    name: 'de10-nano',
    title: 'Terasic DE10-Nano (Cyclone V SoC 5CSEBA6)',
    vendor: 'Intel',
    family: 'cyclonev',
    part: '5CSEBA6U23I7',
    budgets: {
      // 41,910 ALMs, each two adaptive LUTs and four registers; yosys counts ALUTs.
      lut: { amount: 83_820, unit: 'ALUT' },
      ff: { amount: 167_640, unit: 'FF' },
      dsp: { amount: 112, unit: 'variable-precision DSP block' },
      bram36: { amount: 553, unit: 'M10K' },
    },
    clockMhz: 100,
    clockSource: 'PLL from the 50 MHz FPGA_CLK1_50',
    memBusBits: 64,
    ports: {
      dataPort: 'HPS f2h_axi_slave', dataProtocol: 'AXI3', maxBurstBeats: 16,
      controlPort: 'HPS h2f_lw_axi_master', registerBase: 0xff22_0000, cmaPhysOffset: 0x8000_0000,
      // 0x80000000 + physical selects the ACP window of the f2h bridge: coherent with AxCACHE 1111, AxUSER[0] 1.
      axCache: 0b1111, axProt: 0b100, axUser: { bits: 5, value: 0b00001 }, coherent: true,
    },
  },
];

export const BOARDS: ReadonlyMap<string, Board> = new Map(BOARD_LIST.map((b) => [b.name, Object.freeze(b)]));
export const BOARD_NAMES: readonly string[] = BOARD_LIST.map((b) => b.name);
/** Other spellings `--board` and `--target` take for a board (TVM's VTA calls the PYNQ-Z1 `pynq`). */
export const BOARD_ALIASES: Readonly<Record<string, string>> = { pynq: 'pynq-z1' };

/** The table's name of a board name or alias, or undefined. */
export function canonicalBoardName(name: string): string | undefined {
  const n = name.trim().toLowerCase();
  const canonical = BOARD_ALIASES[n] ?? n;
  return BOARDS.has(canonical) ? canonical : undefined;
}

/** The board called `name` (or an alias); an unknown name is a ConfigError listing the known ones. */
export function boardByName(name: string, where = '--board'): Board {
  const canonical = canonicalBoardName(name);
  if (!canonical) {
    throw new ConfigError(`${where}: unknown board ${JSON.stringify(name)}${didYouMean(name, BOARD_NAMES)}; known boards: ${BOARD_NAMES.join(', ')}`);
  }
  return BOARDS.get(canonical)!;
}

/** Checks a family name; an unknown one is a ConfigError listing the known ones. */
export function familyByName(name: string, where = '--family'): FamilyName {
  const family = name.trim().toLowerCase();
  if (!(FAMILY_NAMES as readonly string[]).includes(family)) {
    throw new ConfigError(`${where}: unknown family ${JSON.stringify(name)}; known families: ${FAMILY_NAMES.join(', ')}`);
  }
  return family as FamilyName;
}
