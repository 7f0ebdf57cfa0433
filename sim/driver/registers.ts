// The register-level driver of a VTA core: the launch sequence, polling CONTROL, reading the counters and
// turning the error registers into DeviceErrors. It only sees a RegisterPort (32-bit reads and writes at
// byte offsets of hw/vta/regs.ts), so the same code drives a board's memory-mapped registers and TSIM's
// simulated AXI-Lite port; only the port, the DMA memory and the way time passes between polls differ.

import type { VtaConfig } from '../../hw/vta/config';
import { formatInsn } from '../../hw/vta/disasm';
import { DepFlags, illegalReason, Insn } from '../../hw/vta/isa';
import { CONTROL_BITS, ERROR_CODES, HOST_REGISTERS, REG } from '../../hw/vta/regs';
import { Counters, DeviceError, emptyCounters, IllegalInstructionError, StageName, StageWait, TokenCounts, TokenQueue } from '../device';

/** 32-bit register access at byte offsets of the host register map. */
export interface RegisterPort {
  read32(offset: number): number;
  write32(offset: number, value: number): void;
}

/** How a poll loop lets time pass and how long it may wait. */
export interface PollClock {
  /** Between two CONTROL reads: sleep, yield or simulate cycles. */
  pause(): Promise<void> | void;
  /** The current time in `unit`s (a monotonic clock, or simulated cycles). */
  now(): number;
  /** How long a run may take, in `unit`s. */
  limit: number;
  unit: string;
}

/** The core did not report done or error in time. */
export class DeviceTimeoutError extends DeviceError {
  constructor(
    readonly waited: number,
    readonly unit: string,
    readonly registers: Readonly<Record<string, number>>,
    readonly stages: readonly StageWait[],
    detail: string,
  ) {
    super(detail);
    this.name = 'DeviceTimeoutError';
  }
}

/** The core stopped with an error code the driver does not map to a more specific error. */
export class CoreError extends DeviceError {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'CoreError';
  }
}

/** What the driver needs to explain an instruction index: the instruction there, if it can be read. */
export type InsnReader = (index: number) => Insn | null;

/** Writes the registers of one launch: instruction count and address, base registers 0, then launch. */
export function launch(port: RegisterPort, insnAddr: number, insnCount: number): void {
  port.write32(REG.INSN_COUNT, insnCount >>> 0);
  port.write32(REG.INSN_ADDR, insnAddr >>> 0);
  for (const base of ['UOP_BASE', 'INP_BASE', 'WGT_BASE', 'ACC_BASE', 'OUT_BASE']) port.write32(REG[base], 0);
  port.write32(REG.CONTROL, CONTROL_BITS.launch);
}

/** Reads CONTROL until done or error is set; returns its last value. Throws DeviceTimeoutError. */
export async function waitForDone(port: RegisterPort, clock: PollClock, cfg: VtaConfig, readInsn: InsnReader): Promise<number> {
  const start = clock.now();
  for (;;) {
    const control = port.read32(REG.CONTROL);
    if (control & (CONTROL_BITS.done | CONTROL_BITS.error)) return control;
    const waited = clock.now() - start;
    if (waited >= clock.limit) {
      const regs = readRegisters(port);
      const stages = stageWaits(cfg, regs, readInsn);
      const text = stages.length ? '; ' + stages.map(describeStage).join('; ') : '';
      throw new DeviceTimeoutError(
        waited,
        clock.unit,
        regs,
        stages,
        `the core did not finish within ${clock.limit} ${clock.unit} (CONTROL = 0x${control.toString(16)}, ` +
          `LOAD_INSNS=${regs.LOAD_INSNS} COMPUTE_INSNS=${regs.COMPUTE_INSNS} STORE_INSNS=${regs.STORE_INSNS})${text}`,
      );
    }
    await clock.pause();
  }
}

/** Every host register by name. */
export function readRegisters(port: RegisterPort): Record<string, number> {
  const regs: Record<string, number> = {};
  for (const r of HOST_REGISTERS) regs[r.name] = port.read32(r.offset) >>> 0;
  return regs;
}

/**
 * The Device counters from the host registers. Here the per-type load bytes are whole bus beats the core
 * fetched and `byKind` is empty; devices replace both with what the program determines (programCounters
 * of sim/program-counters.ts), as fsim counts them.
 */
export function countersFrom(r: Record<string, number>, cfg: Pick<VtaConfig, 'batch' | 'blockIn' | 'blockOut'>): Counters {
  const c = emptyCounters();
  c.gemmUops = r.GEMM_UOPS ?? 0;
  c.gemmResetUops = r.GEMM_RESET_UOPS ?? 0;
  c.aluUops = r.ALU_UOPS ?? 0;
  c.macs = c.gemmUops * cfg.batch * cfg.blockIn * cfg.blockOut;
  c.loadInsns = r.LOAD_INSNS ?? 0;
  c.computeInsns = r.COMPUTE_INSNS ?? 0;
  c.storeInsns = r.STORE_INSNS ?? 0;
  c.uopLoadBytes = r.UOP_LOAD_BYTES ?? 0;
  c.inpLoadBytes = r.INP_LOAD_BYTES ?? 0;
  c.wgtLoadBytes = r.WGT_LOAD_BYTES ?? 0;
  c.accLoadBytes = r.ACC_LOAD_BYTES ?? 0;
  c.outStoreBytes = r.DRAM_WRITE_BYTES ?? 0;
  return c;
}

/** The DeviceError for a run that ended with CONTROL's error bit (ERROR_CODE / ERROR_INSN). */
export function errorFrom(cfg: VtaConfig, regs: Record<string, number>, insnCount: number, readInsn: InsnReader): DeviceError {
  const code = regs.ERROR_CODE ?? -1;
  const index = regs.ERROR_INSN ?? -1;
  if (code === ERROR_CODES.illegalInstruction && index >= 0 && index < insnCount) {
    let text = `instruction ${index}`;
    let reason = 'the core reported an illegal instruction (ERROR_CODE 1)';
    try {
      const insn = readInsn(index);
      if (insn) {
        text = formatInsn(cfg, insn);
        const why = illegalReason(cfg, insn);
        if (why) reason = `${why} (reported by the core)`;
      }
    } catch (e) {
      text = `undecodable instruction ${index}: ${(e as Error).message}`;
    }
    return new IllegalInstructionError(index, text, reason);
  }
  return new CoreError(code, `the core stopped with an error: CONTROL = 0x${(regs.CONTROL ?? 0).toString(16)}, ERROR_CODE = ${code}, ERROR_INSN = ${index}`);
}

/**
 * What each stage waits for, from the live registers (LOAD_PC.., STAGE_STATE, TOKEN_COUNTS) and the
 * instruction at its pc. Empty when the core lacks those registers.
 */
export function stageWaits(cfg: VtaConfig, regs: Record<string, number>, readInsn: InsnReader): StageWait[] {
  if (!('STAGE_STATE' in regs) || !('TOKEN_COUNTS' in regs)) return [];
  const st = regs.STAGE_STATE;
  const tc = regs.TOKEN_COUNTS;
  const tokens: TokenCounts = { l2g: tc & 0xff, g2l: (tc >>> 8) & 0xff, g2s: (tc >>> 16) & 0xff, s2g: (tc >>> 24) & 0xff };
  const full = (q: TokenQueue) => tokens[q] >= Math.min(cfg.depQueueDepth, 255);
  // Pops and pushes per stage: [flag, queue].
  const flows: Record<StageName, { pops: [keyof DepFlags, TokenQueue][]; pushes: [keyof DepFlags, TokenQueue][] }> = {
    load: { pops: [['popNext', 'g2l']], pushes: [['pushNext', 'l2g']] },
    compute: {
      pops: [
        ['popPrev', 'l2g'],
        ['popNext', 's2g'],
      ],
      pushes: [
        ['pushPrev', 'g2l'],
        ['pushNext', 'g2s'],
      ],
    },
    store: { pops: [['popPrev', 'g2s']], pushes: [['pushPrev', 's2g']] },
  };
  const out: StageWait[] = [];
  (['load', 'compute', 'store'] as const).forEach((stage, k) => {
    const has = ((st >>> (3 * k)) & 1) === 1;
    const busy = ((st >>> (3 * k + 1)) & 1) === 1;
    const stall = ((st >>> (3 * k + 2)) & 1) === 1;
    const pc = regs[`${stage.toUpperCase()}_PC`] ?? 0;
    if (!has) {
      out.push({ stage, index: null, waitsFor: null, insn: null });
      return;
    }
    let insn: Insn | null = null;
    let text = `instruction ${pc}`;
    try {
      insn = readInsn(pc);
      if (insn) text = formatInsn(cfg, insn);
    } catch {
      /* keep the index */
    }
    let waitsFor = busy ? 'its own work to finish' : 'its turn to start';
    if (insn && stall) {
      const q = flows[stage].pops.filter(([f, queue]) => insn![f] && tokens[queue] === 0).map(([, queue]) => queue);
      waitsFor = q.length ? q.map((x) => `token in ${x}`).join(' and a ') : 'a token';
    } else if (insn && busy) {
      const q = flows[stage].pushes.filter(([f, queue]) => insn![f] && full(queue)).map(([, queue]) => queue);
      if (q.length) waitsFor = q.map((x) => `room in ${x}`).join(' and ');
    }
    out.push({ stage, index: pc, waitsFor, insn: text });
  });
  return out;
}

export function describeStage(s: StageWait): string {
  if (s.index === null) return `${s.stage} idle`;
  return `${s.stage} waits at instruction ${s.index} for ${/^(token|room)/.test(s.waitsFor ?? '') ? 'a ' : ''}${s.waitsFor} (${s.insn})`;
}
