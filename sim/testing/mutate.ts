// Seeded mutations of conformance vectors, and the verdict check run on them: one change per mutant (a
// field set to a boundary or random value, an opcode made illegal, a dependency flag flipped, FINISH
// removed, an illegal word after FINISH, a micro-op word changed, a requantization parameter word changed,
// a LOAD ACC <-> ACC_8BIT swap or an int8 byte a LOAD ACC_8BIT reads changed, strict mode off), run on two targets.
// The targets must agree on the verdict — pass, or the same error class and instruction index — and after
// an error no DRAM byte outside what the program's STOREs may legally write can have changed.

import type { VtaConfig } from '../../hw/vta/config';
import type { Field } from '../../hw/vta/layout';
import { decodeInsn, INSN_BYTES, Insn, MemInsn, OPCODE, readInsnBits } from '../../hw/vta/isa';
import { DeviceError } from '../device';
import type { Device } from '../device';
import { initialDram, Vector } from '../vector';
import { MEM_TYPE_ACC_8BIT } from '../../hw/vta/acc8';
import { MEM_TYPE } from '../../hw/vta/config';
import { decodeParam, encodeParam, MEM_TYPE_REQ, REQ_LANE_BYTES } from '../../hw/vta/requant';
import { mulberry32 } from './prng';

export interface Mutant {
  vector: Vector;
  seed: number;
  /** What was changed, for the report: `insn 5 STORE dram_base 256 -> 268435712`. */
  description: string;
  image: Uint8Array;
  insnAddr: number;
  insnCount: number;
  strict: boolean;
  /** The mutation changed a dependency flag: instructions may race, so results may depend on timing. */
  touchesTokens: boolean;
}

function writeBits(image: Uint8Array, at: number, bits: bigint): void {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  view.setBigUint64(at, bits & 0xffff_ffff_ffff_ffffn, true);
  view.setBigUint64(at + 8, bits >> 64n, true);
}

function getField(bits: bigint, f: Field): number {
  return Number((bits >> BigInt(f.lsb)) & ((1n << BigInt(f.width)) - 1n));
}

function setField(bits: bigint, f: Field, v: number): bigint {
  const mask = ((1n << BigInt(f.width)) - 1n) << BigInt(f.lsb);
  return (bits & ~mask) | ((BigInt(v) << BigInt(f.lsb)) & mask);
}

function layoutOf(cfg: VtaConfig, op: number) {
  if (op === OPCODE.LOAD || op === OPCODE.STORE) return cfg.layout.mem;
  if (op === OPCODE.ALU) return cfg.layout.alu;
  return cfg.layout.gemm;
}

/** Values worth trying for a field: the edges of its range, of the buffers, and random ones. */
function candidates(cfg: VtaConfig, f: Field, old: number, rnd: () => number): number[] {
  const max = 2 ** f.width - 1;
  const t = cfg.tensor;
  const depths = [t.uop.depth, t.inp.depth, t.wgt.depth, t.acc.depth];
  const vals = [0, 1, max, old + 1, Math.max(0, old - 1), old ^ (1 << Math.floor(rnd() * f.width)), Math.floor(rnd() * (max + 1))];
  for (const d of depths) vals.push(d - 1, d, d + 1, old + d);
  if (f.name === 'dram_base') vals.push(old + 2 ** 28, old + 2 ** 26, old + 2 ** 20);
  return vals.filter((v) => v >= 0 && v <= max);
}

/**
 * Changes one parameter word that a LOAD REQ of the program reads (hw/vta/REQUANT.md) to an edge: the mode
 * flipped, exponent -32/31/0, multiplier INT32_MIN/MAX, the clamp bounds swapped, or the wide bit flipped. Returns what changed,
 * or null when the program reads no parameter word.
 */
function mutateRequantWord(cfg: VtaConfig, insns: readonly Insn[], image: Uint8Array, rnd: () => number): string | null {
  const geom = cfg.requant;
  const loads = insns.filter((x): x is MemInsn => x.op === 'LOAD' && x.memType === MEM_TYPE_REQ && x.xSize > 0 && x.ySize > 0);
  if (!geom || loads.length === 0) return null;
  const l = loads[Math.floor(rnd() * loads.length)];
  const y = Math.floor(rnd() * l.ySize);
  const x = Math.floor(rnd() * l.xSize);
  const lane = Math.floor(rnd() * cfg.blockOut);
  const addr = (l.dramBase + y * l.xStride + x) * geom.elemBytes + lane * REQ_LANE_BYTES;
  if (addr + REQ_LANE_BYTES > image.length) return null;
  const p = decodeParam(image, addr);
  const change = Math.floor(rnd() * 5);
  if (change === 0) p.mode = p.mode === 'q31' ? 'shift' : 'q31';
  else if (change === 1) p.exponent = [-32, 31, 0][Math.floor(rnd() * 3)];
  else if (change === 2) p.multiplier = rnd() < 0.5 ? -0x80000000 : 0x7fffffff;
  else if (change === 3) [p.min, p.max] = [p.max, p.min];
  else p.wide = !p.wide;
  encodeParam(p, image, addr);
  const what = ['mode flipped', `exponent -> ${p.exponent}`, `multiplier -> ${p.multiplier}`, 'bounds swapped', `wide -> ${p.wide}`];
  return `requant word at byte ${addr}: ${what[change]}`;
}

/**
 * With LOAD ACC_8BIT (hw/vta/ACC_8BIT.md): a LOAD ACC becomes a LOAD ACC_8BIT or the reverse (the same
 * fields now read other bytes, a quarter or four times as many), or one int8 byte a LOAD ACC_8BIT reads is
 * set to -128, 127 or has its sign bit flipped. Returns what changed, or null when the program has no such LOAD.
 */
function mutateAcc8(cfg: VtaConfig, insns: readonly Insn[], image: Uint8Array, insnAddr: number, rnd: () => number): string | null {
  const geom = cfg.acc8;
  const loads = insns
    .map((x, i) => [x, i] as const)
    .filter(([x]) => x.op === 'LOAD' && (x.memType === MEM_TYPE.ACC || x.memType === MEM_TYPE_ACC_8BIT) && x.xSize > 0 && x.ySize > 0);
  if (!geom || loads.length === 0) return null;
  const [l, i] = loads[Math.floor(rnd() * loads.length)] as [MemInsn, number];
  const narrow = l.memType === MEM_TYPE_ACC_8BIT;
  if (!narrow || rnd() < 0.3) {
    const at = insnAddr + i * INSN_BYTES;
    const to = narrow ? MEM_TYPE.ACC : MEM_TYPE_ACC_8BIT;
    writeBits(image, at, setField(readInsnBits(image, at), cfg.layout.mem.byName.memory_type, to));
    return `insn ${i} LOAD memory_type ${l.memType} -> ${to}`;
  }
  const y = Math.floor(rnd() * l.ySize);
  const x = Math.floor(rnd() * l.xSize);
  const addr = (l.dramBase + y * l.xStride + x) * geom.elemBytes + Math.floor(rnd() * geom.elemBytes);
  if (addr >= image.length) return null;
  const change = Math.floor(rnd() * 3);
  image[addr] = [0x80, 0x7f, image[addr] ^ 0x80][change];
  return `int8 byte at ${addr} read by insn ${i} LOAD ACC_8BIT -> ${(image[addr] << 24) >> 24}`;
}

/** One seeded mutant of `v`. */
export function mutate(v: Vector, seed: number): Mutant {
  let h = seed >>> 0;
  for (let k = 0; k < v.name.length; k++) h = Math.imul(h ^ v.name.charCodeAt(k), 16777619) >>> 0;
  const rnd = mulberry32(h);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const cfg = v.config;
  const image = initialDram(v);
  let insnCount = v.insnCount;
  const at = (i: number) => v.insnAddr + i * INSN_BYTES;
  const insns: Insn[] = Array.from({ length: v.insnCount }, (_, i) => decodeInsn(cfg, image, at(i)));
  const finish = insns.findIndex((x) => x.op === 'FINISH');
  let strict = rnd() >= 0.25;
  const kind = rnd();
  let description: string;
  let touchesTokens = false;
  let requantChange: string | null;
  let acc8Change: string | null;
  if (kind < 0.6) {
    // A field of one instruction.
    const i = Math.floor(rnd() * insnCount);
    let bits = readInsnBits(image, at(i));
    const op = Number(bits & 7n);
    const layout = layoutOf(cfg, op);
    const f = pick(layout.fields.filter((x) => x.name !== 'opcode'));
    const old = getField(bits, f);
    const val = pick(candidates(cfg, f, old, rnd));
    bits = setField(bits, f, val);
    writeBits(image, at(i), bits);
    description = `insn ${i} ${insns[i].op} ${f.name} ${old} -> ${val}`;
    touchesTokens = /^(pop|push)_/.test(f.name) && old !== val;
  } else if (kind < 0.68) {
    const i = Math.floor(rnd() * insnCount);
    const bits = readInsnBits(image, at(i));
    const op = 5 + Math.floor(rnd() * 3);
    writeBits(image, at(i), (bits & ~7n) | BigInt(op));
    description = `insn ${i} ${insns[i].op} opcode -> ${op}`;
  } else if (kind < 0.76) {
    const i = Math.floor(rnd() * insnCount);
    const bits = readInsnBits(image, at(i));
    const flag = pick(['pop_prev', 'pop_next', 'push_prev', 'push_next']);
    const f = cfg.layout.gemm.byName[flag];
    writeBits(image, at(i), bits ^ (1n << BigInt(f.lsb)));
    description = `insn ${i} ${insns[i].op} ${flag} flipped`;
    touchesTokens = true;
  } else if (kind < 0.82 && finish >= 0) {
    // FINISH becomes a no-op LOAD: the program has no FINISH.
    const bits = readInsnBits(image, at(finish));
    writeBits(image, at(finish), bits & ~7n);
    description = `insn ${finish} FINISH -> no-op LOAD (no FINISH)`;
  } else if (kind < 0.88 && finish >= 0 && at(insnCount) + INSN_BYTES <= v.dramBytes) {
    // An illegal word after FINISH (where the program's own bytes end).
    writeBits(image, at(insnCount), BigInt(5 + Math.floor(rnd() * 3)) | (BigInt(Math.floor(rnd() * 2 ** 30)) << 64n));
    insnCount++;
    description = `illegal instruction appended at ${insnCount - 1}, after FINISH`;
  } else if (kind < 0.96 && cfg.requant && rnd() < 0.4 && (requantChange = mutateRequantWord(cfg, insns, image, rnd))) {
    // With the requantization stage: one parameter word a LOAD REQ reads (mode, exponent, multiplier, bounds).
    description = requantChange;
  } else if (kind < 0.96 && cfg.acc8 && rnd() < 0.4 && (acc8Change = mutateAcc8(cfg, insns, image, v.insnAddr, rnd))) {
    // With LOAD ACC_8BIT: a LOAD ACC <-> ACC_8BIT swap, or an int8 byte one reads.
    description = acc8Change;
  } else if (kind < 0.96) {
    // A micro-op word of the first LOAD UOP that loads any.
    const loads = insns.filter((x) => x.op === 'LOAD' && x.memType === 0 && x.xSize > 0 && x.ySize > 0);
    if (loads.length === 0) return mutate(v, seed + 1_000_003);
    const l = pick(loads) as MemInsn;
    const k = Math.floor(rnd() * l.xSize);
    const addr = (l.dramBase + k) * 4;
    if (addr + 4 > image.length) return mutate(v, seed + 1_000_003);
    const view = new DataView(image.buffer);
    const old = view.getUint32(addr, true);
    const f = pick(cfg.layout.uop.fields);
    const max = 2 ** f.width - 1;
    const val = pick([max, Math.floor(rnd() * (max + 1)), getField(BigInt(old), f) + 1].filter((x) => x <= max));
    const word = Number(setField(BigInt(old), f, val) & 0xffff_ffffn);
    view.setUint32(addr, word, true);
    description = `micro-op at byte ${addr}: ${f.name} -> ${val}`;
  } else {
    strict = false;
    const i = Math.floor(rnd() * insnCount);
    let bits = readInsnBits(image, at(i));
    const layout = layoutOf(cfg, Number(bits & 7n));
    const f = layout.byName.sram_base ?? layout.byName.dst_factor_out ?? layout.fields[1];
    const old = getField(bits, f);
    const val = pick(candidates(cfg, f, old, rnd));
    bits = setField(bits, f, val);
    writeBits(image, at(i), bits);
    description = `insn ${i} ${insns[i].op} ${f.name} ${old} -> ${val}`;
  }
  return { vector: v, seed, description: `${description}${strict ? '' : ' (--no-strict)'}`, image, insnAddr: v.insnAddr, insnCount, strict, touchesTokens };
}

export interface Verdict {
  ok: boolean;
  /** Error class name and instruction index (-1 when the error names none). */
  error?: string;
  index?: number;
  message?: string;
}

export interface TargetOutcome {
  verdict: Verdict;
  /** Bytes outside the legal STORE ranges that changed, when the run failed (must be 0). */
  strayBytes: number;
  /** DRAM after the run. */
  dram: Uint8Array;
}

/**
 * DRAM bytes a program may legally write: the ranges of its STOREs (in DRAM, up to the first FINISH).
 * Anything else that changes after an error is a stray write.
 */
export function legalWrites(cfg: VtaConfig, image: Uint8Array, insnAddr: number, insnCount: number): Uint8Array {
  const mask = new Uint8Array(image.length);
  const eb = cfg.tensor.out.elemBytes;
  for (let i = 0; i < insnCount; i++) {
    const a = insnAddr + i * INSN_BYTES;
    if (a + INSN_BYTES > image.length) break;
    const insn = decodeInsn(cfg, image, a);
    if (insn.op === 'FINISH') break;
    if (insn.op !== 'STORE' || insn.xSize === 0 || insn.ySize === 0) continue;
    for (let y = 0; y < insn.ySize; y++) {
      const lo = (insn.dramBase + y * insn.xStride) * eb;
      const hi = Math.min(image.length, lo + insn.xSize * eb);
      if (lo < image.length) mask.fill(1, lo, hi);
    }
  }
  return mask;
}

/** Runs a mutant on a device (DRAM replaced by the mutant's image) and judges the outcome. */
export async function runMutant(dev: Device, m: Mutant, options: { maxUops?: number; maxCycles?: number } = {}): Promise<TargetOutcome> {
  const image = new Uint8Array(dev.dramBytes);
  image.set(m.image.subarray(0, Math.min(m.image.length, dev.dramBytes)));
  dev.loadImage(image);
  let verdict: Verdict;
  try {
    await dev.run(m.insnAddr, m.insnCount, { strict: m.strict, maxUops: options.maxUops, maxCycles: options.maxCycles });
    verdict = { ok: true };
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e;
    const index = (e as { index?: number }).index;
    verdict = { ok: false, error: e.name, index: typeof index === 'number' ? index : -1, message: e.message };
  }
  const dram = dev.read(0, dev.dramBytes);
  let strayBytes = 0;
  if (!verdict.ok) {
    const legal = legalWrites(m.vector.config, image, m.insnAddr, m.insnCount);
    for (let k = 0; k < dram.length; k++) if (dram[k] !== image[k] && !legal[k]) strayBytes++;
  }
  return { verdict, strayBytes, dram };
}

/** Pairs of SRAM accesses of the mutant that no dependency token orders (fsim's race detector; 0 elsewhere). */
async function racesOf(dev: Device & { close?(): void }, m: Mutant): Promise<number> {
  try {
    const image = new Uint8Array(dev.dramBytes);
    image.set(m.image.subarray(0, Math.min(m.image.length, dev.dramBytes)));
    dev.loadImage(image);
    const r = await dev.run(m.insnAddr, m.insnCount, { strict: m.strict, checkRaces: true });
    return r.races?.length ?? 0;
  } finally {
    dev.close?.();
  }
}

/** Why two outcomes of one mutant disagree, or null when they agree (same verdict, no stray writes). */
export function disagreement(a: TargetOutcome, b: TargetOutcome, names: [string, string]): string | null {
  const v = (o: TargetOutcome) => (o.verdict.ok ? 'pass' : `${o.verdict.error} at ${o.verdict.index}`);
  const problems: string[] = [];
  if (v(a) !== v(b)) {
    problems.push(`${names[0]}: ${a.verdict.ok ? 'pass' : a.verdict.message}; ${names[1]}: ${b.verdict.ok ? 'pass' : b.verdict.message}`);
  }
  if (a.strayBytes) problems.push(`${names[0]} changed ${a.strayBytes} DRAM byte(s) outside the program's STOREs after ${a.verdict.error}`);
  if (b.strayBytes) problems.push(`${names[1]} changed ${b.strayBytes} DRAM byte(s) outside the program's STOREs after ${b.verdict.error}`);
  return problems.length ? problems.join('; ') : null;
}

export interface MutationRunOptions {
  /** Vectors to mutate (already loaded; the SEMANTICS.md quirk vectors should be left out). */
  vectors: readonly Vector[];
  /** Mutants per vector and the first seed. */
  mutants: number;
  seed?: number;
  /** The two targets compared (openDevice names). */
  targets?: [string, string];
  maxUops?: number;
  maxCycles?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface MutationFinding {
  vector: string;
  seed: number;
  description: string;
  detail: string;
}

export interface MutationReport {
  runs: number;
  /** Verdicts of the first target: 'pass' or the error class, with counts. */
  verdicts: Record<string, number>;
  /**
   * Mutants where both passed but DRAM differs because instructions race (fsim's race detector finds SRAM
   * accesses no token orders, or a dependency flag changed): SEMANTICS.md lets hardware timing decide those.
   */
  timingDependent: MutationFinding[];
  disagreements: MutationFinding[];
}

/**
 * Mutates every vector `mutants` times and compares two targets on each mutant: the verdicts must agree, no
 * stray DRAM writes after an error, and when both pass DRAM must be equal unless instructions race.
 */
export async function runMutationCheck(options: MutationRunOptions): Promise<MutationReport> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openDevice } = require('../targets') as typeof import('../targets');
  const targets = options.targets ?? ['fsim', 'tsim'];
  const seed0 = options.seed ?? 1;
  const report: MutationReport = { runs: 0, verdicts: {}, timingDependent: [], disagreements: [] };
  // One device per target and configuration (opening a TSIM core is costly), with the largest DRAM of its
  // vectors: both targets see the same size, so DRAM-range verdicts stay comparable.
  const byKey = new Map<string, Vector[]>();
  for (const v of options.vectors) byKey.set(v.config.hash, [...(byKey.get(v.config.hash) ?? []), v]);
  for (const group of byKey.values()) {
    const cfg = group[0].config;
    const dramBytes = Math.ceil(Math.max(...group.map((v) => v.dramBytes)) / 4096) * 4096;
    const devs = [];
    for (const t of targets) devs.push(await openDevice(t, cfg, { dramBytes, log: options.log }));
    try {
      for (const v of group) {
        for (let s = seed0; s < seed0 + options.mutants; s++) {
          const m = mutate(v, s);
          // Each mutant starts from power-on SRAMs on both targets (a failed run leaves them differently).
          const [da, db] = devs.map((d) => d.fresh?.() ?? d);
          let a: TargetOutcome;
          let b: TargetOutcome;
          try {
            a = await runMutant(da, m, options);
            b = await runMutant(db, m, options);
          } finally {
            for (const [k, d] of [da, db].entries()) if (d !== devs[k]) d.close?.();
          }
          report.runs++;
          const key = a.verdict.ok ? 'pass' : (a.verdict.error ?? 'error');
          report.verdicts[key] = (report.verdicts[key] ?? 0) + 1;
          const why = disagreement(a, b, targets);
          if (why) report.disagreements.push({ vector: v.name, seed: s, description: m.description, detail: why });
          else if (a.verdict.ok) {
            let n = 0;
            for (let k = 0; k < a.dram.length; k++) if (a.dram[k] !== b.dram[k]) n++;
            if (n) {
              // Timing may decide the result only where instructions race: fsim's race detector says where.
              const races = await racesOf(devs[0].fresh?.() ?? devs[0], m);
              const why = races ? `, and ${races} pair(s) of instructions race` : m.touchesTokens ? ', with a dependency flag changed' : '';
              const finding = { vector: v.name, seed: s, description: m.description, detail: `both pass, but ${n} DRAM byte(s) differ${why}` };
              (why ? report.timingDependent : report.disagreements).push(finding);
            }
          }
        }
        options.log?.(`mutate: ${v.name}: ${options.mutants} mutant(s), ${report.disagreements.length} disagreement(s) so far`);
      }
    } finally {
      for (const d of devs) d.close?.();
    }
  }
  return report;
}
