// Output directories, checked before any work starts: a non-empty path, every existing part a
// directory, and each missing part created one at a time (recursive mkdir loops forever on /proc).

import { mkdirSync, statSync } from 'fs';
import { dirname, resolve } from 'path';
import { describeFsError } from './input-file';

/** An output path that cannot be used; the message names the path and why. */
export class OutputPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputPathError';
  }
}

function statOrNull(path: string, what: string) {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new OutputPathError(`${what} ${path}: ${describeFsError(e)}`);
  }
}

/**
 * Creates `dir` (relative to `cwd`) if needed and returns its absolute path. `what` names it in
 * messages, e.g. "--out".
 */
export function prepareOutputDir(dir: string, what: string, cwd: string = process.cwd()): string {
  if (dir.trim() === '') throw new OutputPathError(`${what}: the directory name is empty`);
  const abs = resolve(cwd, dir);
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    const st = statOrNull(at, what);
    if (st) {
      if (!st.isDirectory()) throw new OutputPathError(`${what} ${dir}: ${at} exists and is not a directory`);
      break;
    }
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const part of missing) {
    try {
      mkdirSync(part);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statOrNull(part, what)?.isDirectory()) continue;
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${dirname(part)} does not allow new directories` : describeFsError(e);
      throw new OutputPathError(`${what} ${dir}: cannot create ${part}: ${why}`);
    }
  }
  return abs;
}

/** Prepares the directory a file will be written into (for --json FILE, --svg FILE and the like). */
export function prepareOutputFile(file: string, what: string, cwd: string = process.cwd()): string {
  if (file.trim() === '') throw new OutputPathError(`${what}: the file name is empty`);
  const abs = resolve(cwd, file);
  const st = statOrNull(abs, what);
  if (st?.isDirectory()) throw new OutputPathError(`${what} ${file}: is a directory, not a file`);
  prepareOutputDir(dirname(abs), what, cwd);
  return abs;
}

/** An output file flag: the user's path checked (its folder must exist), else the default with its folders made. */
export function outputFileFlag(given: string | undefined, fallback: string, what: string, cwd: string = process.cwd()): string {
  return given !== undefined ? checkOutputFile(given, what, cwd) : prepareOutputFile(fallback, what, cwd);
}

/**
 * Checks, before any work, that a file the user named (--json FILE, --svg FILE, --html FILE) can be
 * written: not a directory, and its folder exists. Folders are not created: a mistyped path is an error
 * naming it, not a new folder somewhere.
 */
export function checkOutputFile(file: string, what: string, cwd: string = process.cwd()): string {
  if (file.trim() === '') throw new OutputPathError(`${what}: the file name is empty`);
  const abs = resolve(cwd, file);
  if (statOrNull(abs, what)?.isDirectory()) throw new OutputPathError(`${what} ${file}: is a directory, not a file`);
  const folder = statOrNull(dirname(abs), what);
  if (!folder) throw new OutputPathError(`${what} ${file}: the folder ${dirname(abs)} does not exist (create it first)`);
  if (!folder.isDirectory()) throw new OutputPathError(`${what} ${file}: ${dirname(abs)} is not a folder`);
  return abs;
}
