// Replays a conformance vector on a backend (README "DRAM model"): a DRAM of dram_bytes, the init blobs,
// one run, and a byte-for-byte comparison with every expect blob.

import type { Device, RunOptions, RunResult } from './device';
import { FunctionalSimulator } from './fsim';
import { initialDram, Vector } from './vector';

export interface Mismatch {
  addr: number;
  expected: number;
  actual: number;
  /** Index of the STORE that last wrote the byte, -1 when none did; undefined when not tracked. */
  writer?: number;
}

export interface ReplayResult {
  ok: boolean;
  run: RunResult;
  /** Number of mismatching bytes, and the first few of them. */
  mismatchCount: number;
  mismatches: Mismatch[];
}

export type Target = 'fsim' | 'tsim';
export const TARGETS: readonly Target[] = ['fsim', 'tsim'];

export class TargetUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnavailableError';
  }
}

/** A device of the vector's configuration and DRAM size on the given target. */
export function deviceFor(target: string, v: Vector, strict = true): Device {
  if (target === 'fsim') return new FunctionalSimulator(v.config, { dramBytes: v.dramBytes, strict });
  if (target === 'tsim') {
    throw new TargetUnavailableError('target tsim (Verilator) is not available yet; use --target fsim');
  }
  throw new TargetUnavailableError(`unknown target ${JSON.stringify(target)}; targets: fsim, tsim`);
}

function compare(dev: Device, v: Vector, limit: number): { count: number; first: Mismatch[] } {
  let count = 0;
  const first: Mismatch[] = [];
  for (const blob of v.expect) {
    const got = dev.read(blob.addr, blob.data.length);
    const want = blob.data;
    for (let k = 0; k < want.length; k++) {
      if (got[k] !== want[k]) {
        count++;
        if (first.length < limit) first.push({ addr: blob.addr + k, expected: want[k], actual: got[k] });
      }
    }
  }
  return { count, first };
}

/**
 * Runs the vector. On a mismatch it runs again with store tracking to name the STORE that last wrote each
 * reported byte (tracking costs time, so the passing case never pays for it).
 */
export async function replay(
  v: Vector,
  options: { target?: string; strict?: boolean; maxMismatches?: number } = {},
): Promise<ReplayResult> {
  const target = options.target ?? 'fsim';
  const strict = options.strict ?? true;
  const limit = options.maxMismatches ?? 10;
  const image = initialDram(v);
  const dev = deviceFor(target, v, strict);
  dev.loadImage(image);
  const runOptions: RunOptions = { strict };
  const run = await dev.run(v.insnAddr, v.insnCount, runOptions);
  const { count, first } = compare(dev, v, limit);
  if (count > 0) {
    const again = deviceFor(target, v, strict);
    again.loadImage(image);
    const tracked = await again.run(v.insnAddr, v.insnCount, { strict, trackStores: true });
    if (tracked.storeWriter) for (const m of first) m.writer = tracked.storeWriter(m.addr);
  }
  return { ok: count === 0, run, mismatchCount: count, mismatches: first };
}
