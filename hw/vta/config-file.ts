// Reading a configuration file: one reader for every command that takes --config, with errors that
// name the file (and the line and column of bad JSON). Kept free of the HDL so simulators can use it.

import { resolve } from 'path';
import { INPUT_LIMITS, InputFileError, readInputText } from '../../util/input-file';
import { parseJsonStrict } from '../../util/json';
import { ConfigError } from './errors';

export { describeFsError } from '../../util/input-file';

/**
 * Reads and parses a JSON config file (at most 1 MiB, a regular file unless `allowSpecial`); errors name
 * the file (and the line and column for bad JSON or a repeated key).
 */
export function readConfigFile(file: string, cwd: string = process.cwd(), allowSpecial = false): unknown {
  try {
    const text = readInputText(resolve(cwd, file), { maxBytes: INPUT_LIMITS.configBytes, what: 'config file', allowSpecial });
    return parseJsonStrict(text, file, 'config file');
  } catch (e) {
    if (e instanceof InputFileError) throw new ConfigError(e.message.replace(resolve(cwd, file), file));
    throw e;
  }
}
