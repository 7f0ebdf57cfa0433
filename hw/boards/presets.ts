// Board presets: the configuration keys a board implies (its memory bus width, and the knobs on its record
// that make VTA's default shape fit its FPGA with at least 10% of the block RAM free, room for the shell
// and the vendor placer). `vta gen --board` and `vta synth --board` apply them under the flags, so an
// explicit flag still wins.

import type { VtaConfigJson } from '../vta/config';
import { Board, boardByName } from './boards';

const LOG_BUS: Readonly<Record<Board['memBusBits'], number>> = { 64: 6, 128: 7, 256: 8, 512: 9 };

/** The configuration keys `board` sets (a board name or the Board itself). */
export function boardPreset(board: Board | string): Partial<VtaConfigJson> {
  const b = typeof board === 'string' ? boardByName(board) : board;
  return { LOG_BUS_WIDTH: LOG_BUS[b.memBusBits], ...b.presetKnobs };
}
