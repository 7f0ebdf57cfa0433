// The one configuration object of a VTA instance. Every derived width, depth and field position is
// computed here, once. This file imports nothing from the HDL so that sim/ and sw/ can use it freely.

import { createHash } from 'crypto';
import { ConfigError } from './errors';
import { FieldLayout, packFields } from './layout';
import { Acc8Geom, readAcc8Load } from './acc8';
import { checkRequantDepth, REQ_LANE_BYTES } from './requant';

export const ALU_OP_NAMES = ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'] as const;
export type AluOpName = (typeof ALU_OP_NAMES)[number];
export const DEFAULT_ALU_OPS: readonly AluOpName[] = ['MIN', 'MAX', 'ADD', 'SHR'];

/** Fixed ISA widths of hw_spec_const.h: they do not depend on the configuration. */
export const ISA = Object.freeze({
  insnBits: 128,
  uopBits: 32,
  opcodeBits: 3,
  aluOpcodeBits: 3,
  memIdBits: 3,
  sramAddrBits: 16,
  dramAddrBits: 32,
  sizeBits: 16,
  strideBits: 16,
  padBits: 4,
  loopIterBits: 14,
  immBits: 16,
});

/** The keys a configuration file may hold: VTA's own, the ones VTA's tools derive, and our extensions. */
export interface VtaConfigJson {
  TARGET?: string;
  HW_VER?: string;
  LOG_INP_WIDTH: number;
  LOG_WGT_WIDTH: number;
  LOG_ACC_WIDTH: number;
  LOG_OUT_WIDTH?: number;
  LOG_BATCH: number;
  LOG_BLOCK?: number;
  LOG_BLOCK_IN?: number;
  LOG_BLOCK_OUT?: number;
  LOG_UOP_BUFF_SIZE: number;
  LOG_INP_BUFF_SIZE: number;
  LOG_WGT_BUFF_SIZE: number;
  LOG_ACC_BUFF_SIZE: number;
  LOG_OUT_BUFF_SIZE?: number;
  /** Extension: AXI data bus width, log2 bits (6..9 = 64..512). VTA's default is 6. */
  LOG_BUS_WIDTH?: number;
  /** Extension: ALU operations the hardware implements. */
  ALU_OPS?: AluOpName[];
  /** Extension: depth of each of the load/compute/store instruction queues. */
  INSN_QUEUE_DEPTH?: number;
  /** Extension: capacity of each dependency-token queue. */
  DEP_QUEUE_DEPTH?: number;
  /** Extension: register stages in the GEMM core between operand read and accumulator write-back. */
  GEMM_PIPELINE_DEPTH?: number;
  /**
   * Extension: cycles per vector-ALU micro-op, 1 or 2 (default 1). At 2 the ALU reads its two
   * accumulator operands one cycle apart through one port, so ACC needs one read port (no replica).
   */
  ALU_INITIATION_INTERVAL?: number;
  /**
   * Extension: int8 products per DSP multiplier in the GEMM core, 1 or 2 (default 1). At 2 one wide
   * multiply computes a shared input times two weights (output lanes 2k and 2k+1), exactly.
   */
  GEMM_DSP_PACKING?: number;
  /**
   * Extension: entries of the requantization parameter buffer; 0 (the default) = no requantization stage.
   * A power of two ≥ 2 adds LOAD memory_type 6 (REQ) and ALU opcode 5 (REQ); see hw/vta/REQUANT.md.
   */
  REQUANT_BUFF_DEPTH?: number;
  /**
   * Extension: 1 adds VTA's LOAD memory_type 5 (ACC_8BIT): int8 DRAM elements sign-extended into ACC;
   * 0 (the default) leaves it illegal. See hw/vta/ACC_8BIT.md.
   */
  ACC_8BIT_LOAD?: number;
}

const REQUIRED_KEYS = [
  'LOG_INP_WIDTH',
  'LOG_WGT_WIDTH',
  'LOG_ACC_WIDTH',
  'LOG_BATCH',
  'LOG_UOP_BUFF_SIZE',
  'LOG_INP_BUFF_SIZE',
  'LOG_WGT_BUFF_SIZE',
  'LOG_ACC_BUFF_SIZE',
] as const;
const OPTIONAL_INT_KEYS = [
  'LOG_OUT_WIDTH',
  'LOG_BLOCK',
  'LOG_BLOCK_IN',
  'LOG_BLOCK_OUT',
  'LOG_OUT_BUFF_SIZE',
  'LOG_BUS_WIDTH',
  'INSN_QUEUE_DEPTH',
  'DEP_QUEUE_DEPTH',
  'GEMM_PIPELINE_DEPTH',
  'ALU_INITIATION_INTERVAL',
  'GEMM_DSP_PACKING',
  'REQUANT_BUFF_DEPTH',
] as const;
const KNOWN_KEYS = new Set<string>([...REQUIRED_KEYS, ...OPTIONAL_INT_KEYS, 'TARGET', 'HW_VER', 'ALU_OPS', 'ACC_8BIT_LOAD']);

const HASH_WHEN_NOT_DEFAULT: readonly (readonly [string, unknown])[] = [
  ['ALU_INITIATION_INTERVAL', 1],
  ['GEMM_DSP_PACKING', 1],
  ['REQUANT_BUFF_DEPTH', 0],
  ['ACC_8BIT_LOAD', 0],
];

/** VTA's default configuration (config/vta_config.json with TARGET sim). */
export const DEFAULT_CONFIG_JSON: Readonly<VtaConfigJson> = Object.freeze({
  TARGET: 'sim',
  HW_VER: '0.0.2',
  LOG_INP_WIDTH: 3,
  LOG_WGT_WIDTH: 3,
  LOG_ACC_WIDTH: 5,
  LOG_BATCH: 0,
  LOG_BLOCK: 4,
  LOG_UOP_BUFF_SIZE: 15,
  LOG_INP_BUFF_SIZE: 15,
  LOG_WGT_BUFF_SIZE: 18,
  LOG_ACC_BUFF_SIZE: 17,
});

export type TensorKind = 'uop' | 'inp' | 'wgt' | 'acc' | 'out';
export const TENSOR_KINDS: readonly TensorKind[] = ['uop', 'inp', 'wgt', 'acc', 'out'];

/** Geometry of one on-chip buffer and of its DRAM elements. */
export interface TensorGeom {
  /** Rows of the element matrix (BATCH, or BLOCK_OUT for weights, 1 for micro-ops). */
  readonly rows: number;
  /** Columns of the element matrix (BLOCK_IN or BLOCK_OUT, 1 for micro-ops). */
  readonly cols: number;
  /** Bits of one lane (one scalar). */
  readonly laneBits: number;
  /** Bits and bytes of one element (one SRAM word, one DRAM transfer unit). */
  readonly elemBits: number;
  readonly elemBytes: number;
  readonly logDepth: number;
  readonly depth: number;
  /** Buffer size in bytes. */
  readonly bytes: number;
}

/** VTA memory_type codes, as LOAD/STORE encode them. */
export const MEM_TYPE = Object.freeze({ UOP: 0, WGT: 1, INP: 2, ACC: 3, OUT: 4 });
export const MEM_TYPE_TENSOR: Readonly<Record<number, TensorKind>> = Object.freeze({
  0: 'uop',
  1: 'wgt',
  2: 'inp',
  3: 'acc',
  4: 'out',
});

export interface InsnLayouts {
  /** LOAD and STORE. */
  readonly mem: FieldLayout;
  /** GEMM (and FINISH, which uses the GEMM format with zeros). */
  readonly gemm: FieldLayout;
  readonly alu: FieldLayout;
  /** The 32-bit micro-op. */
  readonly uop: FieldLayout;
}

/** The requantization stage's parameter buffer (REQUANT.md): one entry = BLOCK_OUT 8-byte lane words. */
export interface RequantGeom {
  readonly depth: number;
  readonly logDepth: number;
  readonly elemBytes: number;
  readonly elemBits: number;
}

export interface VtaConfig {
  /** The JSON the configuration was read from, with every default filled in. */
  readonly json: Readonly<Required<Omit<VtaConfigJson, 'LOG_BLOCK' | 'ACC_8BIT_LOAD'>> & Pick<VtaConfigJson, 'ACC_8BIT_LOAD'>>;
  readonly target: string;
  readonly hwVer: string;
  readonly batch: number;
  readonly blockIn: number;
  readonly blockOut: number;
  readonly inpBits: number;
  readonly wgtBits: number;
  readonly accBits: number;
  readonly outBits: number;
  readonly busBits: number;
  readonly aluOps: readonly AluOpName[];
  readonly insnQueueDepth: number;
  readonly depQueueDepth: number;
  readonly gemmPipelineDepth: number;
  /** Cycles per ALU micro-op (1 or 2); see ALU_INITIATION_INTERVAL. */
  readonly aluInitiationInterval: 1 | 2;
  /** int8 products per GEMM multiplier (1 or 2); see GEMM_DSP_PACKING. */
  readonly gemmDspPacking: 1 | 2;
  /** The requantization stage, or null without it (REQUANT_BUFF_DEPTH 0). */
  readonly requant: RequantGeom | null;
  /** LOAD ACC_8BIT's DRAM element, or null without it (ACC_8BIT_LOAD 0). */
  readonly acc8: Acc8Geom | null;
  readonly tensor: Readonly<Record<TensorKind, TensorGeom>>;
  readonly layout: InsnLayouts;
  /** VTA's configuration string, e.g. `1x16_i8w8a32_15_15_18_17` (BLOCK_INxBLOCK_OUT when they differ). */
  readonly name: string;
  /** A short hash of the normalized JSON: equal hashes mean equal hardware. */
  readonly hash: string;
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function readInt(src: Record<string, unknown>, key: string, where: string, min: number, max: number): number {
  const v = src[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ConfigError(`${where}: key ${key} must be an integer, got ${JSON.stringify(v)}`);
  }
  if (v < min || v > max) {
    throw new ConfigError(`${where}: key ${key} = ${v} is out of range [${min}, ${max}]`);
  }
  return v;
}

/**
 * Checks and completes a configuration given as VTA JSON keys.
 * `where` names the source (a file path or "--flags") in error messages.
 */
export function deriveConfig(input: unknown, where = 'config'): VtaConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError(`${where}: a configuration must be a JSON object of VTA keys (LOG_INP_WIDTH, LOG_BATCH, ...)`);
  }
  const src = input as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new ConfigError(`${where}: unknown key ${key}; known keys: ${[...KNOWN_KEYS].join(', ')}`);
    }
  }
  for (const key of REQUIRED_KEYS) {
    if (!(key in src)) throw new ConfigError(`${where}: missing key ${key}`);
  }
  for (const key of ['TARGET', 'HW_VER'] as const) {
    if (key in src && typeof src[key] !== 'string') {
      throw new ConfigError(`${where}: key ${key} must be a string, got ${JSON.stringify(src[key])}`);
    }
  }

  const logInp = readInt(src, 'LOG_INP_WIDTH', where, 0, 5);
  const logWgt = readInt(src, 'LOG_WGT_WIDTH', where, 0, 5);
  const logAcc = readInt(src, 'LOG_ACC_WIDTH', where, 0, 5);
  // Before the general width check, so that a configuration asking for it learns what the knob needs.
  const acc8Load = readAcc8Load(src, logInp, logAcc, where);
  if (logInp !== 3 || logWgt !== 3 || logAcc !== 5) {
    // The ISA's lane arithmetic (int8 operands, int32 accumulators, 16-bit immediates) is VTA's.
    throw new ConfigError(
      `${where}: only int8 inputs/weights with int32 accumulators are supported ` +
        `(LOG_INP_WIDTH 3, LOG_WGT_WIDTH 3, LOG_ACC_WIDTH 5); got ${logInp}/${logWgt}/${logAcc}`,
    );
  }
  if ('LOG_OUT_WIDTH' in src && readInt(src, 'LOG_OUT_WIDTH', where, 0, 5) !== logInp) {
    throw new ConfigError(`${where}: LOG_OUT_WIDTH must equal LOG_INP_WIDTH (${logInp}), as in VTA`);
  }
  const logBatch = readInt(src, 'LOG_BATCH', where, 0, 6);
  let logBlockIn: number;
  let logBlockOut: number;
  if ('LOG_BLOCK' in src) {
    const b = readInt(src, 'LOG_BLOCK', where, 0, 7);
    for (const key of ['LOG_BLOCK_IN', 'LOG_BLOCK_OUT'] as const) {
      if (key in src && readInt(src, key, where, 0, 7) !== b) {
        throw new ConfigError(`${where}: ${key} disagrees with LOG_BLOCK ${b}; to give BLOCK_IN and BLOCK_OUT different sizes, drop LOG_BLOCK`);
      }
    }
    logBlockIn = b;
    logBlockOut = b;
  } else {
    if (!('LOG_BLOCK_IN' in src) || !('LOG_BLOCK_OUT' in src)) {
      throw new ConfigError(`${where}: missing key LOG_BLOCK (or both LOG_BLOCK_IN and LOG_BLOCK_OUT)`);
    }
    logBlockIn = readInt(src, 'LOG_BLOCK_IN', where, 0, 7);
    logBlockOut = readInt(src, 'LOG_BLOCK_OUT', where, 0, 7);
  }
  const logUopSize = readInt(src, 'LOG_UOP_BUFF_SIZE', where, 2, 24);
  const logInpSize = readInt(src, 'LOG_INP_BUFF_SIZE', where, 0, 24);
  const logWgtSize = readInt(src, 'LOG_WGT_BUFF_SIZE', where, 0, 24);
  const logAccSize = readInt(src, 'LOG_ACC_BUFF_SIZE', where, 0, 24);
  const logOutSize = logAccSize + logInp - logAcc;
  if ('LOG_OUT_BUFF_SIZE' in src && readInt(src, 'LOG_OUT_BUFF_SIZE', where, 0, 24) !== logOutSize) {
    throw new ConfigError(`${where}: LOG_OUT_BUFF_SIZE must be LOG_ACC_BUFF_SIZE + LOG_OUT_WIDTH - LOG_ACC_WIDTH = ${logOutSize}`);
  }
  const logBus = 'LOG_BUS_WIDTH' in src ? readInt(src, 'LOG_BUS_WIDTH', where, 6, 9) : 6;
  const insnQueueDepth = 'INSN_QUEUE_DEPTH' in src ? readInt(src, 'INSN_QUEUE_DEPTH', where, 2, 4096) : 512;
  const depQueueDepth = 'DEP_QUEUE_DEPTH' in src ? readInt(src, 'DEP_QUEUE_DEPTH', where, 2, 4096) : 256;
  for (const [key, v] of [
    ['INSN_QUEUE_DEPTH', insnQueueDepth],
    ['DEP_QUEUE_DEPTH', depQueueDepth],
  ] as const) {
    if (!isPow2(v)) throw new ConfigError(`${where}: ${key} = ${v} must be a power of two`);
  }
  const gemmPipelineDepth = 'GEMM_PIPELINE_DEPTH' in src ? readInt(src, 'GEMM_PIPELINE_DEPTH', where, 1, 8) : 2;
  const aluInitiationInterval = ('ALU_INITIATION_INTERVAL' in src ? readInt(src, 'ALU_INITIATION_INTERVAL', where, 1, 2) : 1) as 1 | 2;
  const gemmDspPacking = ('GEMM_DSP_PACKING' in src ? readInt(src, 'GEMM_DSP_PACKING', where, 1, 2) : 1) as 1 | 2;

  let aluOps: AluOpName[] = [...DEFAULT_ALU_OPS];
  if ('ALU_OPS' in src) {
    const ops = src.ALU_OPS;
    if (!Array.isArray(ops) || ops.some((o) => !(ALU_OP_NAMES as readonly string[]).includes(o as string))) {
      throw new ConfigError(`${where}: ALU_OPS must be a list drawn from ${ALU_OP_NAMES.join(', ')}; got ${JSON.stringify(ops)}`);
    }
    for (const required of DEFAULT_ALU_OPS) {
      if (!ops.includes(required)) {
        throw new ConfigError(`${where}: ALU_OPS must include ${required} (MIN, MAX, ADD and SHR are part of VTA's ISA; only MUL is optional)`);
      }
    }
    aluOps = ALU_OP_NAMES.filter((o) => ops.includes(o));
  }

  const batch = 1 << logBatch;
  const blockIn = 1 << logBlockIn;
  const blockOut = 1 << logBlockOut;
  const inpBits = 1 << logInp;
  const wgtBits = 1 << logWgt;
  const accBits = 1 << logAcc;
  const outBits = inpBits;
  if (gemmDspPacking === 2 && blockOut < 2) {
    throw new ConfigError(`${where}: GEMM_DSP_PACKING 2 pairs output lanes, so BLOCK_OUT must be at least 2; use GEMM_DSP_PACKING 1`);
  }

  const geom = (kind: TensorKind, rows: number, cols: number, laneBits: number, logBytes: number, sizeKey: string): TensorGeom => {
    const elemBits = rows * cols * laneBits;
    const logElemBits = Math.log2(elemBits);
    const logDepth = logBytes + 3 - logElemBits;
    // Two elements at least: a one-element buffer has a 0-bit index, which no instruction field can hold.
    if (logDepth < 1) {
      throw new ConfigError(
        `${where}: the ${kind} buffer (${sizeKey} = ${logBytes}, ${2 ** logBytes} bytes) holds fewer than 2 ${kind} elements ` +
          `(${elemBits / 8} bytes each); raise ${sizeKey} to at least ${logElemBits - 2}`,
      );
    }
    if (logDepth > ISA.sramAddrBits) {
      throw new ConfigError(`${where}: the ${kind} buffer holds 2^${logDepth} elements, more than the 16-bit sram_base field can address; lower ${sizeKey}`);
    }
    return Object.freeze({
      rows,
      cols,
      laneBits,
      elemBits,
      elemBytes: elemBits / 8,
      logDepth,
      depth: 2 ** logDepth,
      bytes: 2 ** logBytes,
    });
  };
  const tensor = Object.freeze({
    uop: geom('uop', 1, 1, ISA.uopBits, logUopSize, 'LOG_UOP_BUFF_SIZE'),
    inp: geom('inp', batch, blockIn, inpBits, logInpSize, 'LOG_INP_BUFF_SIZE'),
    wgt: geom('wgt', blockOut, blockIn, wgtBits, logWgtSize, 'LOG_WGT_BUFF_SIZE'),
    acc: geom('acc', batch, blockOut, accBits, logAccSize, 'LOG_ACC_BUFF_SIZE'),
    out: geom('out', batch, blockOut, outBits, logOutSize, 'LOG_ACC_BUFF_SIZE'),
  });
  if (tensor.out.depth !== tensor.acc.depth) throw new Error('internal: OUT and ACC depths differ');

  const layout = deriveLayouts(tensor, where);
  const requantDepth = 'REQUANT_BUFF_DEPTH' in src ? readInt(src, 'REQUANT_BUFF_DEPTH', where, 0, 65536) : 0;
  checkRequantDepth(requantDepth, layout.uop.fields[1].width, tensor.acc.depth, where);
  const requant: RequantGeom | null =
    requantDepth === 0
      ? null
      : Object.freeze({
          depth: requantDepth,
          logDepth: Math.log2(requantDepth),
          elemBytes: blockOut * REQ_LANE_BYTES,
          elemBits: blockOut * REQ_LANE_BYTES * 8,
        });

  const acc8: Acc8Geom | null = acc8Load ? Object.freeze({ elemBytes: batch * blockOut, elemBits: batch * blockOut * 8 }) : null;

  const json = Object.freeze({
    TARGET: typeof src.TARGET === 'string' ? src.TARGET : 'sim',
    HW_VER: typeof src.HW_VER === 'string' ? src.HW_VER : '0.0.2',
    LOG_INP_WIDTH: logInp,
    LOG_WGT_WIDTH: logWgt,
    LOG_ACC_WIDTH: logAcc,
    LOG_OUT_WIDTH: logInp,
    LOG_BATCH: logBatch,
    LOG_BLOCK_IN: logBlockIn,
    LOG_BLOCK_OUT: logBlockOut,
    LOG_UOP_BUFF_SIZE: logUopSize,
    LOG_INP_BUFF_SIZE: logInpSize,
    LOG_WGT_BUFF_SIZE: logWgtSize,
    LOG_ACC_BUFF_SIZE: logAccSize,
    LOG_OUT_BUFF_SIZE: logOutSize,
    LOG_BUS_WIDTH: logBus,
    ALU_OPS: aluOps,
    INSN_QUEUE_DEPTH: insnQueueDepth,
    DEP_QUEUE_DEPTH: depQueueDepth,
    GEMM_PIPELINE_DEPTH: gemmPipelineDepth,
    ALU_INITIATION_INTERVAL: aluInitiationInterval,
    GEMM_DSP_PACKING: gemmDspPacking,
    REQUANT_BUFF_DEPTH: requantDepth,
    // Present only when on, so that the JSON written for configurations without it (config.json) is unchanged.
    ...(acc8Load ? { ACC_8BIT_LOAD: acc8Load } : {}),
  });
  const block = blockIn === blockOut ? `${blockIn}` : `${blockIn}x${blockOut}`;
  const name = `${batch}x${block}_i${inpBits}w${wgtBits}a${accBits}_` + `${logUopSize}_${logInpSize}_${logWgtSize}_${logAccSize}`;
  // TARGET and HW_VER do not change the hardware, so they stay out of the hash.
  const { TARGET: _t, HW_VER: _h, ...hardware } = json as Record<string, unknown>;
  // Later extensions enter the hash only when set away from their default, so hashes (and the
  // build caches keyed by them) of configurations that do not use them stay as they were.
  for (const [key, dflt] of HASH_WHEN_NOT_DEFAULT) if (hardware[key] === dflt) delete hardware[key];
  const hash = createHash('sha256').update(JSON.stringify(hardware)).digest('hex').slice(0, 12);

  return Object.freeze({
    json,
    target: json.TARGET,
    hwVer: json.HW_VER,
    batch,
    blockIn,
    blockOut,
    inpBits,
    wgtBits,
    accBits,
    outBits,
    busBits: 1 << logBus,
    aluOps: Object.freeze(aluOps),
    insnQueueDepth,
    depQueueDepth,
    gemmPipelineDepth,
    aluInitiationInterval,
    gemmDspPacking,
    requant,
    acc8,
    tensor,
    layout,
    name,
    hash,
  });
}

function deriveLayouts(tensor: Readonly<Record<TensorKind, TensorGeom>>, where: string): InsnLayouts {
  const logUop = tensor.uop.logDepth;
  const logInp = tensor.inp.logDepth;
  const logWgt = tensor.wgt.logDepth;
  const logAcc = tensor.acc.logDepth;
  // The micro-op is checked first: it is the tighter limit and the most common reason to reject.
  const uopNeed = logAcc + Math.max(logAcc, logInp) + logWgt;
  const uop = packFields(
    'micro-op',
    ISA.uopBits,
    [
      ['dst', logAcc],
      ['src', Math.max(logAcc, logInp)],
      ['wgt', logWgt],
    ],
    where,
    32,
    `set LOG_WGT_BUFF_SIZE to ${Math.log2(tensor.wgt.bytes) - (uopNeed - ISA.uopBits)} (now ${Math.log2(tensor.wgt.bytes)}: the weight index is ${uopNeed - ISA.uopBits} bit(s) too wide), or lower LOG_ACC_BUFF_SIZE, or lower LOG_INP_BUFF_SIZE`,
  );
  const head: [string, number][] = [
    ['opcode', ISA.opcodeBits],
    ['pop_prev', 1],
    ['pop_next', 1],
    ['push_prev', 1],
    ['push_next', 1],
  ];
  const mem = packFields(
    'LOAD/STORE instruction',
    ISA.insnBits,
    [
      ...head,
      ['memory_type', ISA.memIdBits],
      ['sram_base', ISA.sramAddrBits],
      ['dram_base', ISA.dramAddrBits],
      ['y_size', ISA.sizeBits],
      ['x_size', ISA.sizeBits],
      ['x_stride', ISA.strideBits],
      ['y_pad_0', ISA.padBits],
      ['y_pad_1', ISA.padBits],
      ['x_pad_0', ISA.padBits],
      ['x_pad_1', ISA.padBits],
    ],
    where,
  );
  const loop: [string, number][] = [
    ...head,
    ['reset_reg', 1],
    ['uop_bgn', logUop],
    ['uop_end', logUop + 1],
    ['iter_out', ISA.loopIterBits],
    ['iter_in', ISA.loopIterBits],
    ['dst_factor_out', logAcc],
    ['dst_factor_in', logAcc],
  ];
  const gemm = packFields(
    'GEMM instruction',
    ISA.insnBits,
    [...loop, ['src_factor_out', logInp], ['src_factor_in', logInp], ['wgt_factor_out', logWgt], ['wgt_factor_in', logWgt]],
    where,
  );
  // The ALU's source indexes the accumulator buffer.
  const alu = packFields(
    'ALU instruction',
    ISA.insnBits,
    [...loop, ['src_factor_out', logAcc], ['src_factor_in', logAcc], ['alu_opcode', ISA.aluOpcodeBits], ['use_imm', 1], ['imm', ISA.immBits]],
    where,
  );

  return Object.freeze({ mem, gemm, alu, uop });
}

/** Parses `--gemm BxIxO` (BATCH x BLOCK_IN x BLOCK_OUT) into log2 keys. */
export function parseGemmShape(text: string, where = '--gemm'): { LOG_BATCH: number; LOG_BLOCK_IN: number; LOG_BLOCK_OUT: number } {
  const m = /^(\d+)x(\d+)x(\d+)$/.exec(text.trim());
  if (!m) {
    throw new ConfigError(`${where}: expected BATCHxBLOCK_INxBLOCK_OUT such as 1x16x16, got ${JSON.stringify(text)}`);
  }
  const names = ['BATCH', 'BLOCK_IN', 'BLOCK_OUT'];
  const logs = m.slice(1, 4).map((s, i) => {
    const n = Number(s);
    if (!isPow2(n)) {
      throw new ConfigError(`${where}: ${names[i]} = ${n} in ${text} must be a power of two (1, 2, 4, 8, 16, ...)`);
    }
    return Math.log2(n);
  });
  return { LOG_BATCH: logs[0], LOG_BLOCK_IN: logs[1], LOG_BLOCK_OUT: logs[2] };
}

/** The default configuration, derived. */
export function defaultConfig(): VtaConfig {
  return deriveConfig(DEFAULT_CONFIG_JSON, 'default config');
}

/**
 * Applies overrides to a base JSON. A `LOG_BLOCK_IN`/`LOG_BLOCK_OUT` override replaces a `LOG_BLOCK` base key.
 */
export function withOverrides(base: Readonly<VtaConfigJson>, overrides: Partial<VtaConfigJson>): VtaConfigJson {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  if (('LOG_BLOCK_IN' in overrides || 'LOG_BLOCK_OUT' in overrides) && !('LOG_BLOCK' in overrides)) {
    const b = merged.LOG_BLOCK;
    delete merged.LOG_BLOCK;
    if (b !== undefined) {
      merged.LOG_BLOCK_IN ??= b;
      merged.LOG_BLOCK_OUT ??= b;
    }
  }
  if ('LOG_BLOCK' in overrides) {
    delete merged.LOG_BLOCK_IN;
    delete merged.LOG_BLOCK_OUT;
  }
  return merged as unknown as VtaConfigJson;
}
