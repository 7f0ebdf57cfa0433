// How the `vta` command reports errors: every expected failure is one line on stderr and an exit code,
// never a stack trace. Commands throw; `reportErrors` (used by the dispatcher and by commands called
// directly from tests) turns the error into that line.

import { inspect } from 'util';
import { ConfigError, IsaError } from '../hw/vta/errors';
import { InputFileError } from '../util/input-file';
import { OutputPathError } from '../util/output-dir';
import { EXIT_INTERRUPTED, InterruptedError } from '../util/interrupt';
import { ExecutorError } from '../exec/executor';

/** A mistake on the command line (unknown flag, missing value, bad number). Exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The work itself failed (an output file could not be written, a run did not finish). Exit code 1. */
export class CommandFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandFailure';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C (128 + SIGINT), after writing what was finished. */
export { EXIT_INTERRUPTED };

/** Where a command writes; tests pass one that collects the text. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Environment (VTA_DEBUG); defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Errors the user caused and can fix from the message alone. */
export function isUserError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ConfigError || e instanceof IsaError || e instanceof InputFileError || e instanceof OutputPathError;
}

/** Longest run of non-blank characters a message repeats in full (flag values, paths). */
const MAX_ECHOED_WORD = 200;

/** One line; a huge value the user typed is shortened, not echoed back whole. */
export function oneLine(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .replace(new RegExp(`\\S{${MAX_ECHOED_WORD + 1},}`, 'g'), (w) => `${w.slice(0, 60)}...[${w.length} characters]`);
}

/**
 * Reports an error thrown by a command and returns the exit code: 2 for user errors, 1 otherwise.
 * `prefix` is the command as the user typed it ("vta gen").
 */
export function reportError(prefix: string, e: unknown, io: CliIo): number {
  const debug = !!(io.env ?? process.env).VTA_DEBUG;
  const message = oneLine(e instanceof Error ? e.message : String(e)) || '(no message)';
  if (isUserError(e)) {
    io.stderr(`${prefix}: ${message}\n`);
    if (debug && e.stack) io.stderr(`${e.stack}\n`);
    return EXIT_USAGE;
  }
  if (e instanceof InterruptedError) {
    io.stderr(`${prefix}: ${message}\n`);
    return EXIT_INTERRUPTED;
  }
  if (e instanceof CommandFailure || e instanceof ExecutorError) {
    io.stderr(`${prefix}: ${message}\n`);
    if (debug) io.stderr(`${inspect(e)}\n`);
    return EXIT_FAILURE;
  }
  if (debug) {
    io.stderr(`${prefix}: ${message} (internal error)\n${inspect(e)}\n`);
  } else {
    io.stderr(`${prefix}: ${message} (internal error; run with VTA_DEBUG=1 for the stack)\n`);
  }
  return EXIT_FAILURE;
}

/** Runs a command body and reports whatever it throws. */
export async function reportErrors(prefix: string, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    return reportError(prefix, e, io);
  }
}
