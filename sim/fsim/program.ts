// Fetching a program: the instruction words from DRAM, decoded and checked for legality in program order,
// up to and including the first FINISH (nothing after it is fetched, checked or executed).

import type { VtaConfig } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import { decodeInsn, illegalReason, Insn, INSN_BYTES } from '../../hw/vta/isa';
import { checkInsnAddr, DEFAULT_MAX_UOPS, DeviceArgumentError, IllegalInstructionError, MemoryAccessError } from '../device';

export function fetchProgram(cfg: VtaConfig, dram: Uint8Array, insnAddr: number, insnCount: number): Insn[] {
  if (!Number.isSafeInteger(insnCount) || insnCount < 1) {
    throw new DeviceArgumentError(`run: insnCount must be a positive integer, got ${insnCount}`);
  }
  checkInsnAddr(insnAddr);
  if (!Number.isSafeInteger(insnAddr) || insnAddr < 0 || insnAddr + insnCount * INSN_BYTES > dram.length) {
    throw new MemoryAccessError(
      -1,
      'instruction fetch',
      `fetching ${insnCount} instructions at byte ${insnAddr} reads past the end of DRAM (${dram.length} bytes)`,
    );
  }
  const insns: Insn[] = [];
  for (let i = 0; i < insnCount; i++) {
    const insn = decodeInsn(cfg, dram, insnAddr + i * INSN_BYTES);
    const why = illegalReason(cfg, insn);
    if (why !== null) throw new IllegalInstructionError(i, formatInsn(cfg, insn), why);
    insns.push(insn);
    if (insn.op === 'FINISH') break;
  }
  return insns;
}

/** The warning both targets give for instructions after the first FINISH (never fetched or executed). */
export function afterFinishWarning(insnCount: number, fetched: number): string {
  return `${insnCount - fetched} instruction(s) after FINISH (index ${fetched - 1}) were not executed`;
}

/** RunOptions.maxUops, checked; the default when absent. */
export function checkBudget(maxUops: number | undefined): number {
  const v = maxUops ?? DEFAULT_MAX_UOPS;
  if (!Number.isSafeInteger(v) || v < 0) throw new DeviceArgumentError(`run: maxUops must be an integer >= 0, got ${v}`);
  return v;
}
