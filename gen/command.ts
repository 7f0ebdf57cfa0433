// Registers `vta gen` with the dispatcher (cli/commands.ts).

import type { Command } from '../cli/command';
import { GEN_USAGE, runGen } from './gen';

export const genCommand: Command = {
  name: 'gen',
  summary: 'generate the Verilog, C header and manifest of a VTA configuration',
  usage: GEN_USAGE,
  run: (argv, io) => runGen(argv, { io }),
};
