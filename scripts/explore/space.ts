// Design spaces for `vta explore`: a JSON file listing values per hardware knob (any vta_config.json key,
// plus "gemm": "BxIxO" shorthands) and target frequencies; the points are their cartesian product. A knob
// whose values are objects sets several keys together (e.g. a GEMM shape with buffer sizes that suit it).
// Combinations the configuration rules reject are listed as invalid, with the reason, not evaluated.

import { readFileSync } from 'fs';
import { defaultConfig, deriveConfig, parseGemmShape, VtaConfig, VtaConfigJson, DEFAULT_CONFIG_JSON } from '../../hw/vta/config';
import { ConfigError } from '../../hw/vta/errors';

export interface DesignSpace {
  file: string;
  /** The board the points must fit (a name of hw/boards). */
  board?: string;
  workload?: string;
  /** Keys every point shares. */
  base: Partial<VtaConfigJson>;
  knobs: Record<string, unknown[]>;
  /** Target clock frequencies, MHz (default: the board's clock). */
  frequencyMhz?: number[];
}

export interface InvalidPoint {
  knobs: Record<string, unknown>;
  reason: string;
}

export interface DesignPoint {
  /** VTA's configuration string, plus `+label` for each knob the string does not show (e.g. `+dsp2`). */
  name: string;
  /** The knob values of this point, as the space file spells them. */
  knobs: Record<string, unknown>;
  cfg: VtaConfig;
}

/** Keys VTA's configuration string already shows. */
const IN_NAME = new Set([
  'gemm',
  'LOG_INP_WIDTH',
  'LOG_WGT_WIDTH',
  'LOG_ACC_WIDTH',
  'LOG_BATCH',
  'LOG_BLOCK',
  'LOG_BLOCK_IN',
  'LOG_BLOCK_OUT',
  'LOG_UOP_BUFF_SIZE',
  'LOG_INP_BUFF_SIZE',
  'LOG_WGT_BUFF_SIZE',
  'LOG_ACC_BUFF_SIZE',
]);
const LABELS: Record<string, (v: unknown) => string> = {
  LOG_BUS_WIDTH: (v) => `bus${2 ** (v as number)}`,
  GEMM_DSP_PACKING: (v) => `dsp${v}`,
  ALU_INITIATION_INTERVAL: (v) => `aluii${v}`,
  GEMM_PIPELINE_DEPTH: (v) => `gp${v}`,
  ALU_OPS: (v) => `alu-${(v as string[]).join('-').toLowerCase()}`,
};

/** The point's name: the configuration string, and a label per other knob the space sets away from the default. */
export function pointName(cfg: VtaConfig, setKeys: Iterable<string>): string {
  const def = defaultConfig().json as unknown as Record<string, unknown>;
  const json = cfg.json as unknown as Record<string, unknown>;
  const extra = [...new Set(setKeys)]
    .filter((k) => !IN_NAME.has(k) && k in json && JSON.stringify(json[k]) !== JSON.stringify(def[k]))
    .sort()
    .map((k) => (LABELS[k] ? LABELS[k](json[k]) : `${k}=${JSON.stringify(json[k])}`));
  return [cfg.name, ...extra].join('+');
}

function keysOf(k: string, v: unknown): string[] {
  return v && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v).flatMap(([kk, vv]) => keysOf(kk, vv)) : [k];
}

const MAX_POINTS = 4096;

export class SpaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpaceError';
  }
}

export function parseSpace(text: string, file: string): DesignSpace {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new SpaceError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw new SpaceError(`${file}: a design space is a JSON object`);
  const known = ['board', 'workload', 'base', 'knobs', 'frequencyMhz', 'description'];
  for (const k of Object.keys(j)) if (!known.includes(k)) throw new SpaceError(`${file}: unknown field "${k}" (fields: ${known.join(', ')})`);
  for (const k of ['board', 'workload', 'description'] as const) {
    if (j[k] !== undefined && typeof j[k] !== 'string') throw new SpaceError(`${file}: "${k}" must be a string`);
  }
  const base = (j.base ?? {}) as Record<string, unknown>;
  if (typeof base !== 'object' || Array.isArray(base)) throw new SpaceError(`${file}: "base" must be an object of vta_config.json keys`);
  const knobs = j.knobs as Record<string, unknown>;
  if (!knobs || typeof knobs !== 'object' || Array.isArray(knobs) || !Object.keys(knobs).length) {
    throw new SpaceError(`${file}: "knobs" must be an object mapping knob names to arrays of values`);
  }
  for (const [k, v] of Object.entries(knobs)) {
    if (!Array.isArray(v) || v.length === 0) throw new SpaceError(`${file}: knobs.${k} must be a non-empty array of values`);
    const grouped = v.every((x) => x && typeof x === 'object' && !Array.isArray(x));
    if (!grouped && k !== 'gemm' && !/^[A-Z][A-Z0-9_]*$/.test(k))
      throw new SpaceError(`${file}: knobs.${k} is not a vta_config.json key or "gemm" (or a list of objects of such keys)`);
  }
  const freq = j.frequencyMhz;
  if (freq !== undefined && (!Array.isArray(freq) || !freq.length || freq.some((f) => typeof f !== 'number' || !(f > 0) || f > 1000))) {
    throw new SpaceError(`${file}: "frequencyMhz" must be a non-empty array of frequencies in MHz (0 < f <= 1000)`);
  }
  return {
    file,
    board: j.board as string | undefined,
    workload: j.workload as string | undefined,
    base: base as Partial<VtaConfigJson>,
    knobs: knobs as Record<string, unknown[]>,
    frequencyMhz: freq as number[] | undefined,
  };
}

export function loadSpace(file: string): DesignSpace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpaceError(`--space ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseSpace(text, file);
}

function setKey(json: Record<string, unknown>, k: string, v: unknown, where: string): void {
  if (k === 'gemm') {
    if (typeof v !== 'string') throw new SpaceError(`${where}: gemm must be a "BxIxO" string`);
    try {
      delete json.LOG_BLOCK; // BLOCK_IN and BLOCK_OUT come from the shape
      Object.assign(json, parseGemmShape(v, `${where}: gemm`));
    } catch (e) {
      throw new SpaceError((e as Error).message);
    }
  } else if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [kk, vv] of Object.entries(v)) setKey(json, kk, vv, where);
  } else json[k] = v;
}

/** The cartesian product of the knobs: the valid configurations (one per distinct design) and the invalid combinations. */
export function expandSpace(s: DesignSpace): { points: DesignPoint[]; invalid: InvalidPoint[] } {
  const names = Object.keys(s.knobs);
  const total = names.reduce((n, k) => n * s.knobs[k].length, 1);
  if (total > MAX_POINTS) throw new SpaceError(`${s.file}: ${total} points; at most ${MAX_POINTS} per space`);
  const points: DesignPoint[] = [];
  const invalid: InvalidPoint[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < total; i++) {
    const knobs: Record<string, unknown> = {};
    let r = i;
    for (const k of names) {
      const vals = s.knobs[k];
      knobs[k] = vals[r % vals.length];
      r = Math.floor(r / vals.length);
    }
    const json: Record<string, unknown> = { ...DEFAULT_CONFIG_JSON };
    const where = `${s.file}: point ${JSON.stringify(knobs)}`;
    for (const [k, v] of Object.entries(s.base)) setKey(json, k, v, `${s.file}: base`);
    for (const [k, v] of Object.entries(knobs)) setKey(json, k, v, where);
    let cfg: VtaConfig;
    try {
      cfg = deriveConfig(json, 'config');
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      invalid.push({ knobs, reason: e.message });
      continue;
    }
    if (seen.has(cfg.hash)) continue; // two spellings of one design
    seen.add(cfg.hash);
    const setKeys = [...Object.entries(s.base), ...Object.entries(knobs)].flatMap(([k, v]) => keysOf(k, v));
    points.push({ name: pointName(cfg, setKeys), knobs, cfg });
  }
  if (!points.length) throw new SpaceError(`${s.file}: no valid configuration among ${total} points (first: ${invalid[0]?.reason})`);
  return { points, invalid };
}
