// The `vta` dispatcher: finds the subcommand, handles `--help`, `help <cmd>`, `--version`, and turns
// every error into one line on stderr with exit code 2 (user error) or 1 (failure, internal error).

import type { Command } from './command';
import { COMMANDS } from './commands';
import { CliIo, EXIT_OK, EXIT_USAGE, processIo, reportErrors, UsageError } from './errors';
import { GENERATOR } from './version';

export function generalUsage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: vta <command> [flags]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run `vta help <command>` or `vta <command> --help` for its flags.',
    'Set VTA_DEBUG=1 to see stack traces of internal errors.',
    '',
  ].join('\n');
}

function findCommand(name: string, commands: readonly Command[]): Command {
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    throw new UsageError(
      `unknown command ${JSON.stringify(name)}; commands: ${commands.map((c) => c.name).join(', ')} (see vta --help)`,
    );
  }
  return cmd;
}

/** Runs `vta <argv...>` and resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo = processIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(generalUsage(commands));
    return EXIT_USAGE;
  }
  if (first === '-h' || first === '--help') {
    io.stdout(generalUsage(commands));
    return EXIT_OK;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`${GENERATOR}\n`);
    return EXIT_OK;
  }
  if (first === 'help') {
    return reportErrors('vta help', io, async () => {
      if (rest.length === 0) {
        io.stdout(generalUsage(commands));
        return EXIT_OK;
      }
      if (rest.length > 1) throw new UsageError('expects one command name (see vta --help)');
      io.stdout(findCommand(rest[0], commands).usage);
      return EXIT_OK;
    });
  }
  if (first.startsWith('-')) {
    return reportErrors('vta', io, async () => {
      throw new UsageError(`unknown flag ${first}; a command comes first (see vta --help)`);
    });
  }
  let cmd: Command;
  try {
    cmd = findCommand(first, commands);
  } catch (e) {
    return reportErrors('vta', io, async () => {
      throw e;
    });
  }
  return reportErrors(`vta ${cmd.name}`, io, () => cmd.run([...rest], io));
}
