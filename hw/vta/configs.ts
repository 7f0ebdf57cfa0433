// The configurations the project regresses on, by name: those of the conformance vector set.

import { DEFAULT_CONFIG_JSON, deriveConfig, parseGemmShape, VtaConfig, VtaConfigJson, withOverrides } from './config';
import { ConfigError } from './errors';

export const NAMED_CONFIGS: Readonly<Record<string, VtaConfigJson>> = Object.freeze({
  default: DEFAULT_CONFIG_JSON,
  // 2x8x8 needs a 64 KiB weight buffer so that the micro-op fits 32 bits.
  b2x8: withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }),
  b1x32: withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32')),
});

export function namedConfig(name: string, where = '--configs'): VtaConfig {
  const json = NAMED_CONFIGS[name];
  if (!json) throw new ConfigError(`${where}: unknown configuration ${JSON.stringify(name)}; known: ${Object.keys(NAMED_CONFIGS).join(', ')}`);
  return deriveConfig(json, name);
}
