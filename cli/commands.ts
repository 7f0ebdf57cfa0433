// The registry of `vta` subcommands, in the order `vta --help` lists them.
// To add one: create its file exporting a `Command`, then add it here.

import type { Command } from './command';
import { genCommand } from '../gen/command';
import { runCommand } from '../sim/cli/run';
import { conformCommand } from '../sim/cli/conform';
import { mutateCommand } from '../sim/cli/mutate';
import { disasmCommand } from '../sim/cli/disasm';
import { benchCommand } from './bench';
import { regressCommand } from '../sim/regress/command';
import { tuneCommand } from '../sw/tune/command';
import { exploreCommand } from '../scripts/explore/command';
import { compileCommand } from '../sw/compiler/commands/compile';
import { inferCommand } from '../sw/compiler/commands/infer';
import { fpgaCommand } from '../scripts/fpga/command';
import { synthCommand } from '../scripts/synth/command';

export const COMMANDS: readonly Command[] = [
  genCommand,
  runCommand,
  conformCommand,
  mutateCommand,
  disasmCommand,
  benchCommand,
  regressCommand,
  tuneCommand,
  exploreCommand,
  compileCommand,
  inferCommand,
  fpgaCommand,
  synthCommand,
];
