// The functional simulator: a Device that executes VTA programs exactly as SEMANTICS.md defines them,
// instantly (no timing model, so `cycles` is null).

import type { VtaConfig } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import type { Insn, MemInsn } from '../../hw/vta/isa';
import { PageAllocator } from '../alloc';
import { AllocOptions, Device, DeviceArgumentError, emptyCounters, RunOptions, RunResult, StageName } from '../device';
import { executeAlu } from './alu';
import { countInsn, kindOf } from './counters';
import { Dram } from './dram';
import { executeGemm, GemmKernel, jsGemmKernel } from './gemm';
import { executeLoad } from './load';
import { afterFinishWarning, checkBudget, fetchProgram } from './program';
import { createWasmGemmKernel } from './wasm/kernel';
import { schedule } from './scheduler';
import { Srams } from './srams';
import { FsimState } from './state';
import { executeStore } from './store';
import { StoreWriters } from './store-writers';
import { RaceDetector } from './race';

export { Srams } from './srams';
export type { GemmKernel, GemmShape } from './gemm';
export type { LoopPlan } from './loop';

export interface FsimOptions {
  /** DRAM size in bytes (default 256 MiB). */
  dramBytes?: number;
  /** Default for RunOptions.strict (default true). */
  strict?: boolean;
  /**
   * The GEMM kernel: 'wasm' (default; the WebAssembly SIMD kernel, loaded on the first run, falling back
   * to JS where WebAssembly SIMD is missing), 'js', or a kernel of your own working on `srams.memory`.
   */
  gemmKernel?: GemmKernel | 'wasm' | 'js';
}

export const DEFAULT_DRAM_BYTES = 256 * 1024 * 1024;

let wasmKernel: Promise<GemmKernel> | undefined;
/** The WebAssembly kernel is assembled once per process; without WebAssembly SIMD, the JS kernel runs. */
function sharedWasmKernel(): Promise<GemmKernel> {
  wasmKernel ??= createWasmGemmKernel().catch(() => jsGemmKernel);
  return wasmKernel;
}

export class FunctionalSimulator implements Device {
  readonly dramBytes: number;
  /** The on-chip buffers: one WebAssembly.Memory (`srams.memory`) with byte offsets `srams.offsets`. */
  readonly srams: Srams;
  private readonly dram: Dram;
  private readonly allocator: PageAllocator;
  private readonly strict: boolean;
  private gemmKernel: GemmKernel | 'wasm';
  /** Kept across runs with `checkRaces`, cleared at each. */
  private raceDetector?: RaceDetector;
  /** Whether any byte of DRAM may be nonzero (a write, an image or a run happened). */

  constructor(
    readonly config: VtaConfig,
    private readonly options: FsimOptions = {},
  ) {
    const size = options.dramBytes ?? DEFAULT_DRAM_BYTES;
    if (!Number.isSafeInteger(size) || size <= 0) throw new DeviceArgumentError(`fsim: dramBytes must be a positive integer, got ${size}`);
    this.dramBytes = size;
    this.dram = new Dram(size);
    this.allocator = new PageAllocator(size);
    this.srams = new Srams(config);
    this.strict = options.strict ?? true;
    const kernel = options.gemmKernel ?? 'wasm';
    this.gemmKernel = kernel === 'js' ? jsGemmKernel : kernel;
  }

  /** A new simulator with the same options: zeroed DRAM and SRAMs. */
  fresh(): FunctionalSimulator {
    return new FunctionalSimulator(this.config, this.options);
  }

  setGemmKernel(kernel: GemmKernel): void {
    this.gemmKernel = kernel;
  }

  alloc(bytes: number, options: AllocOptions = {}): number {
    return this.allocator.alloc(bytes, options.align);
  }

  free(addr: number): void {
    this.allocator.free(addr);
  }

  private range(what: string, addr: number, len: number): void {
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || addr < 0 || len < 0 || addr + len > this.dramBytes) {
      throw new DeviceArgumentError(`${what}: bytes ${addr}..${addr + len - 1} are outside DRAM [0, ${this.dramBytes})`);
    }
  }

  write(addr: number, bytes: Uint8Array): void {
    this.range('write', addr, bytes.length);
    this.dram.noteWrite(addr + bytes.length);
    this.dram.bytes.set(bytes, addr);
  }

  read(addr: number, len: number): Uint8Array {
    this.range('read', addr, len);
    return this.dram.bytes.slice(addr, addr + len);
  }

  loadImage(image: Uint8Array): void {
    if (image.length > this.dramBytes) {
      throw new DeviceArgumentError(`loadImage: the image has ${image.length} bytes, more than DRAM (${this.dramBytes})`);
    }
    // Only bytes something wrote (host writes, images, STOREs) are cleared: untouched pages of a multi-GiB
    // DRAM stay unmapped, and a regression does not clear megabytes per program.
    const dirtyEnd = this.dram.takeWrittenEnd();
    if (dirtyEnd > image.length) this.dram.bytes.fill(0, image.length, dirtyEnd);
    this.dram.bytes.set(image);
    this.dram.noteWrite(image.length);
    this.allocator.reset();
  }

  async run(insnAddr: number, insnCount: number, options: RunOptions = {}): Promise<RunResult> {
    if (this.gemmKernel === 'wasm') this.gemmKernel = await sharedWasmKernel();
    const t0 = process.hrtime.bigint();
    const cfg = this.config;
    const maxUops = checkBudget(options.maxUops);
    const insns = fetchProgram(cfg, this.dram.bytes, insnAddr, insnCount);
    const counters = emptyCounters();
    const storeWriters = options.trackStores ? new StoreWriters() : null;
    const st: FsimState = {
      cfg,
      dram: this.dram,
      srams: this.srams,
      strict: options.strict ?? this.strict,
      counters,
      storeWriters,
      gemmKernel: this.gemmKernel,
      index: 0,
      insn: insns[0],
      maxUops,
      uopsUsed: 0,
    };
    const race = options.checkRaces ? (this.raceDetector ??= new RaceDetector(cfg)).reset((i) => formatInsn(cfg, insns[i])) : null;
    const execute = (insn: Insn, stage: StageName): void => {
      race?.begin(stage, st.index, insn);
      switch (insn.op) {
        case 'LOAD':
          executeLoad(st, insn as MemInsn);
          break;
        case 'STORE':
          executeStore(st, insn as MemInsn);
          break;
        case 'GEMM':
          executeGemm(st, insn);
          break;
        case 'ALU':
          executeAlu(st, insn);
          break;
        default:
          break; // FINISH
      }
      countInsn(counters, stage, kindOf(insn));
      if (race) {
        race.record(st, insn);
        race.end(insn);
      }
    };
    const { leftoverTokens, warnings } = schedule(st, insns, cfg.depQueueDepth, execute);
    if (insns.length < insnCount) warnings.push(afterFinishWarning(insnCount, insns.length));
    const result: RunResult = {
      cycles: null,
      counters,
      wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
      leftoverTokens,
      warnings,
    };
    if (race) result.races = race.races();
    if (storeWriters) result.storeWriter = (addr) => storeWriters.get(addr);
    return result;
  }
}
