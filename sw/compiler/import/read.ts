// One bounded read for every model importer: size limit, regular files only, and read errors turned into
// the compiler's one-line CompileError.

import { INPUT_LIMITS, InputFileError, readInputFile } from '../../../util/input-file';
import { CompileError } from '../ir';

export function readModelFile(path: string): Uint8Array {
  try {
    return readInputFile(path, { maxBytes: INPUT_LIMITS.modelBytes, what: 'model' });
  } catch (e) {
    if (e instanceof InputFileError) throw new CompileError(e.message);
    throw e;
  }
}
