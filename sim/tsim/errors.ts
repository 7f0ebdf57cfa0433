// Errors a TSIM run raises, all DeviceError subclasses with one-line messages.

import { DeviceError, MemoryAccessError, StageWait, WorkBudgetError } from '../device';

/** The instruction behind a faulting burst, as far as the core's live registers tell. */
export interface FaultSource {
  /** Program index, -1 when the core does not say. */
  index: number;
  /** What the bus client was doing: 'STORE', 'LOAD INP', ..., 'instruction fetch'. */
  kind: string;
  /** The instruction, formatted (or the kind when it cannot be read). */
  insn: string;
}

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
    readonly source: FaultSource = { index: -1, kind: write ? 'AXI write' : 'AXI read', insn: write ? 'AXI write' : 'AXI read' },
  ) {
    super(source.index, source.insn, detail);
    const where = source.index >= 0 ? `instruction ${source.index} (${source.kind}): ` : source.kind.startsWith('AXI') ? '' : `${source.kind}: `;
    this.message =
      `${where}DRAM ${kind === 'protocol' ? 'protocol error' : 'fault'} at cycle ${cycle}: ${detail}` + (source.index >= 0 ? ` (${source.insn})` : '');
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

/** The run did not finish within its cycle budget (maxCycles): a WorkBudgetError at the compute stage's instruction. */
export class CycleLimitError extends WorkBudgetError {
  constructor(
    readonly maxCycles: number,
    readonly progress: number,
    readonly state: number,
    /** Per stage: the instruction it is at (empty when the core has no status registers). */
    readonly stages: readonly StageWait[] = [],
  ) {
    const at = stages
      .filter((s) => s.index !== null)
      .map((s) => `${s.stage} at instruction ${s.index} (${s.insn})`)
      .join('; ');
    const compute = stages.find((s) => s.stage === 'compute' && s.index !== null);
    super(
      -1,
      compute?.insn ?? '',
      `the run did not finish within ${maxCycles} cycles (its cycle budget)` +
        (at ? `: ${at}` : '') +
        ` (debug_progress = 0x${progress.toString(16)}, debug_state = 0x${state.toString(16)}); raise it with --max-cycles or look at a trace`,
    );
    (this as { index: number }).index = compute?.index ?? -1;
    this.name = 'CycleLimitError';
  }
}

// The core's error registers name no more specific error (shared with the board driver).
export { CoreError } from '../driver/registers';
