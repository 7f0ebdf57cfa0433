// `vta mutate DIR|FILE... [--mutants N] [--seed S]`: seeded mutants of conformance vectors run on fsim and
// TSIM; every mutant must get the same verdict on both (pass, or the same error class and instruction
// index), no stray DRAM write after an error, equal DRAM when both pass unless instructions race.

import { Command, defineCommand } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../../cli/errors';
import { runMutationCheck } from '../testing/mutate';
import { loadVector, skipReason } from '../vector';
import { asFailure, BUDGET_FLAGS, budgetOptions } from './common';
import { vectorFiles } from './conform';

const SPEC: CommandSpec = {
  command: 'vta mutate',
  flags: [
    { name: 'mutants', type: 'int', metavar: 'N', help: 'mutants per vector (default 20)' },
    { name: 'seed', type: 'int', metavar: 'S', help: 'first seed (default 1); mutant k of a vector uses seed S+k' },
    { name: 'json', type: 'bool', help: 'print the whole report as JSON' },
    ...BUDGET_FLAGS,
  ],
  positionals: { metavar: 'DIR|FILE...', min: 1 },
};
const DESCRIPTION =
  'Mutates conformance vectors (fields set to edge or random values, illegal opcodes, flipped dependency flags,\n' +
  'FINISH removed, words after FINISH, micro-ops changed, strict mode off) and runs each mutant on fsim and TSIM.\n' +
  'Prints the verdict counts and every disagreement; exit 1 when there is one.';

export const mutateCommand: Command = defineCommand({
  name: 'mutate',
  summary: 'differential test: mutated vectors on fsim and TSIM must get the same verdict',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const mutants = args.int('mutants') ?? 20;
    const seed = args.int('seed') ?? 1;
    if (mutants < 1) throw new UsageError(`--mutants ${mutants}: expected an integer >= 1`);
    const budget = budgetOptions(args);
    let vectors;
    try {
      vectors = vectorFiles(args.positionals)
        .map((f) => loadVector(f))
        .filter((v) => skipReason(v) === null);
    } catch (e) {
      return asFailure(e);
    }
    const report = await runMutationCheck({ vectors, mutants, seed, ...budget, log: (l) => io.stderr(`${l}\n`) });
    if (args.bool('json')) {
      io.stdout(JSON.stringify(report) + '\n');
    } else {
      for (const d of report.disagreements) io.stdout(`DISAGREE ${d.vector} seed ${d.seed} (${d.description}): ${d.detail}\n`);
      const verdicts = Object.entries(report.verdicts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      io.stdout(
        `${report.runs} mutants (${verdicts}); ${report.timingDependent.length} with racing instructions left timing-dependent DRAM; ${report.disagreements.length} disagreement(s)\n`,
      );
    }
    return report.disagreements.length ? EXIT_FAILURE : EXIT_OK;
  },
});
