// What `vta regress --configs` accepts, one spec per comma: a named configuration (default, b2x8, b1x32),
// a board name (its preset on the default configuration, e.g. pynq-z1), a GEMM shape BxIxO (on the
// default configuration), or a VTA JSON configuration file (a path with a '/' or ending in .json); `+req`
// or `+reqN` appended adds the requantization stage (REQUANT_BUFF_DEPTH N, default 64), `+acc8` LOAD ACC_8BIT
// (ACC_8BIT_LOAD 1, hw/vta/ACC_8BIT.md), in either order. Each resolves to
// a label (used in case names and saved vectors) and the configuration's JSON, which travels with every
// task so workers (local or on a cluster) need nothing else.

import { basename } from 'path';
import { BOARD_NAMES } from '../../hw/boards/boards';
import { DEFAULT_CONFIG_JSON, deriveConfig, parseGemmShape, VtaConfigJson, withOverrides } from '../../hw/vta/config';
import { readConfigFile } from '../../hw/vta/config-file';
import { NAMED_CONFIGS, VECTOR_SET_NAMES } from '../../hw/vta/configs';
import { ConfigError } from '../../hw/vta/errors';
import { checkGeneratorLimits } from '../../hw/vta/limits';

export interface RegressConfig {
  /** File-name-safe label: the name, board, shape or the file's base name. */
  readonly label: string;
  readonly json: VtaConfigJson;
}

/** `SPEC+req` or `SPEC+reqN`: SPEC with the requantization stage of N entries (64), hw/vta/REQUANT.md. */
const REQUANT_SUFFIX = /\+req(\d*)$/;
/** `SPEC+acc8`: SPEC with LOAD ACC_8BIT (ACC_8BIT_LOAD 1), hw/vta/ACC_8BIT.md. */
const ACC8_SUFFIX = /\+acc8$/;

function resolveOne(full: string, cwd: string): RegressConfig {
  let spec = full;
  let req: RegExpExecArray | null = null;
  let acc8 = false;
  for (let m: RegExpExecArray | null; (m = REQUANT_SUFFIX.exec(spec) ?? ACC8_SUFFIX.exec(spec));) {
    if (m[0].startsWith('+req')) {
      if (req) break;
      req = m;
    } else {
      if (acc8) break;
      acc8 = true;
    }
    spec = spec.slice(0, m.index);
  }
  let label: string;
  let json: VtaConfigJson;
  if (NAMED_CONFIGS[spec]) {
    label = spec;
    json = NAMED_CONFIGS[spec];
  } else if (/^\d+x\d+x\d+$/.test(spec)) {
    label = spec;
    json = withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape(spec, `--configs ${spec}`));
  } else if (spec.includes('/') || spec.endsWith('.json')) {
    label =
      basename(spec)
        .replace(/\.json$/i, '')
        .replace(/[^A-Za-z0-9_.-]/g, '_') || 'config';
    const raw = readConfigFile(spec, cwd);
    json = raw as VtaConfigJson;
  } else {
    throw new ConfigError(
      `--configs: unknown configuration ${JSON.stringify(spec)}; give a name (${VECTOR_SET_NAMES.join(', ')}), ` +
        `a board (${BOARD_NAMES.join(', ')}), a shape BxIxO or a JSON file, optionally +req[N] (the requantization stage) and +acc8 (LOAD ACC_8BIT)`,
    );
  }
  if (req) {
    const depth = req[1] ? Number(req[1]) : 64;
    json = { ...json, REQUANT_BUFF_DEPTH: depth };
    label = `${label}_req${depth}`;
  }
  if (acc8) {
    json = { ...json, ACC_8BIT_LOAD: 1 };
    label = `${label}_acc8`;
  }
  // TSIM builds the configuration with the generator, so its limits apply too.
  checkGeneratorLimits(deriveConfig(json, `--configs ${full}`), `--configs ${full}`);
  return { label, json };
}

/** Resolves the comma-separated `--configs` list; labels must differ. */
export function resolveRegressConfigs(specs: readonly string[], cwd: string = process.cwd()): RegressConfig[] {
  const out: RegressConfig[] = [];
  for (const spec of specs) {
    const c = resolveOne(spec, cwd);
    if (out.some((o) => o.label === c.label)) throw new ConfigError(`--configs: ${spec} is given twice (label ${c.label})`);
    out.push(c);
  }
  return out;
}
