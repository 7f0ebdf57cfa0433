// The runtime: device buffers, host<->device copies and a command queue that builds one VTA instruction
// stream (TVM's vta/runtime conventions, vta-reference §4.6 and §8.2), checks it, and runs it on any
// `Device` (fsim, TSIM, a board) through `synchronize()`.

import type { AluOpName, VtaConfig } from '../../hw/vta/config';
import { ALU_OP_NAMES, MEM_TYPE } from '../../hw/vta/config';
import { ALU_OPCODE_REQ, MEM_TYPE_REQ } from '../../hw/vta/requant';
import { formatInsn, formatProgram } from '../../hw/vta/disasm';
import { IsaError } from '../../hw/vta/errors';
import { AluInsn, build, DepFlags, encodeInsn, encodeInsnBits, GemmInsn, Insn, INSN_BYTES, stageOf, UOP_BYTES } from '../../hw/vta/isa';
import { Counters, DeadlockError, Device, DeviceError, emptyCounters, RunResult } from '../../sim/device';
import { formatRace } from '../../sim/fsim/race';
import { checkLoopInsn, checkMemInsn, checkTokens } from './checks';
import { DeviceRunError, ProgramCheckError, RuntimeError } from './errors';
import { UopKernel } from './kernel';

export type StageName = 'load' | 'compute' | 'store';
const STAGE_ORDER: Record<StageName, number> = { load: 0, compute: 1, store: 2 };

export interface DebugOptions {
  /** Print the instruction stream (formatProgram) before each run (TVM's DUMP_INSN). */
  dumpInsns?: boolean;
  /** Print every micro-op kernel when it is first loaded (TVM's DUMP_UOP). */
  dumpUops?: boolean;
  /** Make every instruction wait for the one before it (TVM's FORCE_SERIAL). */
  forceSerial?: boolean;
  /** Where dumps go (default console.log). */
  log?: (text: string) => void;
  /**
   * Run fsim's race detector on every synchronize and fail on SRAM accesses that no dependency token
   * orders. Default: on whenever `debug` is given (debug mode), off otherwise.
   */
  checkRaces?: boolean;
}

export interface RuntimeOptions {
  debug?: DebugOptions;
}

/** A region of device DRAM. */
export interface DeviceBuffer {
  readonly addr: number;
  readonly bytes: number;
}

export interface Pads {
  y0?: number;
  y1?: number;
  x0?: number;
  x1?: number;
}

/**
 * DRAM bytes the instruction stream moves, per memory type, as the runtime emitted it: each LOAD/STORE moves
 * ySize x xSize elements of its type's element bytes (pads excluded; they are generated on chip), plus the
 * instructions themselves. Exact and target-independent (the same on fsim, TSIM and a board).
 */
export interface StreamBytes {
  uop: number;
  inp: number;
  wgt: number;
  acc: number;
  out: number;
  insn: number;
}

export function emptyStreamBytes(): StreamBytes {
  return { uop: 0, inp: 0, wgt: 0, acc: 0, out: 0, insn: 0 };
}

/** The DRAM bytes of an instruction stream (see StreamBytes). */
export function streamBytes(cfg: VtaConfig, insns: readonly Insn[], into: StreamBytes = emptyStreamBytes()): StreamBytes {
  for (const insn of insns) {
    into.insn += INSN_BYTES;
    if (insn.op !== 'LOAD' && insn.op !== 'STORE') continue;
    // LOAD REQ (the requantization parameters) reads through the ACC path: counted with ACC
    if (insn.op === 'LOAD' && insn.memType === MEM_TYPE_REQ && cfg.requant) {
      into.acc += insn.ySize * insn.xSize * cfg.requant.elemBytes;
      continue;
    }
    const kind = insn.op === 'STORE' ? 'out' : (['uop', 'wgt', 'inp', 'acc'] as const)[insn.memType];
    if (kind === undefined) continue;
    into[kind] += insn.ySize * insn.xSize * cfg.tensor[kind].elemBytes;
  }
  return into;
}

/** What the runs since the last `resetStats` did, summed. */
export interface RuntimeStats {
  runs: number;
  /** Sum of device cycles; null when the device has no timing model. */
  cycles: number | null;
  counters: Counters;
  /** Instructions executed (FINISH included) and their bytes in DRAM. */
  insns: number;
  insnBytes: number;
  /** DRAM bytes per memory type from the instruction stream (see StreamBytes). */
  streamBytes: StreamBytes;
  wallSeconds: number;
}

function addCounters(a: Counters, b: Counters): void {
  for (const k of Object.keys(b) as (keyof Counters)[]) {
    if (k === 'byKind') {
      for (const [kind, n] of Object.entries(b.byKind)) a.byKind[kind] = (a.byKind[kind] ?? 0) + n;
    } else {
      (a[k] as number) += b[k] as number;
    }
  }
}

/** One recorded instruction stream, kept in device DRAM to run again (see Runtime.startRecording). */
export interface RecordedProgram {
  /** The operators whose instructions it holds. */
  name: string;
  insnBuf: DeviceBuffer;
  insns: readonly Insn[];
}

/** What a recording kept: its programs in order and the buffers the operators freed meanwhile (still in use). */
export interface Recording {
  programs: RecordedProgram[];
  held: DeviceBuffer[];
}

export class Runtime {
  readonly config: VtaConfig;
  private insns: Insn[] = [];
  private contexts: string[] = [];
  private lastOfStage: Record<StageName, number> = { load: -1, compute: -1, store: -1 };
  private pendingPops: Record<StageName, { prev: boolean; next: boolean }> = {
    load: { prev: false, next: false },
    compute: { prev: false, next: false },
    store: { prev: false, next: false },
  };
  private operator = 'runtime';
  /** Micro-op cache: kernel key -> base in the UOP buffer. */
  private resident = new Map<string, number>();
  private uopNext = 0;
  private kernels = new Map<string, UopKernel>();
  private staged = new Map<string, DeviceBuffer>();
  private readonly buffers = new Set<number>();
  private recording: Recording | null = null;
  readonly debug: DebugOptions;
  /** Debug mode: fail a synchronize whose program races (fsim). */
  private readonly checkRaces: boolean;
  stats: RuntimeStats = Runtime.emptyStats();

  constructor(
    readonly device: Device,
    options: RuntimeOptions = {},
  ) {
    this.config = device.config;
    this.debug = options.debug ?? {};
    this.checkRaces = this.debug.checkRaces ?? options.debug !== undefined;
  }

  private static emptyStats(): RuntimeStats {
    return { runs: 0, cycles: 0, counters: emptyCounters(), insns: 0, insnBytes: 0, streamBytes: emptyStreamBytes(), wallSeconds: 0 };
  }

  resetStats(): void {
    this.stats = Runtime.emptyStats();
  }

  // ---------------------------------------------------------------- buffers

  alloc(bytes: number): DeviceBuffer {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new RuntimeError(`alloc: size must be a positive integer, got ${bytes}`);
    if (bytes > this.device.dramBytes) {
      throw new RuntimeError(
        `${this.operator}: a buffer of ${bytes} bytes is larger than the device DRAM (${this.device.dramBytes} bytes); open the device with a larger dramBytes`,
      );
    }
    let addr: number;
    try {
      addr = this.device.alloc(bytes);
    } catch (e) {
      throw new RuntimeError(
        `${this.operator}: cannot allocate ${bytes} bytes of device DRAM (${this.device.dramBytes} bytes in all; open the device with a larger dramBytes): ${(e as Error).message}`,
      );
    }
    this.buffers.add(addr);
    return { addr, bytes };
  }

  free(buf: DeviceBuffer): void {
    if (this.recording) {
      if (this.buffers.has(buf.addr)) this.recording.held.push(buf);
      return;
    }
    if (this.buffers.delete(buf.addr)) this.device.free(buf.addr);
  }

  /**
   * Compile once, run many times: until stopRecording, synchronize() checks each stream and keeps it in
   * device DRAM instead of running it, and buffers freed meanwhile stay allocated (the streams read them).
   * The micro-op cache starts empty, so replaying the whole recording in order is self-contained.
   */
  startRecording(): void {
    if (this.recording) throw new RuntimeError('startRecording: already recording');
    if (this.insns.length) throw new RuntimeError(`startRecording: ${this.insns.length} instructions are queued; synchronize first`);
    this.flushUopCache();
    this.recording = { programs: [], held: [] };
  }

  stopRecording(): Recording {
    const r = this.recording;
    if (!r) throw new RuntimeError('stopRecording: not recording');
    if (this.insns.length) throw new RuntimeError(`stopRecording: ${this.insns.length} instructions are queued; synchronize first`);
    this.recording = null;
    this.flushUopCache();
    return r;
  }

  /** The programs recorded so far (empty when not recording). */
  get recordedPrograms(): readonly RecordedProgram[] {
    return this.recording?.programs ?? [];
  }

  /** Stops a recording after a failure: drops queued instructions and frees what it kept. */
  abortRecording(): void {
    const r = this.recording;
    this.resetQueue();
    if (!r) return;
    this.recording = null;
    this.flushUopCache();
    this.releaseRecording(r);
  }

  /** Runs one recorded program again (programs of a recording must run in their recorded order). */
  async replay(p: RecordedProgram): Promise<RunResult> {
    if (this.recording) throw new RuntimeError('replay: not while recording');
    if (!this.buffers.has(p.insnBuf.addr)) throw new RuntimeError(`replay: the program of ${p.name} was released`);
    return this.execute(
      p.insnBuf,
      p.insns,
      p.insns.map(() => p.name),
    );
  }

  /** Frees a recording's programs and held buffers. */
  releaseRecording(r: Recording): void {
    for (const p of r.programs) this.free(p.insnBuf);
    for (const b of r.held) this.free(b);
    r.programs = [];
    r.held = [];
  }

  /** Copies host bytes into a device buffer (VTABufferCopy host->device). */
  copyToDevice(buf: DeviceBuffer, data: Uint8Array | Int8Array | Int32Array, byteOffset = 0): void {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (byteOffset < 0 || byteOffset + bytes.length > buf.bytes) {
      throw new RuntimeError(`${this.operator}: copying ${bytes.length} bytes at offset ${byteOffset} overflows a ${buf.bytes}-byte buffer`);
    }
    this.device.write(buf.addr + byteOffset, bytes);
  }

  /** Copies device bytes back to the host (VTABufferCopy device->host). */
  copyFromDevice(buf: DeviceBuffer, len = buf.bytes, byteOffset = 0): Uint8Array {
    if (byteOffset < 0 || byteOffset + len > buf.bytes) {
      throw new RuntimeError(`${this.operator}: reading ${len} bytes at offset ${byteOffset} overflows a ${buf.bytes}-byte buffer`);
    }
    return this.device.read(buf.addr + byteOffset, len);
  }

  /** Names the operator whose instructions follow, for error messages. */
  setOperator(name: string): void {
    this.operator = name;
  }

  get currentOperator(): string {
    return this.operator;
  }

  /** Instructions queued and not yet run. */
  get pending(): readonly Insn[] {
    return this.insns;
  }

  // ---------------------------------------------------------------- the command queue

  private where(i: number): string {
    return `${this.contexts[i] ?? this.operator} instruction ${i}`;
  }

  private emit(insn: Insn): number {
    const stage = stageOf(insn);
    const pend = this.pendingPops[stage];
    if (pend.prev) insn.popPrev = true;
    if (pend.next) insn.popNext = true;
    pend.prev = pend.next = false;
    const i = this.insns.length;
    try {
      encodeInsnBits(this.config, insn, `${this.where(i)} (${insn.op})`);
    } catch (e) {
      if (e instanceof IsaError) throw new ProgramCheckError(e.message);
      throw e;
    }
    this.insns.push(insn);
    this.contexts.push(this.operator);
    this.lastOfStage[stage] = i;
    return i;
  }

  private nop(stage: StageName): number {
    if (stage === 'load') return this.emit(build.load({ memType: MEM_TYPE.INP, xSize: 0 }));
    if (stage === 'compute') return this.emit(build.load({ memType: MEM_TYPE.UOP, xSize: 0 }));
    return this.emit(build.store({ xSize: 0 }));
  }

  private static flagFor(from: StageName, to: StageName, what: string): 'Next' | 'Prev' {
    const d = STAGE_ORDER[to] - STAGE_ORDER[from];
    if (Math.abs(d) !== 1) throw new RuntimeError(`${what}(${from}, ${to}): tokens only flow between adjacent stages`);
    return d > 0 ? 'Next' : 'Prev';
  }

  /** A token from `from` to `to` after everything `from` has been given so far (VTADepPush). */
  depPush(from: StageName, to: StageName): void {
    const dir = Runtime.flagFor(from, to, 'depPush');
    const key = `push${dir}` as keyof DepFlags;
    const pend = this.pendingPops[from];
    const last = this.lastOfStage[from];
    if (pend.prev || pend.next || last < 0 || this.insns[last][key]) {
      this.insns[this.nop(from)][key] = true;
    } else {
      this.insns[last][key] = true;
    }
  }

  /** `to` waits for a token from `from` before its next instruction (VTADepPop, deferred as TVM does). */
  depPop(from: StageName, to: StageName): void {
    const dir = Runtime.flagFor(to, from, 'depPop') === 'Next' ? 'next' : 'prev';
    const pend = this.pendingPops[to];
    if (pend[dir]) this.nop(to);
    this.pendingPops[to][dir] = true;
  }

  /** A 2-D LOAD from `buf` (element offset `elemOffset`) into SRAM, with zero padding (VTALoadBuffer2D). */
  loadBuffer2D(buf: DeviceBuffer, elemOffset: number, memType: number, sramBase: number, ySize: number, xSize: number, xStride: number, pads: Pads = {}): void {
    const kind = (['uop', 'wgt', 'inp', 'acc'] as const)[memType];
    const req = memType === MEM_TYPE_REQ ? this.config.requant : null;
    if (kind === undefined && !req) throw new RuntimeError(`${this.operator}: LOAD memory type ${memType} is not loadable`);
    const elemBytes = req ? req.elemBytes : this.config.tensor[kind].elemBytes;
    const insn = build.load({
      memType,
      sramBase,
      dramBase: buf.addr / elemBytes + elemOffset,
      ySize,
      xSize,
      xStride,
      yPad0: pads.y0 ?? 0,
      yPad1: pads.y1 ?? 0,
      xPad0: pads.x0 ?? 0,
      xPad1: pads.x1 ?? 0,
    });
    this.checkDram(buf, elemOffset, ySize, xSize, xStride, elemBytes, 'LOAD');
    checkMemInsn(this.config, insn, this.where(this.insns.length));
    this.emit(insn);
  }

  /** A 2-D STORE of OUT elements from `sramBase` into `buf` (VTAStoreBuffer2D). */
  storeBuffer2D(sramBase: number, buf: DeviceBuffer, elemOffset: number, ySize: number, xSize: number, xStride: number): void {
    const elemBytes = this.config.tensor.out.elemBytes;
    const insn = build.store({ sramBase, dramBase: buf.addr / elemBytes + elemOffset, ySize, xSize, xStride });
    this.checkDram(buf, elemOffset, ySize, xSize, xStride, elemBytes, 'STORE');
    checkMemInsn(this.config, insn, this.where(this.insns.length));
    this.emit(insn);
  }

  private checkDram(buf: DeviceBuffer, off: number, y: number, x: number, stride: number, elemBytes: number, op: string): void {
    if (x === 0 || y === 0) return;
    const end = (off + (y - 1) * stride + x) * elemBytes;
    if (off < 0 || end > buf.bytes) {
      throw new ProgramCheckError(
        `${this.where(this.insns.length)}: ${op} reaches byte ${end} of a ${buf.bytes}-byte buffer (elements ${off}..${off + (y - 1) * stride + x - 1})`,
      );
    }
  }

  /** The kernel with this key, built by `build` the first time it is asked for. */
  kernel(key: string, buildKernel: (k: UopKernel) => void): UopKernel {
    let k = this.kernels.get(key);
    if (!k) {
      k = new UopKernel(key);
      buildKernel(k);
      const depth = this.config.tensor.uop.depth;
      if (k.size === 0) throw new RuntimeError(`${this.operator}: kernel ${key} has no micro-ops`);
      if (k.size > depth) {
        throw new RuntimeError(`${this.operator}: kernel ${key} has ${k.size} micro-ops, more than the micro-op buffer holds (${depth}); use smaller tiles`);
      }
      k.encode(this.config);
      this.kernels.set(key, k);
    }
    return k;
  }

  /** Makes `k` resident in the UOP buffer (one LOAD UOP the first time; everything evicted when full). */
  private ensureResident(k: UopKernel): number {
    const hit = this.resident.get(k.key);
    if (hit !== undefined) return hit;
    const depth = this.config.tensor.uop.depth;
    if (this.uopNext + k.size > depth) {
      this.resident.clear();
      this.uopNext = 0;
    }
    let buf = this.staged.get(k.key);
    if (!buf) {
      const words = k.encode(this.config);
      buf = this.alloc(words.length * UOP_BYTES);
      this.copyToDevice(buf, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
      this.staged.set(k.key, buf);
      if (this.debug.dumpUops) (this.debug.log ?? console.log)(k.format());
    }
    const base = this.uopNext;
    this.loadBuffer2D(buf, 0, MEM_TYPE.UOP, base, 1, k.size, k.size);
    this.resident.set(k.key, base);
    this.uopNext += k.size;
    return base;
  }

  /** The micro-op kernels staged in device DRAM so far (each LOAD UOP reads one of these). */
  stagedKernels(): { key: string; buf: DeviceBuffer; uops: number }[] {
    return [...this.staged].map(([key, buf]) => ({ key, buf, uops: this.kernels.get(key)?.size ?? 0 }));
  }

  /** Forgets what the UOP buffer holds (the next use of every kernel loads it again). */
  flushUopCache(): void {
    this.resident.clear();
    this.uopNext = 0;
  }

  /** A GEMM over kernel `k` (VTAPushGEMMOp); `reset` zeroes the destinations instead. */
  pushGemm(k: UopKernel, options: { reset?: boolean } = {}): void {
    const base = this.ensureResident(k);
    const insn: GemmInsn = build.gemm({ resetReg: options.reset ?? false, uopBgn: base, uopEnd: base + k.size, ...k.loopFields('gemm') });
    checkLoopInsn(this.config, insn, k.uops, this.where(this.insns.length));
    this.emit(insn);
  }

  /** An ALU operation over kernel `k` (VTAPushALUOp): with `imm`, dst = op(dst, imm); else dst = op(dst, src). */
  pushAlu(k: UopKernel, op: AluOpName, imm?: number): void {
    const aluOp = ALU_OP_NAMES.indexOf(op);
    if (!this.config.aluOps.includes(op)) {
      throw new RuntimeError(`${this.operator}: ALU ${op} is not enabled in this configuration (ALU_OPS: ${this.config.aluOps.join(', ')})`);
    }
    const base = this.ensureResident(k);
    const insn: AluInsn = build.alu({
      aluOp,
      useImm: imm !== undefined,
      imm: imm ?? 0,
      uopBgn: base,
      uopEnd: base + k.size,
      ...k.loopFields('alu'),
    });
    checkLoopInsn(this.config, insn, k.uops, this.where(this.insns.length));
    this.emit(insn);
  }

  /**
   * ALU REQ over kernel `k` (hw/vta/REQUANT.md): each micro-op's dst accumulators are requantized by the
   * parameter entry its src names, written back as int8. Needs the requantization stage.
   */
  pushRequant(k: UopKernel): void {
    if (!this.config.requant) throw new RuntimeError(`${this.operator}: ALU REQ needs the requantization stage (REQUANT_BUFF_DEPTH)`);
    const base = this.ensureResident(k);
    const insn: AluInsn = build.alu({ aluOp: ALU_OPCODE_REQ, useImm: false, imm: 0, uopBgn: base, uopEnd: base + k.size, ...k.loopFields('alu') });
    checkLoopInsn(this.config, insn, k.uops, this.where(this.insns.length));
    this.emit(insn);
  }

  // ---------------------------------------------------------------- running

  /** The queued stream with the final handshake and FINISH (and the serial rewrite in FORCE_SERIAL mode). */
  private finalize(): { insns: Insn[]; contexts: string[] } {
    this.setOperatorKeep('synchronize', () => {
      this.depPush('store', 'compute');
      this.depPush('load', 'compute');
      this.depPop('store', 'compute');
      this.depPop('load', 'compute');
      this.nop('compute');
      this.emit(build.finish());
    });
    return { insns: this.insns, contexts: this.contexts };
  }

  private setOperatorKeep(name: string, f: () => void): void {
    const saved = this.operator;
    this.operator = name;
    try {
      f();
    } finally {
      this.operator = saved;
    }
  }

  private resetQueue(): void {
    this.insns = [];
    this.contexts = [];
    this.lastOfStage = { load: -1, compute: -1, store: -1 };
    for (const s of Object.values(this.pendingPops)) s.prev = s.next = false;
  }

  /**
   * Appends the final token handshake and FINISH, checks the stream, writes it to device DRAM and runs it
   * (VTASynchronize). Device errors come back as DeviceRunError naming the operator and instruction.
   */
  async synchronize(): Promise<RunResult | null> {
    if (this.insns.length === 0) return null;
    let { insns, contexts } = this.finalize();
    this.resetQueue();
    const where = (i: number) => `${contexts[i] ?? '?'} instruction ${i}`;
    const cfg = this.config;
    checkTokens(cfg, insns, where);
    if (this.debug.forceSerial) {
      ({ insns, contexts } = serialize(insns, contexts));
      checkTokens(cfg, insns, where);
    }
    const image = new Uint8Array(insns.length * INSN_BYTES);
    insns.forEach((insn, i) => {
      try {
        encodeInsn(cfg, insn, image, i * INSN_BYTES, `${where(i)} (${insn.op})`);
      } catch (e) {
        if (e instanceof IsaError) throw new ProgramCheckError(e.message);
        throw e;
      }
    });
    if (this.debug.dumpInsns) (this.debug.log ?? console.log)(formatProgram(cfg, insns));
    const buf = this.alloc(image.length);
    this.copyToDevice(buf, image);
    if (this.recording) {
      this.recording.programs.push({ name: [...new Set(contexts.filter((c) => c !== 'synchronize'))].join('+'), insnBuf: buf, insns });
      return null;
    }
    try {
      return await this.execute(buf, insns, contexts);
    } finally {
      this.free(buf);
    }
  }

  private async execute(buf: DeviceBuffer, insns: readonly Insn[], contexts: readonly string[]): Promise<RunResult> {
    const cfg = this.config;
    let result: RunResult;
    try {
      result = await this.device.run(buf.addr, insns.length, { strict: true, checkRaces: this.checkRaces });
    } catch (e) {
      throw this.explain(e, insns, contexts);
    }
    if (result.races?.length) {
      const r = result.races[0];
      const where = (i: number) => `${contexts[i] ?? '?'} instruction ${i}`;
      throw new DeviceRunError(
        `${result.races.length} race(s); the first between ${where(r.first.index)} and ${where(r.second.index)}: ${formatRace(r)}`,
        null,
      );
    }
    const left = result.leftoverTokens;
    if (left.l2g || left.g2l || left.g2s || left.s2g) {
      throw new DeviceRunError(`the run left tokens behind: l2g=${left.l2g} g2l=${left.g2l} g2s=${left.g2s} s2g=${left.s2g}`, null);
    }
    const s = this.stats;
    s.runs++;
    s.cycles = s.cycles === null || result.cycles === null ? null : s.cycles + result.cycles;
    addCounters(s.counters, result.counters);
    s.insns += insns.length;
    s.insnBytes += insns.length * INSN_BYTES;
    streamBytes(cfg, insns, s.streamBytes);
    s.wallSeconds += result.wallSeconds;
    return result;
  }

  private explain(e: unknown, insns: readonly Insn[], contexts: readonly string[]): Error {
    if (!(e instanceof DeviceError)) return e as Error;
    const idx: number[] = [];
    if (e instanceof DeadlockError) {
      for (const st of e.stages) if (st.index !== null) idx.push(st.index);
    } else if (typeof (e as { index?: unknown }).index === 'number') {
      idx.push((e as unknown as { index: number }).index);
    }
    const ops = [
      ...new Set(idx.filter((i) => i >= 0 && i < insns.length).map((i) => `${contexts[i]} (instruction ${i}: ${formatInsn(this.config, insns[i])})`)),
    ];
    const ctx = ops.length ? ops.join(', ') : contexts.filter((c, i, a) => a.indexOf(c) === i).join(', ');
    return new DeviceRunError(`${e.name} in ${ctx}: ${e.message}`, e);
  }
}

/**
 * FORCE_SERIAL: every instruction waits for the one before it. The stream's own flags are dropped (program
 * order subsumes them: the runtime only pops tokens pushed earlier in the stream) and between consecutive
 * instructions of different stages one token is passed (through a compute no-op between load and store).
 * Every queue is empty before each of these pushes, so a pop can only take the token of its predecessor.
 */
export function serialize(insns: readonly Insn[], contexts: readonly string[]): { insns: Insn[]; contexts: string[] } {
  const out: Insn[] = [];
  const ctx: string[] = [];
  const nop = (stage: StageName): Insn =>
    stage === 'load'
      ? build.load({ memType: MEM_TYPE.INP, xSize: 0 })
      : stage === 'compute'
        ? build.load({ memType: MEM_TYPE.UOP, xSize: 0 })
        : build.store({ xSize: 0 });
  const add = (insn: Insn, c: string) => {
    out.push(insn);
    ctx.push(c);
  };
  const pushFrom = (from: StageName, to: StageName, c: string) => {
    const key = STAGE_ORDER[to] > STAGE_ORDER[from] ? 'pushNext' : 'pushPrev';
    const last = out[out.length - 1];
    if (last && stageOf(last) === from && !last[key]) last[key] = true;
    else {
      const n = nop(from);
      n[key] = true;
      add(n, c);
    }
  };
  const popKey = (from: StageName, to: StageName) => (STAGE_ORDER[from] < STAGE_ORDER[to] ? 'popPrev' : 'popNext');
  for (let i = 0; i < insns.length; i++) {
    const insn = { ...insns[i], popPrev: false, popNext: false, pushPrev: false, pushNext: false } as Insn;
    const c = contexts[i];
    const prev = out[out.length - 1];
    if (prev) {
      const from = stageOf(prev);
      const to = stageOf(insn);
      if (from !== to) {
        let src = from;
        if (Math.abs(STAGE_ORDER[to] - STAGE_ORDER[from]) === 2) {
          pushFrom(from, 'compute', c);
          const n = nop('compute');
          n[popKey(from, 'compute')] = true;
          add(n, c);
          src = 'compute';
        }
        pushFrom(src, to, c);
        const key = popKey(src, to);
        if (insn.op === 'FINISH') {
          const n = nop(to);
          n[key] = true;
          add(n, c);
        } else {
          insn[key] = true;
        }
      }
    }
    add(insn, c);
  }
  return { insns: out, contexts: ctx };
}
