// Conformance vectors (shared/conformance/vta-hls/README.md): a DRAM image, a program, expected bytes.
// Parsing checks every field so a broken file gives one clear message naming the file and the field.

import { readFileSync } from 'fs';
import { deriveConfig, VtaConfig } from '../hw/vta/config';
import { ConfigError } from '../hw/vta/errors';
import { INSN_BYTES } from '../hw/vta/isa';

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

/** Largest DRAM image a vector may ask for; protects the process from a corrupt size field. */
export const MAX_VECTOR_DRAM_BYTES = 2 ** 31;

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new VectorError(`${where} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

function blobs(v: unknown, where: string, dramBytes: number): Blob[] {
  if (!Array.isArray(v)) throw new VectorError(`${where} must be a list of {addr, data}`);
  return v.map((b, i) => {
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
}

export function parseVector(text: string, file: string): Vector {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new VectorError(`${file}: not valid JSON (${(e as Error).message}); the file may be truncated`);
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

export function loadVector(file: string): Vector {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new VectorError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
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
  const dram = initialDram(v);
  return dram.slice(v.insnAddr, v.insnAddr + v.insnCount * INSN_BYTES);
}

/** Vectors that SEMANTICS.md says record the HLS model's accidents rather than the ISA. */
export const SKIPPED_VECTORS: Readonly<Record<string, string>> = Object.freeze({
  quirk_hls_reset_gemm_then_store:
    'records an HLS-model accident: a reset GEMM writes trunc(old acc + product) to OUT; SEMANTICS.md says OUT becomes 0',
  quirk_hls_shr_amounts:
    'records an HLS-model accident: only 5 bits of the shift amount count; SEMANTICS.md says the whole amount counts',
});

export function skipReason(v: Pick<Vector, 'name'>): string | null {
  for (const [test, why] of Object.entries(SKIPPED_VECTORS)) {
    if (new RegExp(`__${test}_s\\d+$`).test(v.name)) return why;
  }
  return null;
}
