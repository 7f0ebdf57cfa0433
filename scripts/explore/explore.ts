// `vta explore`: every point of a design space through the executor (synthesis, fit, clock estimate, tuned
// workload cycles), then GOPS at each target frequency capped by the point's clock estimate (a design runs
// at the slower of the two), GOPS per DSP and per BRAM, and the Pareto front of the points that fit. Points a
// lower bound already rules out are never synthesized; a run stopped by an abort signal (Ctrl-C) still
// returns the points finished so far.

import { resolve } from 'path';
import { codeFingerprint, Executor } from '../../exec';
import { Progress } from '../../exec/progress';
import { GENERATOR } from '../../cli/version';
import type { FitReport } from '../synth/report';
import { MeasureKind, ScheduleDb } from '../../sw/tune/db';
import { paretoFront } from './pareto';
import type { PointResult, PointTask } from './point-task';
import type { DesignPoint, InvalidPoint } from './space';

export interface ExploreOptions {
  points: readonly DesignPoint[];
  board: string;
  /** The board's clock, used when the space gives no frequencies. */
  boardClockMhz: number;
  frequencyMhz?: number[];
  workload: string;
  target: MeasureKind;
  trials: number;
  dbFiles: string[];
  /** Where new schedule records go (null: nowhere). */
  db: ScheduleDb;
  dbFile: string | null;
  executor: Executor;
  log: (line: string) => void;
  tty: boolean;
  /** Per point, when a lower bound (no synthesis) shows it cannot fit the board: the reason and the bound. */
  pruned?: readonly (PrunedPoint | null)[];
  /** Expected seconds of one point (the synthesis estimate), for the ETA before the first point is done. */
  expectedPointSeconds?: number;
  /** Aborting (Ctrl-C) returns at once with the points finished so far; the others are marked unfinished. */
  signal?: AbortSignal;
}

export interface PrunedPoint {
  reason: string;
  fit: FitReport;
  /** The lower bounds of the resources, e.g. { dsp: 256, bram36: 107 }. */
  resources: Record<string, number>;
}

export interface ExplorePoint {
  /** VTA's configuration string, with @MHz when the space has several frequencies. */
  name: string;
  config: string;
  configHash: string;
  knobs: Record<string, unknown>;
  /** The target frequency (the space's, or the board's clock). */
  frequencyMhz: number;
  /** vta synth's clock estimate, MHz; null without one. */
  estimatedFmaxMHz: number | null;
  /** The clock GOPS is computed at: the lower of the target frequency and the estimate. */
  effectiveMhz: number;
  fit: FitReport | null;
  resources: Record<string, number>;
  cycles: number | null;
  gops: number | null;
  gopsPerDsp: number | null;
  gopsPerBram: number | null;
  layers: PointResult['layers'];
  error?: string;
  /** Not synthesized: the lower bound shows it cannot fit (why, with the knob). Its resources are lower bounds. */
  pruned?: string;
  /** The run was stopped before this point finished. */
  unfinished?: true;
}

export interface ExploreReport {
  generator: string;
  board: string;
  workload: string;
  target: MeasureKind;
  macs: number;
  points: ExplorePoint[];
  /** Names of the points on the front (fit points only), by GOPS descending. */
  pareto: string[];
  /** Knob combinations the configuration rules reject, not evaluated. */
  invalid: InvalidPoint[];
  /** Set when the run was stopped (Ctrl-C) before every point finished. */
  interrupted?: { done: number; total: number };
}

export async function explore(o: ExploreOptions): Promise<ExploreReport> {
  // only the points the lower bound leaves go to the executor; `taskPoint[k]` is task k's point
  const taskPoint = o.points.map((_, i) => i).filter((i) => !o.pruned?.[i]);
  const tasks: PointTask[] = taskPoint.map((i) => ({
    config: o.points[i].cfg.json,
    board: o.board,
    workload: o.workload,
    target: o.target,
    trials: o.trials,
    dbFiles: o.dbFiles,
  }));
  const jobs = 'jobs' in o.executor ? Math.min((o.executor as { jobs: number }).jobs, tasks.length) : tasks.length;
  const progress = new Progress(tasks.length, o.log, o.tty, { unit: 'points', jobs, expectedTaskSeconds: o.expectedPointSeconds, everyMs: 30_000 });
  const results: (PointResult | string | undefined)[] = new Array(o.points.length);
  const run = o.executor.run<PointTask, PointResult>(
    { name: 'explore', handler: resolve(__dirname, 'point-task.ts'), inputs: tasks, salt: codeFingerprint(['hw', 'gen', 'sim', 'sw', 'scripts', 'exec']) },
    (k, out) => {
      if (o.signal?.aborted) return;
      const i = taskPoint[k];
      results[i] = out.ok ? out.output : out.error;
      const name = o.points[i].name;
      if (!out.ok) progress.note(`${name}: FAILED: ${out.error}`);
      else {
        const r = out.output;
        for (const rec of r.records) o.db.add(rec);
        if (o.dbFile && r.records.length) o.db.save(o.dbFile);
        progress.note(
          `${name}: ${r.fit?.ok ? `fits, ${r.cycles ?? '-'} cycles` : 'does not fit'} (DSP ${r.resources.dsp}, BRAM36 ${r.resources.bram36}, LUT ${r.resources.lut})${r.error ? `; ${r.error}` : ''}`,
        );
      }
      progress.tick(out.ok && !out.output.error);
    },
    { onProgress: (k, line) => progress.status(k, line), signal: o.signal },
  );
  const stopped = new Promise<'stopped'>((done) => {
    if (o.signal?.aborted) done('stopped');
    o.signal?.addEventListener('abort', () => done('stopped'), { once: true });
  });
  const how = await Promise.race([run.then(() => 'finished' as const), stopped]);
  progress.end();
  const freqs = o.frequencyMhz ?? [o.boardClockMhz];
  const points: ExplorePoint[] = [];
  let macs = 0;
  o.points.forEach((p, i) => {
    const r = results[i];
    if (r !== undefined && typeof r !== 'string') macs = r.macs;
    points.push(...explorePoints(p, r, freqs, o.pruned?.[i]));
  });
  const candidates = points.filter((p) => p.fit?.ok && p.gops !== null);
  const front = paretoFront(candidates.map((p) => ({ gops: p.gops!, dsp: p.resources.dsp ?? 0, bram36: p.resources.bram36 ?? 0, lut: p.resources.lut ?? 0 })));
  const done = results.filter((r) => r !== undefined).length;
  return {
    generator: GENERATOR,
    board: o.board,
    workload: o.workload,
    target: o.target,
    macs,
    points,
    pareto: front.map((i) => candidates[i].name),
    invalid: [],
    ...(how === 'stopped' && done < tasks.length ? { interrupted: { done, total: tasks.length } } : {}),
  };
}

/**
 * The rows of one design point: one per target frequency, GOPS at the lower of it and the clock estimate.
 * `r` is undefined for a point stopped by Ctrl-C; `cut` says why a point was pruned before synthesis.
 */
export function explorePoints(p: DesignPoint, r: PointResult | string | undefined, freqs: readonly number[], cut?: PrunedPoint | null): ExplorePoint[] {
  return freqs.map((f) => {
    const name = freqs.length > 1 ? `${p.name}@${f}` : p.name;
    const base = { name, config: p.cfg.name, configHash: p.cfg.hash, knobs: p.knobs, frequencyMhz: f };
    const none = { ...base, estimatedFmaxMHz: null, effectiveMhz: f, cycles: null, gops: null, gopsPerDsp: null, gopsPerBram: null, layers: [] };
    if (cut) return { ...none, fit: cut.fit, resources: cut.resources, pruned: cut.reason };
    if (r === undefined) return { ...none, fit: null, resources: {}, unfinished: true };
    if (typeof r === 'string') {
      return {
        ...base,
        estimatedFmaxMHz: null,
        effectiveMhz: f,
        fit: null,
        resources: {},
        cycles: null,
        gops: null,
        gopsPerDsp: null,
        gopsPerBram: null,
        layers: [],
        error: r,
      };
    }
    const effective = r.estimatedFmaxMHz !== null ? Math.min(f, r.estimatedFmaxMHz) : f;
    // two operations (multiply, add) per MAC, cycles at the effective clock
    const gops = r.cycles ? (2 * r.macs * effective * 1e6) / r.cycles / 1e9 : null;
    return {
      ...base,
      estimatedFmaxMHz: r.estimatedFmaxMHz,
      effectiveMhz: effective,
      fit: r.fit,
      resources: r.resources,
      cycles: r.cycles,
      gops,
      gopsPerDsp: gops !== null && r.resources.dsp ? gops / r.resources.dsp : null,
      gopsPerBram: gops !== null && r.resources.bram36 ? gops / r.resources.bram36 : null,
      layers: r.layers,
      error: r.error,
    };
  });
}

export function formatExploreTable(r: ExploreReport): string {
  const head = ['point', 'MHz', 'est MHz', 'fit', 'DSP', 'BRAM36', 'LUT', 'cycles', 'GOPS', 'GOPS/DSP', 'GOPS/BRAM', 'pareto'];
  const pct = (p: ExplorePoint, k: 'dsp' | 'bram36' | 'lut') => {
    const e = p.fit?.[k];
    return `${p.resources[k] ?? '-'}${typeof e === 'object' && e.pct !== null ? ` (${e.pct.toFixed(0)}%)` : ''}`;
  };
  // a pruned point's resources are lower bounds
  const bound = (p: ExplorePoint, k: 'dsp' | 'bram36') => `${p.pruned && p.resources[k] !== undefined ? '>=' : ''}${pct(p, k)}`;
  const fit = (p: ExplorePoint) => (p.pruned ? 'NO (bound)' : p.unfinished ? 'stopped' : p.error && !p.fit ? 'ERROR' : p.fit ? (p.fit.ok ? 'yes' : 'NO') : '-');
  const rows = r.points.map((p) => [
    p.name,
    String(p.frequencyMhz),
    p.estimatedFmaxMHz === null ? '-' : `${p.estimatedFmaxMHz.toFixed(0)}${p.effectiveMhz < p.frequencyMhz ? '*' : ''}`,
    fit(p),
    bound(p, 'dsp'),
    bound(p, 'bram36'),
    pct(p, 'lut'),
    p.cycles === null ? '-' : String(p.cycles),
    p.gops === null ? '-' : p.gops.toFixed(2),
    p.gopsPerDsp === null ? '-' : p.gopsPerDsp.toFixed(3),
    p.gopsPerBram === null ? '-' : p.gopsPerBram.toFixed(3),
    r.pareto.includes(p.name) ? '*' : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (x: string[]) => x.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    "GOPS at the lower of MHz and est MHz (vta synth's clock estimate); * marks points that the estimate caps.",
  ].join('\n');
}
