// One bounded read for every model importer: size limit, regular files only. A file that cannot be read
// is the util's one-line InputFileError (the user named it: exit 2); one that is no model a CompileError.

import { INPUT_LIMITS, readInputFile } from '../../../util/input-file';

export function readModelFile(path: string): Uint8Array {
  return readInputFile(path, { maxBytes: INPUT_LIMITS.modelBytes, what: 'model' });
}
