// `vta explore`: every point of a design space through the executor (synthesis, fit, clock estimate, tuned
// workload cycles), then GOPS at each target frequency capped by the point's clock estimate (a design runs
// at the slower of the two), GOPS per DSP and per BRAM, and the Pareto front of the points that fit.

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
}

export async function explore(o: ExploreOptions): Promise<ExploreReport> {
  const tasks: PointTask[] = o.points.map((p) => ({
    config: p.cfg.json, board: o.board, workload: o.workload, target: o.target, trials: o.trials, dbFiles: o.dbFiles,
  }));
  const progress = new Progress(tasks.length, o.log, o.tty);
  const results: (PointResult | string)[] = new Array(tasks.length);
  await o.executor.run<PointTask, PointResult>(
    { name: 'explore', handler: resolve(__dirname, 'point-task.ts'), inputs: tasks, salt: codeFingerprint(['hw', 'gen', 'sim', 'sw', 'scripts', 'exec']) },
    (i, out) => {
      results[i] = out.ok ? out.output : out.error;
      const name = o.points[i].name;
      if (!out.ok) progress.note(`${name}: FAILED: ${out.error}`);
      else {
        const r = out.output;
        for (const rec of r.records) o.db.add(rec);
        if (o.dbFile && r.records.length) o.db.save(o.dbFile);
        progress.note(`${name}: ${r.fit?.ok ? `fits, ${r.cycles ?? '-'} cycles` : 'does not fit'} (DSP ${r.resources.dsp}, BRAM36 ${r.resources.bram36}, LUT ${r.resources.lut})${r.error ? `; ${r.error}` : ''}`);
      }
      progress.tick(out.ok && !out.output.error);
    },
  );
  progress.end();
  const freqs = o.frequencyMhz ?? [o.boardClockMhz];
  const points: ExplorePoint[] = [];
  let macs = 0;
  o.points.forEach((p, i) => {
    const r = results[i];
    if (typeof r !== 'string') macs = r.macs;
    points.push(...explorePoints(p, r, freqs));
  });
  const candidates = points.filter((p) => p.fit?.ok && p.gops !== null);
  const front = paretoFront(candidates.map((p) => ({ gops: p.gops!, dsp: p.resources.dsp ?? 0, bram36: p.resources.bram36 ?? 0, lut: p.resources.lut ?? 0 })));
  return { generator: GENERATOR, board: o.board, workload: o.workload, target: o.target, macs, points, pareto: front.map((i) => candidates[i].name), invalid: [] };
}

/** The rows of one design point: one per target frequency, GOPS at the lower of it and the clock estimate. */
export function explorePoints(p: DesignPoint, r: PointResult | string, freqs: readonly number[]): ExplorePoint[] {
  return freqs.map((f) => {
    const name = freqs.length > 1 ? `${p.name}@${f}` : p.name;
    const base = { name, config: p.cfg.name, configHash: p.cfg.hash, knobs: p.knobs, frequencyMhz: f };
    if (typeof r === 'string') {
      return { ...base, estimatedFmaxMHz: null, effectiveMhz: f, fit: null, resources: {}, cycles: null, gops: null, gopsPerDsp: null, gopsPerBram: null, layers: [], error: r };
    }
    const effective = r.estimatedFmaxMHz !== null ? Math.min(f, r.estimatedFmaxMHz) : f;
    // two operations (multiply, add) per MAC, cycles at the effective clock
    const gops = r.cycles ? (2 * r.macs * effective * 1e6) / r.cycles / 1e9 : null;
    return {
      ...base, estimatedFmaxMHz: r.estimatedFmaxMHz, effectiveMhz: effective, fit: r.fit, resources: r.resources, cycles: r.cycles, gops,
      gopsPerDsp: gops !== null && r.resources.dsp ? gops / r.resources.dsp : null,
      gopsPerBram: gops !== null && r.resources.bram36 ? gops / r.resources.bram36 : null,
      layers: r.layers, error: r.error,
    };
  });
}

export function formatExploreTable(r: ExploreReport): string {
  const head = ['point', 'MHz', 'est MHz', 'fit', 'DSP', 'BRAM36', 'LUT', 'cycles', 'GOPS', 'GOPS/DSP', 'GOPS/BRAM', 'pareto'];
  const pct = (p: ExplorePoint, k: 'dsp' | 'bram36' | 'lut') => {
    const e = p.fit?.[k];
    return `${p.resources[k] ?? '-'}${typeof e === 'object' && e.pct !== null ? ` (${e.pct.toFixed(0)}%)` : ''}`;
  };
  const rows = r.points.map((p) => [
    p.name, String(p.frequencyMhz), p.estimatedFmaxMHz === null ? '-' : `${p.estimatedFmaxMHz.toFixed(0)}${p.effectiveMhz < p.frequencyMhz ? '*' : ''}`, p.error && !p.fit ? 'ERROR' : p.fit ? (p.fit.ok ? 'yes' : 'NO') : '-', pct(p, 'dsp'), pct(p, 'bram36'), pct(p, 'lut'),
    p.cycles === null ? '-' : String(p.cycles), p.gops === null ? '-' : p.gops.toFixed(2),
    p.gopsPerDsp === null ? '-' : p.gopsPerDsp.toFixed(3), p.gopsPerBram === null ? '-' : p.gopsPerBram.toFixed(3), r.pareto.includes(p.name) ? '*' : '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (x: string[]) => x.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line),
    'GOPS at the lower of MHz and est MHz (vta synth\'s clock estimate); * marks points that the estimate caps.'].join('\n');
}
