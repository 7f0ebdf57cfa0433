// The single entry point from a configuration to Verilog. `vta gen` calls it and writes what it returns.
//
// The top is VtaCore (hw/vta/core/core.ts), with exactly the ports of sim/tsim/ports.ts corePorts(cfg).
// GemmCore/TensorAlu keep their standalone VtaComputeUnits wrapper for their own tests.

import { emitVerilog } from '../hw/dsl';
import type { VtaConfig } from '../hw/vta/config';
import { VtaCore } from '../hw/vta/core/core';
import { GENERATOR } from '../cli/version';

export interface RtlFile {
  /** A plain file name such as `vta_top.v` (no directories). */
  readonly name: string;
  readonly text: string;
}

export interface RtlOutput {
  /** Name of the top-level module. */
  readonly top: string;
  /** Verilog files in compile order (dependencies first). */
  readonly files: readonly RtlFile[];
}

export type RtlEmitter = (cfg: VtaConfig) => RtlOutput;

export function emitRtl(cfg: VtaConfig): { top: string; files: { name: string; text: string }[] } {
  const out = emitVerilog(new VtaCore(cfg), { header: { generator: GENERATOR, configHash: cfg.hash } });
  return { top: out.top, files: out.order.map((name) => ({ name, text: out.files.get(name)! })) };
}
