// `vta regress` (npm run regress): random programs on a target against fsim, at scale.

import { cpus } from 'os';
import { join } from 'path';
import { Command, defineCommand } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { EXIT_FAILURE, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { VECTOR_SET_NAMES } from '../../hw/vta/configs';
import { isTargetName, TARGET_NAMES, targetFlag } from '../targets';
import { didYouMean } from '../../util/suggest';
import { regress } from './runner';
import { resolveRegressConfigs } from './config-spec';
import { prepareOutputDir } from '../../util/output-dir';
import { EXECUTOR_FLAGS, executorFromArgs } from '../../cli/executor-flags';
import { EXIT_INTERRUPTED, watchInterrupts } from '../../util/interrupt';

const SPEC: CommandSpec = {
  command: 'vta regress',
  flags: [
    { name: 'target', type: 'string', metavar: 'T', help: `device under test (${TARGET_NAMES.join(', ')}; default tsim)` },
    { name: 'reference', type: 'string', metavar: 'T', help: 'reference device (default fsim)' },
    {
      name: 'configs',
      type: 'string',
      metavar: 'A,B',
      help: `configurations: names, boards (pynq-z1, ...), shapes BxIxO or JSON files, each optionally +req[N] (the requantization stage) and +acc8 (LOAD ACC_8BIT) (default ${VECTOR_SET_NAMES.join(',')})`,
    },
    { name: 'programs', type: 'int', metavar: 'N', help: 'random programs per configuration (default 100)' },
    { name: 'seed', type: 'int', metavar: 'S', help: 'first seed (default 1); program i uses seed S+i' },
    { name: 'jobs', type: 'int', metavar: 'N', help: 'parallel worker processes (default: the number of cores)' },
    ...EXECUTOR_FLAGS,
    { name: 'out', type: 'string', metavar: 'DIR', help: 'where regress.json, regress.xml and failures/ go (default build/regress)' },
  ],
};
const DESCRIPTION =
  'Runs seeded random programs (legal, token-balanced, race-free, padded and strided loads, GEMM and ALU\n' +
  'loops, two virtual threads; about a third stress the buffer edges: tiles ending at the last row of each\n' +
  'buffer, pads and strides at their field limits, loops of 16383 iterations) on the target and on the\n' +
  'reference, and compares all of DRAM byte for byte.\n' +
  'Each failure is saved as a vector that `vta run FILE --target T` replays.';

export const regressCommand: Command = defineCommand({
  name: 'regress',
  summary: 'differential regression of random programs: a target against fsim',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const target = targetFlag(args.string('target'), 'tsim');
    const reference = args.string('reference') ?? 'fsim';
    if (!isTargetName(reference))
      throw new UsageError(`--reference ${reference}: unknown target${didYouMean(reference, TARGET_NAMES)}; targets: ${TARGET_NAMES.join(', ')}`);
    const configs = (args.string('configs') ?? VECTOR_SET_NAMES.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    resolveRegressConfigs(configs); // names, boards, shapes and files are checked before any work
    const programs = args.int('programs') ?? 100;
    const jobs = args.int('jobs') ?? cpus().length;
    if (programs < 1) throw new UsageError(`--programs ${programs}: expected at least 1`);
    if (jobs < 1) throw new UsageError(`--jobs ${jobs}: expected at least 1`);
    const outDir = prepareOutputDir(args.string('out') ?? join(process.cwd(), 'build', 'regress'), '--out');
    const executor = executorFromArgs(args, jobs, (line) => io.stderr(line + '\n'));
    io.stdout(
      `regress: ${programs} programs x ${configs.length} configurations (${configs.join(', ')}), ${target} against ${reference}, ${executor.description}\n`,
    );
    const interrupts = watchInterrupts((line) => io.stderr(line + '\n'), 'the regression');
    try {
      const report = await regress({
        target,
        reference,
        configs,
        programs,
        seed: args.int('seed') ?? 1,
        jobs,
        executor,
        outDir,
        log: (line) => io.stderr(line + '\n'),
        tty: !!process.stderr.isTTY && io === processIo,
        signal: interrupts.signal,
      });
      io.stdout(`wrote ${join(outDir, 'regress.json')} and ${join(outDir, 'regress.xml')} (${report.seconds.toFixed(1)} s)\n`);
      if (report.interrupted) {
        io.stdout(
          `interrupted: ${report.cases.length} of ${programs * configs.length} programs ran; ${report.passed} passed, ${report.failed} failed (the reports hold those)\n`,
        );
        return EXIT_INTERRUPTED;
      }
      io.stdout(`${report.passed} passed, ${report.failed} failed\n`);
      return report.failed === 0 ? EXIT_OK : EXIT_FAILURE;
    } finally {
      interrupts.dispose();
    }
  },
});
