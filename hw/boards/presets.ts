// Board presets: the configuration keys a board implies (its memory bus width, and the knobs that make
// VTA's default shape fit its FPGA). `vta gen --board` and `vta synth --board` apply them under the flags,
// so an explicit flag still wins.

import type { VtaConfigJson } from '../vta/config';
import { Board, boardByName } from './boards';

const LOG_BUS: Readonly<Record<Board['memBusBits'], number>> = { 64: 6, 128: 7, 256: 8, 512: 9 };

/**
 * Per-board knob settings beyond the bus width, chosen so that VTA's default shape leaves at least 10% of
 * each board's block RAM free (room for the shell and for the vendor placer). The Zynq-7020 has 140 RAMB36
 * and 220 DSP48E1: the ALU at one micro-op per two cycles keeps ACC at one read port (no replica, ~28 RAMB36
 * saved) and two products per DSP bring 1x16x16 from 256 to 128 DSPs. On the DE10-Nano the ACC replica
 * would take 529 of 553 M10K (yosys); without it ~426. Its 256 int8 products fit the 112 DSP blocks three
 * 9x9 multipliers to a block, so no packing.
 */
const BOARD_KNOBS: Readonly<Record<string, Partial<VtaConfigJson>>> = {
  'pynq-z1': { ALU_INITIATION_INTERVAL: 2, GEMM_DSP_PACKING: 2 },
  'de10-nano': { ALU_INITIATION_INTERVAL: 2 },
};

/** The configuration keys `board` sets (a board name or the Board itself). */
export function boardPreset(board: Board | string): Partial<VtaConfigJson> {
  const b = typeof board === 'string' ? boardByName(board) : board;
  return { LOG_BUS_WIDTH: LOG_BUS[b.memBusBits], ...(BOARD_KNOBS[b.name] ?? {}) };
}
