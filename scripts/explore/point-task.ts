// One design point of `vta explore`, as an executor task: synthesise the configuration for the board
// (vta synth, cached by content), and if it fits, tune the workload's layers for it (the schedule database
// first: layers it has are not measured again) and add up their cycles. Returns the new database records
// for the parent to merge, so parallel points never write one file.

import { deriveConfig, VtaConfigJson } from '../../hw/vta/config';
import { LocalExecutor } from '../../exec';
import { synthesize } from '../synth/synthesize';
import type { FitReport } from '../synth/report';
import { MeasureKind, ScheduleDb, ScheduleRecord } from '../../sw/tune/db';
import { tune } from '../../sw/tune/tuner';
import { resolveWorkload } from '../../sw/workloads/resolve';
import { layerMacs } from '../../sw/workloads/layers';

export interface PointTask {
  config: VtaConfigJson;
  board: string;
  workload: string;
  target: MeasureKind;
  trials: number;
  /** Databases to read (shipped and the user's). */
  dbFiles: string[];
}

export interface PointResult {
  name: string;
  hash: string;
  resources: Record<string, number>;
  fit: FitReport | null;
  /** vta synth's clock estimate for the board's family, MHz; null without one. */
  estimatedFmaxMHz: number | null;
  synthSeconds: number;
  /** Workload cycles with tuned schedules, when the point fits. */
  cycles: number | null;
  macs: number;
  layers: { name: string; cycles: number | null; plannerCycles: number | null }[];
  records: ScheduleRecord[];
  error?: string;
}

export async function runTask(t: PointTask, report: (line: string) => void = (line) => void process.stderr.write(`${line}\n`)): Promise<PointResult> {
  const cfg = deriveConfig(t.config, 'explore point');
  // progress to whoever watches: the parent's progress display locally, the array task's log on Slurm
  const say = (line: string) => report(`${cfg.name}: ${line}`);
  const synth = await synthesize({ cfg, board: t.board, progress: say, status: say });
  const workload = await resolveWorkload(t.workload, cfg);
  const macs = workload.layers.reduce((s, l) => s + layerMacs(l), 0);
  const base = {
    name: cfg.name,
    hash: cfg.hash,
    resources: { ...synth.resources },
    fit: synth.fit,
    estimatedFmaxMHz: synth.timing?.fmaxMHz ?? null,
    synthSeconds: synth.seconds,
    macs,
  };
  if (!synth.fit?.ok) return { ...base, cycles: null, layers: [], records: [] };
  say(`fits; tuning ${workload.layers.length} layers (${t.target === 'tsim' ? 'measured on tsim' : 'checked on fsim'})`);
  const known = ScheduleDb.load(t.dbFiles);
  const db = new ScheduleDb();
  const rows = await tune({
    cfg,
    layers: workload.layers,
    target: t.target,
    trials: t.trials,
    known,
    db,
    dbFile: null,
    executor: new LocalExecutor(1),
    log: () => undefined,
    tty: false,
  });
  const failed = rows.find((r) => r.tunedCycles === null);
  return {
    ...base,
    cycles: failed ? null : rows.reduce((s, r) => s + r.tunedCycles!, 0),
    layers: rows.map((r) => ({ name: r.name, cycles: r.tunedCycles, plannerCycles: r.plannerCycles })),
    records: db.records(),
    error: failed ? `${failed.name}: ${failed.error ?? 'no schedule ran correctly'}` : undefined,
  };
}

export { dispose } from '../../sw/tune/measure';
