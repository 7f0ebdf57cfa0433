// `vta bench`: the simulator benchmarks (sim/bench) plus what spans layers, registered here at the top:
// `vta bench conv2d` (the operator library, sw/bench/command.ts), `vta bench network` (the graph compiler,
// sw/bench/network.ts), `vta bench synth` (yosys, scripts/synth/bench.ts), and the synthesis table that ends a full run.

import type { Command } from './command';
import { CliIo, processIo } from './errors';
import { benchCommand as simBench } from '../sim/bench/command';
import { runConvBenchCommand } from '../sw/bench/command';
import { networkBenchCommand } from '../sw/bench/network';
import { runSynthBenchCommand, runSynthBenchSection } from '../scripts/synth/bench';

export const benchCommand: Command = {
  name: simBench.name,
  summary: simBench.summary,
  usage: simBench.usage + '\n`vta bench network [--workload resnet18] [--target fsim|tsim] [--json FILE]` compiles and runs a whole network (see `vta bench network --help`).\n',
  run(argv: string[], io: CliIo = processIo): Promise<number> {
    if (argv[0] === 'conv2d') return runConvBenchCommand(argv.slice(1), io);
    if (argv[0] === 'network') return networkBenchCommand.run(argv.slice(1), io);
    if (argv[0] === 'synth') return runSynthBenchCommand(argv.slice(1), io);
    return simBench.run(argv, io, (sectionIo) => runSynthBenchSection(sectionIo));
  },
};
