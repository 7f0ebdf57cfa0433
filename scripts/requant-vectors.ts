// Writes the requantization stage's conformance-style vectors (hw/vta/REQUANT.md) into
// test/sim/fixtures/requant-vectors/: three targeted programs (TFLite's Q31 rule on its edges; VTA's shift
// and clip with zero points; wide words, which keep the int32 value) and random programs on three configurations, expected DRAM from fsim.
// `npx tsx scripts/requant-vectors.ts`; test/tsim/requant.test.ts replays them on TSIM.

import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { DEFAULT_CONFIG_JSON, deriveConfig, MEM_TYPE, parseGemmShape, VtaConfig, VtaConfigJson, withOverrides } from '../hw/vta/config';
import { boardPreset } from '../hw/boards/presets';
import { build, encodeProgram, encodeUop, Insn } from '../hw/vta/isa';
import { ALU_OPCODE_REQ, encodeParam, INT32_MAX, INT32_MIN, MEM_TYPE_REQ, REQ_LANE_BYTES, RequantParam } from '../hw/vta/requant';
import { FunctionalSimulator } from '../sim/fsim';
import { mulberry32 } from '../sim/testing/prng';
import { programImage, RandomProgram, randomProgram, SENTINEL, toVector } from '../sim/testing/random-program';

const OUT_DIR = join(__dirname, '..', 'test', 'sim', 'fixtures', 'requant-vectors');
const PAGE = 4096;

/**
 * One ACC tile per row of `acc` (`copies` times: tile c·rows + t holds row t), requantized by one ALU REQ per
 * pass (pass p uses entry `passes[p](tile)` for each tile), stored as int8.
 */
function targeted(cfg: VtaConfig, name: string, acc: number[][], entries: RequantParam[][], passes: ((t: number) => number)[], copies = 1): RandomProgram {
  const geom = cfg.requant!;
  let next = PAGE;
  const init: { addr: number; bytes: Uint8Array }[] = [];
  const put = (bytes: Uint8Array) => {
    const addr = next;
    next = Math.ceil((next + bytes.length) / PAGE) * PAGE;
    init.push({ addr, bytes });
    return addr;
  };
  const accBytes = new Uint8Array(new Int32Array(acc.flat()).buffer);
  const accAddr = put(accBytes);
  const paramBytes = new Uint8Array(entries.length * geom.elemBytes);
  entries.forEach((e, k) => e.forEach((w, o) => encodeParam(w, paramBytes, k * geom.elemBytes + o * REQ_LANE_BYTES)));
  const reqAddr = put(paramBytes);
  const tiles = acc.length * copies;
  const uops = passes.flatMap((entryOf) => Array.from({ length: tiles }, (_, t) => ({ dst: t, src: entryOf(t), wgt: 0 })));
  const uopWords = new Uint8Array(new Uint32Array(uops.map((u) => encodeUop(cfg, u))).buffer);
  const uopAddr = put(uopWords);
  const outBytes = tiles * cfg.tensor.out.elemBytes;
  const outAddr = put(new Uint8Array(outBytes).fill(SENTINEL));
  const accBase = accAddr / cfg.tensor.acc.elemBytes;
  const insns: Insn[] = [
    build.load({ memType: MEM_TYPE.UOP, dramBase: uopAddr / 4, xSize: uops.length, xStride: uops.length }),
    ...Array.from({ length: copies }, (_, c) =>
      build.load({ memType: MEM_TYPE.ACC, dramBase: accBase, sramBase: c * acc.length, xSize: acc.length, xStride: acc.length }),
    ),
    build.load({ memType: MEM_TYPE_REQ, dramBase: reqAddr / geom.elemBytes, xSize: entries.length, xStride: entries.length }),
    ...passes.map((_, p) => build.alu({ aluOp: ALU_OPCODE_REQ, uopBgn: p * tiles, uopEnd: (p + 1) * tiles, pushNext: p === passes.length - 1 })),
    build.store({ dramBase: outAddr / cfg.tensor.out.elemBytes, xSize: tiles, xStride: tiles, popPrev: true }),
    build.finish(),
  ];
  const code = encodeProgram(cfg, insns);
  const insnAddr = put(code);
  return { cfg, seed: 0, name, insns, uops, init, insnAddr, insnCount: insns.length, dramBytes: next, outputRegions: [{ addr: outAddr, bytes: outBytes }] };
}

/** TFLite's rule on its edges: INT32_MIN², every exponent, ties of both roundings, zero points, bounds. */
function q31Edges(cfg: VtaConfig): RandomProgram {
  const r = mulberry32(181);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const lanes = cfg.batch * cfg.blockOut;
  const tiles = 16;
  const acc: number[][] = [];
  const entries: RequantParam[][] = [];
  for (let t = 0; t < tiles; t++) {
    const row: number[] = [];
    const words: RequantParam[] = [];
    for (let l = 0; l < lanes; l++) {
      const e = ((t * lanes + l) % 64) - 32;
      const tieR = Math.max(1, Math.min(30, -e));
      const pick = l % 4;
      // lane kinds: extremes, an exact RoundingDivideByPOT tie (M = 2^30 halves x exactly), random
      row.push(pick === 0 ? [INT32_MIN, INT32_MAX, -1, 0][t % 4] : pick === 1 ? (t & 1 ? -2 : 2) * 2 ** (tieR - 1) : (r() * 2 ** 32) | 0);
    }
    for (let o = 0; o < cfg.blockOut; o++) {
      const e = ((t * cfg.blockOut + o) % 64) - 32;
      const lo = int(-128, 0);
      words.push({
        mode: 'q31',
        multiplier: o % 4 === 0 ? [INT32_MIN, INT32_MAX, 0, 1 << 30][t % 4] : o % 4 === 1 ? 1 << 30 : int(1 << 30, INT32_MAX),
        exponent: o % 4 === 1 ? -Math.max(1, Math.min(30, -e)) : e,
        zeroPoint: int(-128, 127),
        min: lo,
        max: t === 3 ? lo - 1 : int(lo, 127), // one tile with min > max
      });
    }
    acc.push(row);
    entries.push(words);
  }
  return targeted(cfg, 'req_q31_edges', acc, entries, [(t) => t]);
}

/** VTA's shift-and-clip (with zero points and left shifts), entries shared by several tiles. */
function shiftClip(cfg: VtaConfig): RandomProgram {
  const r = mulberry32(182);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const lanes = cfg.batch * cfg.blockOut;
  const acc = Array.from({ length: 12 }, () => Array.from({ length: lanes }, () => (r() < 0.2 ? int(-2000, 2000) : (r() * 2 ** 32) | 0)));
  const entries = Array.from({ length: 4 }, (_, k) =>
    Array.from({ length: cfg.blockOut }, (): RequantParam => ({
      mode: 'shift',
      multiplier: int(-5, 5),
      exponent: k === 3 ? int(1, 31) : -int(0, 32),
      zeroPoint: int(-20, 20),
      min: k === 0 ? 0 : -128,
      max: 127,
    })),
  );
  return targeted(cfg, 'req_shift_clip', acc, entries, [(t) => t % 4]);
}

/**
 * Wide words (bit 62): the int32 value stays in ACC. Four copies of 8 tiles (TFLite ADD's (x - z) << 20 inputs,
 * random accumulators, extremes) are rescaled by wide Q31 and shift words (a few narrow lanes between them),
 * then copy c by a wide shift word by 8c: the stored low 8 bits of each copy are byte c of every value.
 */
function wideWords(cfg: VtaConfig): RandomProgram {
  const r = mulberry32(183);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const lanes = cfg.batch * cfg.blockOut;
  const rows = 8;
  const acc = Array.from({ length: rows }, (_, t) =>
    Array.from({ length: lanes }, (_, l) =>
      l % 5 === 0 ? [INT32_MIN, INT32_MAX, -1, 0, 1 << 30][t % 5] : l % 2 ? (int(-128, 127) - int(-128, 127)) * 2 ** 20 : (r() * 2 ** 32) | 0,
    ),
  );
  const rescale = Array.from({ length: 4 }, (_, k) =>
    Array.from({ length: cfg.blockOut }, (_, o): RequantParam => {
      const q31 = k < 3 || o % 2 === 0;
      return {
        mode: q31 ? 'q31' : 'shift',
        multiplier: o === 0 ? [INT32_MIN, INT32_MAX, 1 << 30, 0][k] : int(1 << 30, INT32_MAX),
        exponent: q31 ? (o % 7 === 6 ? int(1, 31) : -int(0, 32)) : int(-32, 31),
        zeroPoint: int(-128, 127),
        min: int(-128, 0),
        max: int(0, 127),
        ...(o % 8 === 7 ? {} : { wide: true }),
      };
    }),
  );
  const bytes = Array.from({ length: 4 }, (_, c) =>
    Array.from({ length: cfg.blockOut }, (): RequantParam => ({ mode: 'shift', multiplier: 0, exponent: -8 * c, zeroPoint: 5, min: 0, max: 0, wide: true })),
  );
  return targeted(cfg, 'req_wide', acc, [...rescale, ...bytes], [(t) => t % 4, (t) => 4 + Math.floor(t / rows)], 4);
}

async function withFsimResult(p: RandomProgram, label: string): Promise<Record<string, unknown>> {
  const image = programImage(p);
  const sim = new FunctionalSimulator(p.cfg, { dramBytes: image.length });
  sim.loadImage(image);
  await sim.run(p.insnAddr, p.insnCount);
  const v = toVector(p, sim.read(0, image.length), label);
  if (!p.name.includes('__random_')) {
    v.name = `${label}__${p.name}`;
    v.source = `scripts/requant-vectors.ts (${p.name}); expected DRAM from fsim`;
  }
  return v;
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const configs: [string, VtaConfigJson][] = [
    ['default_req64', { ...DEFAULT_CONFIG_JSON, REQUANT_BUFF_DEPTH: 64 }],
    ['b2x8_req16', withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16, REQUANT_BUFF_DEPTH: 16 })],
    ['pynq-z1_req64', withOverrides(DEFAULT_CONFIG_JSON, { ...boardPreset('pynq-z1'), REQUANT_BUFF_DEPTH: 64 })],
  ];
  for (const [label, json] of configs) {
    const cfg = deriveConfig(json, label);
    const programs = [
      ...(label === 'default_req64' ? [q31Edges(cfg), shiftClip(cfg), wideWords(cfg)] : []),
      randomProgram(cfg, 1801),
      randomProgram(cfg, 1802),
    ];
    for (const p of programs) {
      const v = await withFsimResult(p, label);
      // The vector carries every configuration key that differs from VTA's (toVector writes the LOG_* keys).
      v.config = { ...(v.config as object), ...extensionKeys(cfg) };
      writeFileSync(join(OUT_DIR, `${v.name}.json`), JSON.stringify(v, null, 1) + '\n');
      console.log(`wrote ${v.name}.json`);
    }
  }
}

function extensionKeys(cfg: VtaConfig): Record<string, unknown> {
  const d = deriveConfig(DEFAULT_CONFIG_JSON).json as unknown as Record<string, unknown>;
  const j = cfg.json as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['ALU_INITIATION_INTERVAL', 'GEMM_DSP_PACKING', 'REQUANT_BUFF_DEPTH', 'ALU_OPS', 'LOG_BUS_WIDTH', 'GEMM_PIPELINE_DEPTH']) {
    if (JSON.stringify(j[k]) !== JSON.stringify(d[k])) out[k] = j[k];
  }
  return out;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
