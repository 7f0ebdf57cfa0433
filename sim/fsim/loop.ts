// The GEMM/ALU loop nest (vta-reference §5.1), prepared once per instruction: the micro-ops of
// [uop_bgn, uop_end) decoded from their raw words into flat index arrays, and every index bound checked
// up front, so the kernels' inner loops need no per-access checks. All factors are non-negative, so an
// index's maximum is max over micro-ops + (iter_out-1)*factor_out + (iter_in-1)*factor_in.

import type { AluInsn, GemmInsn } from '../../hw/vta/isa';
import { ALU_OPCODE_REQ } from '../../hw/vta/requant';
import type { LoopPlan } from './plan';
import { checkSram, FsimState } from './state';

export type { LoopPlan };

let scratch = { dst: new Int32Array(256), src: new Int32Array(256), wgt: new Int32Array(256) };

/** Returns null when the loop nest does nothing (zero iterations or an empty micro-op range). */
export function prepareLoop(st: FsimState, insn: GemmInsn | AluInsn): LoopPlan | null {
  const { uopBgn, uopEnd, iterOut, iterIn } = insn;
  const n = uopEnd - uopBgn;
  if (n <= 0 || iterOut === 0 || iterIn === 0) return null;
  const cfg = st.cfg;
  const t = cfg.tensor;
  const isGemm = insn.op === 'GEMM';
  const reset = isGemm && insn.resetReg;
  const uopDepth = t.uop.depth;
  checkSram(st, 'micro-op', uopBgn, uopEnd - 1, uopDepth);

  if (scratch.dst.length < n) {
    const len = Math.max(n, scratch.dst.length * 2);
    scratch = { dst: new Int32Array(len), src: new Int32Array(len), wgt: new Int32Array(len) };
  }
  const { dst, src, wgt } = scratch;
  const [fd, fs, fw] = cfg.layout.uop.fields;
  const dMask = 2 ** fd.width - 1;
  const sMask = 2 ** fs.width - 1;
  const wMask = 2 ** fw.width - 1;
  const words = st.srams.uop;
  const um = uopDepth - 1;
  let maxD = 0;
  let maxS = 0;
  let maxW = 0;
  for (let u = 0; u < n; u++) {
    const word = words[(uopBgn + u) & um];
    const d = (word >>> fd.lsb) & dMask;
    const s = (word >>> fs.lsb) & sMask;
    const w = fw.lsb >= 32 ? 0 : (word >>> fw.lsb) & wMask;
    dst[u] = d;
    src[u] = s;
    wgt[u] = w;
    if (d > maxD) maxD = d;
    if (s > maxS) maxS = s;
    if (w > maxW) maxW = w;
  }
  const o1 = iterOut - 1;
  const i1 = iterIn - 1;
  const what = isGemm ? 'GEMM' : 'ALU';
  checkSram(st, `${what} dst (ACC)`, 0, maxD + o1 * insn.dstFactorOut + i1 * insn.dstFactorIn, t.acc.depth);
  // ALU REQ's src indexes the requantization parameter buffer (REQUANT.md); it ignores use_imm.
  const reqDepth = !isGemm && (insn as AluInsn).aluOp === ALU_OPCODE_REQ && cfg.requant ? cfg.requant.depth : 0;
  const srcDepth = isGemm ? t.inp.depth : reqDepth || t.acc.depth;
  const readsSrc = !reset && (isGemm || reqDepth > 0 || !(insn as AluInsn).useImm);
  if (readsSrc) {
    checkSram(st, `${what} src (${isGemm ? 'INP' : reqDepth ? 'REQ' : 'ACC'})`, 0, maxS + o1 * insn.srcFactorOut + i1 * insn.srcFactorIn, srcDepth);
  }
  const g = isGemm ? (insn as GemmInsn) : null;
  if (g && !reset) {
    checkSram(st, 'GEMM wgt (WGT)', 0, maxW + o1 * g.wgtFactorOut + i1 * g.wgtFactorIn, t.wgt.depth);
  }
  return {
    n,
    iterOut,
    iterIn,
    dst,
    src,
    wgt,
    dstFactorOut: insn.dstFactorOut,
    dstFactorIn: insn.dstFactorIn,
    srcFactorOut: insn.srcFactorOut,
    srcFactorIn: insn.srcFactorIn,
    wgtFactorOut: g ? g.wgtFactorOut : 0,
    wgtFactorIn: g ? g.wgtFactorIn : 0,
    dstMask: t.acc.depth - 1,
    srcMask: srcDepth - 1,
    wgtMask: t.wgt.depth - 1,
  };
}
