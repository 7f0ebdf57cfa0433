// `vta fpga --board B [gen knobs] [--freq MHZ] [--out DIR] [--force]`: writes the self-contained folder a
// user with Vivado or Quartus turns into a bitstream with one command (bundle.ts lists what is in it).

import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, isAbsolute, relative, resolve } from 'path';
import { performance } from 'perf_hooks';
import type { CommandSpec } from '../../cli/args';
import { Command, defineCommand } from '../../cli/command';
import { CliIo, CommandFailure, EXIT_OK, processIo, reportErrors, UsageError } from '../../cli/errors';
import { GENERATOR } from '../../cli/version';
import { BOARD_NAMES, boardByName } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { describeFsError } from '../../hw/vta/config-file';
import { ConfigError } from '../../hw/vta/errors';
import { CONFIG_FLAGS, configDirName, configRequestFromArgs, resolveGenConfig } from '../../gen/gen';
import { emitRtl as realEmitRtl, RtlEmitter } from '../../gen/rtl';
import { buildBundle } from './bundle';
import { clockWarning, defaultEstimator, FitEstimator, lowerBound } from './fit';
import { flowOf } from './flows';
import { StatusLine } from '../../util/status';

export const FPGA_SPEC: CommandSpec = {
  command: 'vta fpga',
  flags: [
    // `vta gen`'s flags may carry --board already (a preset there; required here).
    ...(CONFIG_FLAGS.some((f) => f.name === 'board')
      ? []
      : [{ name: 'board', type: 'string' as const, metavar: 'BOARD', help: `the board: ${BOARD_NAMES.join(', ')} (required)` }]),
    { name: 'freq', type: 'int', metavar: 'MHZ', help: "fabric clock in MHz (default: the board's, e.g. 100 on the PYNQ-Z1)" },
    { name: 'force', type: 'bool', help: 'write the folder even when the configuration does not fit the board' },
    {
      name: 'estimate',
      type: 'string',
      metavar: 'yosys|bound',
      help: 'how the fit is checked: yosys (vta synth: minutes on a first run, cached; the default) or bound (a lower bound from the buffers and GEMM multipliers, instant: it can only prove a misfit)',
    },
    ...CONFIG_FLAGS,
    { name: 'out', type: 'string', metavar: 'DIR', help: 'output directory (default build/fpga/<board>/<config-name>)' },
  ],
};

export const FPGA_DESCRIPTION =
  'Writes a folder with the generated core, the board shell, the vendor flow (Vivado batch Tcl, or\n' +
  "Platform Designer + Quartus scripts), build.sh, vta_hw_spec.h with the board's platform macros, the fit\n" +
  "estimate, a README with the board-side steps and manifest.json (sha256 of every file). The board's\n" +
  'presets (bus width) apply under the flags. A configuration that does not fit is refused unless --force.';

export interface FpgaDeps {
  emitRtl?: RtlEmitter;
  estimator?: FitEstimator;
  cwd?: string;
}

function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

export async function runFpga(argv: readonly string[], io: CliIo = processIo, deps: FpgaDeps = {}): Promise<number> {
  return reportErrors('vta fpga', io, async () => {
    const command = makeCommand(deps);
    return command.run([...argv], io);
  });
}

function makeCommand(deps: FpgaDeps): Command {
  return defineCommand({
    name: 'fpga',
    summary: 'write the bitstream build folder for a board (Vivado or Quartus flow, shell, header, manifest)',
    spec: FPGA_SPEC,
    description: FPGA_DESCRIPTION,
    async execute(args, io) {
      const start = performance.now();
      const cwd = deps.cwd ?? process.cwd();
      const progress = (line: string) => io.stderr(`vta fpga: ${line}\n`);
      const boardName = args.string('board');
      if (boardName === undefined) throw new UsageError(`--board is required: one of ${BOARD_NAMES.join(', ')}`);
      const board = boardByName(boardName);
      const req = configRequestFromArgs(args);
      const preset = boardPreset(board);
      const cfg = resolveGenConfig(
        {
          ...req,
          overrides: { ...preset, ...req.overrides },
          overrideText: [`--board ${board.name}`, ...req.overrideText.filter((t) => !/^--(board|freq|force)\b/.test(t))],
        },
        cwd,
      );
      if (cfg.busBits !== board.memBusBits) {
        throw new ConfigError(
          `--bus-width ${cfg.busBits}: ${board.name}'s ${board.ports.dataPort} is ${board.memBusBits} bits wide; drop --bus-width (the board preset sets it)`,
        );
      }
      const freq = args.int('freq') ?? board.clockMhz;
      if (freq < 10 || freq > 800) throw new UsageError(`--freq ${freq}: expected a fabric clock between 10 and 800 MHz`);
      const estimate = args.string('estimate') ?? 'yosys';
      if (estimate !== 'yosys' && estimate !== 'bound') throw new UsageError(`--estimate ${estimate}: expected yosys or bound`);

      progress(`${board.name} (${board.part}), ${cfg.name}, ${freq} MHz: generating the core`);
      const rtl = (deps.emitRtl ?? realEmitRtl)(cfg);
      progress(
        estimate === 'bound'
          ? 'checking the fit with the lower bound from the buffers and multipliers (no synthesis)'
          : 'checking the fit with vta synth (yosys; cached after the first run; --estimate bound skips it)',
      );
      const line = new StatusLine((t) => io.stderr(t), !!process.stderr.isTTY && io === processIo);
      let fit;
      try {
        fit = await (deps.estimator ?? (estimate === 'bound' ? lowerBound : defaultEstimator))(
          cfg,
          board,
          (l) => line.note(`vta fpga: ${l}`),
          (l) => line.update(`vta fpga: ${l}`),
        );
      } finally {
        line.done();
      }
      const force = args.bool('force');
      if (!fit.fits && !force) {
        throw new CommandFailure(`${cfg.name} does not fit ${board.name} (${fit.source}): ${fit.fix ?? 'see the estimate'}; or pass --force`);
      }
      if (!fit.fits) progress(`WARNING: ${cfg.name} does not fit ${board.name}: ${fit.fix}; writing it anyway (--force)`);
      const slow = clockWarning(fit, freq);
      if (slow) progress(slow);

      const configDir = configDirName(cfg);
      const outDir = resolve(cwd, args.string('out') ?? `build/fpga/${board.name}/${configDir}`);
      const bundle = buildBundle({ board, cfg, rtl, freqMhz: freq, fit, generator: GENERATOR, configDir, forced: force && !fit.fits });
      for (const f of bundle.files) {
        const path = resolve(outDir, f.path);
        try {
          mkdirSync(dirname(path), { recursive: true });
          let same = false;
          try {
            same = readFileSync(path, 'utf8') === f.text;
          } catch {
            /* absent */
          }
          if (!same) writeFileSync(path, f.text);
          if (f.executable) chmodSync(path, 0o755);
        } catch (e) {
          throw new CommandFailure(`cannot write ${path}: ${describeFsError(e)}`, { cause: e });
        }
      }
      const ms = Math.round(performance.now() - start);
      const m = bundle.manifest;
      io.stdout(
        [
          `vta fpga: ${board.name} ${cfg.name} (hash ${cfg.hash})`,
          `  part   ${m.part}, ${m.frequencyMhz} MHz, ${m.busBits}-bit ${m.protocol} on ${m.dataPort}, bursts <= ${m.maxBurstBeats}`,
          `  regs   0x${m.registerBase.toString(16)} (${m.controlPort}), DMA offset 0x${m.physAddrOffset.toString(16)}`,
          `  fit    ${fit.fits ? 'fits' : 'DOES NOT FIT (forced)'}: ${fit.rows.map((r) => `${r.resource} ${r.used}/${r.available}`).join(', ') || 'no budget rows'} (${fit.source})`,
          `  files  ${bundle.files.length} (${m.files.length} listed with sha256 in manifest.json)`,
          `  out    ${display(outDir, cwd)}  (then: ${display(resolve(outDir, 'build.sh'), cwd)} on a ${flowOf(board).tool} host)`,
          `  time   ${ms} ms`,
          '',
        ].join('\n'),
      );
      return EXIT_OK;
    },
  });
}

export const fpgaCommand: Command = {
  name: 'fpga',
  summary: 'write the bitstream build folder for a board (Vivado or Quartus flow, shell, header, manifest)',
  usage: makeCommand({}).usage,
  run: (argv, io) => runFpga(argv, io),
};
