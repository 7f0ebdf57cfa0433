// The public API of the `vta-ts` package: `import { openDevice, Runtime, ops, vtaConfig } from 'vta-ts'`.
// Everything a script needs to run operators on fsim or TSIM and to generate the hardware; the folders
// below (hw, gen, sim, sw) stay importable for deeper work, but this is the surface that is kept stable.

import { parseGemmShape } from '../hw/vta/config';
import type { VtaConfig, VtaConfigJson } from '../hw/vta/config';
import { resolveGenConfig } from '../gen/gen';
import * as ops from '../sw/ops';

export { ops };
export { reference } from '../sw/ops';
export type { OpResult, Conv2dOptions } from '../sw/ops';
export { Runtime, RuntimeError, DeviceRunError, ProgramCheckError } from '../sw/runtime';
export type { DeviceBuffer, RuntimeOptions, RuntimeStats } from '../sw/runtime';
export { openDevice, TARGET_NAMES, DEFAULT_DRAM_BYTES, UnknownTargetError } from '../sim/targets';
export type { OpenedDevice, OpenOptions, TargetName } from '../sim/targets';
export { DeviceError } from '../sim/device';
export type { Device, Counters, RunResult } from '../sim/device';
export { defaultConfig, deriveConfig, DEFAULT_CONFIG_JSON } from '../hw/vta/config';
export type { VtaConfig, VtaConfigJson } from '../hw/vta/config';
export { ConfigError } from '../hw/vta/errors';
export { emitRtl } from '../gen/rtl';
export type { RtlOutput } from '../gen/rtl';
export { OperatorError } from '../sw/ops';
export type { DeviceOpResult } from '../sw/ops';
export { compileModel, CompiledModel } from '../sw/compiler/model';
export type { CompileModelOptions, ModelRun } from '../sw/compiler/model';
export { CompileError } from '../sw/compiler/ir';

export interface ConfigOptions {
  /** GEMM shape `BxIxO` (BATCH x BLOCK_IN x BLOCK_OUT), as `vta gen --gemm`. */
  gemm?: string;
  /** A VTA `vta_config.json`, as `vta gen --config` (relative to the working directory). */
  file?: string;
  /** VTA keys (LOG_INP_BUFF_SIZE, ALU_OPS, ...); they win over `gemm` and `file`. */
  keys?: Partial<VtaConfigJson>;
}

/**
 * A checked configuration, resolved like `vta gen`: VTA's defaults < `file` < `gemm` < `keys`.
 * An impossible one throws a ConfigError naming the key and the fix.
 */
export function vtaConfig(options: ConfigOptions = {}): VtaConfig {
  const overrides: Partial<VtaConfigJson> = {};
  const text: string[] = [];
  if (options.gemm !== undefined) {
    Object.assign(overrides, parseGemmShape(options.gemm, 'gemm'));
    text.push(`gemm ${options.gemm}`);
  }
  for (const [k, v] of Object.entries(options.keys ?? {})) {
    (overrides as Record<string, unknown>)[k] = v;
    text.push(`${k} ${JSON.stringify(v)}`);
  }
  return resolveGenConfig({ configFile: options.file, overrides, overrideText: text });
}
