// Bounded reading of user-supplied files: every command that reads a file a user names (vectors,
// configurations, programs, models, data sets) goes through here, so no input can hang the tool or
// exhaust memory. Regular files only unless the caller allows special files (FIFOs, devices, process
// substitutions); either way at most `maxBytes` are read, and the error names the file and the limit.

import { closeSync, constants, fstatSync, openSync, readSync, Stats } from 'fs';
import { constants as zlibConstants, gunzipSync } from 'zlib';

/** A file that cannot be used as input; the message is one line naming the file. */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

export interface InputFileOptions {
  /** Largest accepted size in bytes. */
  maxBytes: number;
  /** What the file is, for messages ("vector", "config file"); default "input file". */
  what?: string;
  /** Also read FIFOs, character devices and sockets (still at most maxBytes). Default false. */
  allowSpecial?: boolean;
}

/** Size limits of the project's inputs, in one place so the messages and the docs agree. */
export const INPUT_LIMITS = Object.freeze({
  /** A VTA configuration JSON. */
  configBytes: 1 << 20,
  /** A conformance vector JSON (base64 DRAM blobs). V8 strings stop at about 512 MiB. */
  vectorBytes: 256 << 20,
  /** A raw instruction binary: 4 M instructions. */
  programBytes: 64 << 20,
  /** An ONNX or TFLite model (weights included): 2.5x ResNet-50 in float32, and room to parse it within 1 GiB. */
  modelBytes: 256 << 20,
  /** A schedule database (JSON lines; a record is about 500 bytes): 64k records. */
  scheduleDbBytes: 32 << 20,
  /** A labelled image set (IDX), also after gunzip. */
  dataBytes: 1 << 29,
  /** A report an earlier run wrote (vta bench ... --json), read back to compare with. */
  reportBytes: 16 << 20,
});

/** A short reason for a failed file operation. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO (pipe)';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)} GiB`;
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

/** Reads a whole file of at most `maxBytes`; throws InputFileError naming the file otherwise. */
export function readInputFile(file: string, options: InputFileOptions): Buffer {
  const what = options.what ?? 'input file';
  const max = options.maxBytes;
  const tooBig = () => new InputFileError(`${what} ${file}: larger than the limit of ${formatBytes(max)}`);
  if (file === '') throw new InputFileError(`${what}: the file name is empty`);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer before we can reject it.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InputFileError(`cannot read ${what} ${file}: ${describeFsError(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InputFileError(`cannot read ${what} ${file}: it is a directory`);
    if (!st.isFile()) {
      if (!options.allowSpecial) {
        throw new InputFileError(`${what} ${file}: is ${kindOf(st)}, not a regular file (--allow-special-files reads it, up to ${formatBytes(max)})`);
      }
      closeSync(fd);
      fd = -1;
      try {
        fd = openSync(file, 'r'); // blocking reads for pipes and devices
      } catch (e) {
        throw new InputFileError(`cannot read ${what} ${file}: ${describeFsError(e)}`);
      }
    } else if (st.size > max) {
      throw tooBig();
    }
    return readAtMost(fd, max, tooBig, file, what);
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function readAtMost(fd: number, max: number, tooBig: () => Error, file: string, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunkBytes = 1 << 20;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(chunkBytes, max + 1 - total));
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw new InputFileError(`cannot read ${what} ${file}: ${describeFsError(e)}`);
    }
    if (n === 0) break;
    total += n;
    if (total > max) throw tooBig();
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/** Whether `bytes` look like text: no NUL byte and valid UTF-8. */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.indexOf(0) >= 0) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Reads a text file (UTF-8, no NUL bytes) of at most `maxBytes`. */
export function readInputText(file: string, options: InputFileOptions): string {
  const bytes = readInputFile(file, options);
  if (!isText(bytes)) throw new InputFileError(`${options.what ?? 'input file'} ${file}: binary data, not UTF-8 text`);
  return bytes.toString('utf8');
}

/** Compressed bytes inflated to read a gzipped file's header: deflate expands at most ~1032x, so <= ~4 MiB. */
const GZIP_HEAD_BYTES = 4096;

/**
 * Reads a file that may be gzipped (by its magic bytes) and returns the plain bytes; `maxBytes` bounds
 * the file and what it decompresses to (a small gzip can expand without limit). With `plainSize`, the
 * header is inflated first and the format says how long the whole file must be (throwing on a bad
 * header), so a gzip bomb is refused before its body is inflated and memory stays at the declared size.
 */
export function readInputFileMaybeGzip(file: string, options: InputFileOptions & { plainSize?: (head: Buffer) => number }): Buffer {
  const b = readInputFile(file, options);
  if (b.length < 2 || b[0] !== 0x1f || b[1] !== 0x8b) return b;
  const what = options.what ?? 'input file';
  const inflate = (input: Buffer, opts: Parameters<typeof gunzipSync>[1]): Buffer => {
    try {
      return gunzipSync(input, opts);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        const max = opts?.maxOutputLength ?? options.maxBytes;
        const declared = options.plainSize ? `${formatBytes(max)}, the size its header declares` : `the limit of ${formatBytes(max)}`;
        throw new InputFileError(`${what} ${file}: decompresses to more than ${declared}`);
      }
      throw new InputFileError(`${what} ${file}: broken gzip data (${(e as Error).message})`);
    }
  };
  let limit = options.maxBytes;
  if (options.plainSize) {
    limit = options.plainSize(inflate(b.subarray(0, GZIP_HEAD_BYTES), { finishFlush: zlibConstants.Z_SYNC_FLUSH }));
    if (limit > options.maxBytes)
      throw new InputFileError(`${what} ${file}: its header declares ${formatBytes(limit)}, more than the limit of ${formatBytes(options.maxBytes)}`);
  }
  return inflate(b, { maxOutputLength: limit });
}
