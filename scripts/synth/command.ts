// `vta synth`: the generator's knobs plus --board/--family, yosys in a worker thread with progress on
// stderr, Ctrl-C stops it; prints totals, the fit against the board, the clock estimate, per-module costs
// and the memory table.

import { writeFileSync } from 'fs';
import { checkOutputFile } from '../../util/output-dir';
import type { CommandSpec } from '../../cli/args';
import { Command, defineCommand } from '../../cli/command';
import { CommandFailure, EXIT_FAILURE, EXIT_OK, processIo } from '../../cli/errors';
import { StatusLine } from '../../util/status';
import { CONFIG_FLAGS, configRequestFromArgs, resolveGenConfig } from '../../gen/gen';
import { FAMILY_NAMES, RESOURCE_NAMES } from '../../hw/boards/boards';
import type { SynthReport } from './report';
import { resolveTarget, SynthAborted, synthesize, SynthFailure } from './synthesize';

const SPEC: CommandSpec = {
  command: 'vta synth',
  flags: [
    ...CONFIG_FLAGS,
    { name: 'family', type: 'string', metavar: 'NAME', help: `FPGA family without a board: ${FAMILY_NAMES.join(', ')} (default xc7, or the board's)` },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'write the report (schema: scripts/synth/REPORT.md)' },
    { name: 'top', type: 'string', metavar: 'MODULE', help: "synthesise this module instead of the generator's top" },
    { name: 'fresh', type: 'bool', help: 'ignore a cached result' },
  ],
};

const DESCRIPTION =
  'Synthesises the generated Verilog with @yowasp/yosys (WebAssembly, in a worker thread; progress on\n' +
  'stderr, Ctrl-C stops it) and prints the resource estimate: totals, the fit against --board, per module\n' +
  "and per memory; and a clock estimate before place and route (fmax, logic levels, the critical path's\n" +
  "ends, per module too; the speed grade from --board's part). Results are cached by (configuration,\n" +
  'Verilog, family, script, yosys version); the yosys log is kept and its path printed. With --board the\n' +
  'preset applies under the flags (flags win).\n' +
  'Exit code 1 when the design does not fit the board.';

const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1));

function table(head: string[], rows: string[][], leftCols = 1): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => (i < leftCols ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** The clock estimate's lines: fmax and its range, the critical path's levels, stages and ends. */
export function formatTiming(r: Pick<SynthReport, 'timing'>): string[] {
  const t = r.timing;
  if (!t) return ['timing: no delay model for this family'];
  const stages = Object.entries(t.stages)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return [
    'timing (estimate before place and route; scripts/synth/REPORT.md)',
    `  fmax    ${t.fmaxMHz.toFixed(1)} MHz (period ${t.periodNs.toFixed(3)} ns; ${t.fmaxRangeMHz[0].toFixed(0)}-${t.fmaxRangeMHz[1].toFixed(0)} MHz with routing 1.4x-0.6x; ${t.uncalibratedFmaxMHz.toFixed(1)} uncalibrated)`,
    `  path    ${t.levels} logic levels${stages ? ` (${stages})` : ''}`,
    `  from    ${t.from}`,
    `  to      ${t.to}`,
    `  model   ${t.model}`,
  ];
}

/** The human-readable report. */
export function formatSynthReport(r: SynthReport): string {
  const out: string[] = [];
  out.push(
    `vta synth: ${r.configName} (hash ${r.configHash}), top ${r.top}, family ${r.family}` +
      `${r.board ? `, board ${r.board} (${r.part})` : ''}; yosys ${r.yosysVersion}, ${r.seconds} s${r.cached ? ' (cached)' : ''}`,
  );
  const shown = RESOURCE_NAMES.filter((k) => k !== 'uram' || r.resources.uram > 0 || r.fit?.uram);
  out.push('', 'resources');
  out.push(
    table(
      ['resource', 'used', 'unit', ...(r.fit ? ['budget', '%', ''] : [])],
      shown.map((k) => {
        const f = r.fit?.[k];
        return [
          k,
          fmt(r.resources[k]),
          r.units[k],
          ...(r.fit ? [f ? fmt(f.budget) : '-', f?.pct != null ? `${f.pct.toFixed(1)}%` : '-', f && f.used > f.budget ? 'OVER' : ''] : []),
        ];
      }),
      1,
    ),
  );
  if (r.fit) out.push(`  fit: ${r.fit.ok ? 'yes' : 'NO'}`);
  out.push('', ...formatTiming(r));
  out.push('', 'per module (one instance, including what it instantiates; levels and fmax of the worst path ending in it)');
  out.push(
    table(
      ['module', 'inst', 'lut', 'ff', 'dsp', 'bram36', 'lutram', 'levels', 'fmax MHz'],
      r.perModule.map((m) => [
        m.module,
        String(m.instances),
        fmt(m.total.lut),
        fmt(m.total.ff),
        fmt(m.total.dsp),
        fmt(m.total.bram36),
        fmt(m.total.lutram),
        m.timing ? String(m.timing.levels) : '-',
        m.timing ? m.timing.fmaxMHz.toFixed(1) : '-',
      ]),
    ),
  );
  out.push('', 'memories (per instance)');
  out.push(
    table(
      ['module', 'memory', 'depth', 'width', 'kbit', 'rd', 'wr', 'inst', 'mapped to', 'replicas'],
      r.memories.map((m) => [
        m.module,
        m.name,
        String(m.depth),
        String(m.width),
        (m.bits / 1024).toFixed(1),
        String(m.readPorts),
        String(m.writePorts),
        String(m.instances),
        Object.entries(m.mappedTo)
          .map(([t, n]) => `${n} ${t}`)
          .join(', ') || 'logic/FF',
        String(m.replicas),
      ]),
      2,
    ),
  );
  out.push('', `yosys log: ${r.logPath}`);
  return out.join('\n') + '\n';
}

export const synthCommand: Command = defineCommand({
  name: 'synth',
  summary: 'estimate FPGA resources with yosys (WebAssembly) and check the fit against a board',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const req = configRequestFromArgs(args);
    const cfg = resolveGenConfig(req);
    const family = args.string('family');
    resolveTarget(req.board, family); // unknown names and contradictions fail before any work
    const json = args.string('json');
    const jsonPath = json === undefined ? undefined : checkOutputFile(json, '--json');
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    const line = new StatusLine((t) => io.stderr(t), !!process.stderr.isTTY && io === processIo);
    let report: SynthReport;
    try {
      report = await synthesize({
        cfg,
        board: req.board,
        family,
        top: args.string('top'),
        fresh: args.bool('fresh'),
        progress: (l) => line.note(`vta synth: ${l}`),
        status: (l) => line.update(`vta synth: ${l}`),
        signal: controller.signal,
      });
    } catch (e) {
      if (e instanceof SynthAborted) {
        io.stderr('vta synth: stopped (Ctrl-C); nothing was cached\n');
        return 130;
      }
      if (e instanceof SynthFailure) throw new CommandFailure(e.message);
      throw e;
    } finally {
      line.done();
      process.removeListener('SIGINT', onSigint);
    }
    io.stdout(formatSynthReport(report));
    if (jsonPath) {
      const path = jsonPath;
      try {
        writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
      } catch (e) {
        throw new CommandFailure(`cannot write ${path}: ${(e as Error).message}`);
      }
      io.stdout(`wrote ${path}\n`);
    }
    return report.fit && !report.fit.ok ? EXIT_FAILURE : EXIT_OK;
  },
});
