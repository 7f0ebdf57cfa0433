// GEMM (SEMANTICS.md "Compute"): acc[dst] = wrap32(acc[dst] + inp[src]·wgt[wgt]ᵀ), out[dst] = low 8 bits;
// with reset_reg: acc[dst] = 0 and out[dst] = 0. Micro-ops take effect strictly in program order.
//
// The kernel is replaceable (`GemmKernel`): the plain-JS one below is the reference and the default; a
// WebAssembly kernel can work on the same memory (Srams.memory, Srams.offsets) instead.

import type { GemmInsn } from '../../hw/vta/isa';
import { prepareLoop } from './loop';
import type { GemmKernel, GemmShape, LoopPlan } from './plan';
import type { Srams } from './srams';

export type { GemmKernel, GemmShape };
import { chargeUops, FsimState } from './state';

/** Geometry a kernel needs, in elements/lanes. */

export const jsGemmKernel: GemmKernel = (srams, shape, plan) => {
  const { inp, wgt, acc, out } = srams;
  const batch = shape.batch;
  const bi = shape.blockIn;
  const bo = shape.blockOut;
  const inpElem = batch * bi;
  const wgtElem = bo * bi;
  const accElem = batch * bo;
  const { n, iterOut, iterIn, dst, src, wgt: wi, dstMask, srcMask, wgtMask } = plan;
  for (let o = 0; o < iterOut; o++) {
    for (let i = 0; i < iterIn; i++) {
      const dOff = o * plan.dstFactorOut + i * plan.dstFactorIn;
      const sOff = o * plan.srcFactorOut + i * plan.srcFactorIn;
      const wOff = o * plan.wgtFactorOut + i * plan.wgtFactorIn;
      for (let u = 0; u < n; u++) {
        const accBase = ((dst[u] + dOff) & dstMask) * accElem;
        const inpBase = ((src[u] + sOff) & srcMask) * inpElem;
        const wgtBase = ((wi[u] + wOff) & wgtMask) * wgtElem;
        for (let b = 0; b < batch; b++) {
          const ib = inpBase + b * bi;
          const ab = accBase + b * bo;
          for (let oo = 0; oo < bo; oo++) {
            const wb = wgtBase + oo * bi;
            let sum = 0;
            for (let k = 0; k < bi; k++) sum += inp[ib + k] * wgt[wb + k];
            const v = (acc[ab + oo] + sum) | 0;
            acc[ab + oo] = v;
            out[ab + oo] = v;
          }
        }
      }
    }
  }
};

/** A reset GEMM: acc[dst] = 0 and out[dst] = 0 for every index of the loop nest. */
function resetKernel(srams: Srams, shape: GemmShape, plan: LoopPlan): void {
  const { acc, out } = srams;
  const accElem = shape.batch * shape.blockOut;
  const { n, iterOut, iterIn, dst, dstMask } = plan;
  for (let o = 0; o < iterOut; o++) {
    for (let i = 0; i < iterIn; i++) {
      const dOff = o * plan.dstFactorOut + i * plan.dstFactorIn;
      for (let u = 0; u < n; u++) {
        const a = ((dst[u] + dOff) & dstMask) * accElem;
        acc.fill(0, a, a + accElem);
        out.fill(0, a, a + accElem);
      }
    }
  }
}

export function executeGemm(st: FsimState, insn: GemmInsn): void {
  chargeUops(st, insn);
  const plan = prepareLoop(st, insn);
  if (!plan) return;
  const uops = plan.n * plan.iterOut * plan.iterIn;
  const cfg = st.cfg;
  const shape: GemmShape = { batch: cfg.batch, blockIn: cfg.blockIn, blockOut: cfg.blockOut };
  if (insn.resetReg) {
    resetKernel(st.srams, shape, plan);
    st.counters.gemmResetUops += uops;
  } else {
    st.gemmKernel(st.srams, shape, plan);
    st.counters.gemmUops += uops;
    st.counters.macs += uops * cfg.batch * cfg.blockIn * cfg.blockOut;
  }
}
