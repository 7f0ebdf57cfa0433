// The configurations the project regresses on, by name: those of the conformance vector set.

import { DEFAULT_CONFIG_JSON, deriveConfig, parseGemmShape, VtaConfig, VtaConfigJson, withOverrides } from './config';
import { ConfigError } from './errors';
import { BOARD_NAMES } from '../boards/boards';
import { boardPreset } from '../boards/presets';

const VECTOR_SET_CONFIGS: Readonly<Record<string, VtaConfigJson>> = {
  default: DEFAULT_CONFIG_JSON,
  // 2x8x8 needs a 64 KiB weight buffer so that the micro-op fits 32 bits.
  b2x8: withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }),
  b1x32: withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32')),
};

/** The conformance vector set's configurations: what `vta regress` runs by default. */
export const VECTOR_SET_NAMES: readonly string[] = Object.keys(VECTOR_SET_CONFIGS);

export const NAMED_CONFIGS: Readonly<Record<string, VtaConfigJson>> = Object.freeze({
  ...VECTOR_SET_CONFIGS,
  // VTA's default shape with each board's preset (hw/boards/presets.ts), e.g. `vta regress --configs pynq-z1`.
  ...Object.fromEntries(BOARD_NAMES.map((b) => [b, withOverrides(DEFAULT_CONFIG_JSON, boardPreset(b))])),
  // The default configuration with LOAD ACC_8BIT (hw/vta/ACC_8BIT.md); the same as `default+acc8`.
  default_acc8: { ...DEFAULT_CONFIG_JSON, ACC_8BIT_LOAD: 1 },
});

export function namedConfig(name: string, where = '--configs'): VtaConfig {
  const json = NAMED_CONFIGS[name];
  if (!json) throw new ConfigError(`${where}: unknown configuration ${JSON.stringify(name)}; known: ${Object.keys(NAMED_CONFIGS).join(', ')}`);
  return deriveConfig(json, name);
}
