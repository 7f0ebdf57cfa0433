// Micro-op kernels: a list of micro-ops inside at most two loops, as TVM's UopKernel
// (VTAUopLoopBegin/VTAUopPush/VTAUopLoopEnd). A kernel is identified by a key; the command queue keeps
// kernels resident in the UOP buffer (the micro-op cache) and loads each with one LOAD UOP.

import type { VtaConfig } from '../../hw/vta/config';
import { encodeUop, Uop } from '../../hw/vta/isa';
import { IsaError } from '../../hw/vta/errors';
import { RuntimeError } from './errors';

export interface KernelLoop {
  extent: number;
  dstFactor: number;
  srcFactor: number;
  wgtFactor: number;
}

export class UopKernel {
  readonly uops: Uop[] = [];
  readonly loops: KernelLoop[] = [];
  private words: Uint32Array | undefined;

  constructor(readonly key: string) {}

  /** Opens a loop around the micro-ops pushed after it (at most two; the first is the outer one). */
  loop(extent: number, dstFactor: number, srcFactor: number, wgtFactor = 0): this {
    if (this.uops.length > 0) throw new RuntimeError(`kernel ${this.key}: loops must be declared before the first push`);
    if (this.loops.length >= 2) throw new RuntimeError(`kernel ${this.key}: at most two loops (VTA has iter_out and iter_in)`);
    for (const [n, v] of Object.entries({ extent, dstFactor, srcFactor, wgtFactor })) {
      if (!Number.isInteger(v) || v < 0) throw new RuntimeError(`kernel ${this.key}: loop ${n} must be a non-negative integer, got ${v}`);
    }
    this.loops.push({ extent, dstFactor, srcFactor, wgtFactor });
    return this;
  }

  push(dst: number, src: number, wgt = 0): this {
    this.uops.push({ dst, src, wgt });
    this.words = undefined;
    return this;
  }

  get size(): number {
    return this.uops.length;
  }

  /** The micro-ops as 32-bit words; a field that does not fit throws, naming the kernel and micro-op. */
  encode(cfg: VtaConfig): Uint32Array {
    if (!this.words) {
      const words = new Uint32Array(this.uops.length);
      this.uops.forEach((u, i) => {
        try {
          words[i] = encodeUop(cfg, u, `kernel ${this.key} micro-op ${i}`);
        } catch (e) {
          if (e instanceof IsaError) throw new RuntimeError(e.message);
          throw e;
        }
      });
      this.words = words;
    }
    return this.words;
  }

  /** Loop fields for a GEMM/ALU instruction (GEMM: loop 0 is iter_out; ALU with one loop: iter_in, as TVM). */
  loopFields(kind: 'gemm' | 'alu'): {
    iterOut: number;
    iterIn: number;
    dstFactorOut: number;
    dstFactorIn: number;
    srcFactorOut: number;
    srcFactorIn: number;
    wgtFactorOut: number;
    wgtFactorIn: number;
  } {
    const none: KernelLoop = { extent: 1, dstFactor: 0, srcFactor: 0, wgtFactor: 0 };
    let outer = this.loops[0] ?? none;
    let inner = this.loops[1] ?? none;
    if (kind === 'alu' && this.loops.length === 1) {
      inner = outer;
      outer = none;
    }
    return {
      iterOut: outer.extent,
      iterIn: inner.extent,
      dstFactorOut: outer.dstFactor,
      dstFactorIn: inner.dstFactor,
      srcFactorOut: outer.srcFactor,
      srcFactorIn: inner.srcFactor,
      wgtFactorOut: outer.wgtFactor,
      wgtFactorIn: inner.wgtFactor,
    };
  }

  /** Text for the DUMP_UOP debug mode. */
  format(): string {
    const loops = this.loops.map((l) => `loop(${l.extent}, dst*${l.dstFactor}, src*${l.srcFactor}, wgt*${l.wgtFactor})`).join(' ');
    const body = this.uops.map((u, i) => `  ${i}: dst=${u.dst} src=${u.src} wgt=${u.wgt}`).join('\n');
    return `kernel ${this.key}: ${this.uops.length} micro-ops ${loops}\n${body}`;
  }
}
