// `vta tune`: per distinct layer, the template's search space with illegal points pruned, ranked by the
// planner's cost model; the planner's own choice, the model's best for each virtual-thread setting and
// then the next best by the model are measured (on TSIM: cycles are deterministic, so once each) as one
// executor batch; the fastest correct one becomes the layer's database record as soon as the layer's
// measurements are in. Layers the database already has (measured the same way) are skipped: a restarted
// run resumes.

import { resolve } from 'path';
import type { VtaConfig } from '../../hw/vta/config';
import { GENERATOR } from '../../cli/version';
import { codeFingerprint, Executor } from '../../exec';
import { Progress } from '../../exec/progress';
import { planConv2d } from '../ops';
import { LayerSpec, layerGeometry, layerShape, workloadKey } from '../workloads/layers';
import { MeasureKind, recordKey, ScheduleDb, ScheduleRecord } from './db';
import type { MeasureResult, MeasureTask } from './measure';
import { Candidate, formatKnobs, Knobs, planToKnobs, searchSpace } from './space';

export interface TuneOptions {
  cfg: VtaConfig;
  layers: readonly LayerSpec[];
  target: MeasureKind;
  /** Candidates measured per layer, the planner's included. */
  trials: number;
  /** What is known already (shipped + user records): layers it has, measured by `target`, are skipped. */
  known: ScheduleDb;
  /** The user's database: new best records are added and the file (if any) rewritten after each layer. */
  db: ScheduleDb;
  dbFile: string | null;
  executor: Executor;
  log: (line: string) => void;
  tty: boolean;
  /** Aborted by Ctrl-C: no more measurements start; finished layers are already in the database. */
  signal?: AbortSignal;
}

export interface LayerTuneResult {
  name: string;
  shape: string;
  op: LayerSpec['op'];
  spaceSize: number;
  legal: number;
  pruned: number;
  measured: number;
  plannerCycles: number | null;
  tunedCycles: number | null;
  knobs: Knobs | null;
  /** Where the result came from: this run, or a record the database had. */
  /** `interrupted`: Ctrl-C came before all its candidates were measured (a re-run resumes it). */
  source: 'tuned' | 'database' | 'failed' | 'interrupted';
  error?: string;
}

const key = (k: Knobs) => JSON.stringify(k);

/** The planner's choice first, the model's best per virtual-thread setting, then the model's ranking. */
export function pickCandidates(cfg: VtaConfig, l: LayerSpec, legal: readonly Candidate[], trials: number): Knobs[] {
  const planner = planToKnobs(l, planConv2d(cfg, layerGeometry(cfg, l), true, l.name));
  const ranked = [...legal].sort((a, b) => a.plan.estCycles! - b.plan.estCycles! || a.plan.estBytes - b.plan.estBytes);
  const picked = new Map<string, Knobs>([[key(planner), planner]]);
  const threads = new Set<string>();
  for (const c of ranked) {
    const t = `${c.knobs.oc_nthread}x${c.knobs.h_nthread ?? 1}`;
    if (picked.size >= trials) break;
    if (!threads.has(t)) {
      threads.add(t);
      picked.set(key(c.knobs), c.knobs);
    }
  }
  for (const c of ranked) {
    if (picked.size >= trials) break;
    picked.set(key(c.knobs), c.knobs);
  }
  return [...picked.values()];
}

export async function tune(o: TuneOptions): Promise<LayerTuneResult[]> {
  const results: LayerTuneResult[] = [];
  interface Job {
    layer: LayerSpec;
    result: LayerTuneResult;
    knobs: Knobs[];
    outcomes: (MeasureResult | string)[];
    left: number;
  }
  const jobs: Job[] = [];
  const byKey = new Map<string, Job | LayerTuneResult>();
  const tasks: MeasureTask[] = [];
  const taskJob: Job[] = [];
  const copies: { index: number; of: Job | LayerTuneResult }[] = [];
  for (const [li, l] of o.layers.entries()) {
    const wkey = recordKey(o.cfg.hash, workloadKey(o.cfg, l));
    const same = byKey.get(wkey);
    if (same) {
      // an identical layer earlier in the network: same schedule, filled in at the end
      copies.push({ index: results.length, of: same });
      results.push({ ...('result' in same ? same.result : same), name: l.name });
      continue;
    }
    const space = searchSpace(o.cfg, l);
    const base = { name: l.name, shape: layerShape(l), op: l.op, spaceSize: space.size, legal: space.legal.length, pruned: space.pruned.length };
    const have = o.known.lookup(o.cfg, l);
    if (have && have.measuredOn === o.target) {
      // the user's database gets the record too, so it covers the whole workload on its own
      if (o.db.add(have) && o.dbFile) o.db.save(o.dbFile);
      const r: LayerTuneResult = { ...base, measured: 0, plannerCycles: have.plannerCycles, tunedCycles: have.cycles, knobs: have.knobs, source: 'database' };
      results.push(r);
      byKey.set(wkey, r);
      o.log(`${l.name}: in the database (${have.cycles} cycles, planner ${have.plannerCycles}); skipped`);
      continue;
    }
    const knobs = pickCandidates(o.cfg, l, space.legal, o.trials);
    const job: Job = {
      layer: l,
      knobs,
      outcomes: [],
      left: knobs.length,
      result: { ...base, measured: knobs.length, plannerCycles: null, tunedCycles: null, knobs: null, source: 'failed' },
    };
    jobs.push(job);
    results.push(job.result);
    byKey.set(wkey, job);
    o.log(
      `${l.name} ${base.shape}: ${space.size} points, ${space.pruned.length} pruned, ${space.legal.length} legal; measuring ${knobs.length} on ${o.target === 'tsim' ? 'tsim' : 'fsim (cycles from the cost model)'}`,
    );
    for (const k of knobs) {
      tasks.push({ config: o.cfg.json, layer: l, seed: 1000 + li, knobs: k, target: o.target });
      taskJob.push(job);
    }
  }
  const done = () => {
    for (const c of copies) results[c.index] = { ...('result' in c.of ? c.of.result : c.of), name: results[c.index].name };
    return results;
  };
  if (!tasks.length) return done();
  const progress = new Progress(tasks.length, o.log, o.tty);
  const finish = (job: Job) => {
    const l = job.layer;
    const planner = job.outcomes[0];
    const best = job.outcomes.reduce<{ i: number; cycles: number } | null>(
      (b, r, i) => (typeof r !== 'string' && r.correct && (!b || r.cycles < b.cycles) ? { i, cycles: r.cycles } : b),
      null,
    );
    const wrong = job.outcomes
      .map((r, i) =>
        typeof r === 'string' ? `${formatKnobs(job.knobs[i])}: ${r}` : r.correct ? null : `${formatKnobs(job.knobs[i])}: ${r.mismatches} wrong outputs`,
      )
      .filter(Boolean);
    for (const w of wrong) progress.note(`${l.name}: candidate failed: ${w}`);
    if (typeof planner === 'string' || !planner.correct || !best) {
      job.result.error = `the planner's schedule did not run correctly${typeof planner === 'string' ? `: ${planner}` : ''}`;
      progress.note(`${l.name}: FAILED: ${job.result.error}`);
      return;
    }
    const knobs = job.knobs[best.i];
    const record: ScheduleRecord = {
      config: o.cfg.hash,
      configName: o.cfg.name,
      op: l.op,
      layer: layerShape(l),
      workload: workloadKey(o.cfg, l),
      knobs,
      cycles: best.cycles,
      measuredOn: o.target,
      plannerCycles: planner.cycles,
      version: GENERATOR,
      timestamp: new Date().toISOString(),
    };
    o.db.add(record);
    o.known.add(record);
    if (o.dbFile) o.db.save(o.dbFile);
    Object.assign(job.result, { plannerCycles: planner.cycles, tunedCycles: best.cycles, knobs, source: 'tuned' });
    progress.note(
      `${l.name}: planner ${planner.cycles}, tuned ${best.cycles} cycles (${(best.cycles / planner.cycles).toFixed(3)}) with ${formatKnobs(knobs)}`,
    );
  };
  await o.executor.run<MeasureTask, MeasureResult>(
    { name: 'tune', handler: resolve(__dirname, 'measure.ts'), inputs: tasks, salt: codeFingerprint() },
    (i, outcome) => {
      const job = taskJob[i];
      job.outcomes[job.knobs.indexOf(tasks[i].knobs)] = outcome.ok ? outcome.output : outcome.error;
      progress.tick(outcome.ok && outcome.output.correct);
      if (--job.left === 0) finish(job);
    },
    { signal: o.signal },
  );
  progress.end();
  for (const job of jobs) if (job.left > 0) Object.assign(job.result, { source: 'interrupted', error: 'interrupted' });
  return done();
}

export function formatTuneTable(rows: readonly LayerTuneResult[], target: string): string {
  const how = target === 'tsim' ? 'tsim' : 'model';
  const head = ['layer', 'shape', 'space', 'pruned', 'measured', `planner cycles (${how})`, `tuned cycles (${how})`, 'tuned/planner', 'knobs'];
  const body = rows.map((r) => [
    r.name,
    r.shape,
    String(r.spaceSize),
    String(r.pruned),
    r.source === 'database' ? 'db' : String(r.measured),
    r.plannerCycles === null ? '-' : String(r.plannerCycles),
    r.tunedCycles === null ? 'FAILED' : String(r.tunedCycles),
    r.plannerCycles && r.tunedCycles !== null ? (r.tunedCycles / r.plannerCycles).toFixed(3) : '-',
    r.knobs ? formatKnobs(r.knobs) : (r.error ?? ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => (i < 2 || i === 8 ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const sum = (f: (r: LayerTuneResult) => number | null) => rows.reduce((s, r) => s + (f(r) ?? 0), 0);
  const total = rows.every((r) => r.plannerCycles !== null && r.tunedCycles !== null)
    ? `\ntotal: planner ${sum((r) => r.plannerCycles)}, tuned ${sum((r) => r.tunedCycles)} cycles (${(sum((r) => r.tunedCycles) / sum((r) => r.plannerCycles)).toFixed(3)})`
    : '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n') + total;
}
