// VTA's instruction set, written once: typed instructions in, 16 little-endian bytes out, and back.
// Field positions come from the configuration's layouts (config.ts), so every configuration is covered.

import { AluOpName, ALU_OP_NAMES, MEM_TYPE, VtaConfig } from './config';
import { IsaError } from './errors';
import { MEM_TYPE_ACC_8BIT } from './acc8';
import { ALU_OPCODE_REQ, MEM_TYPE_REQ } from './requant';
import { Field, FieldLayout } from './layout';

export const INSN_BYTES = 16;
export const UOP_BYTES = 4;

export const OPCODE = Object.freeze({ LOAD: 0, STORE: 1, GEMM: 2, FINISH: 3, ALU: 4 });
export const ALU_OPCODE: Readonly<Record<AluOpName, number>> = Object.freeze({ MIN: 0, MAX: 1, ADD: 2, SHR: 3, MUL: 4 });
export const MEM_TYPE_NAMES = ['UOP', 'WGT', 'INP', 'ACC', 'OUT'] as const;

export interface DepFlags {
  popPrev: boolean;
  popNext: boolean;
  pushPrev: boolean;
  pushNext: boolean;
}

export interface MemInsn extends DepFlags {
  op: 'LOAD' | 'STORE';
  memType: number;
  sramBase: number;
  dramBase: number;
  ySize: number;
  xSize: number;
  xStride: number;
  yPad0: number;
  yPad1: number;
  xPad0: number;
  xPad1: number;
}

/** The loop nest shared by GEMM and ALU. */
export interface LoopFields extends DepFlags {
  resetReg: boolean;
  uopBgn: number;
  uopEnd: number;
  iterOut: number;
  iterIn: number;
  dstFactorOut: number;
  dstFactorIn: number;
  srcFactorOut: number;
  srcFactorIn: number;
}

export interface GemmInsn extends LoopFields {
  op: 'GEMM';
  wgtFactorOut: number;
  wgtFactorIn: number;
}

export interface AluInsn extends LoopFields {
  op: 'ALU';
  /** 0..7; only the operations the configuration enables are legal. */
  aluOp: number;
  useImm: boolean;
  /** Signed 16-bit immediate. */
  imm: number;
}

export interface FinishInsn extends DepFlags {
  op: 'FINISH';
}

/** An opcode outside VTA's five. Decoding never fails; legality is checked separately. */
export interface UnknownInsn extends DepFlags {
  op: 'UNKNOWN';
  opcode: number;
}

export type Insn = MemInsn | GemmInsn | AluInsn | FinishInsn | UnknownInsn;

export interface Uop {
  dst: number;
  src: number;
  wgt: number;
}

// TypeScript name of each layout field.
export const FIELD_KEYS: Record<string, string> = {
  pop_prev: 'popPrev',
  pop_next: 'popNext',
  push_prev: 'pushPrev',
  push_next: 'pushNext',
  memory_type: 'memType',
  sram_base: 'sramBase',
  dram_base: 'dramBase',
  y_size: 'ySize',
  x_size: 'xSize',
  x_stride: 'xStride',
  y_pad_0: 'yPad0',
  y_pad_1: 'yPad1',
  x_pad_0: 'xPad0',
  x_pad_1: 'xPad1',
  reset_reg: 'resetReg',
  uop_bgn: 'uopBgn',
  uop_end: 'uopEnd',
  iter_out: 'iterOut',
  iter_in: 'iterIn',
  dst_factor_out: 'dstFactorOut',
  dst_factor_in: 'dstFactorIn',
  src_factor_out: 'srcFactorOut',
  src_factor_in: 'srcFactorIn',
  wgt_factor_out: 'wgtFactorOut',
  wgt_factor_in: 'wgtFactorIn',
  alu_opcode: 'aluOp',
  use_imm: 'useImm',
  imm: 'imm',
  dst: 'dst',
  src: 'src',
  wgt: 'wgt',
};
const SIGNED_FIELDS = new Set(['imm']);
const BOOLEAN_FIELDS = new Set(['pop_prev', 'pop_next', 'push_prev', 'push_next', 'reset_reg', 'use_imm']);

function layoutFor(cfg: VtaConfig, op: Insn['op']): FieldLayout {
  switch (op) {
    case 'LOAD':
    case 'STORE':
      return cfg.layout.mem;
    case 'ALU':
      return cfg.layout.alu;
    default:
      return cfg.layout.gemm;
  }
}

function fieldValue(insn: Record<string, unknown>, f: Field, what: string): bigint {
  const key = FIELD_KEYS[f.name];
  const v = insn[key];
  let n: number;
  if (typeof v === 'boolean') n = v ? 1 : 0;
  else if (typeof v === 'number' && Number.isInteger(v)) n = v;
  else throw new IsaError(`${what}: field ${f.name} (${key}) must be an integer, got ${JSON.stringify(v)}`);
  if (SIGNED_FIELDS.has(f.name)) {
    const lim = 2 ** (f.width - 1);
    if (n < -lim || n >= lim) throw new IsaError(`${what}: field ${f.name} = ${n} does not fit ${f.width} signed bits [${-lim}, ${lim - 1}]`);
    return BigInt.asUintN(f.width, BigInt(n));
  }
  if (n < 0 || n >= 2 ** f.width) {
    throw new IsaError(`${what}: field ${f.name} = ${n} does not fit ${f.width} bits [0, ${2 ** f.width - 1}]`);
  }
  return BigInt(n);
}

/** Encodes one instruction into its 128-bit value; every field is range-checked. */
export function encodeInsnBits(cfg: VtaConfig, insn: Insn, what = 'instruction'): bigint {
  const opcode = insn.op === 'UNKNOWN' ? insn.opcode : OPCODE[insn.op];
  const layout = layoutFor(cfg, insn.op);
  let bits = 0n;
  const record = insn as unknown as Record<string, unknown>;
  for (const f of layout.fields) {
    if (f.name === 'opcode') {
      if (!Number.isInteger(opcode) || opcode < 0 || opcode > 7) throw new IsaError(`${what}: opcode ${opcode} does not fit 3 bits`);
      bits |= BigInt(opcode);
      continue;
    }
    const isDep = f.name.startsWith('pop_') || f.name.startsWith('push_');
    // FINISH and unknown opcodes carry only the opcode and dependency flags.
    if ((insn.op === 'FINISH' || insn.op === 'UNKNOWN') && !isDep) continue;
    bits |= fieldValue(record, f, what) << BigInt(f.lsb);
  }
  return bits;
}

export function encodeInsn(cfg: VtaConfig, insn: Insn, out = new Uint8Array(INSN_BYTES), offset = 0, what?: string): Uint8Array {
  const bits = encodeInsnBits(cfg, insn, what);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigUint64(offset, BigInt.asUintN(64, bits), true);
  view.setBigUint64(offset + 8, bits >> 64n, true);
  return out;
}

function extract(bits: bigint, f: Field): number {
  const raw = Number((bits >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n));
  if (SIGNED_FIELDS.has(f.name) && raw >= 2 ** (f.width - 1)) return raw - 2 ** f.width;
  return raw;
}

export function decodeInsnBits(cfg: VtaConfig, bits: bigint): Insn {
  const opcode = Number(bits & 7n);
  const ops: readonly Insn['op'][] = ['LOAD', 'STORE', 'GEMM', 'FINISH', 'ALU'];
  const op: Insn['op'] = opcode < ops.length ? ops[opcode] : 'UNKNOWN';
  const layout = layoutFor(cfg, op);
  const out: Record<string, unknown> = { op };
  for (const f of layout.fields) {
    if (f.name === 'opcode') continue;
    const isDep = f.name.startsWith('pop_') || f.name.startsWith('push_');
    if ((op === 'FINISH' || op === 'UNKNOWN') && !isDep) continue;
    const v = extract(bits, f);
    out[FIELD_KEYS[f.name]] = BOOLEAN_FIELDS.has(f.name) ? v === 1 : v;
  }
  if (op === 'UNKNOWN') out.opcode = opcode;
  return out as unknown as Insn;
}

export function readInsnBits(bytes: Uint8Array, offset = 0): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getBigUint64(offset, true) | (view.getBigUint64(offset + 8, true) << 64n);
}

export function decodeInsn(cfg: VtaConfig, bytes: Uint8Array, offset = 0): Insn {
  if (offset + INSN_BYTES > bytes.length) {
    throw new IsaError(`instruction at byte ${offset} is truncated: ${bytes.length - offset} of ${INSN_BYTES} bytes`);
  }
  return decodeInsnBits(cfg, readInsnBits(bytes, offset));
}

export function encodeProgram(cfg: VtaConfig, insns: readonly Insn[]): Uint8Array {
  const out = new Uint8Array(insns.length * INSN_BYTES);
  insns.forEach((insn, i) => encodeInsn(cfg, insn, out, i * INSN_BYTES, `instruction ${i} (${insn.op})`));
  return out;
}

export function decodeProgram(cfg: VtaConfig, bytes: Uint8Array): Insn[] {
  if (bytes.length % INSN_BYTES !== 0) {
    throw new IsaError(`a program is a whole number of ${INSN_BYTES}-byte instructions; got ${bytes.length} bytes`);
  }
  const insns: Insn[] = [];
  for (let off = 0; off < bytes.length; off += INSN_BYTES) insns.push(decodeInsn(cfg, bytes, off));
  return insns;
}

export function encodeUop(cfg: VtaConfig, uop: Uop, what = 'micro-op'): number {
  let word = 0;
  const record = uop as unknown as Record<string, unknown>;
  for (const f of cfg.layout.uop.fields) word += Number(fieldValue(record, f, what)) * 2 ** f.lsb;
  return word >>> 0;
}

export function decodeUop(cfg: VtaConfig, word: number): Uop {
  const [d, s, w] = cfg.layout.uop.fields;
  const get = (f: Field) => Math.floor((word >>> 0) / 2 ** f.lsb) % 2 ** f.width;
  return { dst: get(d), src: get(s), wgt: get(w) };
}

/**
 * Why an instruction is illegal for this configuration, or null when it is legal
 * (SEMANTICS.md: opcodes 5–7, a LOAD memory type other than 0–3, an ALU op the configuration lacks;
 * with the requantization stage, REQUANT.md adds LOAD memory type 6 and ALU opcode 5; with ACC_8BIT_LOAD,
 * ACC_8BIT.md adds LOAD memory type 5).
 */
export function illegalReason(cfg: VtaConfig, insn: Insn): string | null {
  switch (insn.op) {
    case 'UNKNOWN':
      return `opcode ${insn.opcode} is not an instruction (LOAD 0, STORE 1, GEMM 2, FINISH 3, ALU 4)`;
    case 'LOAD':
      if (insn.memType === MEM_TYPE_REQ && cfg.requant) return null;
      if (insn.memType === MEM_TYPE_ACC_8BIT && cfg.acc8) return null;
      if (insn.memType > MEM_TYPE.ACC) {
        const extra = `${cfg.acc8 ? ', ACC_8BIT 5' : ''}${cfg.requant ? ', REQ 6' : ''}`;
        const hint = insn.memType === MEM_TYPE_ACC_8BIT ? '; ACC_8BIT needs ACC_8BIT_LOAD 1' : '';
        return `LOAD memory_type ${insn.memType} is not loadable (UOP 0, WGT 1, INP 2, ACC 3${extra})${hint}`;
      }
      return null;
    case 'ALU': {
      if (insn.aluOp === ALU_OPCODE_REQ && cfg.requant) return null;
      const name = ALU_OP_NAMES[insn.aluOp] as AluOpName | undefined;
      if (name === undefined || !cfg.aluOps.includes(name)) {
        return `ALU opcode ${insn.aluOp}${name ? ` (${name})` : ''} is not enabled in this configuration (ALU_OPS: ${cfg.aluOps.join(', ')})`;
      }
      return null;
    }
    default:
      return null;
  }
}

/** Which stage executes an instruction (SEMANTICS.md "Stages"). */
export type Stage = 'load' | 'compute' | 'store';
export function stageOf(insn: Insn): Stage {
  if (insn.op === 'STORE') return 'store';
  if (insn.op === 'LOAD' && (insn.memType === MEM_TYPE.INP || insn.memType === MEM_TYPE.WGT)) return 'load';
  return 'compute';
}

const noDeps: DepFlags = { popPrev: false, popNext: false, pushPrev: false, pushNext: false };

/** Builders with every unset field zero, so programs read like VTA's test_lib. */
export const build = {
  load(f: Partial<Omit<MemInsn, 'op'>> & { memType: number }): MemInsn {
    return { ...noDeps, sramBase: 0, dramBase: 0, ySize: 1, xSize: 0, xStride: 0, yPad0: 0, yPad1: 0, xPad0: 0, xPad1: 0, ...f, op: 'LOAD' };
  },
  store(f: Partial<Omit<MemInsn, 'op'>>): MemInsn {
    return {
      ...noDeps,
      memType: MEM_TYPE.OUT,
      sramBase: 0,
      dramBase: 0,
      ySize: 1,
      xSize: 0,
      xStride: 0,
      yPad0: 0,
      yPad1: 0,
      xPad0: 0,
      xPad1: 0,
      ...f,
      op: 'STORE',
    };
  },
  gemm(f: Partial<Omit<GemmInsn, 'op'>>): GemmInsn {
    return {
      ...noDeps,
      resetReg: false,
      uopBgn: 0,
      uopEnd: 0,
      iterOut: 1,
      iterIn: 1,
      dstFactorOut: 0,
      dstFactorIn: 0,
      srcFactorOut: 0,
      srcFactorIn: 0,
      wgtFactorOut: 0,
      wgtFactorIn: 0,
      ...f,
      op: 'GEMM',
    };
  },
  alu(f: Partial<Omit<AluInsn, 'op'>> & { aluOp: number }): AluInsn {
    return {
      ...noDeps,
      resetReg: false,
      uopBgn: 0,
      uopEnd: 0,
      iterOut: 1,
      iterIn: 1,
      dstFactorOut: 0,
      dstFactorIn: 0,
      srcFactorOut: 0,
      srcFactorIn: 0,
      useImm: false,
      imm: 0,
      ...f,
      op: 'ALU',
    };
  },
  finish(f: Partial<DepFlags> = {}): FinishInsn {
    return { ...noDeps, ...f, op: 'FINISH' };
  },
};
