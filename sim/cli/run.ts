// `vta run VECTOR.json --target fsim [--json] [--no-strict]`: replays one conformance vector.

import { Command, defineCommand } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../../cli/errors';
import { replay } from '../replay';
import { loadVector } from '../vector';
import { asFailure, BUDGET_FLAGS, budgetOptions, checkTarget, describeError, SPECIAL_FILES_FLAG, TARGET_FLAG, TRACE_FLAGS, traceRequest } from './common';

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
  ],
  positionals: { metavar: 'VECTOR.json', min: 1, max: 1 },
};
const DESCRIPTION = 'Replays one conformance vector (DRAM image, program, expected bytes) and compares every expected byte.\nExit 1 on a mismatch or a failed run.';

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
    let vector;
    try {
      vector = loadVector(args.positionals[0], { allowSpecial: args.bool('allow-special-files') });
    } catch (e) {
      return asFailure(e);
    }
    let r;
    try {
      r = await replay(vector, { target, strict, maxMismatches: limit, trace, log: (line) => io.stderr(`${line}\n`), ...budget });
    } catch (e) {
      if (!json) return asFailure(e, target);
      io.stdout(JSON.stringify({ ok: false, name: vector.name, target, error: describeError(e) }) + '\n');
      return EXIT_FAILURE;
    }
    if (json) {
      io.stdout(
        JSON.stringify({
          ok: r.ok,
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
        }) + '\n',
      );
      return r.ok ? EXIT_OK : EXIT_FAILURE;
    }
    for (const w of r.run.warnings) io.stderr(`warning: ${w}\n`);
    const c = r.run.counters;
    const stats = `${c.gemmUops} GEMM uops, ${c.aluUops} ALU uops, ${(r.run.wallSeconds * 1e3).toFixed(2)} ms`;
    if (r.ok) {
      io.stdout(`PASS ${vector.name} (${stats})\n`);
      return EXIT_OK;
    }
    io.stdout(`FAIL ${vector.name}: ${r.mismatchCount} byte(s) differ on ${r.target}, which ran to FINISH (${stats})\n`);
    if (r.attributionError) io.stdout(`  ${r.attributionError}\n`);
    for (const m of r.mismatches) {
      const who = m.writer === undefined ? '' : m.writer < 0 ? ', never written by a STORE' : `, last written by STORE instruction ${m.writer}`;
      io.stdout(`  addr ${m.addr} (0x${m.addr.toString(16)}): expected ${hex(m.expected)}, got ${hex(m.actual)}${who}\n`);
    }
    if (r.mismatchCount > r.mismatches.length) io.stdout(`  ... and ${r.mismatchCount - r.mismatches.length} more\n`);
    return EXIT_FAILURE;
  },
});
