// VTA's LOAD memory_type 5 (ACC_8BIT) as an extension behind the ACC_8BIT_LOAD knob (hw/vta/ACC_8BIT.md):
// a compute-stage LOAD of int8 DRAM elements, each byte sign-extended into one int32 accumulator lane.
// Off by default: then memory_type 5 stays illegal (SEMANTICS.md) and nothing of this exists.

import { ConfigError } from './errors';

/** VTA's VTA_MEM_ID_ACC_8BIT. */
export const MEM_TYPE_ACC_8BIT = 5;

/** The DRAM element of a LOAD ACC_8BIT: one int8 per accumulator lane. */
export interface Acc8Geom {
  /** BATCH · BLOCK_OUT: bytes of one DRAM element (VTA's ACC_ELEM_BYTES / 4), one per ACC lane. */
  readonly elemBytes: number;
  readonly elemBits: number;
}

/**
 * Reads the ACC_8BIT_LOAD configuration key (absent = 0). It needs int32 accumulators and int8 inputs
 * (VTA's precondition: the lanes are int8 in DRAM and int32 in ACC).
 */
export function readAcc8Load(src: Record<string, unknown>, logInp: number, logAcc: number, where: string): 0 | 1 {
  if (!('ACC_8BIT_LOAD' in src)) return 0;
  const v = src.ACC_8BIT_LOAD;
  if (v !== 0 && v !== 1) {
    throw new ConfigError(`${where}: key ACC_8BIT_LOAD must be 0 (off) or 1 (LOAD memory_type 5, hw/vta/ACC_8BIT.md), got ${JSON.stringify(v)}`);
  }
  if (v === 1 && (logAcc !== 5 || logInp !== 3)) {
    throw new ConfigError(`${where}: ACC_8BIT_LOAD 1 needs LOG_ACC_WIDTH 5 and LOG_INP_WIDTH 3 (int8 sign-extended into int32); got ${logAcc} and ${logInp}`);
  }
  return v;
}

/** Sign-extends `n` int8 values from `src` at `from` into int32 lanes of `dst` (little-endian) at `to`. */
export function signExtendBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const b = src[from + k];
    const ext = b & 0x80 ? 0xff : 0;
    const at = to + 4 * k;
    dst[at] = b;
    dst[at + 1] = ext;
    dst[at + 2] = ext;
    dst[at + 3] = ext;
  }
}
