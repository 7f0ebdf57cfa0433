// The regression's task handler (run by an executor, exec/): one (config, seed) task runs the random program
// on the reference and on the target and answers with the outcome (and, on failure, a replayable vector).
// Devices stay open across the tasks of one worker process.

import { deriveConfig, VtaConfig, VtaConfigJson } from '../../hw/vta/config';
import { namedConfig } from '../../hw/vta/configs';
import { openDevice, OpenedDevice } from '../targets';
import { randomProgram, toVector } from '../testing/random-program';
import { checkProgram } from './check';
import type { CaseResult } from './report';

export interface WorkerTask {
  type: 'task';
  /** The configuration's label; `configJson` is the configuration (a named one when absent). */
  config: string;
  configJson?: VtaConfigJson;
  seed: number;
  target: string;
  reference: string;
}

export interface WorkerResult {
  type: 'result';
  result: CaseResult;
  vector?: Record<string, unknown>;
}

interface Pair {
  ref: OpenedDevice;
  dut: OpenedDevice;
  dramBytes: number;
}

const pairs = new Map<string, Pair>();

function configOf(t: WorkerTask): VtaConfig {
  return t.configJson ? deriveConfig(t.configJson, t.config) : namedConfig(t.config);
}
const MIN_DRAM = 4 << 20;

async function devices(t: WorkerTask, dramBytes: number): Promise<Pair> {
  const key = `${t.config}/${t.target}/${t.reference}`;
  const have = pairs.get(key);
  if (have && have.dramBytes >= dramBytes) return have;
  have?.ref.close?.();
  have?.dut.close?.();
  const cfg = configOf(t);
  // Grown geometrically: a later program that needs a little more DRAM must not reopen (and rebuild the
  // model's Verilog) again and again.
  const size = Math.max(MIN_DRAM, Math.ceil(dramBytes / 4096) * 4096, 2 * (have?.dramBytes ?? 0));
  const log = () => undefined;
  const pair = {
    ref: await openDevice(t.reference, cfg, { dramBytes: size, log }),
    dut: await openDevice(t.target, cfg, { dramBytes: size, log }),
    dramBytes: size,
  };
  pairs.set(key, pair);
  return pair;
}

export async function runTask(t: WorkerTask): Promise<WorkerResult> {
  const t0 = Date.now();
  const cfg = configOf(t);
  const p = randomProgram(cfg, t.seed);
  const name = `${t.config}__random_s${t.seed}`;
  try {
    const { ref, dut } = await devices(t, p.dramBytes);
    const out = await checkProgram(ref, dut, p);
    const result: CaseResult = {
      config: t.config,
      seed: t.seed,
      name,
      ok: out.ok,
      seconds: (Date.now() - t0) / 1000,
      cycles: out.cycles,
      error: out.error,
      mismatchCount: out.mismatchCount,
    };
    const vector = !out.ok && out.referenceDram ? toVector(p, out.referenceDram, t.config) : undefined;
    return { type: 'result', result, vector };
  } catch (e) {
    return {
      type: 'result',
      result: {
        config: t.config,
        seed: t.seed,
        name,
        ok: false,
        seconds: (Date.now() - t0) / 1000,
        cycles: null,
        error: (e as Error).message,
        mismatchCount: 0,
      },
    };
  }
}

/** Closes the devices this process opened (the executor calls it when the worker ends). */
export function dispose(): void {
  for (const p of pairs.values()) {
    p.ref.close?.();
    p.dut.close?.();
  }
  pairs.clear();
}
