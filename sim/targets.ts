// Opens a Device of a configuration on a named target. Every tool that takes `--target` goes through here,
// so fsim, TSIM and (later) boards are interchangeable.

import type { VtaConfig } from '../hw/vta/config';
import type { Device } from './device';
import { FunctionalSimulator } from './fsim';

export type TargetName = 'fsim' | 'fsim-js' | 'tsim';
export const TARGET_NAMES: readonly TargetName[] = ['fsim', 'fsim-js', 'tsim'];

export interface OpenedDevice extends Device {
  close?(): void;
  /** A new device like this one in its power-on state (zeroed SRAMs), for differential tests; cheap. */
  fresh?(): OpenedDevice;
}

export interface OpenOptions {
  dramBytes: number;
  strict?: boolean;
  /** Progress lines (Verilator builds). */
  log?: (line: string) => void;
  /** TSIM only: build the tracing library (needed for a run's `trace` option). */
  trace?: 'fst' | 'vcd';
}

export class UnknownTargetError extends Error {
  constructor(target: string) {
    super(`unknown target ${JSON.stringify(target)}; targets: ${TARGET_NAMES.join(', ')}`);
    this.name = 'UnknownTargetError';
  }
}

export function isTargetName(t: string): t is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(t);
}

export async function openDevice(target: string, cfg: VtaConfig, options: OpenOptions): Promise<OpenedDevice> {
  switch (target) {
    case 'fsim':
      return new FunctionalSimulator(cfg, { dramBytes: options.dramBytes, strict: options.strict });
    case 'fsim-js':
      return new FunctionalSimulator(cfg, { dramBytes: options.dramBytes, strict: options.strict, gemmKernel: 'js' });
    case 'tsim': {
      // Loaded lazily: only TSIM users pay for the generator and the Verilator bridge.
      // require, not import(): under the CLI (tsx/cjs) an import() of an extensionless .ts path fails.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { emitRtl } = require('../gen/rtl') as typeof import('../gen/rtl');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { TsimDevice } = require('./tsim/device') as typeof import('./tsim/device');
      const rtl = emitRtl(cfg);
      return TsimDevice.build(cfg, {
        core: { top: rtl.top, verilog: rtl.files },
        // TSIM's DRAM is whole pages.
        dramBytes: Math.ceil(options.dramBytes / 4096) * 4096,
        log: options.log,
        trace: options.trace ?? false,
        strict: options.strict,
      });
    }
    default:
      throw new UnknownTargetError(target);
  }
}
