// `vta bench conv2d`: the subcommand of `vta bench` that runs a conv2d workload through the runtime and
// operator library on fsim or TSIM (the same Device interface) and prints/writes its results.

import { existsSync, writeFileSync } from 'fs';
import { checkOutputFile } from '../../util/output-dir';
import { CommandSpec, formatUsage, parseArgs } from '../../cli/args';
import { CliIo, CommandFailure, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { CONFIG_FLAGS, configFromArgs } from '../../gen/gen';
import { DeviceError } from '../../sim/device';
import { checkTargetPresent, openDevice, targetFlag, targetHelp } from '../../sim/targets';
import { SHIPPED_DB } from '../tune/db';
import { loadScheduleDb } from '../tune/command';
import { defaultConfig, VtaConfig } from '../../hw/vta/config';
import { ConvBenchReport, convBenchSvg, formatConvTable, runConvBench, WORKLOADS } from './conv2d';

export const CONV_SPEC: CommandSpec = {
  command: 'vta bench conv2d',
  flags: [
    { name: 'workload', type: 'string', metavar: 'NAME', help: `the layers to run: ${Object.keys(WORKLOADS).join(', ')} (default resnet18)` },
    { name: 'target', type: 'string', metavar: 'TARGET', help: targetHelp('fsim') },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'write the results as JSON' },
    { name: 'svg', type: 'string', metavar: 'FILE', help: 'write a roofline plot' },
    {
      name: 'db',
      type: 'string',
      metavar: 'FILE',
      help: "a schedule database (vta tune) merged with the shipped one; its tuned schedules are used and compared with the planner's",
    },
    { name: 'no-db', type: 'bool', help: "use the planner's schedules only (default: the shipped database's where it has records)" },
    ...CONFIG_FLAGS,
    { name: 'beside-default', type: 'bool', help: "also run VTA's default configuration and compare cycles layer by layer (e.g. with --board pynq-z1)" },
  ],
};

export const CONV_DESCRIPTION =
  'Runs each conv2d layer of the workload (batch 1, int8, ReLU epilogue) through sw/runtime and sw/ops,\n' +
  'checks it against the integer reference, and reports cycles (null on fsim), GEMM utilization, the\n' +
  'roofline bound of the default TSIM memory model (8 B/cycle) and DRAM bytes from the counters.\n' +
  'The configuration comes from --config/--gemm/knobs as in `vta gen` (default 1x16x16).\n' +
  "Layers the schedule database has a record for run its tuned schedule, and the planner's too, for the\n" +
  '"planner cyc" and "tuned/plan" columns.\n' +
  'With --beside-default the default configuration runs too and a table compares the cycles per layer\n' +
  '(the JSON then holds {default, config}). Exit code 1 when a layer is wrong.';

export async function runConvBenchCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseArgs(CONV_SPEC, argv);
  if (args.help) {
    io.stdout(formatUsage(CONV_SPEC, CONV_DESCRIPTION));
    return EXIT_OK;
  }
  const workloadName = args.string('workload') ?? 'resnet18';
  const workload = WORKLOADS[workloadName];
  if (!workload) throw new UsageError(`--workload ${workloadName}: unknown; known: ${Object.keys(WORKLOADS).join(', ')}`);
  const target = targetFlag(args.string('target'), 'fsim');
  checkTargetPresent(target); // off the board: one line now
  for (const flag of ['json', 'svg']) {
    const path = args.string(flag);
    if (path !== undefined) checkOutputFile(path, `--${flag}`); // before the long run, not after
  }
  const cfg = configFromArgs(args);
  if (args.bool('no-db') && args.string('db')) throw new UsageError('--db and --no-db exclude each other');
  const dbFile = args.string('db');
  if (dbFile && !existsSync(dbFile)) throw new UsageError(`--db ${dbFile}: no such file`);
  const db = args.bool('no-db') ? null : loadScheduleDb([SHIPPED_DB, ...(dbFile ? [dbFile] : [])]);
  // Progress lines (and a first TSIM build) go to stderr; the table to stdout.
  const log = (s: string) => io.stderr(s + '\n');
  const runOne = async (c: VtaConfig): Promise<ConvBenchReport> => {
    let device;
    try {
      device = await openDevice(target, c, { dramBytes: 64 << 20, log });
    } catch (e) {
      // A board target on another machine, a missing u-dma-buf: one line saying what is missing.
      if (e instanceof DeviceError) throw new CommandFailure(e.message);
      throw e;
    }
    io.stdout(`conv2d benchmark: ${workloadName} on ${target} (${c.name}, hash ${c.hash})\n`);
    let r;
    try {
      r = await runConvBench(device, workload, { workloadName, target, deviceName: target, log, schedules: db ? (l) => db.plan(c, l) : undefined });
    } finally {
      device.close?.();
    }
    io.stdout('\n' + formatConvTable(r) + '\n');
    return r;
  };
  const base = args.bool('beside-default') ? await runOne(defaultConfig()) : undefined;
  const report = await runOne(cfg);
  // Both configurations share the name when only knobs differ (a preset's ALU II, DSP packing): say which is which.
  const board = args.string('board');
  const label = board !== undefined ? `${board} preset` : cfg.hash === defaultConfig().hash ? 'this config' : `${cfg.name}-${cfg.hash}`;
  if (base)
    io.stdout(
      '\n' +
        formatCycleComparison([
          ['default', base],
          [label, report],
        ]) +
        '\n',
    );
  const json = () => JSON.stringify(base ? { default: base, config: report } : report, null, 2) + '\n';
  for (const [flag, text] of [
    ['json', json],
    ['svg', () => convBenchSvg(report)],
  ] as const) {
    const path = args.string(flag);
    if (path) {
      writeFileSync(path, text());
      io.stdout(`wrote ${path}\n`);
    }
  }
  return report.allCorrect && (base?.allCorrect ?? true) ? EXIT_OK : 1;
}

/** Cycles per layer side by side: the first report is the baseline, the others with their ratio to it. */
export function formatCycleComparison(reports: readonly (readonly [string, ConvBenchReport])[]): string {
  const base = reports[0][1];
  const head = ['layer', ...reports.map(([l]) => `${l} cycles`), ...reports.slice(1).map(([l]) => `${l}/${reports[0][0]}`)];
  // no total where a layer has no cycles (fsim): a partial sum would read as a measurement
  const total = (r: ConvBenchReport) => (r.layers.every((l) => l.cycles !== null) ? r.layers.reduce((a, l) => a + l.cycles!, 0) : null);
  const ratio = (a: number | null, b: number | null) => (a && b ? (a / b).toFixed(3) : '-');
  const rows = base.layers.map((l, i) => [
    l.name,
    ...reports.map(([, r]) => String(r.layers[i]?.cycles ?? '-')),
    ...reports.slice(1).map(([, r]) => ratio(r.layers[i]?.cycles ?? null, l.cycles)),
  ]);
  rows.push(['total', ...reports.map(([, r]) => String(total(r) ?? '-')), ...reports.slice(1).map(([, r]) => ratio(total(r), total(base)))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  // Tuned schedules are per configuration: a ratio of tuned to planner layers is not only the hardware's.
  const schedules = reports.map(([l, r]) => `${l}: ${r.layers.filter((x) => x.schedule === 'tuned').length} of ${r.layers.length} layers tuned`);
  const mixed = new Set(reports.map(([, r]) => r.layers.filter((x) => x.schedule === 'tuned').length)).size > 1;
  const foot = `schedules: ${schedules.join('; ')}${mixed ? " (--no-db compares the planner's schedules on both)" : ''}`;
  return [line(head), ...rows.map(line), foot].join('\n');
}
