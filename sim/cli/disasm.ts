// `vta disasm FILE`: one instruction per line. FILE is a conformance vector (its configuration and
// program) or a raw instruction binary (configuration from --config FILE or --gemm BxIxO, else default).

import { Command, defineCommand } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { CommandFailure, EXIT_OK, UsageError } from '../../cli/errors';
import { formatProgram, programLegend } from '../../hw/vta/disasm';
import type { VtaConfig } from '../../hw/vta/config';
import { decodeProgram } from '../../hw/vta/isa';
import { INPUT_LIMITS, isText, readInputFile } from '../../util/input-file';
import { parseVector, programBytes } from '../vector';
import { asFailure, configFromFlags, SPECIAL_FILES_FLAG } from './common';

const SPEC: CommandSpec = {
  command: 'vta disasm',
  flags: [
    { name: 'config', type: 'string', metavar: 'FILE', help: 'configuration (VTA JSON) of a raw binary' },
    { name: 'gemm', type: 'string', metavar: 'BxIxO', help: 'GEMM shape of a raw binary, on the default configuration' },
    { name: 'no-legend', type: 'bool', help: 'leave out the # lines that say what the columns and fields mean' },
    SPECIAL_FILES_FLAG,
  ],
  positionals: { metavar: 'FILE', min: 1, max: 1 },
};
const DESCRIPTION =
  'Prints a program one instruction per line: index, stage, instruction, dependency flags, after a\nlegend (# lines; sram/dram/y/x/stride count elements, not bytes). FILE is a conformance vector (.json) or a\nraw binary of 16-byte instructions.';

export const disasmCommand: Command = defineCommand({
  name: 'disasm',
  summary: 'print a program (vector or raw binary) one instruction per line',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const file = args.positionals[0];
    const allowSpecial = args.bool('allow-special-files');
    const bytes = readInputFile(file, { maxBytes: Math.max(INPUT_LIMITS.vectorBytes, INPUT_LIMITS.programBytes), what: 'program', allowSpecial });
    if (bytes.length === 0) throw new CommandFailure(`${file}: the file is empty; expected a vector (.json) or 16-byte instructions`);
    const listing = (cfg: VtaConfig, insns: ReturnType<typeof decodeProgram>) =>
      `${args.bool('no-legend') ? '' : `${programLegend(cfg)}\n`}${formatProgram(cfg, insns)}\n`;
    // A vector is text; a binary whose first byte happens to be '{' is still a binary.
    const looksJson = file.endsWith('.json') || (/^\s*\{/.test(bytes.subarray(0, 64).toString('latin1')) && isText(bytes));
    if (looksJson) {
      if (args.has('config') || args.has('gemm')) throw new UsageError('a vector carries its own configuration; drop --config/--gemm');
      let v;
      try {
        v = parseVector(bytes.toString('utf8'), file);
      } catch (e) {
        return asFailure(e);
      }
      io.stdout(listing(v.config, decodeProgram(v.config, programBytes(v))));
      return EXIT_OK;
    }
    // text that is no vector (README.md, a config file) is not a program either
    if (isText(bytes))
      throw new CommandFailure(`${file}: not a vector or a program: a vector is a .json file, a program whole 16-byte instructions (this is text)`);
    if (bytes.length > INPUT_LIMITS.programBytes) {
      throw new CommandFailure(`${file}: ${bytes.length} bytes is more than the limit of ${INPUT_LIMITS.programBytes / 2 ** 20} MiB for a raw program`);
    }
    const cfg = configFromFlags(args.string('config'), args.string('gemm'), allowSpecial);
    io.stdout(listing(cfg, decodeProgram(cfg, new Uint8Array(bytes))));
    return EXIT_OK;
  },
});
