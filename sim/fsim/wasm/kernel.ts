// fsim's GemmKernel backed by the WebAssembly SIMD kernel. fsim prepares each GEMM as a LoopPlan
// (micro-ops decoded into index arrays, bounds checked); this adapter copies the decoded (dst, src, wgt)
// triples into the SRAM memory's scratch region and runs the whole loop nest in WebAssembly with the
// plan's masks (so non-strict wrap-around behaves as in the JS kernel).
//
//   const sim = new FunctionalSimulator(cfg, { gemmKernel: await createWasmGemmKernel() });
//
// A plan with more micro-ops than the scratch region holds (SCRATCH_BYTES / 12) runs on the JS kernel.

import { GemmKernel, jsGemmKernel } from '../gemm';
import { SCRATCH_BYTES, Srams } from '../srams';
import { instantiateWasmGemm, loadWasmGemmModule, pickGemmBody, WasmGemmExports } from './gemm';

/** Most micro-ops per instruction that the WebAssembly path takes (12 bytes of scratch each). */
export const WASM_MAX_UOPS = Math.floor(SCRATCH_BYTES / 12);

export async function createWasmGemmKernel(): Promise<GemmKernel> {
  await loadWasmGemmModule();
  const instances = new WeakMap<object, WasmGemmExports>();
  const tables = new WeakMap<Srams, Int32Array>();
  return (srams, shape, plan) => {
    const n = plan.n;
    if (n > WASM_MAX_UOPS) {
      jsGemmKernel(srams, shape, plan);
      return;
    }
    let ex = instances.get(srams.memory);
    if (!ex) {
      ex = instantiateWasmGemm(srams.memory);
      instances.set(srams.memory, ex);
    }
    let tab = tables.get(srams);
    if (!tab) {
      tab = new Int32Array(srams.memory.buffer, srams.offsets.scratch, WASM_MAX_UOPS * 3);
      tables.set(srams, tab);
    }
    const { dst, src, wgt } = plan;
    for (let u = 0, k = 0; u < n; u++, k += 3) {
      tab[k] = dst[u];
      tab[k + 1] = src[u];
      tab[k + 2] = wgt[u];
    }
    const o = srams.offsets;
    ex[`tab_${pickGemmBody(shape.batch, shape.blockIn, shape.blockOut)}`](
      o.scratch,
      n,
      0,
      0,
      0,
      0,
      0,
      plan.iterOut,
      plan.iterIn,
      plan.dstFactorOut,
      plan.dstFactorIn,
      plan.srcFactorOut,
      plan.srcFactorIn,
      plan.wgtFactorOut,
      plan.wgtFactorIn,
      plan.dstMask,
      plan.srcMask,
      plan.wgtMask,
      o.inp,
      o.wgt,
      o.acc,
      o.out,
      shape.batch,
      shape.blockIn,
      shape.blockOut,
    );
  };
}
