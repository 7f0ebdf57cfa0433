// `vta run VECTOR.json --target fsim [--json] [--no-strict]`: replays one conformance vector.

import { Command, defineCommand } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../../cli/errors';
import { replay } from '../replay';
import { formatRace } from '../fsim/race';
import { loadVector } from '../vector';
import {
  asFailure,
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
  command: 'vta run',
  flags: [
    TARGET_FLAG,
    ...TRACE_FLAGS,
    { name: 'json', type: 'bool', help: 'print one JSON object: ok, cycles, wallSeconds, counters, mismatches' },
    { name: 'no-strict', type: 'bool', help: 'wrap SRAM indices modulo the depth instead of failing' },
    { name: 'max-mismatches', type: 'int', metavar: 'N', help: 'mismatching bytes to list (default 10)' },
    ...BUDGET_FLAGS,
    SPECIAL_FILES_FLAG,
    { name: 'no-race-check', type: 'bool', help: 'fsim: skip the race detector (SRAM accesses no dependency token orders)' },
  ],
  positionals: { metavar: 'VECTOR.json', min: 1, max: 1 },
};
const DESCRIPTION =
  'Replays one conformance vector (DRAM image, program, expected bytes) and compares every expected byte.\n' +
  'On fsim it also reports every pair of SRAM accesses from different stages that no dependency token\n' +
  'orders (a race: the result depends on timing). Exit 1 on a mismatch, a race or a failed run.';

function hex(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

export const runCommand: Command = defineCommand({
  name: 'run',
  summary: 'replay one conformance vector on a backend and compare its DRAM',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const target = checkTarget(args.string('target'));
    const json = args.bool('json');
    const strict = !args.bool('no-strict');
    const limit = args.int('max-mismatches') ?? 10;
    if (limit < 0) throw new UsageError(`--max-mismatches ${limit}: expected a count >= 0`);
    const trace = traceRequest(args, target);
    const budget = budgetOptions(args);
    const clockMhz = clockMhzFlag(args);
    let vector;
    try {
      vector = loadVector(args.positionals[0], { allowSpecial: args.bool('allow-special-files') });
    } catch (e) {
      return asFailure(e);
    }
    let r;
    try {
      r = await replay(vector, {
        target,
        strict,
        maxMismatches: limit,
        trace,
        clockMhz,
        checkRaces: !args.bool('no-race-check'),
        log: (line) => io.stderr(`${line}\n`),
        ...budget,
      });
    } catch (e) {
      if (!json) return asFailure(e, target);
      io.stdout(JSON.stringify({ ok: false, name: vector.name, target, error: describeError(e) }) + '\n');
      return EXIT_FAILURE;
    }
    if (trace) reportTrace(io, trace.path, vector.config, r.run, clockMhz);
    const races = r.run.races ?? [];
    const ok = r.ok && races.length === 0;
    if (json) {
      io.stdout(
        JSON.stringify({
          ok,
          name: vector.name,
          target: r.target,
          cycles: r.run.cycles,
          wallSeconds: r.run.wallSeconds,
          counters: r.run.counters,
          // TSIM: LOAD bytes in whole bus beats as the core fetched them (counters hold element bytes, as fsim).
          ...('busBeatBytes' in r.run ? { busBeatBytes: r.run.busBeatBytes } : {}),
          mismatchCount: r.mismatchCount,
          mismatches: r.mismatches,
          warnings: r.run.warnings,
          ...(r.attributionError ? { attributionError: r.attributionError } : {}),
          races,
        }) + '\n',
      );
      return ok ? EXIT_OK : EXIT_FAILURE;
    }
    for (const w of r.run.warnings) io.stderr(`warning: ${w}\n`);
    const c = r.run.counters;
    const stats = `${c.gemmUops} GEMM uops, ${c.aluUops} ALU uops, ${(r.run.wallSeconds * 1e3).toFixed(2)} ms`;
    if (ok) {
      io.stdout(`PASS ${vector.name} (${stats})\n`);
      return EXIT_OK;
    }
    const why = [
      ...(r.ok ? [] : [`${r.mismatchCount} byte(s) differ on ${r.target}, which ran to FINISH`]),
      ...(races.length ? [`${races.length} pair(s) of instructions race`] : []),
    ];
    io.stdout(`FAIL ${vector.name}: ${why.join('; ')} (${stats})\n`);
    if (r.attributionError) io.stdout(`  ${r.attributionError}\n`);
    for (const m of r.mismatches) {
      const who = m.writer === undefined ? '' : m.writer < 0 ? ', never written by a STORE' : `, last written by STORE instruction ${m.writer}`;
      io.stdout(`  addr ${m.addr} (0x${m.addr.toString(16)}): expected ${hex(m.expected)}, got ${hex(m.actual)}${who}\n`);
    }
    if (r.mismatchCount > r.mismatches.length) io.stdout(`  ... and ${r.mismatchCount - r.mismatches.length} more\n`);
    const shown = 20; // all of them are in --json
    for (const race of races.slice(0, shown)) io.stdout(`  ${formatRace(race)}\n`);
    if (races.length > shown) io.stdout(`  ... and ${races.length - shown} more races\n`);
    return EXIT_FAILURE;
  },
});
