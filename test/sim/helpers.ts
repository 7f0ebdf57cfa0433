// Small programs for fsim unit tests: a device, data at page-aligned DRAM addresses, a program, a run.

import { deriveConfig, DEFAULT_CONFIG_JSON, VtaConfig, VtaConfigJson, withOverrides } from '../../hw/vta/config';
import { encodeProgram, encodeUop, Insn, Uop } from '../../hw/vta/isa';
import type { RunOptions, RunResult } from '../../sim/device';
import { FunctionalSimulator } from '../../sim/fsim';
import { main } from '../../cli/dispatch';

export const DEFAULT_CFG = deriveConfig(DEFAULT_CONFIG_JSON);

export function config(overrides: Partial<VtaConfigJson> = {}): VtaConfig {
  return deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, overrides));
}

export function device(cfg: VtaConfig = DEFAULT_CFG, strict = true): FunctionalSimulator {
  return new FunctionalSimulator(cfg, { dramBytes: 1 << 20, strict });
}

/** Writes bytes at a fresh page and returns the address. */
export function put(dev: FunctionalSimulator, bytes: Uint8Array): number {
  const addr = dev.alloc(Math.max(1, bytes.length));
  dev.write(addr, bytes);
  return addr;
}

export function int32Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(values).buffer);
}

export function uopBytes(cfg: VtaConfig, uops: readonly Uop[]): Uint8Array {
  return new Uint8Array(Uint32Array.from(uops.map((u) => encodeUop(cfg, u))).buffer);
}

export async function runInsns(dev: FunctionalSimulator, insns: readonly Insn[], options?: RunOptions): Promise<RunResult> {
  const addr = put(dev, encodeProgram(dev.config, insns));
  return dev.run(addr, insns.length, options);
}

/** Runs `vta <argv...>` in this process, collecting what it prints. */
export async function vtaInProcess(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: {} });
  return { code, stdout, stderr };
}
