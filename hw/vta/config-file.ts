// Reading a configuration file: one reader for every command that takes --config, with errors that
// name the file (and the line and column of bad JSON). Kept free of the HDL so simulators can use it.

import { readFileSync } from 'fs';
import { resolve } from 'path';
import { ConfigError } from './errors';

/** A short reason for a failed file operation. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    default: return e instanceof Error ? e.message : String(e);
  }
}

/** Reads and parses a JSON config file; errors name the file (and the line and column for bad JSON). */
export function readConfigFile(file: string, cwd: string = process.cwd()): unknown {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${describeFsError(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    let msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      const column = Number(pos[1]) - before.lastIndexOf('\n');
      msg += ` (line ${line}, column ${column})`;
    } else if (text.trim() === '') {
      msg = 'the file is empty';
    }
    throw new ConfigError(`${file}: invalid JSON: ${msg}`);
  }
}
