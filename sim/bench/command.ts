// `vta bench`: GEMM micro-ops per second of fsim (JS kernel and WebAssembly SIMD kernel), each as a
// ratio to a native C++ loop doing the same micro-ops. Prints a table and writes build/bench/fsim.json.

import { writeFileSync } from 'fs';
import { outputFileFlag } from '../../util/output-dir';
import { join } from 'path';
import type { Command } from '../../cli/command';
import { CommandSpec, formatUsage, parseArgs } from '../../cli/args';
import { CliIo, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { DEFAULT_VECTOR_DIR, formatBenchTable, REPO_ROOT, runFsimBench } from './fsim-bench';
import { verilatorVersion } from '../verilator/build';
import { formatTsimTable, runTsimBench, writeTsimOutputs } from './tsim-bench';
import { CONFIG_FLAGS, configFromArgs, hasConfigFlags } from '../../gen/gen';
import type { VtaConfig } from '../../hw/vta/config';

const SPEC: CommandSpec = {
  command: 'vta bench',
  flags: [
    { name: 'seconds', type: 'string', metavar: 'S', help: 'minimum seconds per measurement (default 1)' },
    { name: 'vectors', type: 'string', metavar: 'DIR', help: 'conformance vector directory (default ../shared/conformance/vta-hls)' },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'where to write the results (default build/bench/fsim.json)' },
    { name: 'tsim', type: 'bool', help: 'run only the TSIM section' },
    { name: 'skip-tsim', type: 'bool', help: 'run only the fsim section' },
    { name: 'tsim-json', type: 'string', metavar: 'FILE', help: 'TSIM results (default build/bench/tsim.json)' },
    { name: 'tsim-svg', type: 'string', metavar: 'FILE', help: 'TSIM utilization picture (default build/bench/tsim.svg)' },
    { name: 'skip-synth', type: 'bool', help: 'leave out the synthesis section (vta bench synth)' },
    ...CONFIG_FLAGS,
  ],
};
const DESCRIPTION =
  'Measures fsim GEMM micro-ops per second with the JS and the WebAssembly kernel on the blocked-GEMM\n' +
  'conformance vectors and on a synthetic 1x16x16 stream, against sim/bench/native-gemm.cc built with\n' +
  'g++ -O3 -march=native (cached under build/bench/cache).\n\n' +
  'Then, when Verilator is installed, the TSIM section (sim/bench/tsim-bench.ts): simulated cycles per second,\n' +
  'cycles and GEMM utilization of the blocked-GEMM vectors on the generated core, ALU micro-ops per cycle\n' +
  '(immediate and vector forms); table, build/bench/tsim.json and build/bench/tsim.svg.\n\n' +
  'With --config/--gemm/knobs (as `vta gen`), both sections measure that configuration: its synthetic GEMM\n' +
  'stream, the vectors written for it, and (TSIM) its ALU rows.\n\n' +
  '`vta bench conv2d [--workload resnet18] [--target fsim|tsim] [--json FILE] [--svg FILE]` runs conv2d\n' +
  'layers through the runtime and operator library instead (see `vta bench conv2d --help`).\n\n' +
  'Last, the synthesis table of `vta bench synth` (yosys, cached; see `vta bench synth --help`) unless --skip-synth.';

/**
 * The simulator sections of `vta bench`. The subcommands that span layers (conv2d, network, synth) and the
 * synthesis section that ends a full run are registered above, in cli/bench.ts: `lastSection` runs after
 * these sections unless --skip-synth or --tsim.
 */
export const benchCommand: Command & {
  run(argv: string[], io?: CliIo, lastSection?: (io: CliIo) => Promise<number>): Promise<number>;
  fsim(io: CliIo, seconds: number, vectorDir: string, jsonPath: string, config?: VtaConfig): Promise<void>;
} = {
  name: 'bench',
  summary: 'measure fsim GEMM throughput (JS, WebAssembly) against native C++',
  usage: formatUsage(SPEC, DESCRIPTION),
  async run(argv: string[], io: CliIo = processIo, lastSection?: (io: CliIo) => Promise<number>): Promise<number> {
    const args = parseArgs(SPEC, argv);
    if (args.help) {
      io.stdout(this.usage);
      return EXIT_OK;
    }
    const secText = args.string('seconds');
    const seconds = secText === undefined ? 1 : Number(secText);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--seconds ${secText}: expected a positive number`);
    const jsonPath = outputFileFlag(args.string('json'), join(REPO_ROOT, 'build', 'bench', 'fsim.json'), '--json');
    // the TSIM outputs too are checked before the long run
    const tj = outputFileFlag(args.string('tsim-json'), join(REPO_ROOT, 'build', 'bench', 'tsim.json'), '--tsim-json');
    const ts = outputFileFlag(args.string('tsim-svg'), join(REPO_ROOT, 'build', 'bench', 'tsim.svg'), '--tsim-svg');
    const vectorDir = args.string('vectors') ?? DEFAULT_VECTOR_DIR;
    if (args.bool('tsim') && args.bool('skip-tsim')) throw new UsageError('--tsim and --skip-tsim exclude each other');
    const config = hasConfigFlags(args) ? configFromArgs(args) : undefined;
    if (config) io.stdout(`configuration ${config.name} (hash ${config.hash})\n`);
    if (!args.bool('tsim')) await this.fsim(io, seconds, vectorDir, jsonPath, config);
    const synth = async (): Promise<number> => (args.bool('skip-synth') || args.bool('tsim') || !lastSection ? EXIT_OK : lastSection(io));
    if (args.bool('skip-tsim')) return synth();
    let haveVerilator = true;
    try {
      verilatorVersion();
    } catch (e) {
      haveVerilator = false;
      if (args.bool('tsim')) throw e;
      io.stdout(`\nTSIM section skipped: ${(e as Error).message}\n`);
    }
    if (!haveVerilator) return synth();
    io.stdout('\nTSIM benchmark (generated VtaCore under Verilator)\n');
    // Progress (and a first build of the configuration's model) on stderr; the results on stdout.
    const report = await runTsimBench({ vectorDir, config, log: (s) => io.stderr(s + '\n') });
    io.stdout('\n' + formatTsimTable(report) + '\n');
    writeTsimOutputs(report, tj, ts);
    io.stdout(`wrote ${tj} and ${ts}\n`);
    return synth();
  },
  async fsim(io: CliIo, seconds: number, vectorDir: string, jsonPath: string, config?: VtaConfig): Promise<void> {
    io.stdout('fsim GEMM benchmark\n');
    const report = await runFsimBench({
      seconds,
      vectorDir,
      config,
      log: (s) => io.stderr(s + '\n'),
    });
    io.stdout('\n' + formatBenchTable(report) + '\n');
    writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
    io.stdout(`wrote ${jsonPath}\n`);
  },
};
