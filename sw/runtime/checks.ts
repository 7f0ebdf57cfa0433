// Checks that protect the hardware before a stream runs: SRAM ranges of every instruction (with the
// micro-ops it will use), and token balance: the four queues simulated over the stream with three in-order
// stages, so an unbalanced or deadlocking stream is refused with the queue and instruction named.

import type { VtaConfig } from '../../hw/vta/config';
import { MEM_TYPE, MEM_TYPE_TENSOR } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import { Insn, MemInsn, stageOf, Uop } from '../../hw/vta/isa';
import { ALU_OPCODE_REQ } from '../../hw/vta/requant';
import { ProgramCheckError } from './errors';

/** Throws when a LOAD/STORE touches SRAM past its buffer's depth. */
export function checkMemInsn(cfg: VtaConfig, insn: MemInsn, where: string): void {
  const tensorKind = insn.op === 'STORE' ? 'out' : MEM_TYPE_TENSOR[insn.memType];
  // The only other loadable memory type is the requantization stage's parameter buffer (REQUANT.md).
  const kind = tensorKind ?? 'req';
  const depth = tensorKind ? cfg.tensor[tensorKind].depth : (cfg.requant?.depth ?? 0);
  const rows = insn.ySize + (insn.op === 'LOAD' ? insn.yPad0 + insn.yPad1 : 0);
  const cols = insn.xSize + (insn.op === 'LOAD' ? insn.xPad0 + insn.xPad1 : 0);
  if (insn.xSize === 0) return;
  const extent = rows * cols;
  if (insn.sramBase + extent > depth) {
    throw new ProgramCheckError(
      `${where}: ${insn.op} ${kind.toUpperCase()} writes SRAM elements ${insn.sramBase}..${insn.sramBase + extent - 1}, ` +
        `past the ${kind.toUpperCase()} buffer depth ${depth}`,
    );
  }
  if (insn.xStride < insn.xSize && insn.ySize > 1) {
    throw new ProgramCheckError(`${where}: ${insn.op} x_stride ${insn.xStride} is smaller than x_size ${insn.xSize}`);
  }
}

/** Throws when a GEMM/ALU loop nest over `uops` reaches an index past a buffer's depth. */
export function checkLoopInsn(cfg: VtaConfig, insn: Insn, uops: readonly Uop[], where: string): void {
  if (insn.op !== 'GEMM' && insn.op !== 'ALU') return;
  if (insn.iterOut === 0 || insn.iterIn === 0 || uops.length === 0) return;
  const o = insn.iterOut - 1;
  const i = insn.iterIn - 1;
  let dst = 0;
  let src = 0;
  let wgt = 0;
  for (const u of uops) {
    dst = Math.max(dst, u.dst);
    src = Math.max(src, u.src);
    wgt = Math.max(wgt, u.wgt);
  }
  dst += o * insn.dstFactorOut + i * insn.dstFactorIn;
  src += o * insn.srcFactorOut + i * insn.srcFactorIn;
  const accDepth = cfg.tensor.acc.depth;
  if (dst >= accDepth) throw new ProgramCheckError(`${where}: ${insn.op} writes ACC element ${dst}, past the ACC depth ${accDepth}`);
  if (insn.op === 'GEMM') {
    if (insn.resetReg) return;
    wgt += o * insn.wgtFactorOut + i * insn.wgtFactorIn;
    const inpDepth = cfg.tensor.inp.depth;
    const wgtDepth = cfg.tensor.wgt.depth;
    if (src >= inpDepth) throw new ProgramCheckError(`${where}: GEMM reads INP element ${src}, past the INP depth ${inpDepth}`);
    if (wgt >= wgtDepth) throw new ProgramCheckError(`${where}: GEMM reads WGT element ${wgt}, past the WGT depth ${wgtDepth}`);
  } else if (insn.aluOp === ALU_OPCODE_REQ && cfg.requant) {
    if (src >= cfg.requant.depth) throw new ProgramCheckError(`${where}: ALU REQ reads parameter entry ${src}, past the REQ depth ${cfg.requant.depth}`);
  } else if (!insn.useImm && src >= accDepth) {
    throw new ProgramCheckError(`${where}: ALU reads ACC element ${src}, past the ACC depth ${accDepth}`);
  }
}

const QUEUE_NAMES = ['l2g (load->compute)', 'g2l (compute->load)', 'g2s (compute->store)', 's2g (store->compute)'];

function tokens(insn: Insn): { pops: number[]; pushes: number[] } {
  const stage = stageOf(insn);
  const pops: number[] = [];
  const pushes: number[] = [];
  if (stage === 'load') {
    if (insn.popNext) pops.push(1);
    if (insn.pushNext) pushes.push(0);
  } else if (stage === 'compute') {
    if (insn.popPrev) pops.push(0);
    if (insn.popNext) pops.push(3);
    if (insn.pushPrev) pushes.push(1);
    if (insn.pushNext) pushes.push(2);
  } else {
    if (insn.popPrev) pops.push(2);
    if (insn.pushPrev) pushes.push(3);
  }
  return { pops, pushes };
}

/**
 * Runs the stream's token protocol: each stage in program order, pops before, pushes after, queues of
 * `depth` tokens. Throws ProgramCheckError when the pushes and pops of a queue differ or when the stream
 * would deadlock. `where(i)` names instruction i (its operator).
 */
export function checkTokens(cfg: VtaConfig, insns: readonly Insn[], where: (i: number) => string, depth = cfg.depQueueDepth): void {
  const pushes = [0, 0, 0, 0];
  const pops = [0, 0, 0, 0];
  const plan = insns.map((insn) => tokens(insn));
  for (const p of plan) {
    for (const q of p.pops) pops[q]++;
    for (const q of p.pushes) pushes[q]++;
  }
  for (let q = 0; q < 4; q++) {
    if (pushes[q] !== pops[q]) {
      throw new ProgramCheckError(
        `unbalanced dependency tokens in queue ${QUEUE_NAMES[q]}: ${pushes[q]} push(es) but ${pops[q]} pop(s) in a stream of ${insns.length} instructions`,
      );
    }
  }
  const byStage: number[][] = [[], [], []];
  const stageIdx = { load: 0, compute: 1, store: 2 } as const;
  insns.forEach((insn, i) => byStage[stageIdx[stageOf(insn)]].push(i));
  const head = [0, 0, 0];
  const count = [0, 0, 0, 0];
  let done = 0;
  while (done < insns.length) {
    let progressed = false;
    for (let s = 0; s < 3; s++) {
      while (head[s] < byStage[s].length) {
        const i = byStage[s][head[s]];
        const p = plan[i];
        if (p.pops.some((q) => count[q] === 0) || p.pushes.some((q) => count[q] >= depth)) break;
        for (const q of p.pops) count[q]--;
        for (const q of p.pushes) count[q]++;
        head[s]++;
        done++;
        progressed = true;
      }
    }
    if (!progressed) {
      const waits = [0, 1, 2]
        .filter((s) => head[s] < byStage[s].length)
        .map((s) => {
          const i = byStage[s][head[s]];
          const need = plan[i].pops.filter((q) => count[q] === 0).map((q) => QUEUE_NAMES[q]);
          return `${['load', 'compute', 'store'][s]} waits at instruction ${i} (${where(i)}: ${formatInsn(cfg, insns[i])}) for ${need.join(' and ') || 'room'}`;
        });
      throw new ProgramCheckError(`the stream deadlocks: ${waits.join('; ')}`);
    }
  }
}

export const NOP_MEM_TYPE = { load: MEM_TYPE.INP, compute: MEM_TYPE.UOP } as const;
