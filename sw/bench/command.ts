// `vta bench conv2d`: the subcommand of `vta bench` that runs a conv2d workload through the runtime and
// operator library on fsim or TSIM (the same Device interface) and prints/writes its results.

import { writeFileSync } from 'fs';
import { prepareOutputFile } from '../../util/output-dir';
import { CommandSpec, formatUsage, parseArgs } from '../../cli/args';
import { CliIo, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { defaultConfig } from '../../hw/vta/config';
import { openDevice } from '../../sim/targets';
import { convBenchSvg, formatConvTable, runConvBench, WORKLOADS } from './conv2d';

export const CONV_SPEC: CommandSpec = {
  command: 'vta bench conv2d',
  flags: [
    { name: 'workload', type: 'string', metavar: 'NAME', help: `the layers to run: ${Object.keys(WORKLOADS).join(', ')} (default resnet18)` },
    { name: 'target', type: 'string', metavar: 'fsim|tsim', help: 'the device (default fsim)' },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'write the results as JSON' },
    { name: 'svg', type: 'string', metavar: 'FILE', help: 'write a roofline plot' },
  ],
};

export const CONV_DESCRIPTION =
  'Runs each conv2d layer of the workload (batch 1, int8, ReLU epilogue) through sw/runtime and sw/ops,\n' +
  'checks it against the integer reference, and reports cycles (null on fsim), GEMM utilization, the\n' +
  'roofline bound of the default TSIM memory model (8 B/cycle) and DRAM bytes from the counters.\n' +
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
  if (target !== 'fsim' && target !== 'tsim') throw new UsageError(`--target ${target}: expected fsim or tsim`);
  for (const flag of ['json', 'svg']) {
    const path = args.string(flag);
    if (path !== undefined) prepareOutputFile(path, `--${flag}`); // before the long run, not after
  }
  const cfg = defaultConfig();
  const log = (s: string) => io.stdout(s + '\n');
  const device = await openDevice(target, cfg, { dramBytes: 64 << 20, log });
  io.stdout(`conv2d benchmark: ${workloadName} on ${target} (${cfg.name})\n`);
  let report;
  try {
    report = await runConvBench(device, workload, { workloadName, target, deviceName: target, log });
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
