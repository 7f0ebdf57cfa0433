// One readable line per instruction, with its dependency flags, for `vta disasm` and error messages.

import { ALU_OP_NAMES, VtaConfig } from './config';
import { DepFlags, Insn, MEM_TYPE_NAMES, illegalReason, stageOf } from './isa';
import { MEM_TYPE_ACC_8BIT } from './acc8';
import { ALU_OPCODE_REQ, MEM_TYPE_REQ } from './requant';

function deps(insn: DepFlags): string {
  const names: string[] = [];
  if (insn.popPrev) names.push('pop_prev');
  if (insn.popNext) names.push('pop_next');
  if (insn.pushPrev) names.push('push_prev');
  if (insn.pushNext) names.push('push_next');
  return names.length ? `  [${names.join(' ')}]` : '';
}

export function formatInsn(cfg: VtaConfig, insn: Insn): string {
  switch (insn.op) {
    case 'LOAD':
    case 'STORE': {
      const mem = MEM_TYPE_NAMES[insn.memType] ?? extensionMemName(cfg, insn.memType) ?? `mem${insn.memType}`;
      const pads = insn.yPad0 || insn.yPad1 || insn.xPad0 || insn.xPad1 ? ` pad(y ${insn.yPad0},${insn.yPad1} x ${insn.xPad0},${insn.xPad1})` : '';
      const body =
        `${insn.op.padEnd(6)} ${mem.padEnd(3)} sram=${insn.sramBase} dram=${insn.dramBase} ` +
        `y=${insn.ySize} x=${insn.xSize} stride=${insn.xStride}${pads}${insn.xSize === 0 ? ' (sync)' : ''}`;
      return body + deps(insn) + illegalNote(cfg, insn);
    }
    case 'GEMM':
    case 'ALU': {
      const aluName = insn.op === 'ALU' && insn.aluOp === ALU_OPCODE_REQ && cfg.requant ? 'REQ' : undefined;
      const name = insn.op === 'GEMM' ? 'GEMM' : `ALU.${aluName ?? ALU_OP_NAMES[insn.aluOp] ?? `op${insn.aluOp}`}`;
      const operand = insn.op === 'ALU' ? (aluName ? ' param' : insn.useImm ? ` imm=${insn.imm}` : ' vec') : '';
      const wgt = insn.op === 'GEMM' ? ` wgt(${insn.wgtFactorOut},${insn.wgtFactorIn})` : '';
      const body =
        `${name.padEnd(6)}${operand}${insn.resetReg ? ' reset' : ''} uop=[${insn.uopBgn},${insn.uopEnd}) ` +
        `iter=${insn.iterOut}x${insn.iterIn} dst(${insn.dstFactorOut},${insn.dstFactorIn}) src(${insn.srcFactorOut},${insn.srcFactorIn})${wgt}`;
      return body + deps(insn) + illegalNote(cfg, insn);
    }
    case 'FINISH':
      return 'FINISH' + deps(insn);
    case 'UNKNOWN':
      return `ILLEGAL opcode=${insn.opcode}` + deps(insn);
  }
}

/** The name of a memory type an extension of `cfg` adds, or undefined. */
function extensionMemName(cfg: VtaConfig, memType: number): string | undefined {
  if (memType === MEM_TYPE_REQ && cfg.requant) return 'REQ';
  if (memType === MEM_TYPE_ACC_8BIT && cfg.acc8) return 'ACC8';
  return undefined;
}

function illegalNote(cfg: VtaConfig, insn: Insn): string {
  const why = illegalReason(cfg, insn);
  return why ? `  ; ILLEGAL: ${why}` : '';
}

/** What the listing's columns and fields mean for `cfg`, as `#` comment lines (`vta disasm` prints them first). */
export function programLegend(cfg: VtaConfig): string {
  const t = cfg.tensor;
  return [
    `# ${cfg.name}: index, stage queue (load, compute, store), instruction`,
    '# LOAD/STORE: sram= and dram= are element indices of that memory, not bytes (DRAM byte address = dram x element bytes);',
    `#   y, x and stride count elements too; element bytes: UOP ${t.uop.elemBytes}, INP ${t.inp.elemBytes}, WGT ${t.wgt.elemBytes}, ACC ${t.acc.elemBytes}, OUT ${t.out.elemBytes}` +
      (cfg.acc8 ? `, ACC8 ${cfg.acc8.elemBytes} (int8, sign-extended into ACC)` : ''),
    '# GEMM/ALU: uop=[first,end) micro-ops, iter=outer x inner loops, dst/src/wgt(outer,inner) index steps per loop;',
    '#   [pop_prev ... push_next] dependency tokens; "; ILLEGAL: ..." marks what VTA rejects',
  ].join('\n');
}

/** The whole listing: index, stage, instruction. */
export function formatProgram(cfg: VtaConfig, insns: readonly Insn[]): string {
  const width = String(Math.max(0, insns.length - 1)).length;
  return insns.map((insn, i) => `${String(i).padStart(width)}  ${stageOf(insn).padEnd(7)} ${formatInsn(cfg, insn)}`).join('\n');
}
