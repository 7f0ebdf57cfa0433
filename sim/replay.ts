// Replays a conformance vector on a backend (README "DRAM model"): a DRAM of dram_bytes, the init blobs,
// one run, and a byte-for-byte comparison with every expect blob.

import { Device, DeviceError, RunOptions, RunResult } from './device';
import type { Vector } from './vector';
import { isTargetName, openDevice, TARGET_NAMES, UnknownTargetError } from './targets';
import type { TargetName } from './targets';

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

export type Target = TargetName;
/** Every --target: fsim (WebAssembly GEMM kernel), fsim-js (the same simulator, plain-JS GEMM), tsim. */
export const TARGETS: readonly Target[] = TARGET_NAMES;

export class TargetUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnavailableError';
  }
}

export interface TraceRequest {
  path: string;
  fromCycle?: number;
  toCycle?: number;
}

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
export async function deviceFor(
  target: string,
  v: Vector,
  strict = true,
  trace?: 'fst' | 'vcd',
  log?: (line: string) => void,
  clockMhz?: number,
): Promise<Device & { close?(): void }> {
  if (trace && target !== 'tsim') throw new TargetUnavailableError(`tracing needs --target tsim (${target} has no waveforms)`);
  // A TSIM build says what it builds, why and how far it is (stderr by default).
  if (isTargetName(target)) return openDevice(target, v.config, { dramBytes: v.dramBytes, strict, log, trace, clockMhz });
  throw new TargetUnavailableError(new UnknownTargetError(target).message);
}

/**
 * The vector's initial DRAM on a freshly opened device (whose DRAM is zero), written blob by blob: no
 * full-size image is built and untouched pages stay unmapped, so a 2 GiB vector costs only what it uses.
 */
function loadInitialDram(dev: Device, v: Vector): void {
  for (const b of v.init) dev.write(b.addr, b.data);
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
    target?: string;
    strict?: boolean;
    maxMismatches?: number;
    /** TSIM: write a waveform (.fst or .vcd by the extension) of the cycles [fromCycle, toCycle) of the run. */
    trace?: TraceRequest;
    /** Work budgets (RunOptions). */
    maxUops?: number;
    maxCycles?: number;
    /** fsim: report SRAM accesses no dependency token orders (run.races). */
    checkRaces?: boolean;
    /** Build progress of a TSIM model (default stderr). */
    log?: (line: string) => void;
    /** TSIM tracing: the clock frequency of the waveform's time axis (default 100 MHz). */
    clockMhz?: number;
  } = {},
): Promise<ReplayResult> {
  const target = options.target ?? 'fsim';
  const strict = options.strict ?? true;
  const limit = options.maxMismatches ?? 10;
  // The first device is unreachable once this returns, so its DRAM can go before a tracking run opens another.
  const { run, count, first } = await (async () => {
    const dev = await deviceFor(target, v, strict, options.trace ? traceFormat(options.trace.path) : undefined, options.log, options.clockMhz);
    try {
      loadInitialDram(dev, v);
      const budget = {
        ...(options.maxUops !== undefined ? { maxUops: options.maxUops } : {}),
        ...(options.maxCycles !== undefined ? { maxCycles: options.maxCycles } : {}),
      };
      const runOptions: RunOptions & { trace?: TraceRequest } = {
        strict,
        ...budget,
        checkRaces: options.checkRaces,
        ...(options.trace ? { trace: options.trace } : {}),
      };
      const result = await dev.run(v.insnAddr, v.insnCount, runOptions);
      return { run: result, ...compare(dev, v, limit) };
    } finally {
      dev.close?.();
    }
  })();
  let attributionError: string | undefined;
  if (count > 0) {
    // Store tracking names the STORE that last wrote a byte; fsim has it (any target's mismatch is explained
    // by the reference model's program, so TSIM asks fsim). Its failure never hides this target's result.
    const helper = target === 'tsim' ? 'fsim' : target;
    const again = await deviceFor(helper, v, strict, undefined, options.log);
    try {
      loadInitialDram(again, v);
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
