// Seeded random VTA programs that are legal, in range, race-free and token-balanced, for property tests
// (fsim against a reference interpreter, later fsim against the RTL). Same seed, same program.
//
// Shape of a program (blocked_gemm_test-like, with `vt` virtual threads double-buffering INP/WGT):
//   LOAD UOP ×1–2 (nonzero SRAM and DRAM offsets)
//   per tile t:  LOAD ACC with pads (pop s2g when t > 0)  or  reset GEMM (pop s2g when t > 0)
//                per step: LOAD WGT (pads; pop g2l when the half is reused), LOAD INP (pads; push l2g),
//                          GEMM (pop l2g; push g2l when a later load reuses this half)
//                ALU ops (MIN/MAX/ADD/SHR[/MUL], imm and vector), [with REQUANT_BUFF_DEPTH: LOAD REQ,
//                ALU REQ ×1–2, before the last GEMM step, before or after the ALU ops], ALU ADD 0 over
//                the tile (defines OUT),
//                the last one pushing g2s;  STORE 2-D with stride (pop g2s, push s2g)
//                [with ACC_8BIT_LOAD: the tile's LOAD ACC may be a LOAD ACC_8BIT of int8 values, and an
//                int8 operand tile loaded by LOAD ACC_8BIT may be added into the tile before the ALU ops]
//   FINISH (pop s2g)
// Every index stays inside the loaded regions, so no instruction reads undefined SRAM.

import { MEM_TYPE, VtaConfig } from '../../hw/vta/config';
import { ALU_OPCODE, build, encodeProgram, encodeUop, Insn, INSN_BYTES, Uop } from '../../hw/vta/isa';
import { MEM_TYPE_ACC_8BIT } from '../../hw/vta/acc8';
import { ALU_OPCODE_REQ, encodeParam, MEM_TYPE_REQ, REQ_LANE_BYTES } from '../../hw/vta/requant';
import { mulberry32 } from './prng';

export { mulberry32 };

export interface RandomProgramOptions {
  /** Tiles (load ACC → GEMMs → ALU → STORE rounds); default 1–3. */
  tiles?: number;
  /** Virtual threads (1 or 2); default random. */
  vt?: 1 | 2;
  /**
   * Stress the buffer edges: tiles that end at the last row of each buffer (INP, WGT, ACC/OUT, micro-ops),
   * pads of 15 and a row stride of 65535 (their field limits), loops of 16383 iterations (the 14-bit
   * limit). Default: about one program in three, decided by the seed.
   */
  edges?: boolean;
}

/** Largest value of the 4-bit pad, 16-bit stride and 14-bit loop-extent fields. */
const MAX_PAD = 15;
const MAX_STRIDE = 0xffff;
const MAX_ITER = (1 << 14) - 1;

export interface InitBlob {
  addr: number;
  bytes: Uint8Array;
}

export interface RandomProgram {
  cfg: VtaConfig;
  seed: number;
  name: string;
  insns: Insn[];
  uops: Uop[];
  init: InitBlob[];
  insnAddr: number;
  insnCount: number;
  dramBytes: number;
  /** Output regions, pre-filled with SENTINEL; STOREs write only inside them. */
  outputRegions: { addr: number; bytes: number }[];
}

export const SENTINEL = 0xcd;
const PAGE = 4096;

export function randomProgram(cfg: VtaConfig, seed: number, options: RandomProgramOptions = {}): RandomProgram {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  // Edge choices draw from their own stream, so a program without them is the same as before they existed.
  const e = mulberry32((seed ^ 0x5bd1e995) >>> 0);
  const edges = options.edges ?? e() < 0.35;
  const edgeInt = (lo: number, hi: number) => lo + Math.floor(e() * (hi - lo + 1));
  const t = cfg.tensor;
  const vt = options.vt ?? (r() < 0.5 ? 1 : 2);
  const tiles = options.tiles ?? int(1, 3);
  const inpHalf = Math.min(64, t.inp.depth / 2);
  const wgtHalf = Math.min(32, t.wgt.depth / 2);
  /** Where a region of `span` rows starts: its slot, or (edges, last slot) flush with the buffer's end. */
  const regionBase = (slot: number, slotRows: number, lastSlot: boolean, depth: number) => (span: number) =>
    edges && lastSlot ? depth - span : slot * slotRows;

  // DRAM: page 0 unused, then the program, then data blobs, each on its own page.
  let next = PAGE;
  const init: InitBlob[] = [];
  const place = (bytes: number) => {
    const at = next;
    next = Math.ceil((next + bytes) / PAGE) * PAGE;
    return at;
  };
  const randomBytes = (n: number, extremes: boolean, lanes32: boolean): Uint8Array => {
    const b = new Uint8Array(n);
    if (lanes32) {
      const v = new DataView(b.buffer);
      for (let k = 0; k + 4 <= n; k += 4) {
        const x = r();
        v.setInt32(k, x < 0.15 ? 0x7fffffff - int(0, 300000) : x < 0.3 ? -0x80000000 + int(0, 300000) : Math.floor(r() * 2 ** 32) | 0, true);
      }
    } else {
      for (let k = 0; k < n; k++) b[k] = extremes && r() < 0.2 ? pick([0x80, 0x7f]) : int(0, 255);
    }
    return b;
  };

  /**
   * A 2-D LOAD of random data with random pads and stride at SRAM `baseOf(span)`; returns the instruction,
   * its first SRAM row and span. With edges, one pad may be 15 and an INP load may stride 65535 rows.
   */
  const load2d = (memType: number, baseOf: (span: number) => number, maxElems: number, flags: Partial<Insn>) => {
    const elem = memType === MEM_TYPE.INP ? t.inp : memType === MEM_TYPE.WGT ? t.wgt : memType === MEM_TYPE_ACC_8BIT ? cfg.acc8! : t.acc;
    const maxPad = edges ? edgeInt(0, 4) : 4; // which pad (0..3) goes to 15, if any (4: none)
    const wideStride = edges && memType === MEM_TYPE.INP && e() < 0.3;
    for (;;) {
      const ySize = int(1, 3);
      const xSize = int(1, 4);
      const pads = [int(0, 2), int(0, 2), int(0, 2), int(0, 2)];
      if (maxPad < 4) pads[maxPad] = MAX_PAD;
      const [yPad0, yPad1, xPad0, xPad1] = pads;
      const w = xPad0 + xSize + xPad1;
      const span = w * (yPad0 + ySize + yPad1);
      if (span > maxElems) continue;
      const xStride = wideStride && ySize > 1 ? MAX_STRIDE : r() < 0.15 ? 0 : xSize + int(0, 2);
      const rowsNeeded = (ySize - 1) * xStride + xSize;
      const lead = int(0, 2);
      const addr = place((lead + rowsNeeded) * elem.elemBytes);
      const acc = memType === MEM_TYPE.ACC;
      if (xStride === MAX_STRIDE) {
        // Only the rows read get data; the gaps between them stay zero.
        for (let y = 0; y < ySize; y++) {
          init.push({ addr: addr + (lead + y * xStride) * elem.elemBytes, bytes: randomBytes(xSize * elem.elemBytes, true, acc) });
        }
      } else {
        init.push({ addr, bytes: randomBytes((lead + rowsNeeded) * elem.elemBytes, true, acc) });
      }
      const sramBase = baseOf(span);
      const insn = build.load({
        memType,
        sramBase,
        dramBase: addr / elem.elemBytes + lead,
        ySize,
        xSize,
        xStride,
        yPad0,
        yPad1,
        xPad0,
        xPad1,
        ...flags,
      } as Parameters<typeof build.load>[0]);
      return { insn, base: sramBase, span, rowWidth: w, rows: yPad0 + ySize + yPad1 };
    }
  };

  const uops: Uop[] = [];
  // With edges the micro-ops end at the last row of the micro-op buffer: loop instructions are built with
  // this base and shifted once the count is known.
  let uopSramBase = int(1, 7);
  const loopInsns: Insn[] = [];
  /** Loop factors and micro-op bases such that every index lies in [lo, lo + size). */
  const loopOver = (sizes: number[]) => {
    if (edges && e() < 0.05) {
      // A maximal extent whose loop moves no index (factor 0), so every index stays in range. Rare and
      // with one micro-op (see maxed below): each costs 16383 micro-ops of simulated time.
      const outer = e() < 0.5;
      return {
        maxed: true,
        iterOut: outer ? MAX_ITER : 1,
        iterIn: outer ? 1 : MAX_ITER,
        fo: sizes.map(() => 0),
        fi: sizes.map(() => 0),
        spans: [...sizes],
      };
    }
    const iterOut = int(1, 3);
    const iterIn = int(1, 3);
    const fo: number[] = [];
    const fi: number[] = [];
    for (const size of sizes) {
      let a = int(1, 3);
      let b = int(1, 3);
      while (a > 0 && (iterOut - 1) * a + (iterIn - 1) * b >= size) a--;
      while (b > 0 && (iterOut - 1) * a + (iterIn - 1) * b >= size) b--;
      fo.push(a);
      fi.push(b);
    }
    const spans = sizes.map((s, k) => s - ((iterOut - 1) * fo[k] + (iterIn - 1) * fi[k]));
    return { maxed: false, iterOut, iterIn, fo, fi, spans };
  };
  /** An instruction's loop fields over `lp` (dst, src, and wgt when loopOver had a third size). */
  const loopFields = (lp: ReturnType<typeof loopOver>) => ({
    iterOut: lp.iterOut,
    iterIn: lp.iterIn,
    dstFactorOut: lp.fo[0],
    dstFactorIn: lp.fi[0],
    srcFactorOut: lp.fo[1],
    srcFactorIn: lp.fi[1],
    ...(lp.fo.length > 2 ? { wgtFactorOut: lp.fo[2], wgtFactorIn: lp.fi[2] } : {}),
  });
  const loop = (insn: Insn): Insn => {
    loopInsns.push(insn);
    return insn;
  };
  const addUops = (n: number, make: () => Uop) => {
    const bgn = uopSramBase + uops.length;
    for (let k = 0; k < n; k++) uops.push(make());
    return { uopBgn: bgn, uopEnd: bgn + n };
  };

  // With the requantization stage (hw/vta/REQUANT.md): a LOAD REQ of random parameter words (from their own
  // stream, so programs of configurations without the stage are unchanged) and ALU REQs over the tile.
  const q = mulberry32((seed ^ 0x2545f491) >>> 0);
  const qInt = (lo: number, hi: number) => lo + Math.floor(q() * (hi - lo + 1));
  const requantOps = (accBase: number, accN: number): Insn[] => {
    const geom = cfg.requant!;
    if (q() < 0.2) return [];
    const xSize = qInt(1, Math.min(6, geom.depth));
    let [xPad0, xPad1] = [qInt(0, 1), qInt(0, 1)]; // pads write all-zero entries
    if (xPad0 + xSize + xPad1 > geom.depth) xPad0 = xPad1 = 0;
    const span = xPad0 + xSize + xPad1;
    const sramBase = edges && q() < 0.5 ? geom.depth - span : qInt(0, geom.depth - span);
    const addr = place(xSize * geom.elemBytes);
    init.push({ addr, bytes: randomRequantWords(xSize * cfg.blockOut, q) });
    const out: Insn[] = [build.load({ memType: MEM_TYPE_REQ, sramBase, dramBase: addr / geom.elemBytes, xSize, ySize: 1, xStride: xSize, xPad0, xPad1 })];
    for (let k = qInt(1, 2); k > 0; k--) {
      const lp = loopOver([accN, span]);
      const n = lp.maxed ? 1 : qInt(1, 3);
      const range = addUops(n, () => ({ dst: accBase + qInt(0, lp.spans[0] - 1), src: sramBase + qInt(0, lp.spans[1] - 1), wgt: 0 }));
      out.push(
        loop(
          build.alu({
            ...range,
            aluOp: ALU_OPCODE_REQ,
            useImm: q() < 0.5, // ignored by REQ
            ...loopFields(lp),
          }),
        ),
      );
    }
    return out;
  };

  // With LOAD ACC_8BIT (hw/vta/ACC_8BIT.md): its choices draw from their own stream, so programs of
  // configurations without the knob are unchanged. An int8 operand tile, loaded into ACC rows beside the
  // accumulator tile, added into it with a vector ALU ADD (a residual add's shortcut).
  const a8 = mulberry32((seed ^ 0x68e31da4) >>> 0);
  const acc8Operand = (accBase: number, accN: number): Insn[] => {
    // Then, sometimes, an arithmetic right shift of the tile, so that its upper bits (the sign extension)
    // reach the low bytes the STORE writes.
    const shift =
      a8() < 0.5
        ? []
        : [
            loop(
              build.alu({
                ...addUops(1, () => ({ dst: accBase, src: accBase, wgt: 0 })),
                aluOp: ALU_OPCODE.SHR,
                useImm: true,
                imm: 1 + Math.floor(a8() * 12),
                iterIn: accN,
                dstFactorIn: 1,
                srcFactorIn: 1,
              }),
            ),
          ];
    if (a8() < 0.3) return shift;
    // beside the tile: after it, or below it when the tile ends the buffer (edges)
    const below = accBase >= 64;
    const opBaseOf = (span: number) => (below ? accBase - span : accBase + accN);
    const room = below ? accBase : t.acc.depth - accBase - accN;
    if (room < 16) return shift; // a 15-row pad (edges) needs that much
    const l = load2d(MEM_TYPE_ACC_8BIT, opBaseOf, Math.min(64, room), {});
    const lp = loopOver([accN, l.span]);
    const n = lp.maxed ? 1 : int(1, 3);
    const range = addUops(n, () => ({ dst: accBase + int(0, lp.spans[0] - 1), src: l.base + int(0, lp.spans[1] - 1), wgt: 0 }));
    const add = build.alu({
      ...range,
      aluOp: ALU_OPCODE.ADD,
      ...loopFields(lp),
    });
    return [l.insn, loop(add), ...shift];
  };

  const body: Insn[] = [];
  const outputRegions: { addr: number; bytes: number }[] = [];
  const stepsPerTile = Array.from({ length: tiles }, () => int(1, 3) * vt);
  const allSteps = stepsPerTile.reduce((a, b) => a + b, 0);
  let g = 0; // global step index (for the g2l ping-pong)
  const aluOps = cfg.aluOps;

  for (let tile = 0; tile < tiles; tile++) {
    // Accumulator tile: a padded 2-D LOAD ACC, or a reset GEMM over a fresh tile shape.
    let accN: number;
    let accW: number;
    let accH: number;
    let accBase: number;
    if (r() < 0.6) {
      const narrow = cfg.acc8 !== null && a8() < 0.5;
      const l = load2d(narrow ? MEM_TYPE_ACC_8BIT : MEM_TYPE.ACC, regionBase(0, 0, true, t.acc.depth), 64, { popNext: tile > 0 });
      body.push(l.insn);
      accN = l.span;
      accW = l.rowWidth;
      accH = l.rows;
      accBase = l.base;
    } else {
      accW = int(1, 6);
      accH = int(1, 4);
      accN = accW * accH;
      accBase = regionBase(0, 0, true, t.acc.depth)(accN);
      const range = addUops(1, () => ({ dst: accBase, src: 0, wgt: 0 }));
      body.push(loop(build.gemm({ ...range, resetReg: true, iterOut: 1, iterIn: accN, dstFactorIn: 1, popNext: tile > 0 })));
    }
    // Where the tile's requantization goes: before its last GEMM step (the GEMM accumulates onto what REQ
    // wrote), before the ALU epilogue (ALU ops read it as operands) or after it. The pipelined stage writes
    // back later than the other micro-ops, so each of these orders must hold in the hardware.
    const reqWhere = cfg.requant ? Math.floor(q() * 3) : -1;
    for (let k = 0; k < stepsPerTile[tile]; k++, g++) {
      if (reqWhere === 0 && k === stepsPerTile[tile] - 1) body.push(...requantOps(accBase, accN));
      const half = g % vt;
      const last = half === vt - 1;
      const wl = load2d(MEM_TYPE.WGT, regionBase(half, wgtHalf, last, t.wgt.depth), wgtHalf, { popNext: g >= vt });
      const il = load2d(MEM_TYPE.INP, regionBase(half, inpHalf, last, t.inp.depth), inpHalf, { pushNext: true });
      body.push(wl.insn, il.insn);
      const lp = loopOver([accN, il.span, wl.span]);
      const n = lp.maxed ? 1 : int(1, 4);
      const range = addUops(n, () => ({
        dst: accBase + int(0, lp.spans[0] - 1),
        src: il.base + int(0, lp.spans[1] - 1),
        wgt: wl.base + int(0, lp.spans[2] - 1),
      }));
      // Sometimes every micro-op hits the same dst (sequential accumulation).
      if (r() < 0.3) for (let u = range.uopBgn + 1; u < range.uopEnd; u++) uops[u - uopSramBase].dst = uops[range.uopBgn - uopSramBase].dst;
      body.push(
        loop(
          build.gemm({
            ...range,
            ...loopFields(lp),
            popPrev: true,
            pushPrev: g + vt < allSteps,
          }),
        ),
      );
    }
    if (cfg.acc8) body.push(...acc8Operand(accBase, accN));
    // ALU epilogue.
    if (reqWhere === 1) body.push(...requantOps(accBase, accN));
    const nAlu = int(1, 4);
    for (let k = 0; k < nAlu; k++) {
      const op = pick(aluOps);
      const useImm = r() < 0.5;
      const lp = loopOver([accN, accN]);
      const n = lp.maxed ? 1 : int(1, 3);
      const range = addUops(n, () => ({ dst: accBase + int(0, lp.spans[0] - 1), src: accBase + int(0, lp.spans[1] - 1), wgt: 0 }));
      const imm = op === 'SHR' ? int(-12, 12) : op === 'MUL' ? int(-300, 300) : pick([int(-32768, 32767), int(-200, 200), -32768, 32767]);
      body.push(
        loop(
          build.alu({
            ...range,
            aluOp: ALU_OPCODE[op],
            useImm,
            imm: useImm ? imm : 0,
            ...loopFields(lp),
          }),
        ),
      );
    }
    if (reqWhere === 2) body.push(...requantOps(accBase, accN));
    // ADD 0 over the whole tile: OUT = low byte of every accumulator, then hand OUT to the store.
    const all = addUops(1, () => ({ dst: accBase, src: accBase, wgt: 0 }));
    body.push(loop(build.alu({ ...all, aluOp: ALU_OPCODE.ADD, useImm: true, imm: 0, iterOut: 1, iterIn: accN, dstFactorIn: 1, pushNext: true })));
    const gap = int(0, 2);
    const xStride = accW + gap;
    const regionElems = 1 + (accH - 1) * xStride + accW + gap;
    const regionBytes = regionElems * t.out.elemBytes + 64;
    const addr = place(regionBytes);
    init.push({ addr, bytes: new Uint8Array(regionBytes).fill(SENTINEL) });
    outputRegions.push({ addr, bytes: regionBytes });
    body.push(build.store({ sramBase: accBase, dramBase: addr / t.out.elemBytes + 1, ySize: accH, xSize: accW, xStride, popPrev: true, pushPrev: true }));
  }

  if (edges) {
    // The micro-ops end at the last row of their buffer.
    const shift = t.uop.depth - uops.length - uopSramBase;
    for (const insn of loopInsns) {
      const l = insn as Insn & { uopBgn: number; uopEnd: number };
      l.uopBgn += shift;
      l.uopEnd += shift;
    }
    uopSramBase += shift;
  }
  // Micro-ops: one or two LOAD UOPs at nonzero SRAM offsets, from a nonzero DRAM element offset.
  const lead = int(2, 9);
  const uopAddr = place((lead + uops.length) * 4);
  const uopBytes = new Uint8Array((lead + uops.length) * 4);
  const uv = new DataView(uopBytes.buffer);
  uops.forEach((u, k) => uv.setUint32((lead + k) * 4, encodeUop(cfg, u), true));
  init.push({ addr: uopAddr, bytes: uopBytes });
  const split = uops.length >= 2 && r() < 0.5 ? int(1, uops.length - 1) : uops.length;
  const head: Insn[] = [build.load({ memType: MEM_TYPE.UOP, sramBase: uopSramBase, dramBase: uopAddr / 4 + lead, xSize: split, xStride: split })];
  if (split < uops.length) {
    const rest = uops.length - split;
    head.push(build.load({ memType: MEM_TYPE.UOP, sramBase: uopSramBase + split, dramBase: uopAddr / 4 + lead + split, xSize: rest, xStride: rest }));
  }
  const insns = [...head, ...body, build.finish({ popNext: true })];
  const code = encodeProgram(cfg, insns);
  const progAddr = place(code.length);
  init.push({ addr: progAddr, bytes: code });
  return {
    cfg,
    seed,
    name: `${cfg.name}__random_s${seed}`,
    insns,
    uops,
    init,
    insnAddr: progAddr,
    insnCount: insns.length,
    dramBytes: next,
    outputRegions,
  };
}

/** `n` random requantization parameter words: both modes, narrow and wide, every exponent, extreme multipliers and bounds. */
export function randomRequantWords(n: number, rnd: () => number): Uint8Array {
  const bytes = new Uint8Array(n * REQ_LANE_BYTES);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  for (let k = 0; k < n; k++) {
    const lo = int(-128, 127);
    const x = rnd();
    encodeParam(
      {
        mode: rnd() < 0.6 ? 'q31' : 'shift',
        multiplier: x < 0.1 ? -0x80000000 : x < 0.2 ? 0x7fffffff : x < 0.6 ? int(0x40000000, 0x7fffffff) : (rnd() * 2 ** 32) | 0,
        exponent: rnd() < 0.2 ? [-32, -31, 31, 0][int(0, 3)] : int(-20, 8),
        zeroPoint: int(-128, 127),
        min: lo,
        max: rnd() < 0.9 ? Math.min(127, lo + int(0, 255)) : int(-128, 127),
        ...(rnd() < 0.25 ? { wide: true } : {}),
      },
      bytes,
      k * REQ_LANE_BYTES,
    );
  }
  return bytes;
}

/** The zeroed DRAM with every init blob in place. */
export function programImage(p: RandomProgram): Uint8Array {
  const d = new Uint8Array(p.dramBytes);
  for (const b of p.init) d.set(b.bytes, b.addr);
  return d;
}

/**
 * The conformance-vector JSON of a program (shared/conformance/vta-hls/README.md "File format"),
 * with the expected output regions taken from `finalDram` (e.g. a reference run).
 */
export function toVector(p: RandomProgram, finalDram: Uint8Array, configName = 'random'): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const json = p.cfg.json as unknown as Record<string, unknown>;
  for (const k of [
    'LOG_INP_WIDTH',
    'LOG_WGT_WIDTH',
    'LOG_ACC_WIDTH',
    'LOG_BATCH',
    'LOG_BLOCK_IN',
    'LOG_BLOCK_OUT',
    'LOG_UOP_BUFF_SIZE',
    'LOG_INP_BUFF_SIZE',
    'LOG_WGT_BUFF_SIZE',
    'LOG_ACC_BUFF_SIZE',
  ])
    config[k] = json[k];
  if (p.cfg.aluOps.includes('MUL')) config.ALU_OPS = [...p.cfg.aluOps];
  if (p.cfg.requant) config.REQUANT_BUFF_DEPTH = p.cfg.requant.depth;
  if (p.cfg.acc8) config.ACC_8BIT_LOAD = 1;
  const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
  return {
    name: `${configName}__random_s${p.seed}`,
    config,
    dram_bytes: p.dramBytes,
    init: p.init.map((b) => ({ addr: b.addr, data: b64(b.bytes) })).sort((a, b) => a.addr - b.addr),
    insn_addr: p.insnAddr,
    insn_count: p.insnCount,
    expect: p.outputRegions.map((o) => ({ addr: o.addr, data: b64(finalDram.subarray(o.addr, o.addr + o.bytes)) })),
    source: `sim/testing/random-program.ts randomProgram(seed ${p.seed})`,
  };
}

export { INSN_BYTES };
