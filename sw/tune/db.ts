// The schedule database (TOPhub's model): one JSON line per best record, keyed by the hardware
// configuration's hash, the operator and its workload (shapes, strides, padding, layouts, dtypes); each
// holds the knob values, the measured cycles, how they were measured, the tool version and a timestamp.
// Several files merge (the shipped one and the user's); per key the best record wins: measured on TSIM
// beats the cost model, then fewer cycles.

import { createHash } from 'crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import type { VtaConfig } from '../../hw/vta/config';
import { Conv2dGeometry, Conv2dPlan, conv2dPlanIssue, estimateConv2dPlan } from '../ops';
import { geometryKey, LayerSpec, layerGeometry, workloadKey } from '../workloads/layers';
import { INPUT_LIMITS, InputFileError, readInputText } from '../../util/input-file';
import { findDuplicateKey } from '../../util/json';
import { Knobs, knobsIssue, knobsToPlan } from './space';

export type MeasureKind = 'tsim' | 'fsim-cycles';
export const MEASURE_KINDS: readonly MeasureKind[] = ['tsim', 'fsim-cycles'];

export interface ScheduleRecord {
  /** VtaConfig.hash of the hardware. */
  config: string;
  /** VTA's configuration string, for people reading the file. */
  configName: string;
  /** The template the knobs belong to (conv2d, dense, conv2d_transpose). */
  op: LayerSpec['op'];
  /** The layer tuned, for people reading the file (e.g. `56x56 64->64 3x3 p1 s1`). */
  layer: string;
  /** The key: the packed conv2d the layer runs as (geometryKey). */
  workload: Record<string, unknown>;
  knobs: Knobs;
  cycles: number;
  /** tsim: simulated cycles of the generated RTL; fsim-cycles: the cost model's estimate, checked on fsim. */
  measuredOn: MeasureKind;
  /** The planner's cycles for the same workload, measured the same way (for reports). */
  plannerCycles: number;
  version: string;
  timestamp: string;
}

/** The shipped database: the default configuration's ResNet-18 and the MNIST model. */
export const SHIPPED_DB = join(__dirname, 'shipped-schedules.jsonl');

export class ScheduleDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleDbError';
  }
}

export function recordKey(config: string, workload: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([config, workload]))
    .digest('hex')
    .slice(0, 20);
}

function better(a: ScheduleRecord, b: ScheduleRecord): boolean {
  if (a.measuredOn !== b.measuredOn) return a.measuredOn === 'tsim';
  return a.cycles < b.cycles;
}

const DENSE_KNOBS = { required: ['tile_b', 'tile_ci', 'tile_co', 'oc_nthread'], all: ['tile_b', 'tile_ci', 'tile_co', 'oc_nthread'] };
const CONV_KNOBS = { required: ['tile_ci', 'tile_co', 'oc_nthread'], all: ['tile_b', 'tile_h', 'tile_w', 'tile_ci', 'tile_co', 'oc_nthread', 'h_nthread'] };

function checkRecord(r: unknown, where: string): ScheduleRecord {
  const o = r as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new ScheduleDbError(`${where}: a record must be a JSON object`);
  for (const k of ['config', 'configName', 'op', 'layer', 'version', 'timestamp'] as const) {
    if (typeof o[k] !== 'string') throw new ScheduleDbError(`${where}: field "${k}" must be a string`);
  }
  if (!['conv2d', 'dense', 'conv2d_transpose'].includes(o.op as string))
    throw new ScheduleDbError(`${where}: field "op" ${JSON.stringify(o.op)} is not conv2d, dense or conv2d_transpose`);
  if (!o.workload || typeof o.workload !== 'object') throw new ScheduleDbError(`${where}: field "workload" must be an object`);
  if (!o.knobs || typeof o.knobs !== 'object') throw new ScheduleDbError(`${where}: field "knobs" must be an object`);
  for (const [k, v] of Object.entries(o.knobs as object)) {
    if (!Number.isSafeInteger(v) || (v as number) < 1) throw new ScheduleDbError(`${where}: knob "${k}" must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const k of ['cycles', 'plannerCycles'] as const) {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k]) || !((o[k] as number) >= 0))
      throw new ScheduleDbError(`${where}: field "${k}" must be a finite non-negative number`);
  }
  const names = o.op === 'dense' ? DENSE_KNOBS : CONV_KNOBS;
  for (const k of names.required)
    if (!(k in (o.knobs as object))) throw new ScheduleDbError(`${where}: knob "${k}" is missing (a ${o.op} record has ${names.required.join(', ')})`);
  for (const k of Object.keys(o.knobs as object))
    if (!names.all.includes(k)) throw new ScheduleDbError(`${where}: knob "${k}" is not a ${o.op} knob (${names.all.join(', ')})`);
  if (!MEASURE_KINDS.includes(o.measuredOn as MeasureKind))
    throw new ScheduleDbError(`${where}: field "measuredOn" must be one of ${MEASURE_KINDS.join(', ')}`);
  return o as unknown as ScheduleRecord;
}

/** Reports a record that was read but cannot be used (a warning, not an error: the next best is used). */
export type DbWarn = (message: string) => void;
const stderrWarn: DbWarn = (m) => void process.stderr.write(`warning: ${m}\n`);

export class ScheduleDb {
  /** Per key, every record read, best first: a record illegal for the hardware yields to the next. */
  private readonly byKey = new Map<string, ScheduleRecord[]>();
  /** Where each record came from (file:line), for warnings. */
  private readonly origin = new WeakMap<ScheduleRecord, string>();
  private readonly warned = new Set<ScheduleRecord>();

  constructor(private readonly warn: DbWarn = stderrWarn) {}

  /**
   * Reads and merges files (missing ones count as empty). A file is read with a size limit, regular files
   * only; a malformed line (not JSON, a key twice, a field of the wrong type) is an error naming file and line.
   */
  static load(files: readonly string[], warn?: DbWarn): ScheduleDb {
    const db = new ScheduleDb(warn);
    for (const f of files) {
      if (!existsSync(f)) continue;
      let text: string;
      try {
        text = readInputText(f, { maxBytes: INPUT_LIMITS.scheduleDbBytes, what: 'schedule database' });
      } catch (e) {
        if (e instanceof InputFileError) throw new ScheduleDbError(e.message);
        throw e;
      }
      text.split('\n').forEach((line, i) => {
        if (!line.trim()) return;
        const where = `${f}:${i + 1}`;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch (e) {
          throw new ScheduleDbError(`${where}: not JSON (${(e as Error).message})`);
        }
        const dup = findDuplicateKey(line);
        if (dup) throw new ScheduleDbError(`${where}: key ${JSON.stringify(dup.key)} appears twice in one record (column ${dup.offset + 1})`);
        const r = checkRecord(parsed, where);
        db.origin.set(r, where);
        db.add(r);
      });
    }
    return db;
  }

  /** Adds `r` among its key's records; returns whether it is now the best of them. */
  add(r: ScheduleRecord): boolean {
    const key = recordKey(r.config, r.workload);
    const list = this.byKey.get(key) ?? [];
    const at = list.findIndex((have) => better(r, have));
    if (at < 0) list.push(r);
    else list.splice(at, 0, r);
    this.byKey.set(key, list);
    return at === 0 || list.length === 1;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The best record of each key. */
  records(): ScheduleRecord[] {
    return [...this.byKey.values()].map((list) => list[0]);
  }

  private illegal(r: ScheduleRecord, issue: string): void {
    if (this.warned.has(r)) return;
    this.warned.add(r);
    this.warn(
      `schedule database ${this.origin.get(r) ?? '(added in this run)'}: ${r.op} record for ${r.layer} on ${r.configName} is not legal here (${issue}); using the next best record or the planner`,
    );
  }

  /** The best record for a layer on this hardware whose knobs are legal for it, if any. */
  lookup(cfg: VtaConfig, l: LayerSpec): ScheduleRecord | undefined {
    for (const r of this.byKey.get(recordKey(cfg.hash, workloadKey(cfg, l))) ?? []) {
      const issue = r.op === l.op ? knobsIssue(cfg, l, r.knobs) : `the layer is a ${l.op}`;
      if (!issue) return r;
      this.illegal(r, issue);
    }
    return undefined;
  }

  /** The tuned plan of a layer, or undefined (no legal record). */
  plan(cfg: VtaConfig, l: LayerSpec): Conv2dPlan | undefined {
    return this.planFor(cfg, layerGeometry(cfg, l), 1);
  }

  /**
   * The tuned plan of a packed conv2d holding `vectors` per-channel ACC vectors (the bias, epilogue vectors):
   * the best record whose tiling fits (a record tuned with fewer vectors may not), or undefined.
   */
  planFor(cfg: VtaConfig, g: Conv2dGeometry, vectors: boolean | number): Conv2dPlan | undefined {
    for (const r of this.byKey.get(recordKey(cfg.hash, geometryKey(cfg, g))) ?? []) {
      const p = knobsToPlan(r.op, r.knobs);
      if (r.op !== 'dense' && r.knobs.tile_b !== 1) {
        this.illegal(r, `tile_b ${r.knobs.tile_b}: the operator tiles one batch block at a time`);
        continue;
      }
      const issue = conv2dPlanIssue(cfg, g, vectors, p);
      if (issue) {
        // too many per-channel vectors for a legal tuned tiling is the caller's shape, not a bad record
        if (!conv2dPlanIssue(cfg, g, true, p)) continue;
        this.illegal(r, issue);
        continue;
      }
      return estimateConv2dPlan(cfg, g, p);
    }
    return undefined;
  }

  /** Writes the records, one line each, sorted (atomically: a crash leaves the old file). */
  save(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    const lines = this.records()
      .sort((a, b) => a.configName.localeCompare(b.configName) || JSON.stringify(a.workload).localeCompare(JSON.stringify(b.workload)))
      .map((r) => JSON.stringify(r));
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, lines.join('\n') + (lines.length ? '\n' : ''));
    renameSync(tmp, file);
  }
}
