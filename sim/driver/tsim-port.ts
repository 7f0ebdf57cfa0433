// The shared register-level driver over TSIM: a RegisterDevice whose port is the model's simulated AXI-Lite
// slave, whose DMA window is the model's DRAM (coherent: one buffer) and whose clock is simulated cycles.
// The board runtime runs exactly this driver code; only its port, window and clock are the board's.

import type { TsimDevice } from '../tsim/device';
import { RegisterDevice } from './register-device';

export interface TsimDriverOptions {
  /** Cycles simulated between two CONTROL reads (default 256). */
  cyclesPerPoll?: number;
  /** Simulated cycles a run may take before DeviceTimeoutError (default 50,000,000). */
  maxCycles?: number;
  /** Close the TSIM device with this one (default true). */
  closeModel?: boolean;
}

export function tsimRegisterDevice(tsim: TsimDevice, options: TsimDriverOptions = {}): RegisterDevice {
  const step = options.cyclesPerPoll ?? 256;
  return new RegisterDevice(tsim.config, {
    name: 'tsim (register driver)',
    port: tsim.registerPort(),
    window: {
      size: tsim.dramBytes,
      busBase: 0,
      bytes: tsim.dramView(),
      syncForDevice: () => {},
      syncForCpu: () => {},
    },
    clock: { pause: () => tsim.advance(step), now: () => tsim.cycle(), limit: options.maxCycles ?? 50_000_000, unit: 'cycles' },
    onClose: () => {
      if (options.closeModel ?? true) tsim.close();
    },
  });
}
