// Shared pieces of the simulator commands (run, conform, disasm): the --target flag, configuration
// files, and turning simulator/vector errors into the one-line reports cli/errors.ts prints.

import { readConfigFile } from '../../hw/vta/config-file';
import { deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, VtaConfig, withOverrides } from '../../hw/vta/config';
import { ConfigError } from '../../hw/vta/errors';
import { CommandFailure, UsageError } from '../../cli/errors';
import type { FlagSpec, ParsedArgs } from '../../cli/args';
import { DEFAULT_MAX_UOPS, DeviceError } from '../device';
import type { RunResult } from '../device';
import { emitRtl } from '../../gen/rtl';
import { DEFAULT_CLOCK_MHZ, halfPeriodPs } from '../tsim/build';
import type { TsimRunResult } from '../tsim/device';
import { writeWaveViews } from '../tsim/wave';
import { TargetUnavailableError, TraceRequest } from '../replay';
import { checkTargetPresent, targetFlag } from '../targets';
import { VectorError } from '../vector';
import { InputFileError } from '../../util/input-file';

export const TARGET_FLAG: FlagSpec = {
  name: 'target',
  type: 'string',
  metavar: 'TARGET',
  help: 'fsim (functional, WebAssembly GEMM; the default), fsim-js (functional, plain-JS GEMM), tsim (the generated Verilog under Verilator, cycle-accurate), or on a board pynq-z1, ultra96, zcu104, de10-nano',
};

export const TRACE_FLAGS: FlagSpec[] = [
  { name: 'trace', type: 'string', metavar: 'FILE.fst|FILE.vcd', help: 'TSIM: write a waveform of the run (format by extension)' },
  { name: 'trace-from', type: 'int', metavar: 'N', help: 'first cycle traced, counted from the start of the run (default 0)' },
  { name: 'trace-to', type: 'int', metavar: 'M', help: 'cycle the trace stops at (default: the end of the run)' },
  { name: 'clock-mhz', type: 'string', metavar: 'F', help: `clock frequency of the trace's time axis (default ${DEFAULT_CLOCK_MHZ} MHz)` },
];

export const BUDGET_FLAGS: FlagSpec[] = [
  { name: 'max-uops', type: 'int', metavar: 'N', help: `work budget: GEMM/ALU micro-ops a run may execute (default ${DEFAULT_MAX_UOPS})` },
  { name: 'max-cycles', type: 'int', metavar: 'N', help: 'TSIM cycle budget of a run (default 4x the micro-op budget; 0 = none)' },
];

/** The --max-uops/--max-cycles options, checked. */
export function budgetOptions(args: ParsedArgs): { maxUops?: number; maxCycles?: number } {
  const out: { maxUops?: number; maxCycles?: number } = {};
  for (const [flag, key] of [
    ['max-uops', 'maxUops'],
    ['max-cycles', 'maxCycles'],
  ] as const) {
    const v = args.int(flag);
    if (v === undefined) continue;
    if (v < 0) throw new UsageError(`--${flag} ${v}: expected an integer >= 0`);
    out[key] = v;
  }
  return out;
}

/** --clock-mhz, checked (only with --trace). */
export function clockMhzFlag(args: ParsedArgs): number {
  const text = args.string('clock-mhz');
  if (text === undefined) return DEFAULT_CLOCK_MHZ;
  if (args.string('trace') === undefined) throw new UsageError('--clock-mhz sets the time axis of a waveform; it needs --trace FILE');
  const f = Number(text);
  if (!(f > 0 && f <= 10_000)) throw new UsageError(`--clock-mhz ${text}: expected a frequency in MHz, e.g. 100 or 333.3`);
  return f;
}

/**
 * After a traced run: what was written, the window, the clock, and how to see state names. Writes the
 * GTKWave save file and state filters beside the waveform.
 */
export function reportTrace(io: { stderr(s: string): void }, path: string, cfg: VtaConfig, run: RunResult, clockMhz: number): void {
  const window = (run as TsimRunResult).traceCycles;
  if (!window) return;
  const views = writeWaveViews(path, emitRtl(cfg).fsms ?? [], window, clockMhz);
  const ns = (2 * halfPeriodPs(clockMhz)) / 1000;
  io.stderr(
    `trace: wrote ${path}: model cycles ${window.first} to ${window.end} (${window.end - window.first} cycles of this run), ${ns} ns per cycle at ${clockMhz} MHz\n`,
  );
  io.stderr(`trace: FSM states by name: gtkwave ${views.gtkw} (${views.filters.length} state filters in ${path}.states/)\n`);
}

/** Lets a command read FIFOs, devices and process substitutions (still size-limited). */
export const SPECIAL_FILES_FLAG: FlagSpec = {
  name: 'allow-special-files',
  type: 'bool',
  help: 'also read FIFOs, devices and <(...) substitutions (still size-limited)',
};

/** The --trace options, checked: TSIM only, .fst/.vcd, 0 <= from < to. */
export function traceRequest(args: ParsedArgs, target: string): TraceRequest | undefined {
  const path = args.string('trace');
  const from = args.int('trace-from');
  const to = args.int('trace-to');
  if (path === undefined) {
    if (from !== undefined || to !== undefined) throw new UsageError('--trace-from/--trace-to need --trace FILE');
    return undefined;
  }
  if (target !== 'tsim') throw new UsageError(`--trace needs --target tsim (${target} has no waveforms)`);
  if (!/\.(fst|vcd)$/i.test(path)) throw new UsageError(`--trace ${path}: the file name must end in .fst or .vcd`);
  if (from !== undefined && from < 0) throw new UsageError(`--trace-from ${from}: expected a cycle >= 0`);
  if (to !== undefined && to <= (from ?? 0)) throw new UsageError(`--trace-to ${to}: must be after --trace-from ${from ?? 0}`);
  return { path, ...(from !== undefined ? { fromCycle: from } : {}), ...(to !== undefined ? { toCycle: to } : {}) };
}

/** --target, checked: a known target, and a board target only on its board (one line, before any work). */
export function checkTarget(target: string | undefined): string {
  const t = targetFlag(target, 'fsim');
  checkTargetPresent(t);
  return t;
}

/** Reads a VTA JSON configuration file (the generator's reader); unknown or missing keys name the key. */
export function loadConfigFile(file: string, allowSpecial = false): VtaConfig {
  return deriveConfig(readConfigFile(file, process.cwd(), allowSpecial), file);
}

/** The configuration from --config FILE or --gemm BxIxO (on the default), or the default. */
export function configFromFlags(configFile: string | undefined, gemm: string | undefined, allowSpecial = false): VtaConfig {
  if (configFile !== undefined && gemm !== undefined) throw new UsageError('give --config or --gemm, not both');
  if (configFile !== undefined) return loadConfigFile(configFile, allowSpecial);
  if (gemm !== undefined) return deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape(gemm)), '--gemm');
  return deriveConfig(DEFAULT_CONFIG_JSON, 'default config');
}

/** One line describing any error a vector replay can raise; rethrows programming errors. */
export function describeError(e: unknown): string {
  if (e instanceof DeviceError || e instanceof VectorError || e instanceof ConfigError || e instanceof TargetUnavailableError || e instanceof InputFileError) {
    return `${e.name}: ${e.message.replace(/\s*\n\s*/g, ' ')}`;
  }
  if (e instanceof Error && e.name === 'IsaError') return `IsaError: ${e.message}`;
  throw e;
}

/** Converts replay errors into the dispatcher's one-line failures; a device error names the target it came from. */
export function asFailure(e: unknown, target?: string): never {
  if (e instanceof TargetUnavailableError) throw new UsageError(e.message);
  if (e instanceof DeviceError && target) throw new CommandFailure(`${target}: ${describeError(e)}`);
  if (e instanceof DeviceError || e instanceof VectorError) throw new CommandFailure(describeError(e));
  throw e;
}
