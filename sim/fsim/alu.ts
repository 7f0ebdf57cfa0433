// ALU (SEMANTICS.md "Compute"): operand b = sign-extended imm or acc[src], lane by lane, every batch row;
// MIN/MAX signed, ADD wraps, MUL low 32 bits, SHR by the whole signed amount (s >= 0: arithmetic right by
// min(s, 31); s < 0: left by -s, 0 when -s >= 32). Then out[dst] = low 8 bits. reset_reg is ignored.
// Lanes and micro-ops run strictly in order, so a micro-op sees every earlier write. With the requantization
// stage, opcode 5 (REQ) requantizes acc[dst] by the parameter entry src (REQUANT.md).

import { ALU_OPCODE, AluInsn } from '../../hw/vta/isa';
import { ALU_OPCODE_REQ, requantize } from '../../hw/vta/requant';
import { LoopPlan, prepareLoop } from './loop';
import { chargeUops, FsimState } from './state';

const MIN = ALU_OPCODE.MIN;
const MAX = ALU_OPCODE.MAX;
const ADD = ALU_OPCODE.ADD;
const SHR = ALU_OPCODE.SHR;
const MUL = ALU_OPCODE.MUL;

/** One ALU lane operation on int32 values, exactly as SEMANTICS.md defines it. */
export function aluOp(op: number, a: number, b: number): number {
  switch (op) {
    case MIN:
      return a < b ? a : b;
    case MAX:
      return a > b ? a : b;
    case ADD:
      return (a + b) | 0;
    case SHR:
      return b >= 0 ? a >> (b > 31 ? 31 : b) : -b >= 32 ? 0 : a << -b;
    case MUL:
      return Math.imul(a, b);
    default:
      throw new Error(`internal: ALU op ${op} reached the ALU`);
  }
}

/**
 * ALU REQ (REQUANT.md): acc[dst] = requantStage(acc[dst], param[src] lane o) on every batch row, sign-extended,
 * and out[dst] = its low 8 bits. Entries are decoded once until a LOAD REQ rewrites the buffer (Srams.reqEntry).
 */
function executeRequant(st: FsimState, plan: LoopPlan): void {
  const { acc, out, req } = st.srams;
  const { batch, blockOut } = st.cfg;
  if (!req) throw new Error('internal: ALU REQ without a requantization stage');
  const lanes = batch * blockOut;
  const { n, iterOut, iterIn, dst, src, dstMask, srcMask } = plan;
  for (let o = 0; o < iterOut; o++) {
    for (let i = 0; i < iterIn; i++) {
      const dOff = o * plan.dstFactorOut + i * plan.dstFactorIn;
      const sOff = o * plan.srcFactorOut + i * plan.srcFactorIn;
      for (let u = 0; u < n; u++) {
        const d = ((dst[u] + dOff) & dstMask) * lanes;
        const schemes = st.srams.reqEntry((src[u] + sOff) & srcMask);
        for (let l = 0; l < lanes; l++) {
          const v = requantize(acc[d + l], schemes[l % blockOut]);
          acc[d + l] = v;
          out[d + l] = v;
        }
      }
    }
  }
}

export function executeAlu(st: FsimState, insn: AluInsn): void {
  chargeUops(st, insn);
  const plan = prepareLoop(st, insn);
  if (!plan) return;
  if (insn.aluOp === ALU_OPCODE_REQ) {
    executeRequant(st, plan);
    st.counters.aluUops += plan.n * plan.iterOut * plan.iterIn;
    return;
  }
  const { acc, out } = st.srams;
  const lanes = st.cfg.batch * st.cfg.blockOut;
  const op = insn.aluOp;
  const useImm = insn.useImm;
  const imm = insn.imm | 0;
  const { n, iterOut, iterIn, dst, src, dstMask, srcMask } = plan;
  for (let o = 0; o < iterOut; o++) {
    for (let i = 0; i < iterIn; i++) {
      const dOff = o * plan.dstFactorOut + i * plan.dstFactorIn;
      const sOff = o * plan.srcFactorOut + i * plan.srcFactorIn;
      for (let u = 0; u < n; u++) {
        const d = ((dst[u] + dOff) & dstMask) * lanes;
        const s = ((src[u] + sOff) & srcMask) * lanes;
        for (let l = 0; l < lanes; l++) {
          const a = acc[d + l];
          const b = useImm ? imm : acc[s + l];
          let v: number;
          switch (op) {
            case MIN:
              v = a < b ? a : b;
              break;
            case MAX:
              v = a > b ? a : b;
              break;
            case ADD:
              v = (a + b) | 0;
              break;
            case SHR:
              v = b >= 0 ? a >> (b > 31 ? 31 : b) : -b >= 32 ? 0 : a << -b;
              break;
            default:
              v = Math.imul(a, b);
              break; // MUL; illegal ops never get here
          }
          acc[d + l] = v;
          out[d + l] = v;
        }
      }
    }
  }
  st.counters.aluUops += n * iterOut * iterIn;
}
