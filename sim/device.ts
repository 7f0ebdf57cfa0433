// The one interface every VTA backend implements (the functional simulator now; Verilator TSIM and FPGA
// boards later) and all software talks to. Addresses are physical byte addresses into the device's DRAM;
// LOAD/STORE `dram_base` fields are those addresses divided by the element size (base registers are 0).

import type { VtaConfig } from '../hw/vta/config';

/** Default and minimum alignment of `alloc`: one page. Address 0 (page 0) is never handed out. */
export const PAGE_BYTES = 4096;

export interface AllocOptions {
  /** Byte alignment, a power of two; at least PAGE_BYTES is used. */
  align?: number;
}

/** Two accesses to one SRAM row, from different stages, that no token chain orders. */
export interface Race {
  memory: 'INP' | 'WGT' | 'OUT';
  /** The first row where the two instructions conflict, and how many rows they share unordered. */
  row: number;
  rows: number;
  /** The earlier (in fsim's schedule) and the later access: instruction index, stage, read or write. */
  first: RaceAccess;
  second: RaceAccess;
}

export interface RaceAccess {
  index: number;
  stage: StageName;
  access: 'read' | 'write';
  insn: string;
}

export interface RunOptions {
  /** Throw on SRAM indices past a buffer's depth (default true); false wraps them modulo the depth. */
  strict?: boolean;
  /** Record which STORE instruction last wrote each DRAM byte (slower; for mismatch reports). */
  trackStores?: boolean;
  /** Report SRAM accesses of different stages that no dependency token orders (fsim; default false). */
  checkRaces?: boolean;
  /** Work budget: GEMM and ALU micro-ops one run may execute (default DEFAULT_MAX_UOPS). */
  maxUops?: number;
  /** Cycle budget of a backend with a timing model (TSIM; 0 = none); fsim has no cycles and ignores it. */
  maxCycles?: number;
}

/**
 * Default work budget of a run, in micro-ops: 64x the largest program in the repository (the 1 M micro-op
 * fsim benchmark), small enough that a runaway loop nest is refused at once instead of running for minutes.
 */
export const DEFAULT_MAX_UOPS = 2 ** 26;

/** Instructions are 16 bytes and must start on a 16-byte boundary (the fetch unit reads whole instructions). */
export function checkInsnAddr(insnAddr: number): void {
  if (Number.isSafeInteger(insnAddr) && insnAddr % 16 !== 0) {
    throw new DeviceArgumentError(`run: insnAddr ${insnAddr} (0x${insnAddr.toString(16)}) is not 16-byte aligned; instructions start on a 16-byte boundary`);
  }
}

/** Event counters of one run; a superset of VTA fsim's profiler (vta-reference §8.3). */
export interface Counters {
  /** Bytes moved by LOADs per memory type (pads excluded), as fsim's `*_load_nbytes`. */
  uopLoadBytes: number;
  inpLoadBytes: number;
  wgtLoadBytes: number;
  accLoadBytes: number;
  /** Bytes written to DRAM by STOREs (fsim's `out_store_nbytes`). */
  outStoreBytes: number;
  /** Micro-ops executed by non-reset GEMMs (fsim's `gemm_counter`). */
  gemmUops: number;
  /** Micro-ops executed by reset GEMMs. */
  gemmResetUops: number;
  /** Micro-ops executed by ALU instructions (fsim's `alu_counter`). */
  aluUops: number;
  /** Multiply-accumulates performed by non-reset GEMMs. */
  macs: number;
  /** Instructions executed per stage. */
  loadInsns: number;
  computeInsns: number;
  storeInsns: number;
  /** Instructions executed per kind: LOAD_UOP, LOAD_INP, ..., STORE, GEMM, GEMM_RESET, ALU_ADD, ..., NOP_LOAD, FINISH. */
  byKind: Record<string, number>;
}

export function emptyCounters(): Counters {
  return {
    uopLoadBytes: 0,
    inpLoadBytes: 0,
    wgtLoadBytes: 0,
    accLoadBytes: 0,
    outStoreBytes: 0,
    gemmUops: 0,
    gemmResetUops: 0,
    aluUops: 0,
    macs: 0,
    loadInsns: 0,
    computeInsns: 0,
    storeInsns: 0,
    byKind: {},
  };
}

export type TokenQueue = 'l2g' | 'g2l' | 'g2s' | 's2g';
export type TokenCounts = Record<TokenQueue, number>;

export interface RunResult {
  /** Cycles from launch to FINISH; null for backends without a timing model (fsim). */
  cycles: number | null;
  counters: Counters;
  /** Seconds spent inside `run`. */
  wallSeconds: number;
  /** Tokens still queued when FINISH completed (a program should leave none). */
  leftoverTokens: TokenCounts;
  /** Things that are not errors but that a careful program would not do (leftover tokens, skipped instructions). */
  warnings: string[];
  /** With `checkRaces` (fsim): every unordered pair of accesses found, as sim/fsim/race.ts describes. */
  races?: Race[];
  /** With `trackStores`: the index of the STORE that last wrote a DRAM byte, or -1. */
  storeWriter?: (addr: number) => number;
  /** The host registers after the run, by name (hw/vta/regs.ts), where the device has them (TSIM, boards). */
  registers?: Record<string, number>;
}

export interface Device {
  readonly config: VtaConfig;
  /** Size of the device DRAM in bytes. */
  readonly dramBytes: number;
  /** Reserves `bytes` of DRAM and returns its physical address (page-aligned, never 0). */
  alloc(bytes: number, options?: AllocOptions): number;
  /** Releases an address that `alloc` returned. */
  free(addr: number): void;
  write(addr: number, bytes: Uint8Array): void;
  read(addr: number, len: number): Uint8Array;
  /** Replaces the whole DRAM with `image` (zero-filled past its end); for vectors with absolute addresses. */
  loadImage(image: Uint8Array): void;
  /** Runs `insnCount` 16-byte instructions starting at byte `insnAddr` until FINISH completes. */
  run(insnAddr: number, insnCount: number, options?: RunOptions): Promise<RunResult>;
}

/** Base of every error a device raises; the message is one line with the context needed to fix it. */
export class DeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceError';
  }
}

/** A bad argument to alloc/free/read/write/run (out of memory, an address never allocated, ...). */
export class DeviceArgumentError extends DeviceError {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceArgumentError';
  }
}

export type StageName = 'load' | 'compute' | 'store';

export interface StageWait {
  stage: StageName;
  /** Index of the instruction the stage waits to start, or null when the stage has nothing left. */
  index: number | null;
  /** What it waits for, e.g. `token in l2g` or `room in g2s`; null when idle. */
  waitsFor: string | null;
  /** The instruction, formatted; null when idle. */
  insn: string | null;
}

/** No stage can make progress and FINISH has not completed. */
export class DeadlockError extends DeviceError {
  constructor(
    readonly stages: StageWait[],
    readonly tokens: TokenCounts,
    reason = 'deadlock',
  ) {
    super(
      `${reason}: ` +
        stages.map((s) => (s.index === null ? `${s.stage} idle` : `${s.stage} waits at instruction ${s.index} for a ${s.waitsFor} (${s.insn})`)).join('; ') +
        `; tokens l2g=${tokens.l2g} g2l=${tokens.g2l} g2s=${tokens.g2s} s2g=${tokens.s2g}`,
    );
    this.name = 'DeadlockError';
  }
}

/** An instruction the configuration does not define (SEMANTICS.md "Encoding"). */
export class IllegalInstructionError extends DeviceError {
  constructor(
    readonly index: number,
    readonly insn: string,
    readonly reason: string,
  ) {
    super(`illegal instruction ${index}: ${reason} (${insn})`);
    this.name = 'IllegalInstructionError';
  }
}

/** An SRAM index past a buffer's depth (strict mode) or a DRAM access outside the device's DRAM. */
export class MemoryAccessError extends DeviceError {
  constructor(
    readonly index: number,
    readonly insn: string,
    readonly detail: string,
  ) {
    super(`instruction ${index}: ${detail} (${insn})`);
    this.name = 'MemoryAccessError';
  }
}

/** A run would exceed its work budget (micro-ops, or TSIM cycles); `index` is the instruction, -1 when unknown. */
export class WorkBudgetError extends DeviceError {
  constructor(
    readonly index: number,
    readonly insn: string,
    detail: string,
  ) {
    super(index >= 0 ? `instruction ${index}: ${detail} (${insn})` : detail);
    this.name = 'WorkBudgetError';
  }
}
