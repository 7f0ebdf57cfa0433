// TsimDevice: the Device interface over a Verilator-built, cycle-accurate model of a core (TSIM). DRAM is
// one byte buffer owned by the C++ model (anonymous pages that never move) and seen from TypeScript through
// a koffi external ArrayBuffer: alloc/read/write touch it directly, the model reads it on every AXI beat,
// nothing is copied per access. `run` crosses into C++ once; the clock loop runs there (on a koffi worker
// thread, so the event loop stays free) until done, an error, a DRAM fault, the cycle limit or the watchdog.

import type { VtaConfig } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import { decodeInsn, Insn, INSN_BYTES } from '../../hw/vta/isa';
import { HOST_REGISTERS, REG } from '../../hw/vta/regs';
import { PageAllocator } from '../alloc';
import {
  AllocOptions,
  checkInsnAddr,
  DEFAULT_MAX_UOPS,
  Device,
  DeviceArgumentError,
  DeviceError,
  RunOptions,
  RunResult,
  StageName,
  TokenCounts,
} from '../device';
import { checkProgram, ProgramCheck } from '../fsim/check';
import { leftoverTokenWarning } from '../fsim/scheduler';
import { Srams } from '../fsim/srams';
import { countersFrom, describeStage, errorFrom, InsnReader, RegisterPort, stageWaits } from '../driver/registers';
import { programAt, programCounters } from '../program-counters';
import type { SourceFile } from '../verilator/build';
import { buildTsim, TraceFormat } from './build';
import { CoreError, CycleLimitError, DramFaultError, WatchdogError } from './errors';
import { externalView, loadTsimLib, TSIM_INFO, TSIM_PARAM, TSIM_STATUS, TsimHandle, TsimLib } from './lib';

/** The AXI4 memory model's knobs (see bridge/axi_mem.h). */
export interface TsimMemoryOptions {
  /** Cycles from AR acceptance to the first R beat (default 16). */
  readLatency?: number;
  /** Cycles from the last W beat to B (default 4). */
  writeLatency?: number;
  /** Cycles per R beat: 1 = one beat per cycle (default), 2 = half bandwidth, ... */
  readInterval?: number;
  /** Cycles per W beat (default 1). */
  writeInterval?: number;
  /** Outstanding read bursts (default 8). */
  maxReads?: number;
  /** Outstanding write bursts (default 8). */
  maxWrites?: number;
}

export interface TsimDeviceOptions {
  /** DRAM bytes: a multiple of 4096, at most 4 GiB (default 256 MiB, as fsim). Pages are zeroed lazily. */
  dramBytes?: number;
  memory?: TsimMemoryOptions;
  /** Default cycle limit of a run (default 0 = none). */
  maxCycles?: number;
  /** Default watchdog: cycles without DRAM traffic and without a debug_progress change (default 1,000,000; 0 = off). */
  watchdogCycles?: number;
  /** Cycles one AXI-Lite register access may take (default 10,000). */
  hostTimeoutCycles?: number;
  /** Default for RunOptions.strict (default true). */
  strict?: boolean;
  /**
   * Check every program with the functional model's checks before launching it (default true; false for
   * cores that do not run VTA programs, such as test fixtures): see sim/fsim/check.ts.
   */
  checkPrograms?: boolean;
}

export interface TsimBuildDeviceOptions extends TsimDeviceOptions {
  /** The core's module name and Verilog (the RTL generator's output, or a test fixture). */
  core: { top: string; verilog: readonly SourceFile[] };
  /** Build the tracing variant of the library (needed for RunOptions.trace). */
  trace?: TraceFormat | false;
  /** Tracing: the clock frequency the waveform's time axis shows (default 100 MHz). */
  clockMhz?: number;
  /** `baseline`: built without the speed flags (vta bench compares the two). */
  flagSet?: 'tuned' | 'baseline';
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface TsimRunOptions extends RunOptions {
  /** Check the program before launching it; overrides the device's `checkPrograms` (diagnosis and tests). */
  precheck?: boolean;
  /** Watchdog of this run (0 = off); overrides the device default. */
  watchdogCycles?: number;
  /** Write a waveform (the library must be built with `trace`); cycles count from the start of this run. */
  trace?: { path: string; fromCycle?: number; toCycle?: number };
}

export interface TsimRunResult extends RunResult {
  /** Every host register after the run, by name (hw/vta/regs.ts). */
  registers: Record<string, number>;
  /** Clock cycles simulated for the run, register writes and done-polling included (≥ `cycles`). */
  simCycles: number;
  /** simCycles / seconds of the C++ clock loop. */
  simCyclesPerSecond: number;
  /** DRAM traffic of the run as the memory model saw it. */
  bus: { readBursts: number; readBeats: number; writeBursts: number; writeBeats: number; cross4k: number };
  /**
   * LOAD bytes as the core fetched them, in whole bus beats (the core's *_LOAD_BYTES registers); `counters`
   * holds element bytes, as on fsim. They differ when a row does not start and end on a bus boundary.
   */
  busBeatBytes: { uop: number; inp: number; wgt: number; acc: number };
  /** With a trace: the model cycles it covers, [first, end), counted from the model's reset (its time axis). */
  traceCycles?: { first: number; end: number };
}

export const DEFAULT_TSIM_DRAM_BYTES = 256 * 1024 * 1024;

/**
 * Default cycle budget of a run: 4x the default micro-op budget; a legal program within that budget takes
 * far fewer cycles, a runaway one is stopped with the instruction each stage is at.
 */
export const DEFAULT_MAX_CYCLES = 4 * DEFAULT_MAX_UOPS;

/** What the bus client of a faulting burst was doing: AXI read ID = VME read client (vme.ts), writes = STORE. */
const FAULT_CLIENTS: readonly { kind: string; stage: StageName | null }[] = [
  { kind: 'instruction fetch', stage: null },
  { kind: 'LOAD UOP', stage: 'compute' },
  { kind: 'LOAD INP', stage: 'load' },
  { kind: 'LOAD WGT', stage: 'load' },
  { kind: 'LOAD ACC', stage: 'compute' },
];

function checkCount(what: string, v: number, min = 0): void {
  if (!Number.isSafeInteger(v) || v < min) throw new DeviceArgumentError(`tsim: ${what} must be an integer ≥ ${min}, got ${v}`);
}

export class TsimDevice implements Device {
  readonly dramBytes: number;
  /** Seconds the model library took to build when build() opened this device, 0 when it came from the cache. */
  buildSeconds = 0;
  /** DRAM itself (no copy); invalid after close(). */
  private bytes: Uint8Array;
  /** One past the highest DRAM byte the host may have made non-zero since the last loadImage. */
  private hostWrittenEnd = 0;
  private readonly lib: TsimLib;
  private handle: TsimHandle | null;
  private readonly allocator: PageAllocator;
  private running = false;
  private readonly maxCycles: number;
  private readonly watchdogCycles: number;
  private readonly strict: boolean;
  private readonly checkPrograms: boolean;
  /** The program words as they were at launch (a STORE may overwrite them during the run), for reports. */
  private launched = { addr: 0, bytes: new Uint8Array(0) };
  /** The UOP buffer as the hardware holds it between runs (for the program checks); made on first use. */
  private uopShadow: Srams | null = null;

  /** Builds (or takes from the cache) the model library for `options.core`, then opens a device on it. */
  static async build(config: VtaConfig, options: TsimBuildDeviceOptions): Promise<TsimDevice> {
    const lib = await buildTsim({
      cfg: config,
      core: options.core,
      trace: options.trace,
      clockMhz: options.clockMhz,
      flagSet: options.flagSet,
      cacheDir: options.cacheDir,
      log: options.log,
    });
    const dev = new TsimDevice(config, lib.artifact, options);
    dev.buildSeconds = lib.cached ? 0 : lib.seconds;
    return dev;
  }

  /** Opens a device on a model library built by buildTsim for `config.busBits`. */
  constructor(
    readonly config: VtaConfig,
    private readonly libraryPath: string,
    private readonly options: TsimDeviceOptions = {},
  ) {
    const size = options.dramBytes ?? DEFAULT_TSIM_DRAM_BYTES;
    if (!Number.isSafeInteger(size) || size <= 0 || size % 4096 !== 0 || size > 2 ** 32) {
      throw new DeviceArgumentError(`tsim: dramBytes must be a positive multiple of 4096 up to 4 GiB (the AXI address is 32 bits), got ${size}`);
    }
    this.lib = loadTsimLib(libraryPath);
    const h = this.lib.create(size);
    if (!h) throw new DeviceError(`tsim: cannot create the model (out of memory for ${size} bytes of DRAM?)`);
    this.handle = h;
    const bus = this.lib.info(h, TSIM_INFO.busBits);
    if (bus !== config.busBits) {
      this.close();
      throw new DeviceArgumentError(`tsim: the library ${libraryPath} was built for a ${bus}-bit bus, the configuration has ${config.busBits}`);
    }
    this.dramBytes = size;
    this.bytes = new Uint8Array(externalView(this.lib.dram(h), size));
    this.allocator = new PageAllocator(size);
    const mem = options.memory ?? {};
    for (const [k, v] of Object.entries(mem)) {
      if (v === undefined) continue;
      if (!(k in TSIM_PARAM)) throw new DeviceArgumentError(`tsim: unknown memory option ${k}`);
      this.setParam(k as keyof typeof TSIM_PARAM, v);
    }
    if (options.hostTimeoutCycles !== undefined) this.setParam('hostTimeout', options.hostTimeoutCycles);
    this.maxCycles = options.maxCycles ?? DEFAULT_MAX_CYCLES;
    this.strict = options.strict ?? true;
    this.checkPrograms = options.checkPrograms ?? true;
    this.watchdogCycles = options.watchdogCycles ?? 1_000_000;
    checkCount('maxCycles', this.maxCycles);
    checkCount('watchdogCycles', this.watchdogCycles);
  }

  /** A new model on the same library with the same options: power-on state, zeroed DRAM and SRAMs. */
  fresh(): TsimDevice {
    return new TsimDevice(this.config, this.libraryPath, this.options);
  }

  private model(): TsimHandle {
    if (!this.handle) throw new DeviceArgumentError('tsim: the device is closed');
    if (this.running) throw new DeviceArgumentError('tsim: the device is running; wait for run() before touching it');
    return this.handle;
  }

  private setParam(name: keyof typeof TSIM_PARAM, value: number): void {
    checkCount(name, value, 1);
    if (this.lib.setParam(this.model(), TSIM_PARAM[name], value) !== 0) {
      throw new DeviceArgumentError(`tsim: ${this.lib.lastError(this.model())}`);
    }
  }

  /** Changes memory-model knobs between runs. */
  setMemory(memory: TsimMemoryOptions): void {
    for (const [k, v] of Object.entries(memory)) if (v !== undefined) this.setParam(k as keyof typeof TSIM_PARAM, v);
  }

  /** The DRAM bytes themselves, without a copy; valid until close(). */
  dramView(): Uint8Array {
    this.model();
    this.hostWrittenEnd = this.dramBytes; // the caller may write anywhere: the next loadImage clears it all
    return this.bytes;
  }

  /** Frees the model and its DRAM. Views from dramView() must not be used afterwards. */
  close(): void {
    if (!this.handle) return;
    if (this.running) throw new DeviceArgumentError('tsim: cannot close a running device');
    this.bytes = new Uint8Array(0);
    this.lib.destroy(this.handle);
    this.handle = null;
  }

  alloc(bytes: number, options: AllocOptions = {}): number {
    this.model();
    return this.allocator.alloc(bytes, options.align);
  }

  free(addr: number): void {
    this.model();
    this.allocator.free(addr);
  }

  private range(what: string, addr: number, len: number): void {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || addr < 0 || len < 0 || addr + len > this.dramBytes) {
      throw new DeviceArgumentError(`${what}: bytes ${addr}..${addr + len - 1} are outside DRAM [0, ${this.dramBytes})`);
    }
  }

  write(addr: number, bytes: Uint8Array): void {
    this.model();
    this.range('write', addr, bytes.length);
    this.bytes.set(bytes, addr);
    this.hostWrittenEnd = Math.max(this.hostWrittenEnd, addr + bytes.length);
  }

  read(addr: number, len: number): Uint8Array {
    this.model();
    this.range('read', addr, len);
    return this.bytes.slice(addr, addr + len);
  }

  loadImage(image: Uint8Array): void {
    this.model();
    if (image.length > this.dramBytes) {
      throw new DeviceArgumentError(`loadImage: the image has ${image.length} bytes, more than DRAM (${this.dramBytes})`);
    }
    // Only what may be non-zero is cleared: what the host wrote (images, write()) and what the core wrote
    // (the bridge's high-water mark), not the whole DRAM (megabytes per program in a regression).
    const dirtyEnd = Math.min(this.dramBytes, Math.max(this.hostWrittenEnd, this.lib.takeWrittenEnd(this.model())));
    this.bytes.set(image);
    if (dirtyEnd > image.length) this.bytes.fill(0, image.length, dirtyEnd);
    this.hostWrittenEnd = image.length;
    this.allocator.reset();
  }

  /** Reads one host register over AXI-Lite (a few simulated cycles). */
  readRegister(name: string): number {
    const off = REG[name];
    if (off === undefined) throw new DeviceArgumentError(`tsim: no host register ${name}`);
    const status = new Int32Array(1);
    const h = this.model();
    const v = this.lib.readReg(h, off, status);
    if (status[0] !== 0) throw new CoreError(0, `tsim: ${this.lib.lastError(h)}`);
    return v;
  }

  /** Every host register by name; stops at the first the core does not answer. */
  private readRegisters(h: TsimHandle): Record<string, number> {
    const regs: Record<string, number> = {};
    const status = new Int32Array(1);
    for (const r of HOST_REGISTERS) {
      const v = this.lib.readReg(h, r.offset, status);
      if (status[0] !== 0) break;
      regs[r.name] = v;
    }
    return regs;
  }

  async run(insnAddr: number, insnCount: number, options: TsimRunOptions = {}): Promise<TsimRunResult> {
    const h = this.model();
    if (!Number.isSafeInteger(insnCount) || insnCount < 1 || insnCount > 0xffffffff) {
      throw new DeviceArgumentError(`run: insnCount must be a positive 32-bit integer, got ${insnCount}`);
    }
    if (!Number.isSafeInteger(insnAddr) || insnAddr < 0 || insnAddr > 0xffffffff) {
      throw new DeviceArgumentError(`run: insnAddr must be a 32-bit byte address, got ${insnAddr}`);
    }
    checkInsnAddr(insnAddr);
    const maxCycles = options.maxCycles ?? this.maxCycles;
    const watchdog = options.watchdogCycles ?? this.watchdogCycles;
    checkCount('maxCycles', maxCycles);
    checkCount('watchdogCycles', watchdog);
    const warnings: string[] = [];
    if (options.trackStores) warnings.push('trackStores is not supported by TSIM (the bus does not say which STORE wrote a byte); ignored');
    // The functional model's checks first: a program fsim refuses is refused here with the same error, before
    // the hardware writes a byte; the launch stops at the first FINISH, as fsim's fetch does.
    const check = (options.precheck ?? this.checkPrograms) ? this.checkProgram(insnAddr, insnCount, options) : null;
    const launchCount = check ? check.fetched : insnCount;
    this.launched = { addr: insnAddr, bytes: this.bytes.slice(insnAddr, Math.min(this.dramBytes, insnAddr + launchCount * INSN_BYTES)) };

    const before = this.busInfo(h);
    const startCycle = this.lib.info(h, TSIM_INFO.cycle);
    if (options.trace) {
      const { path, fromCycle = 0, toCycle } = options.trace;
      if (this.lib.traceOpen(h, path, startCycle + fromCycle, toCycle === undefined ? 0 : startCycle + toCycle) !== 0) {
        throw new DeviceArgumentError(`tsim: ${this.lib.lastError(h)}`);
      }
    }
    const t0 = process.hrtime.bigint();
    let status: number;
    this.running = true;
    try {
      status = await this.lib.runAsync(h, insnAddr, launchCount, maxCycles, watchdog);
    } finally {
      this.running = false;
    }
    const loopSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const simCycles = this.lib.info(h, TSIM_INFO.runCycles);
    const message = this.lib.lastError(h);
    const info = (k: keyof typeof TSIM_INFO) => this.lib.info(h, TSIM_INFO[k]);

    if (status === TSIM_STATUS.MEM_FAULT) {
      const kind = info('faultKind') === 2 ? 'protocol' : 'outside-dram';
      const write = info('faultWrite') === 1;
      const addr = info('faultAddr');
      const regs = this.readRegisters(h);
      if (options.trace) this.lib.traceClose(h);
      const who = this.faultingInstruction(insnAddr, launchCount, write, info('faultId'), addr, regs);
      throw new DramFaultError(addr, info('faultLen'), write, info('faultCycle') - startCycle, kind, message, who);
    }
    if (status === TSIM_STATUS.WATCHDOG) {
      const progress = info('debugProgress');
      const state = info('debugState');
      const idle = info('idleCycles');
      const regs = this.readRegisters(h);
      if (options.trace) this.lib.traceClose(h);
      const shown = ['CONTROL', 'INSN_COUNT', 'INSN_ADDR', 'LOAD_INSNS', 'COMPUTE_INSNS', 'STORE_INSNS']
        .filter((n) => n in regs)
        .map((n) => `${n}=${regs[n]}`)
        .join(' ');
      const stages = this.stageWaits(insnAddr, launchCount, regs);
      const stageText = stages.length === 0 ? '' : '; ' + stages.map(describeStage).join('; ');
      throw new WatchdogError(
        idle,
        progress,
        state,
        regs,
        `watchdog: the core made no progress for ${idle} cycles (no DRAM traffic, debug_progress stuck at 0x${progress.toString(16)}); ` +
          `debug_state = 0x${state.toString(16)}; ${info('outstandingReads')} read / ${info('outstandingWrites')} write bursts outstanding; ` +
          (shown ? `registers ${shown}` : 'the core does not answer register reads') +
          stageText,
        stages,
      );
    }
    if (status === TSIM_STATUS.MAX_CYCLES) {
      const regs = this.readRegisters(h);
      if (options.trace) this.lib.traceClose(h);
      throw new CycleLimitError(maxCycles, info('debugProgress'), info('debugState'), this.stageWaits(insnAddr, launchCount, regs));
    }
    if (status !== TSIM_STATUS.DONE && status !== TSIM_STATUS.CORE_ERROR) {
      if (options.trace) this.lib.traceClose(h);
      throw new CoreError(0, `tsim: ${message || `run ended with status ${status}`}`);
    }

    const registers = this.readRegisters(h);
    if (options.trace) this.lib.traceClose(h);
    if (status === TSIM_STATUS.CORE_ERROR) throw this.coreError(insnAddr, launchCount, registers);

    const after = this.busInfo(h);
    const leftoverTokens = tokenCounts(registers.TOKEN_COUNTS ?? 0);
    // In fsim's order: tokens, instructions that never ran, then the program's own (after FINISH, unchecked).
    if (check) warnings.push(...this.finishWarnings(check, registers, leftoverTokens), ...check.warnings);
    return {
      cycles: registers.CYCLES ?? null,
      // From the program as launched (up to FINISH; a STORE may have overwritten its words since).
      counters: {
        ...countersFrom(registers, this.config),
        ...programCounters(this.config, programAt(this.config, this.launched.bytes, 0, Math.min(launchCount, this.launched.bytes.length / INSN_BYTES))),
      },
      ...(options.trace ? { traceCycles: traceWindow(startCycle, options.trace, simCycles) } : {}),
      busBeatBytes: {
        uop: registers.UOP_LOAD_BYTES ?? 0,
        inp: registers.INP_LOAD_BYTES ?? 0,
        wgt: registers.WGT_LOAD_BYTES ?? 0,
        acc: registers.ACC_LOAD_BYTES ?? 0,
      },
      wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
      leftoverTokens,
      warnings,
      registers,
      simCycles,
      simCyclesPerSecond: loopSeconds > 0 ? simCycles / loopSeconds : 0,
      bus: {
        readBursts: after.readBursts - before.readBursts,
        readBeats: after.readBeats - before.readBeats,
        writeBursts: after.writeBursts - before.writeBursts,
        writeBeats: after.writeBeats - before.writeBeats,
        cross4k: after.cross4k - before.cross4k,
      },
    };
  }

  /** Reads instruction `index` of the program at insnAddr as launched, or null when it lies outside. */
  private insnReader(insnAddr: number, insnCount: number): InsnReader {
    return (index) => {
      const at = insnAddr + index * INSN_BYTES;
      if (index < 0 || index >= insnCount || at + INSN_BYTES > this.dramBytes) return null;
      return this.insnAt(at);
    };
  }

  /** The instruction at byte `at` as it was when the run launched. */
  private insnAt(at: number): Insn {
    const off = at - this.launched.addr;
    if (off >= 0 && off + INSN_BYTES <= this.launched.bytes.length) return decodeInsn(this.config, this.launched.bytes, off);
    return decodeInsn(this.config, this.bytes, at);
  }

  /** checkProgram on the device's DRAM; the UOP shadow keeps its old contents when the check refuses. */
  private checkProgram(insnAddr: number, insnCount: number, options: RunOptions): ProgramCheck {
    this.uopShadow ??= new Srams(this.config);
    const before = this.uopShadow.uop.slice();
    try {
      return checkProgram(this.config, this.bytes, insnAddr, insnCount, {
        strict: options.strict ?? this.strict,
        maxUops: options.maxUops,
        srams: this.uopShadow,
      });
    } catch (e) {
      this.uopShadow.uop.set(before);
      throw e;
    }
  }

  /** Warnings after FINISH, as fsim gives them: tokens left queued, instructions that never ran. */
  private finishWarnings(check: ProgramCheck, regs: Record<string, number>, tokens: TokenCounts): string[] {
    const out: string[] = [];
    const left = leftoverTokenWarning(tokens);
    if (left) out.push(left);
    const ran: Record<StageName, number | undefined> = { load: regs.LOAD_INSNS, compute: regs.COMPUTE_INSNS, store: regs.STORE_INSNS };
    const pending = (['load', 'compute', 'store'] as const)
      .map((s) => [s, ran[s] === undefined ? 0 : check.stageInsns[s] - (ran[s] as number)] as const)
      .filter(([, n]) => n > 0);
    if (pending.length) out.push(`instructions before FINISH that never ran: ${pending.map(([s, n]) => `${s} ${n}`).join(', ')}`);
    return out;
  }

  /** The instruction whose burst faulted: the stage of the bus client, at its live pc (or the fetched word). */
  private faultingInstruction(
    insnAddr: number,
    insnCount: number,
    write: boolean,
    id: number,
    addr: number,
    regs: Record<string, number>,
  ): { index: number; kind: string; insn: string } {
    const client = write ? { kind: 'STORE', stage: 'store' as StageName } : (FAULT_CLIENTS[id] ?? { kind: `AXI read (ID ${id})`, stage: null });
    let index = -1;
    if (client.stage) {
      const pc = regs[`${client.stage.toUpperCase()}_PC`];
      if (pc !== undefined) index = pc;
    } else if (id === 0 && addr >= insnAddr) {
      index = Math.min(insnCount - 1, Math.floor((addr - insnAddr) / INSN_BYTES));
    }
    let insn = client.kind;
    const at = insnAddr + index * INSN_BYTES;
    if (index >= 0 && client.stage && at + INSN_BYTES <= this.dramBytes) {
      try {
        insn = formatInsn(this.config, this.insnAt(at));
      } catch {
        /* keep the kind */
      }
    }
    return { index, kind: client.kind, insn };
  }

  private stageWaits(insnAddr: number, insnCount: number, regs: Record<string, number>) {
    return stageWaits(this.config, regs, this.insnReader(insnAddr, insnCount));
  }

  private busInfo(h: TsimHandle) {
    const i = (k: keyof typeof TSIM_INFO) => this.lib.info(h, TSIM_INFO[k]);
    return { readBursts: i('readBursts'), readBeats: i('readBeats'), writeBursts: i('writeBursts'), writeBeats: i('writeBeats'), cross4k: i('cross4k') };
  }

  private coreError(insnAddr: number, insnCount: number, regs: Record<string, number>): DeviceError {
    return errorFrom(this.config, regs, insnCount, this.insnReader(insnAddr, insnCount));
  }

  /** Writes one host register over AXI-Lite (a few simulated cycles). */
  writeRegister(offset: number, value: number): void {
    const h = this.model();
    if (this.lib.writeReg(h, offset, value >>> 0) !== 0) throw new CoreError(0, `tsim: ${this.lib.lastError(h)}`);
  }

  /** Simulates `cycles` clock cycles with no host activity; a DRAM fault or $finish throws. */
  advance(cycles: number): void {
    const h = this.model();
    const status = this.lib.step(h, cycles);
    if (status === TSIM_STATUS.MEM_FAULT) {
      const info = (k: keyof typeof TSIM_INFO) => this.lib.info(h, TSIM_INFO[k]);
      throw new DramFaultError(
        info('faultAddr'),
        info('faultLen'),
        info('faultWrite') === 1,
        info('faultCycle'),
        info('faultKind') === 2 ? 'protocol' : 'outside-dram',
        this.lib.lastError(h),
      );
    }
    if (status !== TSIM_STATUS.DONE) throw new CoreError(0, `tsim: ${this.lib.lastError(h) || `step ended with status ${status}`}`);
  }

  /** Simulated clock cycles since the model was created. */
  cycle(): number {
    return this.lib.info(this.model(), TSIM_INFO.cycle);
  }

  /** The AXI-Lite port as a RegisterPort, for the shared register-level driver (sim/driver). */
  registerPort(): RegisterPort {
    return {
      read32: (offset) => {
        const status = new Int32Array(1);
        const h = this.model();
        const v = this.lib.readReg(h, offset, status);
        if (status[0] !== 0) throw new CoreError(0, `tsim: ${this.lib.lastError(h)}`);
        return v;
      },
      write32: (offset, value) => this.writeRegister(offset, value),
    };
  }
}

export { countersFrom };

/** The model cycles a trace request covered: from startCycle + fromCycle to the end of the run or toCycle. */
function traceWindow(startCycle: number, t: { fromCycle?: number; toCycle?: number }, runCycles: number): { first: number; end: number } {
  const end = startCycle + Math.min(runCycles, t.toCycle ?? runCycles);
  return { first: Math.min(end, startCycle + (t.fromCycle ?? 0)), end };
}

/** TOKEN_COUNTS: 8 bits per queue (regs.ts). */
function tokenCounts(tc: number): TokenCounts {
  return { l2g: tc & 0xff, g2l: (tc >>> 8) & 0xff, g2s: (tc >>> 16) & 0xff, s2g: (tc >>> 24) & 0xff };
}
