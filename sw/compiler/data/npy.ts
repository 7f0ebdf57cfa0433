// NumPy .npy files (format versions 1.0 and 2.0): little-endian int8, uint8 and float32 arrays in C order,
// the form `vta infer --data npy:FILE` reads and `--save-outputs FILE.npy` writes. The header is a Python
// dict literal ('descr', 'fortran_order', 'shape') padded so the data starts on a 64-byte boundary.

import { writeFileSync } from 'fs';
import { INPUT_LIMITS, readInputFile } from '../../../util/input-file';
import { CompileError } from '../ir';

export type NpyDtype = 'int8' | 'uint8' | 'float32';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: Int8Array | Uint8Array | Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCR: Record<string, NpyDtype> = { '|i1': 'int8', '<i1': 'int8', '|u1': 'uint8', '<u1': 'uint8', '<f4': 'float32' };
const DESCR_OF: Record<NpyDtype, string> = { int8: '|i1', uint8: '|u1', float32: '<f4' };
const ITEM_BYTES: Record<NpyDtype, number> = { int8: 1, uint8: 1, float32: 4 };

/** The header dict's fields; anything else in it is a CompileError naming the file. */
function parseHeader(text: string, path: string): { descr: string; fortran: boolean; shape: number[] } {
  const field = (key: string, value: string) => new RegExp(`['"]${key}['"]\\s*:\\s*${value}`).exec(text);
  const descr = field('descr', `['"]([^'"]*)['"]`);
  const fortran = field('fortran_order', '(True|False)');
  const shape = field('shape', '\\(([^)]*)\\)');
  if (!/^\s*\{.*\}\s*$/s.test(text) || !descr || !fortran || !shape) {
    throw new CompileError(`${path}: the .npy header is not a dict with 'descr', 'fortran_order' and 'shape': ${JSON.stringify(text.trim().slice(0, 80))}`);
  }
  const parts = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!parts.every((s) => /^\d+$/.test(s))) throw new CompileError(`${path}: .npy shape (${shape[1]}) must be non-negative integers`);
  return { descr: descr[1], fortran: fortran[1] === 'True', shape: parts.map(Number) };
}

/** Parses .npy bytes; `path` names them in messages. */
export function parseNpy(b: Uint8Array, path: string): NpyArray {
  if (b.length < 10 || MAGIC.some((m, i) => b[i] !== m)) throw new CompileError(`${path}: not a .npy file (it must start with \\x93NUMPY)`);
  const major = b[6];
  if (major !== 1 && major !== 2) throw new CompileError(`${path}: .npy format version ${major}.${b[7]} is not supported (1.0 or 2.0)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (b.length < 8 + lenBytes) throw new CompileError(`${path}: truncated .npy header`);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (start > b.length)
    throw new CompileError(`${path}: the .npy header claims ${headerLen} bytes, the file has ${b.length - 8 - lenBytes} after its preamble`);
  const h = parseHeader(Buffer.from(b.subarray(8 + lenBytes, start)).toString('latin1'), path);
  const dtype = DESCR[h.descr];
  if (!dtype) throw new CompileError(`${path}: .npy dtype '${h.descr}' is not supported (little-endian int8 '|i1', uint8 '|u1' or float32 '<f4')`);
  if (h.fortran) throw new CompileError(`${path}: .npy data in Fortran order is not supported (save it in C order, e.g. np.ascontiguousarray)`);
  const count = h.shape.reduce((a, c) => a * c, 1);
  const bytes = count * ITEM_BYTES[dtype];
  if (b.length - start !== bytes) {
    throw new CompileError(`${path}: shape (${h.shape.join(', ')}) of ${h.descr} needs ${bytes} data bytes, the file has ${b.length - start}`);
  }
  const raw = new Uint8Array(b.subarray(start, start + bytes)); // a copy (not a view of a Buffer pool): aligned for the typed array
  const data = dtype === 'int8' ? new Int8Array(raw.buffer) : dtype === 'uint8' ? raw : new Float32Array(raw.buffer);
  return { dtype, shape: h.shape, data };
}

/** Reads a .npy file, at most INPUT_LIMITS.dataBytes. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readInputFile(path, { maxBytes: INPUT_LIMITS.dataBytes, what: 'data file' }), path);
}

/** The .npy bytes (format 1.0; 2.0 when the header outgrows 64 KiB) of an array. */
export function npyBytes(a: NpyArray): Uint8Array {
  if (a.data.length !== a.shape.reduce((x, c) => x * c, 1)) throw new CompileError(`npy: ${a.data.length} values for shape (${a.shape.join(', ')})`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  const dict = `{'descr': '${DESCR_OF[a.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const major = dict.length + 12 > 0xffff ? 2 : 1;
  const pre = 8 + (major === 1 ? 2 : 4);
  const headerLen = Math.ceil((pre + dict.length + 1) / 64) * 64 - pre;
  const header = dict.padEnd(headerLen - 1, ' ') + '\n';
  const data = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const out = new Uint8Array(pre + headerLen + data.length);
  out.set(MAGIC);
  out[6] = major;
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, headerLen, true);
  else view.setUint32(8, headerLen, true);
  out.set(Buffer.from(header, 'latin1'), pre);
  out.set(data, pre + headerLen);
  return out;
}

export function writeNpy(path: string, a: NpyArray): void {
  writeFileSync(path, npyBytes(a));
}
