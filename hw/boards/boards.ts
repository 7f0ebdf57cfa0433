// The one table of FPGA boards the project targets: every board fact lives on its record (part, budgets,
// clock, processor ports and the shell's constants, the processor system with the board's memory and I/O
// settings and Vivado board part, VTA's target name, the runtime's target name, the preset's knobs), so a
// fifth board is one more record.
// Budgets are the device totals of the vendors' product tables (Xilinx DS190/DS891 device tables,
// Vivado utilization "Available" columns; Intel Cyclone V SoC table and Quartus fitter totals).
// This file imports nothing from the HDL so that the CLI, synthesis, tuning, FPGA flows and runtime share it.

import type { VtaConfigJson } from '../vta/config';
import { ConfigError } from '../vta/errors';
import { didYouMean } from '../../util/suggest';
import { CYCLONE_V_HPS, HpsProcessor, Setting, ZYNQ_7000, ZynqProcessor, zynqUltraScalePlus } from './processors';

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
  /**
   * Protocol of the shell's master: AXI4 where the vendor's interconnect converts for the port (Vivado), the
   * port's own protocol where the shell connects to it directly (Platform Designer's f2h bridge).
   */
  readonly shellProtocol: 'AXI4' | 'AXI3';
  /** Longest burst the data port accepts, in beats. */
  readonly maxBurstBeats: number;
  /** The processor-side master port that drives the accelerator's control registers. */
  readonly controlPort: string;
  /** Whether the shell's register slave carries AWPROT/ARPROT (Platform Designer's AXI4-Lite slave has them). */
  readonly controlProt: boolean;
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

/** A Zynq board: the SoC's processing system plus the board's Vivado board part and memory/I/O settings. */
export interface ZynqBoardProcessor extends ZynqProcessor {
  /** The Vivado board part (a get_board_parts pattern); its preset configures memory and I/O when installed. */
  readonly boardPart: string;
  /** The board's DDR and I/O settings, applied when the board files are not installed (empty: none known). */
  readonly boardSettings: readonly Setting[];
}

/** A Cyclone V SoC board: the HPS plus the board's DDR3 and the clock input its PLL is fed from. */
export interface HpsBoardProcessor extends HpsProcessor {
  /** The board's DDR3 as HPS parameters (memory type, geometry, timing). */
  readonly memory: readonly Setting[];
  /** The FPGA clock input: top-level port, pin, I/O standard, frequency. */
  readonly refClock: { readonly port: string; readonly pin: string; readonly ioStandard: string; readonly mhz: number };
}

export type BoardProcessor = ZynqBoardProcessor | HpsBoardProcessor;

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
  /** The fabric clock VTA runs at on this board by default (the core meets it: see vta synth's timing). */
  readonly clockMhz: number;
  /** How the clock is made. */
  readonly clockSource: string;
  /** Width of the accelerator's memory bus, bits. */
  readonly memBusBits: 64 | 128 | 256 | 512;
  readonly ports: BoardPorts;
  /** VTA's TARGET name (vta_config.json, VTA_TARGET) and its header macro suffix (VTA_TARGET_<macro>). */
  readonly vtaTarget: { readonly name: string; readonly macro: string };
  /** The board runtime's `--target` name. */
  readonly runtimeTarget: string;
  /** Configuration keys the board preset sets besides the bus width (presets.ts). */
  readonly presetKnobs: Readonly<Partial<VtaConfigJson>>;
  /** The processor system, its settings and the vendor flow (`flow`) that builds the bitstream. */
  readonly processor: BoardProcessor;
}

// The Digilent PYNQ-Z1's DDR3 (one 16-bit 4 Gb MT41K256M16 at 525 MHz) and board delays, as PYNQ's own base
// design sets them when the board preset is not used; PARTNO Custom first, so that the values are kept.
const PYNQ_Z1_DDR_AND_IO: readonly Setting[] = [
  ['PCW_UIPARAM_DDR_PARTNO', 'Custom'],
  ['PCW_UIPARAM_DDR_MEMORY_TYPE', 'DDR 3'],
  ['PCW_UIPARAM_DDR_FREQ_MHZ', '525'],
  ['PCW_UIPARAM_DDR_BUS_WIDTH', '16 Bit'],
  ['PCW_UIPARAM_DDR_DRAM_WIDTH', '16 Bits'],
  ['PCW_UIPARAM_DDR_DEVICE_CAPACITY', '4096 MBits'],
  ['PCW_UIPARAM_DDR_SPEED_BIN', 'DDR3_1066F'],
  ['PCW_UIPARAM_DDR_ROW_ADDR_COUNT', '15'],
  ['PCW_UIPARAM_DDR_COL_ADDR_COUNT', '10'],
  ['PCW_UIPARAM_DDR_BANK_ADDR_COUNT', '3'],
  ['PCW_UIPARAM_DDR_CL', '7'],
  ['PCW_UIPARAM_DDR_CWL', '6'],
  ['PCW_UIPARAM_DDR_T_RCD', '13.125'],
  ['PCW_UIPARAM_DDR_T_RP', '13.125'],
  ['PCW_UIPARAM_DDR_T_RC', '50.625'],
  ['PCW_UIPARAM_DDR_T_RAS_MIN', '35.0'],
  ['PCW_UIPARAM_DDR_T_FAW', '40.0'],
  ['PCW_UIPARAM_DDR_BOARD_DELAY0', '0.223'],
  ['PCW_UIPARAM_DDR_BOARD_DELAY1', '0.212'],
  ['PCW_UIPARAM_DDR_BOARD_DELAY2', '0.085'],
  ['PCW_UIPARAM_DDR_BOARD_DELAY3', '0.092'],
  ['PCW_UIPARAM_DDR_DQS_TO_CLK_DELAY_0', '0.040'],
  ['PCW_UIPARAM_DDR_DQS_TO_CLK_DELAY_1', '0.058'],
  ['PCW_UIPARAM_DDR_DQS_TO_CLK_DELAY_2', '0.000'],
  ['PCW_UIPARAM_DDR_DQS_TO_CLK_DELAY_3', '0.000'],
  ['PCW_UIPARAM_DDR_TRAIN_WRITE_LEVEL', '1'],
  ['PCW_UIPARAM_DDR_TRAIN_READ_GATE', '1'],
  ['PCW_UIPARAM_DDR_TRAIN_DATA_EYE', '1'],
  // MIO: bank voltages, the 50 MHz PS clock, and the peripherals the PYNQ image uses.
  ['PCW_PRESET_BANK0_VOLTAGE', 'LVCMOS 3.3V'],
  ['PCW_PRESET_BANK1_VOLTAGE', 'LVCMOS 1.8V'],
  ['PCW_CRYSTAL_PERIPHERAL_FREQMHZ', '50'],
  ['PCW_QSPI_PERIPHERAL_ENABLE', '1'],
  ['PCW_QSPI_QSPI_IO', 'MIO 1 .. 6'],
  ['PCW_UART0_PERIPHERAL_ENABLE', '1'],
  ['PCW_UART0_UART0_IO', 'MIO 14 .. 15'],
  ['PCW_ENET0_PERIPHERAL_ENABLE', '1'],
  ['PCW_ENET0_ENET0_IO', 'MIO 16 .. 27'],
  ['PCW_ENET0_GRP_MDIO_ENABLE', '1'],
  ['PCW_ENET0_GRP_MDIO_IO', 'MIO 52 .. 53'],
  ['PCW_USB0_PERIPHERAL_ENABLE', '1'],
  ['PCW_USB0_USB0_IO', 'MIO 28 .. 39'],
  ['PCW_SD0_PERIPHERAL_ENABLE', '1'],
  ['PCW_SD0_SD0_IO', 'MIO 40 .. 45'],
  ['PCW_SD0_GRP_CD_ENABLE', '1'],
  ['PCW_SD0_GRP_CD_IO', 'MIO 47'],
];

// The Terasic DE10-Nano's HPS DDR3 (two 16-bit chips, 1 GB, 400 MHz) as HPS parameters.
const DE10_NANO_DDR3: readonly Setting[] = [
  ['MEM_VENDOR', 'Other'],
  ['MEM_FORMAT', 'DISCRETE'],
  ['MEM_VOLTAGE', '1.5V DDR3'],
  ['MEM_CLK_FREQ', '400.0'],
  ['MEM_CLK_FREQ_MAX', '800.0'],
  ['MEM_DQ_WIDTH', '32'],
  ['MEM_DQ_PER_DQS', '8'],
  ['MEM_ROW_ADDR_WIDTH', '15'],
  ['MEM_COL_ADDR_WIDTH', '10'],
  ['MEM_BANKADDR_WIDTH', '3'],
  ['MEM_CS_WIDTH', '1'],
  ['MEM_CK_WIDTH', '1'],
  ['MEM_CLK_EN_WIDTH', '1'],
  ['MEM_IF_DM_PINS_EN', '1'],
  ['MEM_TCL', '7'],
  ['MEM_WTCL', '7'],
  ['MEM_DRV_STR', 'RZQ/6'],
  ['MEM_RTT_NOM', 'RZQ/6'],
  ['MEM_RTT_WR', 'Dynamic ODT off'],
  ['MEM_TINIT_US', '500'],
  ['MEM_TMRD_CK', '4'],
  ['MEM_TRAS_NS', '35.0'],
  ['MEM_TRCD_NS', '13.75'],
  ['MEM_TRP_NS', '13.75'],
  ['MEM_TREFI_US', '7.8'],
  ['MEM_TRFC_NS', '300.0'],
  ['MEM_TWR_NS', '15.0'],
  ['MEM_TWTR', '4'],
  ['MEM_TFAW_NS', '37.5'],
  ['MEM_TRRD_NS', '7.5'],
  ['MEM_TRTP_NS', '7.5'],
  ['TIMING_TIS', '175'],
  ['TIMING_TIH', '250'],
  ['TIMING_TDS', '50'],
  ['TIMING_TDH', '125'],
  ['TIMING_TDQSQ', '120'],
  ['TIMING_TQH', '0.38'],
  ['TIMING_TDQSCK', '400'],
  ['TIMING_TDQSS', '0.25'],
  ['TIMING_TQSH', '0.38'],
  ['TIMING_TDSH', '0.2'],
  ['TIMING_TDSS', '0.2'],
];

/** HPC0 snoops only when the kernel enables CCI coherency for it; the runtime flushes and invalidates. */
const ZYNQMP_HPC0_PORTS: BoardPorts = {
  dataPort: 'PS S_AXI_HPC0_FPD',
  dataProtocol: 'AXI4',
  shellProtocol: 'AXI4',
  maxBurstBeats: 256,
  controlPort: 'PS M_AXI_HPM0_FPD',
  controlProt: false,
  registerBase: 0xa000_0000,
  cmaPhysOffset: 0,
  axCache: 0b0011,
  axProt: 0b010,
  axUser: null,
  coherent: false,
};

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
    // VTA's clock on this board; the core is estimated at 124 MHz (99-167) on the -1 part.
    clockMhz: 100,
    clockSource: 'PS7 FCLK_CLK0 at 100 MHz through a clocking wizard',
    memBusBits: 64,
    ports: {
      dataPort: 'PS7 S_AXI_ACP',
      dataProtocol: 'AXI3',
      shellProtocol: 'AXI4',
      maxBurstBeats: 16,
      controlPort: 'PS7 M_AXI_GP0',
      controlProt: false,
      registerBase: 0x43c0_0000,
      cmaPhysOffset: 0,
      // ACP snoops the CPU caches (the PS supplies ACP's AxUSER: PCW_USE_DEFAULT_ACP_USER_VAL).
      axCache: 0b1111,
      axProt: 0b000,
      axUser: null,
      coherent: true,
    },
    vtaTarget: { name: 'pynq', macro: 'PYNQ' },
    runtimeTarget: 'pynq-z1',
    // The Zynq-7020 has 140 RAMB36 and 220 DSP48E1: the ALU at one micro-op per two cycles keeps ACC at one
    // read port (no replica, ~28 RAMB36 saved) and two products per DSP bring 1x16x16 from 256 to 128 DSPs.
    // The requantization stage (hw/vta/REQUANT.md) adds 64 DSPs (192 of 220), no block RAM (its parameter
    // buffer is LUT-RAM) and keeps the clock estimate (vta synth: 126.5 MHz). 64 entries: RAM64M's depth,
    // and each virtual thread's half (32 blocks of 16) covers a layer of 512 output channels.
    presetKnobs: { ALU_INITIATION_INTERVAL: 2, GEMM_DSP_PACKING: 2, REQUANT_BUFF_DEPTH: 64 },
    processor: { ...ZYNQ_7000, boardPart: 'www.digilentinc.com:pynq-z1:part0:*', boardSettings: PYNQ_Z1_DDR_AND_IO },
  },
  {
    name: 'ultra96',
    title: 'Avnet Ultra96-V2 (Zynq UltraScale+ ZU3EG)',
    vendor: 'Xilinx',
    family: 'xcup',
    // The V2 board sold today: its board files name the industrial-grade part (-1-i).
    part: 'xczu3eg-sbva484-1-i',
    budgets: {
      lut: { amount: 70_560, unit: 'LUT6' },
      ff: { amount: 141_120, unit: 'FF' },
      dsp: { amount: 360, unit: 'DSP48E2' },
      bram36: { amount: 216, unit: 'RAMB36' },
      lutram: { amount: 28_800, unit: 'LUT6 (SLICEM)' },
      uram: { amount: 0, unit: 'URAM288' },
    },
    // VTA's HLS core runs at 333 MHz here; this core's critical path (vta synth: ~20 logic levels, 239 MHz
    // estimated on the -1 part, 192-316 with routing 1.4x-0.6x) meets 200.
    clockMhz: 200,
    clockSource: 'PS pl_clk0 at 100 MHz through a clocking wizard',
    memBusBits: 128,
    ports: ZYNQMP_HPC0_PORTS,
    vtaTarget: { name: 'ultra96', macro: 'ULTRA96' },
    runtimeTarget: 'ultra96',
    presetKnobs: {},
    // Avnet's V2 board files (vendor avnet.com, and Avnet-tria from file version 1.3): any vendor matches.
    processor: { ...zynqUltraScalePlus(128), boardPart: '*:ultra96v2:part0:*', boardSettings: [] },
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
    // 333 MHz is VTA's HLS core's; this core is estimated at 287 MHz on the -2 part (230-379): 250.
    clockMhz: 250,
    clockSource: 'PS pl_clk0 at 100 MHz through a clocking wizard',
    memBusBits: 128,
    ports: ZYNQMP_HPC0_PORTS,
    vtaTarget: { name: 'zcu104', macro: 'ZCU104' },
    runtimeTarget: 'zcu104',
    presetKnobs: {},
    processor: { ...zynqUltraScalePlus(128), boardPart: 'xilinx.com:zcu104:part0:*', boardSettings: [] },
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
      dataPort: 'HPS f2h_axi_slave',
      dataProtocol: 'AXI3',
      shellProtocol: 'AXI3',
      maxBurstBeats: 16,
      controlPort: 'HPS h2f_lw_axi_master',
      controlProt: true,
      registerBase: 0xff22_0000,
      cmaPhysOffset: 0x8000_0000,
      // 0x80000000 + physical selects the ACP window of the f2h bridge: coherent with AxCACHE 1111, AxUSER[0] 1.
      axCache: 0b1111,
      axProt: 0b100,
      axUser: { bits: 5, value: 0b00001 },
      coherent: true,
    },
    vtaTarget: { name: 'de10nano', macro: 'DE10_NANO' },
    runtimeTarget: 'de10-nano',
    // Without the ACC replica VTA's default shape takes ~426 of 553 M10K (yosys; 529 with it). Its 256 int8
    // products fit the 112 DSP blocks three 9x9 multipliers to a block, so no packing.
    presetKnobs: { ALU_INITIATION_INTERVAL: 2 },
    processor: {
      ...CYCLONE_V_HPS,
      memory: DE10_NANO_DDR3,
      refClock: { port: 'FPGA_CLK1_50', pin: 'PIN_V11', ioStandard: '3.3-V LVTTL', mhz: 50 },
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

/** The board whose runtime `--target` name (or an alias of it, `pynq`) is `target`, or undefined. */
export function boardByRuntimeTarget(target: string): Board | undefined {
  const canonical = canonicalBoardName(target);
  return BOARD_LIST.find((b) => b.runtimeTarget === target || b.name === canonical);
}

/** The board runtime's `--target` names, in table order. */
export const BOARD_RUNTIME_TARGETS: readonly string[] = BOARD_LIST.map((b) => b.runtimeTarget);

/** Checks a family name; an unknown one is a ConfigError listing the known ones. */
export function familyByName(name: string, where = '--family'): FamilyName {
  const family = name.trim().toLowerCase();
  if (!(FAMILY_NAMES as readonly string[]).includes(family)) {
    throw new ConfigError(`${where}: unknown family ${JSON.stringify(name)}; known families: ${FAMILY_NAMES.join(', ')}`);
  }
  return family as FamilyName;
}
