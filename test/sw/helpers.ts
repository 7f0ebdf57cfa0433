// Shared helpers of the sw/ tests: a seeded generator, fsim runtimes, array comparison.
import { deriveConfig, DEFAULT_CONFIG_JSON, VtaConfig, VtaConfigJson, withOverrides } from '../../hw/vta/config';
import { FunctionalSimulator } from '../../sim/fsim';
import { DebugOptions, Runtime } from '../../sw/runtime';

export function cfgWith(overrides: Partial<VtaConfigJson> = {}): VtaConfig {
  return deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, overrides));
}

export function runtime(cfg: VtaConfig = cfgWith(), debug?: DebugOptions, dramBytes = 32 << 20): Runtime {
  return new Runtime(new FunctionalSimulator(cfg, { dramBytes }), { debug });
}

export class Rng {
  constructor(private s: number) {}
  next(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s;
  }
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  pick<T>(a: readonly T[]): T {
    return a[this.next() % a.length];
  }
  int8(n: number): Int8Array {
    return Int8Array.from({ length: n }, () => this.int(-128, 127));
  }
  int32(n: number, lo: number, hi: number): Int32Array {
    return Int32Array.from({ length: n }, () => this.int(lo, hi));
  }
}

/** The first index where a and b differ, or -1. */
export function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** An IDX file of unsigned bytes (MNIST's format): the header for `dims`, then the first values of `data`. */
export function idxFile(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x800 + dims.length, 0);
  dims.forEach((v, i) => header.writeUInt32BE(v, 4 + 4 * i));
  return Buffer.concat([
    header,
    data.subarray(
      0,
      dims.reduce((a, b) => a * b, 1),
    ),
  ]);
}
