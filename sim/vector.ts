// Conformance vectors (shared/conformance/vta-hls/README.md): a DRAM image, a program, expected bytes.
// Parsing checks every field so a broken file gives one clear message naming the file and the field.

import { deriveConfig, VtaConfig } from '../hw/vta/config';
import { ConfigError } from '../hw/vta/errors';
import { INSN_BYTES } from '../hw/vta/isa';
import { INPUT_LIMITS, InputFileError, readInputText } from '../util/input-file';
import { parseJsonStrict } from '../util/json';

export class VectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VectorError';
  }
}

export interface Blob {
  addr: number;
  data: Uint8Array;
}

export interface Vector {
  name: string;
  file: string;
  configJson: Record<string, unknown>;
  config: VtaConfig;
  dramBytes: number;
  init: Blob[];
  insnAddr: number;
  insnCount: number;
  expect: Blob[];
  source: string;
}

/**
 * Largest DRAM a vector may ask for (2 GiB); protects the process from a corrupt size field. A replay
 * holds about one DRAM per device it opens (plus the init blobs), never a second full-size image.
 */
export const MAX_VECTOR_DRAM_BYTES = 2 ** 31;

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new VectorError(`${where} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function blobs(v: unknown, where: string, dramBytes: number): Blob[] {
  if (!Array.isArray(v)) throw new VectorError(`${where} must be a list of {addr, data}`);
  const list = v.map((b, i) => {
    const w = `${where}[${i}]`;
    if (typeof b !== 'object' || b === null) throw new VectorError(`${w} must be an object {addr, data}`);
    const rec = b as Record<string, unknown>;
    const addr = int(rec.addr, `${w}.addr`, 0, dramBytes);
    if (typeof rec.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(rec.data) || rec.data.length % 4 !== 0) {
      throw new VectorError(`${w}.data must be a base64 string`);
    }
    const data = new Uint8Array(Buffer.from(rec.data, 'base64'));
    if (addr + data.length > dramBytes) {
      throw new VectorError(`${w} covers bytes ${addr}..${addr + data.length - 1}, past the end of DRAM (${dramBytes} bytes)`);
    }
    return { addr, data };
  });
  // Two blobs over the same bytes make the file's meaning depend on their order: reject them.
  const order = list
    .map((b, i) => i)
    .filter((i) => list[i].data.length > 0)
    .sort((a, b) => list[a].addr - list[b].addr);
  for (let k = 1; k < order.length; k++) {
    const [p, q] = [list[order[k - 1]], list[order[k]]];
    if (q.addr < p.addr + p.data.length) {
      const [i, j] = [order[k - 1], order[k]].sort((a, b) => a - b);
      throw new VectorError(
        `${where}[${i}] and ${where.slice(where.lastIndexOf(': ') + 2)}[${j}] overlap (bytes ${q.addr}..${Math.min(p.addr + p.data.length, q.addr + q.data.length) - 1}); each DRAM byte may be given once`,
      );
    }
  }
  return list;
}

export function parseVector(text: string, file: string): Vector {
  let raw: unknown;
  try {
    raw = parseJsonStrict(text, file, 'vector');
  } catch (e) {
    if (e instanceof InputFileError) throw new VectorError(e.message);
    throw e;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new VectorError(`${file}: a vector must be a JSON object`);
  const r = raw as Record<string, unknown>;
  for (const key of ['config', 'dram_bytes', 'init', 'insn_addr', 'insn_count', 'expect']) {
    if (!(key in r)) throw new VectorError(`${file}: missing field ${key}`);
  }
  let config: VtaConfig;
  try {
    config = deriveConfig(r.config, `${file}: config`);
  } catch (e) {
    if (e instanceof ConfigError) throw new VectorError(e.message);
    throw e;
  }
  const dramBytes = int(r.dram_bytes, `${file}: dram_bytes`, 1, MAX_VECTOR_DRAM_BYTES);
  const insnAddr = int(r.insn_addr, `${file}: insn_addr`, 0, dramBytes);
  if (insnAddr % INSN_BYTES !== 0) {
    throw new VectorError(`${file}: insn_addr ${insnAddr} is not ${INSN_BYTES}-byte aligned; instructions start on a ${INSN_BYTES}-byte boundary`);
  }
  const insnCount = int(r.insn_count, `${file}: insn_count`, 1, Math.floor(dramBytes / INSN_BYTES));
  if (insnAddr + insnCount * INSN_BYTES > dramBytes) {
    throw new VectorError(`${file}: the ${insnCount} instructions at ${insnAddr} run past the end of DRAM (${dramBytes} bytes)`);
  }
  return {
    name: typeof r.name === 'string' ? r.name : file.replace(/^.*\//, '').replace(/\.json$/, ''),
    file,
    configJson: r.config as Record<string, unknown>,
    config,
    dramBytes,
    init: blobs(r.init, `${file}: init`, dramBytes),
    insnAddr,
    insnCount,
    expect: blobs(r.expect, `${file}: expect`, dramBytes),
    source: typeof r.source === 'string' ? r.source : '',
  };
}

/**
 * Reads a vector file: a regular file (unless `allowSpecial`) of at most 256 MiB. A file that cannot be
 * read is an InputFileError (the user named it: exit 2), a file that is no vector a VectorError.
 */
export function loadVector(file: string, options: { allowSpecial?: boolean } = {}): Vector {
  const text = readInputText(file, { maxBytes: INPUT_LIMITS.vectorBytes, what: 'vector', allowSpecial: options.allowSpecial });
  return parseVector(text, file);
}

/** The zeroed DRAM image with every init blob copied in (README "DRAM model", steps 1–2). */
export function initialDram(v: Vector): Uint8Array {
  const dram = new Uint8Array(v.dramBytes);
  for (const b of v.init) dram.set(b.data, b.addr);
  return dram;
}

/** The program's instruction bytes. */
export function programBytes(v: Vector): Uint8Array {
  return dramSlice(v, v.insnAddr, v.insnCount * INSN_BYTES);
}

/** Bytes [addr, addr + len) of the initial DRAM, without building the whole image. */
export function dramSlice(v: Pick<Vector, 'init'>, addr: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (const b of v.init) {
    const lo = Math.max(addr, b.addr);
    const hi = Math.min(addr + len, b.addr + b.data.length);
    if (lo < hi) out.set(b.data.subarray(lo - b.addr, hi - b.addr), lo - addr);
  }
  return out;
}

/** Vectors that SEMANTICS.md says record the HLS model's accidents rather than the ISA. */
export const SKIPPED_VECTORS: Readonly<Record<string, string>> = Object.freeze({
  quirk_hls_reset_gemm_then_store: 'records an HLS-model accident: a reset GEMM writes trunc(old acc + product) to OUT; SEMANTICS.md says OUT becomes 0',
  quirk_hls_shr_amounts: 'records an HLS-model accident: only 5 bits of the shift amount count; SEMANTICS.md says the whole amount counts',
});

export function skipReason(v: Pick<Vector, 'name'>): string | null {
  for (const [test, why] of Object.entries(SKIPPED_VECTORS)) {
    if (new RegExp(`__${test}_s\\d+$`).test(v.name)) return why;
  }
  return null;
}
