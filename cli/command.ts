// The interface every `vta` subcommand implements. A subcommand lives in its own file and is
// registered with one line in cli/commands.ts.

import { CommandSpec, formatUsage, ParsedArgs, parseArgs } from './args';
import { CliIo, EXIT_OK, processIo } from './errors';

/** A word after the command's name that selects other work (`vta bench conv2d`); listed by `vta --help`. */
export interface Subcommand {
  readonly name: string;
  readonly summary: string;
  /** Full help text for `vta help <command> <name>`. */
  readonly usage: string;
}

export interface Command {
  /** The word after `vta`, e.g. `gen`. */
  readonly name: string;
  /** One line for `vta --help`. */
  readonly summary: string;
  /** Full help text for `vta help <name>` and `vta <name> --help`. */
  readonly usage: string;
  readonly subcommands?: readonly Subcommand[];
  /**
   * Runs the command with the words after its name and resolves to the exit code
   * (0 ok, 1 the work failed, 2 a usage or configuration error). It may throw; the dispatcher
   * reports UsageError/ConfigError/IsaError as one line with exit code 2.
   * `io` defaults to the process's stdout/stderr.
   */
  run(argv: string[], io?: CliIo): Promise<number>;
}

/** What a flag-parsing command provides; `defineCommand` adds parsing, `--help` and the usage text. */
export interface CommandDefinition {
  readonly name: string;
  readonly summary: string;
  readonly spec: CommandSpec;
  /** Paragraph under the synopsis in the help text. */
  readonly description?: string;
  execute(args: ParsedArgs, io: CliIo): Promise<number>;
}

export function defineCommand(d: CommandDefinition): Command {
  const usage = formatUsage(d.spec, d.description);
  return {
    name: d.name,
    summary: d.summary,
    usage,
    async run(argv: string[], io: CliIo = processIo): Promise<number> {
      const args = parseArgs(d.spec, argv);
      if (args.help) {
        io.stdout(usage);
        return EXIT_OK;
      }
      return d.execute(args, io);
    },
  };
}
