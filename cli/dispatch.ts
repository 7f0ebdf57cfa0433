// The `vta` dispatcher: finds the subcommand, handles `--help`, `help <cmd>`, `--version`, and turns
// every error into one line on stderr with exit code 2 (user error) or 1 (failure, internal error).

import type { Command } from './command';
import { COMMANDS } from './commands';
import { CliIo, EXIT_OK, EXIT_USAGE, processIo, reportErrors, UsageError } from './errors';
import { GENERATOR } from './version';
import { didYouMean } from '../util/suggest';

export function generalUsage(commands: readonly Command[] = COMMANDS): string {
  const rows = commands.flatMap((c) => [[c.name, c.summary], ...(c.subcommands ?? []).map((s) => [`${c.name} ${s.name}`, s.summary])]);
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return [
    'usage: vta <command> [flags]',
    '',
    'commands:',
    ...rows.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`),
    '',
    'Run `vta help <command>` or `vta <command> --help` for its flags (`vta help bench conv2d` for a subcommand).',
    'Set VTA_DEBUG=1 to see stack traces of internal errors.',
    '',
  ].join('\n');
}

function findCommand(name: string, commands: readonly Command[]): Command {
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    const names = commands.map((c) => c.name);
    throw new UsageError(`unknown command ${JSON.stringify(name)}${didYouMean(name, names)} (commands: ${names.join(', ')}; see vta --help)`);
  }
  return cmd;
}

/** `vta help bench conv2d`: a subcommand's help; an unknown one names the command's subcommands. */
function subcommandUsage(cmd: Command, name: string): string {
  const subs = cmd.subcommands ?? [];
  const sub = subs.find((s) => s.name === name);
  if (sub) return sub.usage;
  if (!subs.length) throw new UsageError(`vta ${cmd.name} has no subcommands (see vta help ${cmd.name})`);
  const names = subs.map((s) => s.name);
  throw new UsageError(`unknown subcommand "${cmd.name} ${name}"${didYouMean(name, names, (n) => `${cmd.name} ${n}`)} (subcommands: ${names.join(', ')})`);
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
      if (rest.length > 2) throw new UsageError('expects a command name and optionally a subcommand, e.g. vta help bench conv2d');
      const cmd = findCommand(rest[0], commands);
      io.stdout(rest.length === 2 ? subcommandUsage(cmd, rest[1]) : cmd.usage);
      return EXIT_OK;
    });
  }
  if (first.startsWith('-')) {
    return reportErrors('vta', io, async () => {
      const hint = didYouMean(first.replace(/^-+/, ''), ['help', 'version'], (n) => `--${n}`);
      throw new UsageError(`unknown flag ${first}${hint || '; a command comes first'} (see vta --help)`);
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
