// Replays a conformance vector on a backend (README "DRAM model"): a DRAM of dram_bytes, the init blobs,
// one run, and a byte-for-byte comparison with every expect blob.

import { Device, DeviceError, RunOptions, RunResult } from './device';
import { initialDram, Vector } from './vector';
import { openDevice } from './targets';

export interface Mismatch {
  addr: number;
  expected: number;
  actual: number;
  /** Index of the STORE that last wrote the byte, -1 when none did; undefined when not tracked. */
  writer?: number;
}

export interface ReplayResult {
  ok: boolean;
  /** The target the vector ran on (its result is `run`). */
  target: string;
  run: RunResult;
  /**
   * A mismatch on TSIM is explained by re-running on fsim with store tracking; when that re-run fails, its
   * error (labelled, one line) is here and the TSIM result above still stands.
   */
  attributionError?: string;
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

export interface TraceRequest { path: string; fromCycle?: number; toCycle?: number }

/** The waveform format of a trace file name: .fst or .vcd. */
export function traceFormat(path: string): 'fst' | 'vcd' {
  if (/\.fst$/i.test(path)) return 'fst';
  if (/\.vcd$/i.test(path)) return 'vcd';
  throw new TargetUnavailableError(`trace file ${path}: the name must end in .fst or .vcd`);
}

/**
 * A device of the vector's configuration and DRAM size on the given target. TSIM builds (or finds in the
 * Verilator cache) the core of the vector's configuration.
 */
export async function deviceFor(target: string, v: Vector, strict = true, trace?: 'fst' | 'vcd'): Promise<Device & { close?(): void }> {
  if (trace && target !== 'tsim') throw new TargetUnavailableError(`tracing needs --target tsim (${target} has no waveforms)`);
  if (target === 'fsim' || target === 'tsim') {
    return openDevice(target, v.config, { dramBytes: v.dramBytes, strict, log: () => undefined, trace });
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
  options: {
    target?: string; strict?: boolean; maxMismatches?: number;
    /** TSIM: write a waveform (.fst or .vcd by the extension) of the cycles [fromCycle, toCycle) of the run. */
    trace?: TraceRequest;
    /** Work budgets (RunOptions). */
    maxUops?: number;
    maxCycles?: number;
  } = {},
): Promise<ReplayResult> {
  const target = options.target ?? 'fsim';
  const strict = options.strict ?? true;
  const limit = options.maxMismatches ?? 10;
  const image = initialDram(v);
  const dev = await deviceFor(target, v, strict, options.trace ? traceFormat(options.trace.path) : undefined);
  let run;
  let count;
  let first;
  try {
    dev.loadImage(image);
    const budget = { ...(options.maxUops !== undefined ? { maxUops: options.maxUops } : {}), ...(options.maxCycles !== undefined ? { maxCycles: options.maxCycles } : {}) };
    const runOptions: RunOptions & { trace?: TraceRequest } = { strict, ...budget, ...(options.trace ? { trace: options.trace } : {}) };
    run = await dev.run(v.insnAddr, v.insnCount, runOptions);
    ({ count, first } = compare(dev, v, limit));
  } finally {
    dev.close?.();
  }
  let attributionError: string | undefined;
  if (count > 0) {
    // Store tracking names the STORE that last wrote a byte; fsim has it (any target's mismatch is explained
    // by the reference model's program, so TSIM asks fsim). Its failure never hides this target's result.
    const helper = target === 'tsim' ? 'fsim' : target;
    const again = await deviceFor(helper, v, strict);
    try {
      again.loadImage(image);
      const tracked = await again.run(v.insnAddr, v.insnCount, { strict, trackStores: true, maxUops: options.maxUops });
      if (tracked.storeWriter) for (const m of first) m.writer = tracked.storeWriter(m.addr);
    } catch (e) {
      if (!(e instanceof DeviceError)) throw e;
      attributionError = `${helper} (re-run to name the STOREs) failed: ${e.name}: ${e.message}`;
    } finally {
      again.close?.();
    }
  }
  return { ok: count === 0, target, run, mismatchCount: count, mismatches: first, ...(attributionError ? { attributionError } : {}) };
}
