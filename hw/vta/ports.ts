// The VTA core's top-level port contract, written down once as a function of the configuration. The TSIM
// shell generator wires these ports to the DPI bridge; the core RTL declares exactly these ports; an FPGA
// wrapper maps them to its platform's AXI interfaces. See sim/tsim/README.md for the semantics (this file
// sits with the core it describes, below TSIM and the board shells).

import type { VtaConfig } from './config';

export type PortDir = 'input' | 'output';
export type PortGroup = 'clock' | 's_axil' | 'm_axi' | 'debug';

export interface CorePort {
  /** Full port name, e.g. `m_axi_arvalid`. */
  readonly name: string;
  /** Direction seen from the core. */
  readonly dir: PortDir;
  readonly width: number;
  readonly group: PortGroup;
  /** The channel signal without its prefix, e.g. `arvalid`. */
  readonly signal: string;
  readonly doc: string;
}

/** Fixed widths of the contract. */
export const AXIL_ADDR_BITS = 16;
export const AXIL_DATA_BITS = 32;
export const AXI_ADDR_BITS = 32;
export const AXI_ID_BITS = 4;
export const AXI_LEN_BITS = 8;
export const DEBUG_BITS = 32;

/** The AXI bus data widths the contract allows. */
export const BUS_BITS_ALLOWED: readonly number[] = [64, 128, 256, 512];

export function checkBusBits(busBits: number): void {
  if (!BUS_BITS_ALLOWED.includes(busBits)) {
    throw new RangeError(`AXI data width ${busBits} is not supported; the TSIM contract allows ${BUS_BITS_ALLOWED.join(', ')} bits`);
  }
}

type Row = [signal: string, dir: PortDir, width: number, doc: string];

function group(prefix: string, g: PortGroup, rows: Row[]): CorePort[] {
  return rows.map(([signal, dir, width, doc]) => ({ name: `${prefix}${signal}`, dir, width, group: g, signal, doc }));
}

/** The ports of the core for a bus width (`cfg.busBits`), in declaration order. */
export function corePorts(cfg: Pick<VtaConfig, 'busBits'>): readonly CorePort[] {
  const d = cfg.busBits;
  checkBusBits(d);
  const A = AXI_ADDR_BITS;
  const I = AXI_ID_BITS;
  const L = AXI_LEN_BITS;
  return Object.freeze([
    ...group('', 'clock', [
      ['clock', 'input', 1, 'the only clock; everything is sampled on its rising edge'],
      ['reset', 'input', 1, 'synchronous, active high'],
    ]),
    ...group('s_axil_', 's_axil', [
      ['awvalid', 'input', 1, 'host write address valid'],
      ['awready', 'output', 1, 'host write address ready'],
      ['awaddr', 'input', AXIL_ADDR_BITS, 'register byte offset (hw/vta/regs.ts)'],
      ['wvalid', 'input', 1, 'host write data valid'],
      ['wready', 'output', 1, 'host write data ready'],
      ['wdata', 'input', AXIL_DATA_BITS, 'register value'],
      ['wstrb', 'input', AXIL_DATA_BITS / 8, 'byte enables (the bridge always writes 0xf)'],
      ['bvalid', 'output', 1, 'write response valid'],
      ['bready', 'input', 1, 'write response ready'],
      ['bresp', 'output', 2, 'write response, 0 = OKAY'],
      ['arvalid', 'input', 1, 'host read address valid'],
      ['arready', 'output', 1, 'host read address ready'],
      ['araddr', 'input', AXIL_ADDR_BITS, 'register byte offset'],
      ['rvalid', 'output', 1, 'read data valid'],
      ['rready', 'input', 1, 'read data ready'],
      ['rdata', 'output', AXIL_DATA_BITS, 'register value; unmapped offsets read 0'],
      ['rresp', 'output', 2, 'read response, 0 = OKAY'],
    ]),
    ...group('m_axi_', 'm_axi', [
      ['awvalid', 'output', 1, 'write address valid'],
      ['awready', 'input', 1, 'write address ready'],
      ['awaddr', 'output', A, 'byte address of the first beat'],
      ['awid', 'output', I, 'write ID'],
      ['awlen', 'output', L, 'beats - 1'],
      ['awsize', 'output', 3, 'log2(bytes per beat); normally log2(busBits / 8)'],
      ['awburst', 'output', 2, 'burst type; only INCR (1) is supported'],
      ['awcache', 'output', 4, 'AXI cache attributes (ignored by TSIM; for FPGA interconnects)'],
      ['awprot', 'output', 3, 'AXI protection attributes (ignored by TSIM)'],
      ['wvalid', 'output', 1, 'write data valid'],
      ['wready', 'input', 1, 'write data ready'],
      ['wdata', 'output', d, 'write data, byte lane i = address (mod busBytes) i'],
      ['wstrb', 'output', d / 8, 'write byte enables'],
      ['wlast', 'output', 1, 'last beat of the burst'],
      ['bvalid', 'input', 1, 'write response valid'],
      ['bready', 'output', 1, 'write response ready'],
      ['bid', 'input', I, 'write response ID (= awid)'],
      ['bresp', 'input', 2, 'write response, 0 = OKAY'],
      ['arvalid', 'output', 1, 'read address valid'],
      ['arready', 'input', 1, 'read address ready'],
      ['araddr', 'output', A, 'byte address of the first beat'],
      ['arid', 'output', I, 'read ID'],
      ['arlen', 'output', L, 'beats - 1'],
      ['arsize', 'output', 3, 'log2(bytes per beat)'],
      ['arburst', 'output', 2, 'burst type; only INCR (1) is supported'],
      ['arcache', 'output', 4, 'AXI cache attributes (ignored by TSIM)'],
      ['arprot', 'output', 3, 'AXI protection attributes (ignored by TSIM)'],
      ['rvalid', 'input', 1, 'read data valid'],
      ['rready', 'output', 1, 'read data ready'],
      ['rdata', 'input', d, 'read data'],
      ['rid', 'input', I, 'read ID (= arid of the burst)'],
      ['rresp', 'input', 2, 'read response, 0 = OKAY'],
      ['rlast', 'input', 1, 'last beat of the burst'],
    ]),
    ...group('debug_', 'debug', [
      [
        'progress',
        'output',
        DEBUG_BITS,
        "changes whenever the core makes forward progress (e.g. instructions retired by all stages); TSIM's watchdog restarts on every change. Tie to 0 when there is nothing to export.",
      ],
      ['state', 'output', DEBUG_BITS, 'a free-form status word (e.g. packed stage FSM states); reported in watchdog errors, never interpreted'],
    ]),
  ]);
}

/** `input wire [7:0] name` lines for a module header, comma-separated. */
export function verilogPortDecls(ports: readonly CorePort[], indent = '  '): string {
  return ports.map((p) => `${indent}${p.dir} wire ${p.width > 1 ? `[${p.width - 1}:0] ` : ''}${p.name}`).join(',\n');
}

/** `.name(expr)` connections; `expr(p)` names the signal connected to port `p`. */
export function verilogPortConnections(ports: readonly CorePort[], expr: (p: CorePort) => string, indent = '    '): string {
  return ports.map((p) => `${indent}.${p.name}(${expr(p)})`).join(',\n');
}
