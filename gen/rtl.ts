// The single entry point from a configuration to Verilog. `vta gen` calls it and writes what it returns.
//
// The top is VtaCore (hw/vta/core/core.ts), with exactly the ports of hw/vta/ports.ts corePorts(cfg).
// GemmCore/TensorAlu keep their standalone VtaComputeUnits wrapper for their own tests.

import { elaborate, emitVerilog } from '../hw/dsl';
import type { VtaConfig } from '../hw/vta/config';
import { VtaCore } from '../hw/vta/core/core';
import { GENERATOR } from '../cli/version';
import { manifestFsms, manifestMemories, manifestPorts, ManifestFsm, ManifestMemory, ManifestPort } from './manifest';

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
  /** The top's ports and the design's memories, for the manifest. */
  readonly ports?: readonly ManifestPort[];
  readonly memories?: readonly ManifestMemory[];
  /** FSM state registers and their state names (waveform viewers decode them with these). */
  readonly fsms?: readonly ManifestFsm[];
}

export interface RtlOptions {
  /** Annotate each Verilog block with the TypeScript line(s) that built it. */
  readonly sourceLines?: boolean;
}

export type RtlEmitter = (cfg: VtaConfig, opts?: RtlOptions) => RtlOutput;

export function emitRtl(cfg: VtaConfig, opts: RtlOptions = {}): RtlOutput {
  const circuit = elaborate(new VtaCore(cfg));
  const out = emitVerilog(circuit, { header: { generator: GENERATOR, configHash: cfg.hash }, sourceLines: opts.sourceLines });
  const top = circuit.modules.find((m) => m.name === circuit.top)!;
  return {
    top: out.top,
    files: out.order.map((name) => ({ name, text: out.files.get(name)! })),
    ports: manifestPorts(cfg, top),
    memories: manifestMemories(circuit),
    fsms: manifestFsms(circuit),
  };
}
