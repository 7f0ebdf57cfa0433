// VtaComputeUnits: a temporary top that instantiates GemmCore and TensorAlu side by side with their
// ports passed straight through (`io_gemm_*`, `io_alu_*`), so that `vta gen` output lints and builds as
// one design until the full VtaCore replaces it as the generator's top.

import { Bundle, Module, instance } from '../../dsl';
import type { HWAny } from '../../dsl';
import { leavesOf } from '../../dsl';
import type { VtaConfig } from '../config';
import { GemmCore, gemmCoreIoShape } from './gemm-core';
import { TensorAlu, tensorAluIoShape } from './tensor-alu';

/** Wires a child's port bundle to an identically shaped port bundle of the parent, leaf by leaf. */
export function passThrough(parentIo: HWAny, childIo: HWAny): void {
  const p = leavesOf(parentIo);
  const c = leavesOf(childIo);
  c.forEach((l, i) => {
    // Unflipped leaves are the child's outputs (and the parent's outputs).
    if (l.flipped) l.v.set(p[i].v as never);
    else p[i].v.set(l.v as never);
  });
}

export class VtaComputeUnits extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    this.io = this.port(Bundle({ gemm: gemmCoreIoShape(cfg), alu: tensorAluIoShape(cfg) }));
  }
  get name(): string {
    const c = this.cfg;
    return `VtaComputeUnits_${c.batch}x${c.blockIn}x${c.blockOut}_p${c.gemmPipelineDepth}${c.aluOps.includes('MUL') ? '_mul' : ''}`;
  }
  build(): void {
    const gemm = instance('gemm', new GemmCore(this.cfg));
    const alu = instance('alu', new TensorAlu(this.cfg));
    passThrough(this.io.gemm, gemm.io);
    passThrough(this.io.alu, alu.io);
  }
}
