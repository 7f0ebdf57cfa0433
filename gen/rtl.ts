// The single entry point from a configuration to Verilog. `vta gen` calls it and writes what it returns.
//
// The HDL (hw/dsl) and the VTA modules written in it are not wired in yet; until they are, this throws
// rather than pretend there is hardware. Tests of `vta gen` inject their own emitter (see runGen).

import type { VtaConfig } from '../hw/vta/config';

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
  void cfg;
  throw new Error('emitRtl: the hardware generator is not wired yet');
}
