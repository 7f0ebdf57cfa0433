// `vta bench conv2d`: the subcommand of `vta bench` that runs a conv2d workload through the runtime and
// operator library on fsim or TSIM (the same Device interface) and prints/writes its results.

import { existsSync, writeFileSync } from 'fs';
import { prepareOutputFile } from '../../util/output-dir';
import { CommandSpec, formatUsage, parseArgs } from '../../cli/args';
import { CliIo, CommandFailure, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { CONFIG_FLAGS, configFromArgs } from '../../gen/gen';
import { DeviceError } from '../../sim/device';
import { isTargetName, openDevice, TARGET_NAMES } from '../../sim/targets';
import { SHIPPED_DB } from '../tune/db';
import { loadScheduleDb } from '../tune/command';
import { convBenchSvg, formatConvTable, runConvBench, WORKLOADS } from './conv2d';

export const CONV_SPEC: CommandSpec = {
  command: 'vta bench conv2d',
  flags: [
    { name: 'workload', type: 'string', metavar: 'NAME', help: `the layers to run: ${Object.keys(WORKLOADS).join(', ')} (default resnet18)` },
    { name: 'target', type: 'string', metavar: 'TARGET', help: 'fsim (default), fsim-js, tsim, or a board (pynq, ultra96, zcu104, de10-nano) when run on it' },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'write the results as JSON' },
    { name: 'svg', type: 'string', metavar: 'FILE', help: 'write a roofline plot' },
    { name: 'db', type: 'string', metavar: 'FILE', help: 'a schedule database (vta tune) merged with the shipped one; its tuned schedules are used and compared with the planner\'s' },
    { name: 'no-db', type: 'bool', help: 'use the planner\'s schedules only (default: the shipped database\'s where it has records)' },
    ...CONFIG_FLAGS,
  ],
};

export const CONV_DESCRIPTION =
  'Runs each conv2d layer of the workload (batch 1, int8, ReLU epilogue) through sw/runtime and sw/ops,\n' +
  'checks it against the integer reference, and reports cycles (null on fsim), GEMM utilization, the\n' +
  'roofline bound of the default TSIM memory model (8 B/cycle) and DRAM bytes from the counters.\n' +
  'The configuration comes from --config/--gemm/knobs as in `vta gen` (default 1x16x16).\n' +
  'Layers the schedule database has a record for run its tuned schedule, and the planner\'s too, for the\n' +
  '"planner cyc" and "tuned/plan" columns.\n' +
  'Exit code 1 when a layer is wrong.';

export async function runConvBenchCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseArgs(CONV_SPEC, argv);
  if (args.help) {
    io.stdout(formatUsage(CONV_SPEC, CONV_DESCRIPTION));
    return EXIT_OK;
  }
  const workloadName = args.string('workload') ?? 'resnet18';
  const workload = WORKLOADS[workloadName];
  if (!workload) throw new UsageError(`--workload ${workloadName}: unknown; known: ${Object.keys(WORKLOADS).join(', ')}`);
  const target = args.string('target') ?? 'fsim';
  if (!isTargetName(target)) throw new UsageError(`--target ${target}: expected one of ${TARGET_NAMES.join(', ')}`);
  for (const flag of ['json', 'svg']) {
    const path = args.string(flag);
    if (path !== undefined) prepareOutputFile(path, `--${flag}`); // before the long run, not after
  }
  const cfg = configFromArgs(args);
  if (args.bool('no-db') && args.string('db')) throw new UsageError('--db and --no-db exclude each other');
  const dbFile = args.string('db');
  if (dbFile && !existsSync(dbFile)) throw new UsageError(`--db ${dbFile}: no such file`);
  const db = args.bool('no-db') ? null : loadScheduleDb([SHIPPED_DB, ...(dbFile ? [dbFile] : [])]);
  // Progress lines (and a first TSIM build) go to stderr; the table to stdout.
  const log = (s: string) => io.stderr(s + '\n');
  let device;
  try {
    device = await openDevice(target, cfg, { dramBytes: 64 << 20, log });
  } catch (e) {
    // A board target on another machine, a missing u-dma-buf: one line saying what is missing.
    if (e instanceof DeviceError) throw new CommandFailure(e.message);
    throw e;
  }
  io.stdout(`conv2d benchmark: ${workloadName} on ${target} (${cfg.name})\n`);
  let report;
  try {
    report = await runConvBench(device, workload, { workloadName, target, deviceName: target, log, schedules: db ? (l) => db.plan(cfg, l) : undefined });
  } finally {
    device.close?.();
  }
  io.stdout('\n' + formatConvTable(report) + '\n');
  for (const [flag, text] of [['json', () => JSON.stringify(report, null, 2) + '\n'], ['svg', () => convBenchSvg(report)]] as const) {
    const path = args.string(flag);
    if (path) {
      writeFileSync(path, text());
      io.stdout(`wrote ${path}\n`);
    }
  }
  return report.allCorrect ? EXIT_OK : 1;
}
