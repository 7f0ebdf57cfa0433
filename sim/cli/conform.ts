// `vta conform DIR|FILE... --target fsim`: replays every vector, one line each, then
// `N passed, M failed, K skipped`. Skips exactly the vectors SEMANTICS.md names, with its reason.

import { readdirSync, statSync } from 'fs';
import { join } from 'path';
import { Command, defineCommand } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../../cli/errors';
import { replay } from '../replay';
import { boardByName } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { deriveConfig, withOverrides, VtaConfigJson } from '../../hw/vta/config';
import { loadVector, skipReason } from '../vector';
import {
  BUDGET_FLAGS,
  budgetOptions,
  checkTarget,
  clockMhzFlag,
  describeError,
  reportTrace,
  SPECIAL_FILES_FLAG,
  TARGET_FLAG,
  TRACE_FLAGS,
  traceRequest,
} from './common';

const SPEC: CommandSpec = {
  command: 'vta conform',
  flags: [
    TARGET_FLAG,
    ...TRACE_FLAGS,
    ...BUDGET_FLAGS,
    { name: 'no-strict', type: 'bool', help: 'wrap SRAM indices modulo the depth instead of failing' },
    {
      name: 'board',
      type: 'string',
      metavar: 'NAME',
      help: "replay on the vector's configuration with this board's preset applied (same semantics, other hardware)",
    },
    SPECIAL_FILES_FLAG,
    { name: 'json', type: 'bool', help: 'print one JSON document with a result per vector (for CI) instead of lines' },
  ],
  positionals: { metavar: 'DIR|FILE...', min: 1 },
};
const DESCRIPTION =
  'Replays conformance vectors (every *.json in each DIR) and prints PASS/FAIL/SKIP per vector,\nthen `N passed, M failed, K skipped`. Exit 1 when any vector fails.';

/** The vector files named by the arguments, directories expanded to their *.json files in name order. */
export function vectorFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const found = readdirSync(p)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => join(p, f));
      if (found.length === 0) throw new UsageError(`${p}: the directory holds no *.json vectors`);
      files.push(...found);
    } else {
      files.push(p);
    }
  }
  return files;
}

/** One vector's result in `vta conform --json`. */
export interface ConformVectorResult {
  name: string;
  file: string;
  status: 'pass' | 'fail' | 'skip';
  /** skip: why (SEMANTICS.md); fail: the first difference or the error. */
  reason?: string;
  cycles?: number | null;
  wallSeconds?: number;
  mismatchCount?: number;
}

export const conformCommand: Command = defineCommand({
  name: 'conform',
  summary: 'replay a set of conformance vectors and summarise PASS/FAIL/SKIP',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const target = checkTarget(args.string('target'));
    const json = args.bool('json');
    const results: ConformVectorResult[] = [];
    const line = (text: string): void => {
      if (!json) io.stdout(`${text}\n`);
    };
    const strict = !args.bool('no-strict');
    const trace = traceRequest(args, target);
    const budget = budgetOptions(args);
    const clockMhz = clockMhzFlag(args);
    const files = vectorFiles(args.positionals);
    const boardName = args.string('board');
    const preset = boardName === undefined ? undefined : boardPreset(boardByName(boardName));
    const allowSpecial = args.bool('allow-special-files');
    // One waveform per vector: with several vectors, FILE.fst becomes FILE.<vector>.fst.
    const traceFor = (name: string) =>
      !trace ? undefined : files.length === 1 ? trace : { ...trace, path: trace.path.replace(/(\.(fst|vcd))$/i, `.${name}$1`) };
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const t0 = process.hrtime.bigint();
    for (const file of files) {
      const label = file.replace(/^.*\//, '').replace(/\.json$/, '');
      try {
        const loaded = loadVector(file, { allowSpecial });
        const v = !preset
          ? loaded
          : {
              ...loaded,
              config: deriveConfig(withOverrides(loaded.configJson as unknown as VtaConfigJson, preset), `${loaded.name} with --board ${boardName}`),
            };
        const skip = skipReason(v);
        if (skip !== null) {
          skipped++;
          results.push({ name: v.name, file, status: 'skip', reason: skip });
          line(`SKIP ${v.name}: ${skip}`);
          continue;
        }
        const vectorTrace = traceFor(v.name);
        const r = await replay(v, { target, strict, maxMismatches: 1, trace: vectorTrace, clockMhz, log: (msg) => io.stderr(`${msg}\n`), ...budget });
        if (vectorTrace) reportTrace(io, vectorTrace.path, v.config, r.run, clockMhz);
        const timing = { cycles: r.run.cycles, wallSeconds: r.run.wallSeconds };
        if (r.ok) {
          passed++;
          results.push({ name: v.name, file, status: 'pass', ...timing });
          line(`PASS ${v.name} (${(r.run.wallSeconds * 1e3).toFixed(2)} ms)`);
        } else {
          failed++;
          const m = r.mismatches[0];
          const who = m.writer === undefined || m.writer < 0 ? '' : `, last STORE ${m.writer}`;
          const reason = `${r.mismatchCount} byte(s) differ; first at ${m.addr}: expected ${m.expected}, got ${m.actual}${who}`;
          results.push({ name: v.name, file, status: 'fail', reason, mismatchCount: r.mismatchCount, ...timing });
          line(`FAIL ${v.name}: ${reason}`);
        }
      } catch (e) {
        failed++;
        results.push({ name: label, file, status: 'fail', reason: describeError(e) });
        line(`FAIL ${label}: ${describeError(e)}`);
      }
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    io.stderr(`vta conform: ${files.length} vector file(s) on ${target} in ${secs.toFixed(2)} s wall-clock\n`);
    if (json) io.stdout(`${JSON.stringify({ target, passed, failed, skipped, seconds: secs, vectors: results }, null, 2)}\n`);
    else io.stdout(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    return failed > 0 ? EXIT_FAILURE : EXIT_OK;
  },
});
