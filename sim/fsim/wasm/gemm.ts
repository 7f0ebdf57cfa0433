// The WebAssembly SIMD GEMM kernel: assembles gemm-wat.ts's text once with wabt (a maintained
// assembler and validator, rather than a binary encoder of our own), then instantiates it over any
// WebAssembly.Memory that holds the SRAMs.
//
//   const gemm = await createWasmGemm(memory);
//   gemm(geometry, offsets, insn);          // runs one whole GEMM instruction in place
//
// Assembly is asynchronous (wabt starts its own WebAssembly module); instantiation over a memory is
// synchronous once `loadWasmGemmModule()` has resolved (`instantiateWasmGemm`).

import wabtInit from 'wabt';
import { GEMM_PARAMS, GemmBody, gemmWat, UopFetch } from './gemm-wat';
import { wasmApi, WasmMemoryLike, WasmModuleObject } from './wasm-api';
import type { DepFlags, GemmInsn } from '../../../hw/vta/isa';

/** Buffer geometry and micro-op field positions of a configuration. */
export interface WasmGemmGeometry {
  batch: number;
  blockIn: number;
  blockOut: number;
  /** Micro-op fields: dst at bit 0, src at srcLsb, wgt at wgtLsb (widths in bits). */
  dstBits: number;
  srcLsb: number;
  srcBits: number;
  wgtLsb: number;
  wgtBits: number;
  /** Buffer depths in elements (powers of two); indices are taken modulo these. */
  inpDepth: number;
  wgtDepth: number;
  accDepth: number;
}

/** Byte offsets of the buffers inside the memory. */
export interface WasmGemmOffsets {
  uop: number;
  inp: number;
  wgt: number;
  acc: number;
  out: number;
}

/** The loop fields of a GEMM instruction. */
export type WasmGemmLoop = Omit<GemmInsn, 'op' | keyof DepFlags>;

type KernelFn = (...args: number[]) => void;

/** The raw exports: `<raw|tab>_<body>`, each with GEMM_PARAMS. */
export type WasmGemmExports = Record<`${UopFetch}_${GemmBody}`, KernelFn>;

let compiled: Promise<WasmModuleObject> | null = null;
let compiledSync: WasmModuleObject | null = null;

/** Assembles and compiles the kernel module once per process. */
export function loadWasmGemmModule(): Promise<WasmModuleObject> {
  if (!compiled) {
    compiled = (async () => {
      const wabt = await wabtInit();
      const mod = wabt.parseWat('vta-gemm.wat', gemmWat(), { simd: true, bulk_memory: true });
      try {
        mod.resolveNames();
        mod.validate();
        const { buffer } = mod.toBinary({});
        compiledSync = new wasmApi.Module(buffer);
        return compiledSync;
      } finally {
        mod.destroy();
      }
    })();
  }
  return compiled;
}

/** Instantiates the kernel over `memory`; requires loadWasmGemmModule() to have resolved. */
export function instantiateWasmGemm(memory: WasmMemoryLike): WasmGemmExports {
  if (!compiledSync) throw new Error('instantiateWasmGemm: await loadWasmGemmModule() first');
  const inst = new wasmApi.Instance(compiledSync, { env: { memory } });
  return inst.exports as unknown as WasmGemmExports;
}

/** Which body fits a geometry (reset aside). */
export function pickGemmBody(batch: number, blockIn: number, blockOut: number): GemmBody {
  void batch;
  if (blockOut % 4 !== 0) return 'generic';
  if (blockIn === 16) return 'b16';
  if (blockIn % 16 === 0) return 'k16';
  if (blockIn % 8 === 0) return 'k8';
  return 'generic';
}

export type WasmGemm = (geom: WasmGemmGeometry, offsets: WasmGemmOffsets, insn: WasmGemmLoop) => void;

const mask = (bits: number): number => (bits >= 32 ? -1 : (2 ** bits - 1) | 0);

/**
 * A function that runs a whole GEMM instruction (reset or not) inside WebAssembly over `memory`,
 * reading raw micro-op words from the UOP buffer. Indices wrap modulo the depths; bounds checks are
 * the caller's (fsim checks every instruction before it runs).
 */
export async function createWasmGemm(memory: WasmMemoryLike): Promise<WasmGemm> {
  await loadWasmGemmModule();
  const ex = instantiateWasmGemm(memory);
  return (geom, off, insn) => {
    const n = insn.uopEnd - insn.uopBgn;
    if (n <= 0 || insn.iterOut === 0 || insn.iterIn === 0) return;
    const body: GemmBody = insn.resetReg ? 'reset' : pickGemmBody(geom.batch, geom.blockIn, geom.blockOut);
    const fn = ex[`raw_${body}`];
    // A field at bit 32 or above cannot exist in a 32-bit word: it reads as 0.
    const wgtInWord = geom.wgtLsb < 32;
    fn(
      off.uop + 4 * insn.uopBgn,
      n,
      geom.srcLsb,
      wgtInWord ? geom.wgtLsb : 0,
      mask(geom.dstBits),
      mask(geom.srcBits),
      wgtInWord ? mask(geom.wgtBits) : 0,
      insn.iterOut,
      insn.iterIn,
      insn.dstFactorOut,
      insn.dstFactorIn,
      insn.srcFactorOut,
      insn.srcFactorIn,
      insn.wgtFactorOut,
      insn.wgtFactorIn,
      geom.accDepth - 1,
      geom.inpDepth - 1,
      geom.wgtDepth - 1,
      off.inp,
      off.wgt,
      off.acc,
      off.out,
      geom.batch,
      geom.blockIn,
      geom.blockOut,
    );
  };
}

/** Geometry of a VtaConfig-like object. */
export function gemmGeometry(cfg: {
  batch: number;
  blockIn: number;
  blockOut: number;
  layout: { uop: { fields: readonly { lsb: number; width: number }[] } };
  tensor: { inp: { depth: number }; wgt: { depth: number }; acc: { depth: number } };
}): WasmGemmGeometry {
  const [d, s, w] = cfg.layout.uop.fields;
  if (d.lsb !== 0) throw new Error(`wasm GEMM: the micro-op dst field must start at bit 0 (it starts at ${d.lsb})`);
  return {
    batch: cfg.batch,
    blockIn: cfg.blockIn,
    blockOut: cfg.blockOut,
    dstBits: d.width,
    srcLsb: s.lsb,
    srcBits: s.width,
    wgtLsb: w.lsb,
    wgtBits: w.width,
    inpDepth: cfg.tensor.inp.depth,
    wgtDepth: cfg.tensor.wgt.depth,
    accDepth: cfg.tensor.acc.depth,
  };
}

export { GEMM_PARAMS };
