// What the generator (and the Verilator models built from it) can handle in reasonable time and memory.
// deriveConfig checks what the ISA can encode; these limits say what the hardware generator elaborates:
// it builds one multiplier per MAC and one SRAM word per element, so both are bounded up front.

import type { VtaConfig } from './config';
import { ConfigError } from './errors';

export const GENERATOR_LIMITS = Object.freeze({
  /** BATCH x BLOCK_IN x BLOCK_OUT multipliers (1x128x128): above it generation takes minutes and GBs. */
  maxGemmMacs: 16384,
  /** Bits of the widest SRAM word (an ACC element is BATCH x BLOCK_OUT x 32 bits). */
  maxElementBits: 32768,
});

/** Throws a ConfigError naming the keys and the limit when the generator cannot build `cfg`. */
export function checkGeneratorLimits(cfg: VtaConfig, where: string): VtaConfig {
  const macs = cfg.batch * cfg.blockIn * cfg.blockOut;
  if (macs > GENERATOR_LIMITS.maxGemmMacs) {
    throw new ConfigError(
      `${where}: LOG_BATCH/LOG_BLOCK_IN/LOG_BLOCK_OUT give a ${cfg.batch}x${cfg.blockIn}x${cfg.blockOut} GEMM core of ${macs} MACs; ` +
        `the generator builds at most ${GENERATOR_LIMITS.maxGemmMacs} (e.g. 1x128x128 or 4x64x64)`,
    );
  }
  for (const [kind, key] of [
    ['inp', 'LOG_BATCH/LOG_BLOCK_IN'],
    ['wgt', 'LOG_BLOCK_IN/LOG_BLOCK_OUT'],
    ['acc', 'LOG_BATCH/LOG_BLOCK_OUT'],
  ] as const) {
    const bits = cfg.tensor[kind].elemBits;
    if (bits > GENERATOR_LIMITS.maxElementBits) {
      throw new ConfigError(
        `${where}: ${key} make one ${kind} element ${bits} bits wide; the generator's SRAM words are at most ${GENERATOR_LIMITS.maxElementBits} bits`,
      );
    }
  }
  return cfg;
}
