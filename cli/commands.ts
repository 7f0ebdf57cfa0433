// The registry of `vta` subcommands, in the order `vta --help` lists them.
// To add one: create its file exporting a `Command`, then add it here.

import type { Command } from './command';
import { genCommand } from '../gen/command';

export const COMMANDS: readonly Command[] = [
  genCommand,
];
