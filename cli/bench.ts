// `vta bench`: the simulator benchmarks (sim/bench) plus subcommands that span layers, registered here at the
// top: `vta bench network` compiles a whole network with the graph compiler (sw/bench/network.ts).

import type { Command } from './command';
import { CliIo, processIo } from './errors';
import { benchCommand as simBench } from '../sim/bench/command';
import { networkBenchCommand } from '../sw/bench/network';

export const benchCommand: Command = {
  name: simBench.name,
  summary: simBench.summary,
  usage: simBench.usage + '\n`vta bench network [--workload resnet18] [--target fsim|tsim] [--json FILE]` compiles and runs a whole network (see `vta bench network --help`).\n',
  run(argv: string[], io: CliIo = processIo): Promise<number> {
    if (argv[0] === 'network') return networkBenchCommand.run(argv.slice(1), io);
    return simBench.run(argv, io);
  },
};
