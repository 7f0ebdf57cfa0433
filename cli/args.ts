// A small command-line parser shared by the `vta` subcommands. Flags are declared with a type; anything
// not declared is a UsageError naming the flag and pointing at `--help`.
//
// Accepted forms: `--name value`, `--name=value`, bare `--name` for booleans (or `--name=true|false`),
// `-h`/`--help`, and `--` to end the flags. A flag that is not repeatable may be given once.

import { UsageError } from './errors';
import { didYouMean } from '../util/suggest';

export { UsageError };

export type FlagType = 'string' | 'int' | 'bool';
export type FlagValue = string | number | boolean;

export interface FlagSpec {
  /** Name without the leading dashes, e.g. `gemm`. */
  readonly name: string;
  readonly type: FlagType;
  /** May be given more than once; the values are collected in order. */
  readonly repeatable?: boolean;
  /** Placeholder for the value in help text, e.g. `BxIxO`. */
  readonly metavar?: string;
  readonly help: string;
}

export interface CommandSpec {
  /** The command as typed, e.g. `vta gen`. */
  readonly command: string;
  readonly flags: readonly FlagSpec[];
  /** Words after the flags in the synopsis, e.g. `FILE`; positionals are rejected when absent. */
  readonly positionals?: { readonly metavar: string; readonly min?: number; readonly max?: number };
}

/** The result of parsing; typed getters check the flag was declared with that type. */
export class ParsedArgs {
  constructor(
    private readonly specs: ReadonlyMap<string, FlagSpec>,
    private readonly values: ReadonlyMap<string, readonly FlagValue[]>,
    readonly positionals: readonly string[],
    /** `-h` or `--help` was given; the command should print its usage and exit 0. */
    readonly help: boolean,
    /** The flags as given, in order, e.g. `['--gemm 2x8x8', '--mul']`, for messages. */
    readonly given: readonly string[],
  ) {}

  private get(name: string, type: FlagType): readonly FlagValue[] {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`args: flag --${name} was never declared`);
    if (spec.type !== type) throw new Error(`args: flag --${name} is a ${spec.type} flag, not ${type}`);
    return this.values.get(name) ?? [];
  }

  has(name: string): boolean {
    if (!this.specs.has(name)) throw new Error(`args: flag --${name} was never declared`);
    return (this.values.get(name)?.length ?? 0) > 0;
  }

  string(name: string): string | undefined {
    return this.get(name, 'string')[0] as string | undefined;
  }

  int(name: string): number | undefined {
    return this.get(name, 'int')[0] as number | undefined;
  }

  bool(name: string): boolean {
    const v = this.get(name, 'bool');
    return v.length > 0 ? (v[v.length - 1] as boolean) : false;
  }

  strings(name: string): string[] {
    return [...this.get(name, 'string')] as string[];
  }

  ints(name: string): number[] {
    return [...this.get(name, 'int')] as number[];
  }
}

function parseValue(spec: FlagSpec, text: string): FlagValue {
  switch (spec.type) {
    case 'string':
      return text;
    case 'int': {
      if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) {
        throw new UsageError(`--${spec.name} expects an integer, got ${JSON.stringify(text)}`);
      }
      return Number(text);
    }
    case 'bool': {
      const t = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) return true;
      if (['false', '0', 'no', 'off'].includes(t)) return false;
      throw new UsageError(`--${spec.name} expects true or false, got ${JSON.stringify(text)}`);
    }
  }
}

/** Parses `argv` (the words after the subcommand name) against `spec`. Throws UsageError. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const specs = new Map<string, FlagSpec>();
  for (const f of spec.flags) {
    if (specs.has(f.name) || f.name === 'help') throw new Error(`args: flag --${f.name} declared twice`);
    specs.set(f.name, f);
  }
  const seeHelp = `(see ${spec.command} --help)`;
  const values = new Map<string, FlagValue[]>();
  const positionals: string[] = [];
  const given: string[] = [];
  let help = false;

  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === '-h' || word === '--help') {
      help = true;
      continue;
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const flagText = eq >= 0 ? word.slice(0, eq) : word;
    const name = flagText.startsWith('--') ? flagText.slice(2) : '';
    const f = specs.get(name);
    if (!f) {
      const hint = didYouMean(flagText.replace(/^-+/, ''), [...specs.keys(), 'help'], (n) => `--${n}`);
      throw new UsageError(`unknown flag ${flagText}${hint} ${seeHelp}`);
    }

    let value: string;
    if (eq >= 0) {
      value = word.slice(eq + 1);
    } else if (f.type === 'bool') {
      value = 'true';
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`--${name} needs a value${f.metavar ? ` (${f.metavar})` : ''} ${seeHelp}`);
      }
      value = next;
      i++;
    }
    if (value === '' && f.type !== 'string') {
      throw new UsageError(`--${name} needs a value${f.metavar ? ` (${f.metavar})` : ''} ${seeHelp}`);
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && !f.repeatable) {
      throw new UsageError(`--${name} may be given only once ${seeHelp}`);
    }
    list.push(parseValue(f, value));
    values.set(name, list);
    given.push(f.type === 'bool' && eq < 0 ? `--${name}` : `--${name} ${value}`);
  }

  const pos = spec.positionals;
  if (!pos && positionals.length > 0) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])} ${seeHelp}`);
  }
  if (pos) {
    if (positionals.length < (pos.min ?? 0) && !help) {
      throw new UsageError(`missing ${pos.metavar} ${seeHelp}`);
    }
    if (pos.max !== undefined && positionals.length > pos.max) {
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[pos.max])} ${seeHelp}`);
    }
  }
  return new ParsedArgs(specs, values, positionals, help, given);
}

/** Help text: a synopsis line, an optional description, and one line per flag. */
export function formatUsage(spec: CommandSpec, description?: string): string {
  const synopsis = `usage: ${spec.command}${spec.flags.length ? ' [flags]' : ''}${spec.positionals ? ` ${spec.positionals.metavar}` : ''}`;
  const rows: [string, string][] = spec.flags.map((f) => [
    `--${f.name}${f.type === 'bool' ? '' : ` ${f.metavar ?? (f.type === 'int' ? 'N' : 'VALUE')}`}`,
    f.help + (f.repeatable ? ' (repeatable)' : ''),
  ]);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [synopsis, ''];
  if (description) lines.push(description.trimEnd(), '');
  lines.push('flags:');
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}${right}`);
  return lines.join('\n') + '\n';
}
