// Opens a Device of a configuration on a named target. Every tool that takes `--target` goes through here,
// so fsim, TSIM and the boards are interchangeable.

import type { VtaConfig } from '../hw/vta/config';
import { BOARD_NAMES, boardByName, canonicalBoardName } from '../hw/boards/boards';
import { CommandFailure, UsageError } from '../cli/errors';
import { didYouMean } from '../util/suggest';
import type { Device } from './device';
import { FunctionalSimulator } from './fsim';

export type TargetName = 'fsim' | 'fsim-js' | 'tsim' | BoardTargetName;
/**
 * Real boards (sim/board): the runtime on the board's Linux, the bitstream from `vta fpga --board` of the
 * same name. A board's target name is its `--board` name; `pynq` is accepted for `pynq-z1` in both.
 */
export type BoardTargetName = 'pynq-z1' | 'ultra96' | 'zcu104' | 'de10-nano';
export const BOARD_TARGET_NAMES: readonly BoardTargetName[] = BOARD_NAMES as readonly BoardTargetName[];
export const TARGET_NAMES: readonly TargetName[] = ['fsim', 'fsim-js', 'tsim', ...BOARD_TARGET_NAMES];
/** The simulators: every command that runs programs takes these. */
export const SIMULATOR_TARGETS: readonly TargetName[] = ['fsim', 'fsim-js', 'tsim'];

/** A device to close when done (TSIM holds a Verilator model and its DRAM); `using` works too. */
export interface OpenedDevice extends Device {
  /** Releases the model; idempotent. A no-op on fsim, but call it anyway so the code works on every target. */
  close(): void;
  [Symbol.dispose](): void;
  /** A new device like this one in its power-on state (zeroed SRAMs), for differential tests; cheap. */
  fresh?(): Device & { close?(): void };
}

/** DRAM of a device opened without `dramBytes`: enough for the ResNet-18 layers through the operators. */
export const DEFAULT_DRAM_BYTES = 64 << 20;

export interface OpenOptions {
  /**
   * Device DRAM in bytes (default DEFAULT_DRAM_BYTES, 64 MiB). Each operator call allocates its packed
   * input, weights, bias and output (each rounded up to 4 KiB pages) plus the instruction and micro-op
   * buffers, and frees them when it returns; an allocation that does not fit fails naming the sizes.
   */
  dramBytes?: number;
  strict?: boolean;
  /** Progress lines (Verilator builds). */
  log?: (line: string) => void;
  /** TSIM only: build the tracing library (needed for a run's `trace` option). */
  trace?: 'fst' | 'vcd';
  /** TSIM tracing: the clock frequency of the waveform's time axis (default 100 MHz). */
  clockMhz?: number;
}

export class UnknownTargetError extends Error {
  constructor(target: string) {
    super(`unknown target ${JSON.stringify(target)}${didYouMean(target, TARGET_NAMES)}; targets: ${TARGET_NAMES.join(', ')}`);
    this.name = 'UnknownTargetError';
  }
}

/** `--target`'s help, the same in every command that runs on a device. */
export function targetHelp(fallback: TargetName): string {
  return `the device: fsim (functional), fsim-js (functional, plain-JS GEMM), tsim (cycle-accurate Verilator model), or on a board ${BOARD_TARGET_NAMES.join(', ')} (default ${fallback})`;
}

/** The target a name (or a board alias such as `pynq`) means, or undefined. */
export function canonicalTarget(t: string): TargetName | undefined {
  if ((SIMULATOR_TARGETS as readonly string[]).includes(t)) return t as TargetName;
  return canonicalBoardName(t) as BoardTargetName | undefined;
}

export function isTargetName(t: string): boolean {
  return canonicalTarget(t) !== undefined;
}

export function isBoardTarget(t: string): boolean {
  return canonicalTarget(t) !== undefined && !(SIMULATOR_TARGETS as readonly string[]).includes(t);
}

/**
 * `--target` of a command, checked against the targets it takes (default: every target), in one wording
 * for every command: `--target X: unknown target; did you mean ...?; targets: ...`. Returns the name as
 * given (board aliases stay, so messages quote the user).
 */
export function targetFlag(value: string | undefined, fallback: TargetName, allowed: readonly string[] = TARGET_NAMES): string {
  const t = value ?? fallback;
  const canonical = canonicalTarget(t);
  if (canonical && allowed.includes(canonical)) return t;
  const why = canonical ? 'not a target of this command' : 'unknown target';
  throw new UsageError(`--target ${t}: ${why}${canonical ? '' : didYouMean(t, allowed)}; targets: ${allowed.join(', ')}`);
}

/** Gives a device an idempotent close() (a no-op where the device has none) and Symbol.dispose. */
function closable<T extends Device & { close?(): void }>(device: T): T & OpenedDevice {
  const release = device.close?.bind(device);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    release?.();
  };
  return Object.assign(device, { close, [Symbol.dispose]: close });
}

/**
 * A command's check that its --target is there: a board target off its board fails at once (a one-line
 * CommandFailure, exit 1) before any compiling or calibrating; simulators are always there (a TSIM build
 * says what it lacks).
 */
export function checkTargetPresent(target: string): void {
  const board = isBoardTarget(target) ? canonicalBoardName(target) : undefined;
  if (!board) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkOnBoard } = require('./board/device') as typeof import('./board/device');
  try {
    checkOnBoard(target, boardByName(board));
  } catch (e) {
    throw e instanceof Error ? new CommandFailure(e.message) : e;
  }
}

const rtlByConfig = new Map<string, { top: string; files: readonly { name: string; text: string }[] }>();

export async function openDevice(target: string, cfg: VtaConfig, options: OpenOptions = {}): Promise<OpenedDevice> {
  const dramBytes = options.dramBytes ?? DEFAULT_DRAM_BYTES;
  switch (target) {
    case 'fsim':
      return closable(new FunctionalSimulator(cfg, { dramBytes, strict: options.strict }));
    case 'fsim-js':
      return closable(new FunctionalSimulator(cfg, { dramBytes, strict: options.strict, gemmKernel: 'js' }));
    case 'tsim': {
      // Loaded lazily: only TSIM users pay for the generator and the Verilator bridge.
      // require, not import(): under the CLI (tsx/cjs) an import() of an extensionless .ts path fails.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { emitRtl } = require('../gen/rtl') as typeof import('../gen/rtl');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { TsimDevice } = require('./tsim/device') as typeof import('./tsim/device');
      // One elaboration per configuration and process: a reopened device (a larger DRAM) reuses it.
      const rtl = rtlByConfig.get(cfg.hash) ?? emitRtl(cfg);
      rtlByConfig.set(cfg.hash, rtl);
      return closable(
        await TsimDevice.build(cfg, {
          core: { top: rtl.top, verilog: rtl.files },
          // TSIM's DRAM is whole pages.
          dramBytes: Math.ceil(dramBytes / 4096) * 4096,
          log: options.log,
          trace: options.trace ?? false,
          strict: options.strict,
          clockMhz: options.clockMhz,
        }),
      );
    }
    default: {
      if (!isBoardTarget(target)) throw new UnknownTargetError(target);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { openBoardDevice } = require('./board/device') as typeof import('./board/device');
      return closable(openBoardDevice(target, cfg, { dramBytes }));
    }
  }
}
