// The schedule database (TOPhub's model): one JSON line per best record, keyed by the hardware
// configuration's hash, the operator and its workload (shapes, strides, padding, layouts, dtypes); each
// holds the knob values, the measured cycles, how they were measured, the tool version and a timestamp.
// Several files merge (the shipped one and the user's); per key the best record wins: measured on TSIM
// beats the cost model, then fewer cycles.

import { createHash } from 'crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import type { VtaConfig } from '../../hw/vta/config';
import { Conv2dGeometry, Conv2dPlan, conv2dPlanIssue, estimateConv2dPlan } from '../ops';
import { geometryKey, LayerSpec, layerGeometry, workloadKey } from '../workloads/layers';
import { Knobs, knobsToPlan } from './space';

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
  return createHash('sha256').update(JSON.stringify([config, workload])).digest('hex').slice(0, 20);
}

function better(a: ScheduleRecord, b: ScheduleRecord): boolean {
  if (a.measuredOn !== b.measuredOn) return a.measuredOn === 'tsim';
  return a.cycles < b.cycles;
}

function checkRecord(r: unknown, where: string): ScheduleRecord {
  const o = r as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) throw new ScheduleDbError(`${where}: a record must be a JSON object`);
  for (const k of ['config', 'configName', 'op', 'layer', 'version', 'timestamp'] as const) {
    if (typeof o[k] !== 'string') throw new ScheduleDbError(`${where}: field "${k}" must be a string`);
  }
  if (!['conv2d', 'dense', 'conv2d_transpose'].includes(o.op as string)) throw new ScheduleDbError(`${where}: field "op" ${JSON.stringify(o.op)} is not conv2d, dense or conv2d_transpose`);
  if (!o.workload || typeof o.workload !== 'object') throw new ScheduleDbError(`${where}: field "workload" must be an object`);
  if (!o.knobs || typeof o.knobs !== 'object') throw new ScheduleDbError(`${where}: field "knobs" must be an object`);
  for (const [k, v] of Object.entries(o.knobs as object)) {
    if (!Number.isSafeInteger(v) || (v as number) < 1) throw new ScheduleDbError(`${where}: knob "${k}" must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const k of ['cycles', 'plannerCycles'] as const) {
    if (typeof o[k] !== 'number' || !(o[k] as number >= 0)) throw new ScheduleDbError(`${where}: field "${k}" must be a non-negative number`);
  }
  if (!MEASURE_KINDS.includes(o.measuredOn as MeasureKind)) throw new ScheduleDbError(`${where}: field "measuredOn" must be one of ${MEASURE_KINDS.join(', ')}`);
  return o as unknown as ScheduleRecord;
}

export class ScheduleDb {
  private readonly best = new Map<string, ScheduleRecord>();

  /** Reads and merges files (missing ones count as empty); a malformed line is an error naming file and line. */
  static load(files: readonly string[]): ScheduleDb {
    const db = new ScheduleDb();
    for (const f of files) {
      if (!existsSync(f)) continue;
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch (e) {
          throw new ScheduleDbError(`${f}:${i + 1}: not JSON (${(e as Error).message})`);
        }
        db.add(checkRecord(parsed, `${f}:${i + 1}`));
      });
    }
    return db;
  }

  /** Keeps `r` if it beats what the database has for its key; returns whether it did. */
  add(r: ScheduleRecord): boolean {
    const key = recordKey(r.config, r.workload);
    const have = this.best.get(key);
    if (have && !better(r, have)) return false;
    this.best.set(key, r);
    return true;
  }

  get size(): number {
    return this.best.size;
  }

  records(): ScheduleRecord[] {
    return [...this.best.values()];
  }

  /** The best record for a layer on this hardware, if any. */
  lookup(cfg: VtaConfig, l: LayerSpec): ScheduleRecord | undefined {
    return this.best.get(recordKey(cfg.hash, workloadKey(cfg, l)));
  }

  /** The tuned plan of a layer, or undefined (no record, or a record whose knobs do not fit this layer). */
  plan(cfg: VtaConfig, l: LayerSpec): Conv2dPlan | undefined {
    return this.planFor(cfg, layerGeometry(cfg, l), 1);
  }

  /**
   * The tuned plan of a packed conv2d holding `vectors` per-channel ACC vectors (the bias, epilogue vectors),
   * or undefined when there is no record or its tiling does not fit (more vectors than it was tuned with).
   */
  planFor(cfg: VtaConfig, g: Conv2dGeometry, vectors: boolean | number): Conv2dPlan | undefined {
    const r = this.best.get(recordKey(cfg.hash, geometryKey(cfg, g)));
    if (!r) return undefined;
    const p = knobsToPlan(r.op, r.knobs);
    if ((r.op !== 'dense' && r.knobs.tile_b !== 1) || conv2dPlanIssue(cfg, g, vectors, p)) return undefined;
    return estimateConv2dPlan(cfg, g, p);
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
