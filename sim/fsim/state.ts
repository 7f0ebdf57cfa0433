// What every fsim instruction executor sees: the configuration, DRAM, the SRAMs, the mode, the counters,
// and which instruction is running (for error messages).

import type { VtaConfig } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import type { Insn } from '../../hw/vta/isa';
import { Counters, MemoryAccessError } from '../device';
import type { Dram } from './dram';
import type { GemmKernel } from './gemm';
import type { Srams } from './srams';
import type { StoreWriters } from './store-writers';

export interface FsimState {
  readonly cfg: VtaConfig;
  readonly dram: Dram;
  readonly srams: Srams;
  /** Strict: an SRAM index past the depth throws; otherwise it wraps modulo the depth. */
  strict: boolean;
  counters: Counters;
  /** When tracking stores: per DRAM byte, the index of the STORE that last wrote it (-1 none). */
  storeWriters: StoreWriters | null;
  /** The kernel that runs non-reset GEMM loop nests. */
  gemmKernel: GemmKernel;
  /** The instruction being executed and its index in the program. */
  index: number;
  insn: Insn;
}

export function memoryError(st: FsimState, detail: string): MemoryAccessError {
  return new MemoryAccessError(st.index, formatInsn(st.cfg, st.insn), detail);
}

/**
 * Checks that SRAM indices [lo, hiInclusive] of a buffer fit its depth. In strict mode an index past the
 * depth throws; otherwise the caller wraps indices modulo the depth. Returns whether wrapping is needed.
 */
export function checkSram(st: FsimState, what: string, lo: number, hiInclusive: number, depth: number): boolean {
  if (hiInclusive < depth) return false;
  if (st.strict) {
    throw memoryError(
      st,
      `${what} index ${hiInclusive} is past the end of the buffer (depth ${depth}; indices ${lo}..${hiInclusive} accessed)`,
    );
  }
  return true;
}
