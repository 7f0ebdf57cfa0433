// `vta bench`: the simulator benchmarks (sim/bench) plus what spans layers, registered here at the top:
// `vta bench conv2d` (the operator library, sw/bench/command.ts), `vta bench network` (the graph compiler,
// sw/bench/network.ts), `vta bench synth` (yosys, scripts/synth/bench.ts), and the synthesis table that ends a full run.

import type { Command, Subcommand } from './command';
import { CliIo, processIo, UsageError } from './errors';
import { formatUsage } from './args';
import { didYouMean } from '../util/suggest';
import { benchCommand as simBench } from '../sim/bench/command';
import { CONV_DESCRIPTION, CONV_SPEC, runConvBenchCommand } from '../sw/bench/command';
import { networkBenchCommand } from '../sw/bench/network';
import { runSynthBenchCommand, runSynthBenchSection, SYNTH_BENCH_USAGE } from '../scripts/synth/bench';

const SUBCOMMANDS: readonly (Subcommand & { run(argv: string[], io: CliIo): Promise<number> })[] = [
  {
    name: 'conv2d',
    summary: 'the ResNet-18 convolutions through the operator library: cycles, utilization, roofline',
    usage: formatUsage(CONV_SPEC, CONV_DESCRIPTION),
    run: runConvBenchCommand,
  },
  {
    name: 'network',
    summary: networkBenchCommand.summary,
    usage: networkBenchCommand.usage,
    run: (argv, io) => networkBenchCommand.run(argv, io),
  },
  {
    name: 'synth',
    summary: 'the synthesis table (yosys): default, board presets and larger cores against each board',
    usage: SYNTH_BENCH_USAGE,
    run: runSynthBenchCommand,
  },
];

export const benchCommand: Command = {
  name: simBench.name,
  summary: simBench.summary,
  usage:
    simBench.usage +
    `\nsubcommands (see \`vta bench <subcommand> --help\`):\n${SUBCOMMANDS.map((s) => `  bench ${s.name.padEnd(9)}${s.summary}`).join('\n')}\n`,
  subcommands: SUBCOMMANDS,
  run(argv: string[], io: CliIo = processIo): Promise<number> {
    const sub = SUBCOMMANDS.find((s) => s.name === argv[0]);
    if (sub) return sub.run(argv.slice(1), io);
    if (argv[0] !== undefined && !argv[0].startsWith('-')) {
      const names = SUBCOMMANDS.map((s) => s.name);
      throw new UsageError(
        `unknown subcommand "bench ${argv[0]}"${didYouMean(argv[0], names, (n) => `bench ${n}`)} (subcommands: ${names.join(', ')}; see vta bench --help)`,
      );
    }
    return simBench.run(argv, io, (sectionIo) => runSynthBenchSection(sectionIo));
  },
};
