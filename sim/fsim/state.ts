// What every fsim instruction executor sees: the configuration, DRAM, the SRAMs, the mode, the counters,
// and which instruction is running (for error messages).

import type { VtaConfig } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import type { AluInsn, GemmInsn, Insn } from '../../hw/vta/isa';
import { Counters, MemoryAccessError, WorkBudgetError } from '../device';
import type { Dram } from './dram';
import type { GemmKernel } from './plan';
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
  /** Work budget of the run in GEMM/ALU micro-ops, and what the run has used of it. */
  maxUops: number;
  uopsUsed: number;
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
    throw memoryError(st, `${what} index ${hiInclusive} is past the end of the buffer (depth ${depth}; indices ${lo}..${hiInclusive} accessed)`);
  }
  return true;
}

/**
 * Charges a GEMM/ALU loop nest's micro-ops to the run's work budget before it runs, so a runaway loop nest
 * (say 16383 x 16383 iterations) is refused at once, naming the instruction.
 */
export function chargeUops(st: FsimState, insn: GemmInsn | AluInsn): void {
  const n = Math.max(0, insn.uopEnd - insn.uopBgn) * insn.iterOut * insn.iterIn;
  if (st.uopsUsed + n > st.maxUops) {
    throw new WorkBudgetError(
      st.index,
      formatInsn(st.cfg, insn),
      `${insn.op} of ${Math.max(0, insn.uopEnd - insn.uopBgn)} micro-op(s) x ${insn.iterOut} x ${insn.iterIn} iterations = ${n} micro-ops ` +
        `exceeds the run's work budget (${st.maxUops - st.uopsUsed} of ${st.maxUops} left); raise it with --max-uops`,
    );
  }
  st.uopsUsed += n;
}
