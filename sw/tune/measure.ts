// The tuner's task handler (run by an executor, exec/): one candidate schedule of one layer, run through
// the operator library and checked against the integer reference; cycles from TSIM, or (fsim-cycles) the
// cost model's estimate after a correctness run on fsim. Devices stay open across a worker's tasks.

import { deriveConfig, VtaConfig, VtaConfigJson } from '../../hw/vta/config';
import { openDevice, OpenedDevice } from '../../sim/targets';
import { Runtime } from '../runtime';
import { LayerSpec, layerGeometry, runLayer } from '../workloads/layers';
import type { MeasureKind } from './db';
import { estimateConv2dPlan } from '../ops';
import { Knobs, knobsIssue, knobsToPlan } from './space';

export interface MeasureTask {
  config: VtaConfigJson;
  layer: LayerSpec;
  /** Seed of the layer's data (cycles do not depend on it; correctness is checked with it). */
  seed: number;
  knobs: Knobs;
  target: MeasureKind;
}

export interface MeasureResult {
  cycles: number;
  estCycles: number;
  correct: boolean;
  mismatches: number;
  seconds: number;
}

const DRAM_BYTES = 64 << 20;
const devices = new Map<string, { cfg: VtaConfig; device: OpenedDevice }>();

async function deviceFor(json: VtaConfigJson, target: MeasureKind) {
  const cfg = deriveConfig(json, 'tune task');
  const key = `${cfg.hash}/${target}`;
  let d = devices.get(key);
  if (!d) {
    d = { cfg, device: await openDevice(target === 'tsim' ? 'tsim' : 'fsim', cfg, { dramBytes: DRAM_BYTES }) };
    devices.set(key, d);
  }
  return d;
}

export async function runTask(t: MeasureTask): Promise<MeasureResult> {
  const t0 = Date.now();
  const { cfg, device } = await deviceFor(t.config, t.target);
  const issue = knobsIssue(cfg, t.layer, t.knobs);
  if (issue) throw new Error(`${t.layer.name}: illegal schedule: ${issue}`);
  const plan = estimateConv2dPlan(cfg, layerGeometry(cfg, t.layer), knobsToPlan(t.layer.op, t.knobs));
  const rt = new Runtime(device);
  const run = await runLayer(rt, t.layer, t.seed, plan);
  const est = Math.round(plan.estCycles ?? 0);
  const cycles = t.target === 'tsim' ? rt.stats.cycles : est;
  if (cycles === null) throw new Error(`${t.layer.name}: the ${t.target} device reported no cycles`);
  return { cycles, estCycles: est, correct: run.correct, mismatches: run.mismatches, seconds: (Date.now() - t0) / 1000 };
}

export function dispose(): void {
  for (const d of devices.values()) d.device.close?.();
  devices.clear();
}
