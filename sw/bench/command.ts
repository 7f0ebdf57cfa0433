// `vta bench conv2d`: the subcommand of `vta bench` that runs a conv2d workload through the runtime and
// operator library on fsim or TSIM (the same Device interface) and prints/writes its results.

import { writeFileSync, mkdirSync } from 'fs';
import { dirname } from 'path';
import { CommandSpec, formatUsage, parseArgs } from '../../cli/args';
import { CliIo, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { DEFAULT_CONFIG_JSON, defaultConfig, deriveConfig, VtaConfig, withOverrides } from '../../hw/vta/config';
import { boardByName } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { openDevice } from '../../sim/targets';
import { ConvBenchReport, convBenchSvg, formatConvTable, runConvBench, WORKLOADS } from './conv2d';

export const CONV_SPEC: CommandSpec = {
  command: 'vta bench conv2d',
  flags: [
    { name: 'workload', type: 'string', metavar: 'NAME', help: `the layers to run: ${Object.keys(WORKLOADS).join(', ')} (default resnet18)` },
    { name: 'target', type: 'string', metavar: 'fsim|tsim', help: 'the device (default fsim)' },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'write the results as JSON' },
    { name: 'svg', type: 'string', metavar: 'FILE', help: 'write a roofline plot' },
    { name: 'board', type: 'string', metavar: 'NAME', repeatable: true, help: 'also run with this board preset (hw/boards/presets.ts) and compare cycles with the default' },
  ],
};

export const CONV_DESCRIPTION =
  'Runs each conv2d layer of the workload (batch 1, int8, ReLU epilogue) through sw/runtime and sw/ops,\n' +
  'checks it against the integer reference, and reports cycles (null on fsim), GEMM utilization, the\n' +
  'roofline bound of the default TSIM memory model (8 B/cycle) and DRAM bytes from the counters.\n' +
  'With --board, the same layers run on the default configuration and on each board preset, and a table\n' +
  'compares their cycles (the JSON then holds {default, boards}). Exit code 1 when a layer is wrong.';

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
  const boards = args.strings('board').map((b) => boardByName(b));
  const runs: [string, VtaConfig][] = [['default', defaultConfig()]];
  for (const b of boards) runs.push([b.name, deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, boardPreset(b)), `--board ${b.name}`)]);
  const log = (s: string) => io.stdout(s + '\n');
  const reports: [string, ConvBenchReport][] = [];
  for (const [label, cfg] of runs) {
    const device = await openDevice(target, cfg, { dramBytes: 64 << 20, log });
    io.stdout(`conv2d benchmark: ${workloadName} on ${target} (${label}: ${cfg.name}, hash ${cfg.hash})\n`);
    let report;
    try {
      report = await runConvBench(device, workload, { workloadName, target, deviceName: target, log });
    } finally {
      device.close?.();
    }
    io.stdout('\n' + formatConvTable(report) + '\n');
    reports.push([label, report]);
  }
  if (reports.length > 1) io.stdout('\n' + formatCycleComparison(reports) + '\n');
  const main = reports[0][1];
  const json = () => (reports.length === 1 ? main : { default: main, boards: Object.fromEntries(reports.slice(1)) });
  for (const [flag, text] of [['json', () => JSON.stringify(json(), null, 2) + '\n'], ['svg', () => convBenchSvg(main)]] as const) {
    const path = args.string(flag);
    if (path) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text());
      io.stdout(`wrote ${path}\n`);
    }
  }
  return reports.every(([, r]) => r.allCorrect) ? EXIT_OK : 1;
}

/** Cycles per layer side by side: the default configuration, then each board preset with its ratio. */
export function formatCycleComparison(reports: readonly (readonly [string, ConvBenchReport])[]): string {
  const base = reports[0][1];
  const head = ['layer', ...reports.map(([l]) => `${l} cycles`), ...reports.slice(1).map(([l]) => `${l}/default`)];
  const total = (r: ConvBenchReport) => r.layers.reduce((a, l) => a + (l.cycles ?? 0), 0);
  const ratio = (a: number | null, b: number | null) => (a && b ? (a / b).toFixed(3) : '-');
  const rows = base.layers.map((l, i) => [
    l.name, ...reports.map(([, r]) => String(r.layers[i]?.cycles ?? '-')),
    ...reports.slice(1).map(([, r]) => ratio(r.layers[i]?.cycles ?? null, l.cycles)),
  ]);
  rows.push(['total', ...reports.map(([, r]) => String(total(r))), ...reports.slice(1).map(([, r]) => ratio(total(r), total(base)))]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}
