// The interface every `vta` subcommand implements. A subcommand lives in its own file and is
// registered with one line in cli/commands.ts.

import type { CliIo } from './errors';

export interface Command {
  /** The word after `vta`, e.g. `gen`. */
  readonly name: string;
  /** One line for `vta --help`. */
  readonly summary: string;
  /** Full help text for `vta help <name>` and `vta <name> --help`. */
  readonly usage: string;
  /**
   * Runs the command with the words after its name and resolves to the exit code
   * (0 ok, 1 the work failed, 2 a usage or configuration error). It may throw; the dispatcher
   * reports UsageError/ConfigError/IsaError as one line with exit code 2.
   * `io` defaults to the process's stdout/stderr.
   */
  run(argv: string[], io?: CliIo): Promise<number>;
}
