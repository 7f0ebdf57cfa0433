// The processor systems of the SoC families the boards carry, as the vendor flows instantiate them: the
// Vivado IP and its pins, ports, address segments and settings (Zynq-7000 PS7, Zynq UltraScale+ PS8), and
// the Platform Designer HPS (Cyclone V). Facts of the SoC; a board record adds its own (board part, memory
// and I/O settings). Names are Vivado's and Platform Designer's, as VTA's and PYNQ's scripts use them.

/** One IP setting: a CONFIG.* property (Vivado) or an instance parameter (Platform Designer), and its value. */
export type Setting = readonly [name: string, value: string];

/** An AXI port of the PS whose width the PS must be given at run time, and the width. */
export interface RuntimePortWidth {
  readonly port: string;
  readonly bits: 32 | 64 | 128;
}

/** A Zynq processing system in a Vivado block design. */
export interface ZynqProcessor {
  readonly flow: 'vivado';
  /** The device-tree `compatible` string of the SoC (the board runtime checks it). */
  readonly compatible: string;
  readonly ip: string;
  readonly automation: string;
  /** Interfaces block automation makes external (the Zynq-7000's DDR and MIO pins). */
  readonly external: readonly string[];
  /** The PS fabric clock and reset that feed the clocking wizard. */
  readonly clockPin: string;
  readonly resetPin: string;
  /** Frequency the PS fabric clock is set to (the clocking wizard makes the core's clock from it). */
  readonly refClockMhz: number;
  /** The PS master that reaches the accelerator's registers. */
  readonly master: { readonly intf: string; readonly clockPin: string };
  /** The PS slave the accelerator's DRAM master uses, and the one address segment it may reach (DDR only). */
  readonly slave: { readonly intf: string; readonly clockPin: string; readonly ddrSegment: string };
  /** Port, width and clock settings, applied after the board preset. */
  readonly settings: readonly Setting[];
  /**
   * AXI port widths the PS must be switched to before the core is used, when the PS keeps the widths it
   * booted with (Zynq UltraScale+: a bitstream loaded at run time does not change them); else null.
   */
  readonly runtimePortWidths: { readonly master: RuntimePortWidth; readonly slave: RuntimePortWidth } | null;
}

/** The Cyclone V hard processor system in a Platform Designer system. */
export interface HpsProcessor {
  readonly flow: 'quartus';
  readonly compatible: string;
  readonly ip: string;
  /** The lightweight HPS-to-FPGA bridge's window (the registers lie in it). */
  readonly lwBridgeBase: number;
  /** HPS parameters common to every board: the bridges the shell uses. */
  readonly settings: readonly Setting[];
}

export type ProcessorFacts = ZynqProcessor | HpsProcessor;

/** Zynq-7000 PS7: control on M_AXI_GP0, data on the cache-coherent ACP (VTA's choice), FCLK0 at 100 MHz. */
export const ZYNQ_7000: ZynqProcessor = {
  flow: 'vivado',
  compatible: 'xlnx,zynq-7000',
  ip: 'processing_system7',
  automation: 'xilinx.com:bd_rule:processing_system7',
  external: ['FIXED_IO', 'DDR'],
  clockPin: 'FCLK_CLK0',
  resetPin: 'FCLK_RESET0_N',
  refClockMhz: 100,
  master: { intf: 'M_AXI_GP0', clockPin: 'M_AXI_GP0_ACLK' },
  slave: { intf: 'S_AXI_ACP', clockPin: 'S_AXI_ACP_ACLK', ddrSegment: 'S_AXI_ACP/ACP_DDR_LOWOCM' },
  settings: [
    ['PCW_USE_M_AXI_GP0', '1'],
    ['PCW_USE_S_AXI_ACP', '1'],
    ['PCW_USE_DEFAULT_ACP_USER_VAL', '1'],
    ['PCW_EN_CLK0_PORT', '1'],
    ['PCW_EN_RST0_PORT', '1'],
    ['PCW_FPGA0_PERIPHERAL_FREQMHZ', '100'],
  ],
  // GP0 is 32 bits and ACP 64 bits in silicon: nothing to set at run time.
  runtimePortWidths: null,
};

/** Zynq UltraScale+ PS8: control on M_AXI_HPM0_FPD (32 bits), data on S_AXI_HPC0_FPD, pl_clk0 at 100 MHz. */
export function zynqUltraScalePlus(dataBits: 64 | 128): ZynqProcessor {
  const master: RuntimePortWidth = { port: 'M_AXI_HPM0_FPD', bits: 32 };
  const slave: RuntimePortWidth = { port: 'S_AXI_HPC0_FPD', bits: dataBits };
  return {
    flow: 'vivado',
    compatible: 'xlnx,zynqmp',
    ip: 'zynq_ultra_ps_e',
    automation: 'xilinx.com:bd_rule:zynq_ultra_ps_e',
    external: [],
    clockPin: 'pl_clk0',
    resetPin: 'pl_resetn0',
    refClockMhz: 100,
    master: { intf: master.port, clockPin: 'maxihpm0_fpd_aclk' },
    slave: { intf: slave.port, clockPin: 'saxihpc0_fpd_aclk', ddrSegment: 'SAXIGP0/HPC0_DDR_LOW' },
    settings: [
      ['PSU__USE__M_AXI_GP0', '1'],
      ['PSU__USE__M_AXI_GP1', '0'],
      ['PSU__USE__M_AXI_GP2', '0'],
      ['PSU__USE__S_AXI_GP0', '1'],
      ['PSU__SAXIGP0__DATA_WIDTH', String(slave.bits)],
      ['PSU__MAXIGP0__DATA_WIDTH', String(master.bits)],
      ['PSU__FPGA_PL0_ENABLE', '1'],
      ['PSU__CRL_APB__PL0_REF_CTRL__FREQMHZ', '100'],
    ],
    runtimePortWidths: { master, slave },
  };
}

/** Cyclone V HPS: the 64-bit FPGA-to-HPS bridge for DRAM, the lightweight bridge for the registers. */
export const CYCLONE_V_HPS: HpsProcessor = {
  flow: 'quartus',
  compatible: 'altr,socfpga-cyclone5',
  ip: 'altera_hps',
  lwBridgeBase: 0xff20_0000,
  // FPGA-to-HPS 64-bit, no HPS-to-FPGA bridge, the lightweight bridge for the registers.
  settings: [
    ['F2S_Width', '2'],
    ['S2F_Width', '0'],
    ['LWH2F_Enable', 'true'],
  ],
};
