// Per-instruction counting: the stage and kind tallies of Counters (byte and micro-op counts are added
// by the executors themselves).

import { ALU_OP_NAMES } from '../../hw/vta/config';
import { Insn, MEM_TYPE_NAMES } from '../../hw/vta/isa';
import type { Counters, StageName } from '../device';

/** The kind name an instruction is counted under in `Counters.byKind`. */
export function kindOf(insn: Insn): string {
  switch (insn.op) {
    case 'LOAD':
    case 'STORE': {
      if (insn.xSize === 0) return `NOP_${insn.op}_${MEM_TYPE_NAMES[insn.memType] ?? insn.memType}`;
      return insn.op === 'STORE' ? 'STORE' : `LOAD_${MEM_TYPE_NAMES[insn.memType] ?? insn.memType}`;
    }
    case 'GEMM':
      return insn.resetReg ? 'GEMM_RESET' : 'GEMM';
    case 'ALU':
      return `ALU_${ALU_OP_NAMES[insn.aluOp] ?? insn.aluOp}${insn.useImm ? '_IMM' : ''}`;
    case 'FINISH':
      return 'FINISH';
    case 'UNKNOWN':
      return 'UNKNOWN';
  }
}

export function countInsn(c: Counters, stage: StageName, kind: string): void {
  if (stage === 'load') c.loadInsns++;
  else if (stage === 'compute') c.computeInsns++;
  else c.storeInsns++;
  c.byKind[kind] = (c.byKind[kind] ?? 0) + 1;
}
