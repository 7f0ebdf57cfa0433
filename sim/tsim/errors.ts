// Errors a TSIM run raises, all DeviceError subclasses with one-line messages.

import { DeviceError, MemoryAccessError, StageWait } from '../device';

/** An AXI access outside DRAM (or an AXI protocol error) by the core; the run stopped at that cycle. */
export class DramFaultError extends MemoryAccessError {
  constructor(
    /** First byte address of the offending burst. */
    readonly addr: number,
    /** Bytes the burst covers. */
    readonly length: number,
    readonly write: boolean,
    /** Cycle of the handshake (TSIM_INFO_CYCLE counting). */
    readonly cycle: number,
    /** 'outside-dram' or 'protocol'. */
    readonly kind: 'outside-dram' | 'protocol',
    detail: string,
  ) {
    // The AXI bus does not say which instruction issued the access: index -1, as fsim's fetch errors.
    super(-1, write ? 'AXI write' : 'AXI read', detail);
    this.message = `DRAM ${kind === 'protocol' ? 'protocol error' : 'fault'} at cycle ${cycle}: ${detail}`;
    this.name = 'DramFaultError';
  }
}

/** The watchdog tripped: no DRAM traffic and no change of the core's debug_progress for too long. */
export class WatchdogError extends DeviceError {
  constructor(
    readonly idleCycles: number,
    readonly progress: number,
    readonly state: number,
    /** Host registers read after the stop (name -> value), where the core still answered. */
    readonly registers: Readonly<Record<string, number>>,
    detail: string,
    /** Per stage: the instruction it waits at and what for (empty when the core has no status registers). */
    readonly stages: readonly StageWait[] = [],
  ) {
    super(detail);
    this.name = 'WatchdogError';
  }
}

/** The run did not finish within the cycle limit (RunOptions maxCycles). */
export class CycleLimitError extends DeviceError {
  constructor(readonly maxCycles: number, readonly progress: number, readonly state: number) {
    super(
      `the run did not finish within ${maxCycles} cycles (debug_progress = 0x${progress.toString(16)}, ` +
        `debug_state = 0x${state.toString(16)}); raise maxCycles or look at a trace`,
    );
    this.name = 'CycleLimitError';
  }
}

// The core's error registers name no more specific error (shared with the board driver).
export { CoreError } from '../driver/registers';
