// fsim's LOAD ACC_8BIT (hw/vta/ACC_8BIT.md, knob ACC_8BIT_LOAD): int8 DRAM lanes sign-extended into ACC
// with LOAD ACC's 2-D shape and pads, checked value by value against a plain model; OUT untouched; the
// knob's validation, header, disassembly, and the instruction staying illegal without it.

import { DEFAULT_CONFIG_JSON, parseGemmShape, VtaConfig } from '../../hw/vta/config';
import { MEM_TYPE_ACC_8BIT, signExtendBytes } from '../../hw/vta/acc8';
import { build, MEM_TYPE_NAMES } from '../../hw/vta/isa';
import { formatInsn, programLegend } from '../../hw/vta/disasm';
import { renderHwSpecHeader } from '../../gen/header';
import { programCounters } from '../../sim/program-counters';
import { mulberry32 } from '../../sim/testing/prng';
import { readdirSync } from 'fs';
import { join } from 'path';
import { replay } from '../../sim/replay';
import { initialDram, loadVector, Vector } from '../../sim/vector';
import { FunctionalSimulator } from '../../sim/fsim';
import { mutate, runMutant } from '../../sim/testing/mutate';
import { programImage, randomProgram } from '../../sim/testing/random-program';
import { referenceRun } from './ref-interp';
import { config, device, int32Bytes, put, runInsns } from './helpers';

const ACC = MEM_TYPE_NAMES.indexOf('ACC');

interface Shape {
  sramBase: number;
  xSize: number;
  ySize: number;
  xStride: number;
  xPad0: number;
  xPad1: number;
  yPad0: number;
  yPad1: number;
}

/** What ACC rows [sramBase, sramBase + W·H) must hold after the LOAD: written from the ISA text alone. */
function expectedRows(cfg: VtaConfig, bytes: Int8Array, dramBase: number, s: Shape): number[][] {
  const lanes = cfg.batch * cfg.blockOut;
  const zero = () => new Array<number>(lanes).fill(0);
  const w = s.xPad0 + s.xSize + s.xPad1;
  const rows: number[][] = [];
  for (let k = 0; k < s.yPad0 * w; k++) rows.push(zero());
  for (let y = 0; y < s.ySize; y++) {
    for (let k = 0; k < s.xPad0; k++) rows.push(zero());
    for (let x = 0; x < s.xSize; x++) {
      const elem = dramBase + y * s.xStride + x;
      rows.push(Array.from({ length: lanes }, (_, l) => bytes[elem * lanes + l]));
    }
    for (let k = 0; k < s.xPad1; k++) rows.push(zero());
  }
  for (let k = 0; k < s.yPad1 * w; k++) rows.push(zero());
  return rows;
}

async function loadAcc8(cfg: VtaConfig, seed: number, s: Shape, dramBase: number) {
  const lanes = cfg.batch * cfg.blockOut;
  const rnd = mulberry32(seed);
  const elems = dramBase + (s.ySize - 1) * s.xStride + s.xSize;
  // every int8 value, the extremes among them, then random ones
  const bytes = Int8Array.from({ length: elems * lanes }, (_, k) => (k < 256 ? k - 128 : Math.floor(rnd() * 256) - 128));
  const dev = device(cfg);
  const addr = put(dev, new Uint8Array(bytes.buffer));
  // ACC and OUT hold sentinels first, so that every lane written (and OUT not written) shows
  const n = cfg.tensor.acc.depth;
  const sentinel = Array.from({ length: n * lanes }, (_, k) => 0x5a5a0000 + k);
  dev.srams.acc.set(Int32Array.from(sentinel));
  dev.srams.out.fill(0x33);
  const base = addr / cfg.acc8!.elemBytes;
  const r = await runInsns(dev, [build.load({ memType: MEM_TYPE_ACC_8BIT, dramBase: base + dramBase, ...s }), build.finish()]);
  const rows = expectedRows(cfg, bytes, dramBase, s);
  const want = [...sentinel];
  rows.forEach((row, k) => row.forEach((v, l) => (want[(s.sramBase + k) * lanes + l] = v)));
  return { dev, want, rows, r };
}

test.each([
  ['1x16x16', {}],
  ['2x8x8', { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }],
  ['1x16x32', parseGemmShape('1x16x32')],
])('LOAD ACC_8BIT on %s sign-extends every byte into its lane, with pads and strides; OUT is kept', async (_name, shape) => {
  const cfg = config({ ...shape, ACC_8BIT_LOAD: 1 });
  const lanes = cfg.batch * cfg.blockOut;
  expect(cfg.acc8).toEqual({ elemBytes: lanes, elemBits: lanes * 8 });
  const shapes: Shape[] = [
    { sramBase: 0, xSize: 20, ySize: 1, xStride: 20, xPad0: 0, xPad1: 0, yPad0: 0, yPad1: 0 },
    { sramBase: 7, xSize: 3, ySize: 4, xStride: 9, xPad0: 1, xPad1: 2, yPad0: 2, yPad1: 1 },
    { sramBase: 100, xSize: 1, ySize: 3, xStride: 1, xPad0: 15, xPad1: 0, yPad0: 0, yPad1: 3 },
  ];
  for (const [i, s] of shapes.entries()) {
    // a nonzero dram_base (element index: bytes = dram_base · BATCH·BLOCK_OUT) inside the data
    const { dev, want, rows } = await loadAcc8(cfg, 10 + i, s, 3 * i);
    expect(Array.from(dev.srams.acc)).toEqual(want);
    expect(dev.srams.out.every((v) => v === 0x33)).toBe(true);
    const flat = rows.flat();
    if (i === 0) expect([Math.min(...flat), Math.max(...flat)]).toEqual([-128, 127]);
  }
});

test('DRAM byte address = dram_base · BATCH·BLOCK_OUT; rows x_stride elements apart; counters count int8 bytes', async () => {
  const cfg = config({ ACC_8BIT_LOAD: 1 });
  const dev = device(cfg);
  // DRAM bytes: element e holds the value e in every lane, so ACC shows which element each row came from
  const bytes = new Uint8Array(40 * 16).map((_, k) => Math.floor(k / 16));
  const addr = put(dev, bytes);
  const insn = build.load({ memType: MEM_TYPE_ACC_8BIT, dramBase: addr / 16 + 5, sramBase: 3, xSize: 2, ySize: 3, xStride: 11 });
  const r = await runInsns(dev, [insn, build.finish()]);
  const rowValue = (row: number) => dev.srams.acc[row * 16];
  expect([3, 4, 5, 6, 7, 8].map(rowValue)).toEqual([5, 6, 16, 17, 27, 28]);
  expect(r.counters.accLoadBytes).toBe(2 * 3 * 16);
  expect(programCounters(cfg, [insn]).accLoadBytes).toBe(2 * 3 * 16);
});

test('the same tile loaded as ACC (int32) and as ACC_8BIT (int8) gives the same accumulators', async () => {
  const cfg = config({ ACC_8BIT_LOAD: 1 });
  const rnd = mulberry32(7);
  const vals = Array.from({ length: 6 * 16 }, () => Math.floor(rnd() * 256) - 128);
  const s = { sramBase: 9, xSize: 3, ySize: 2, xStride: 3, xPad0: 1, xPad1: 0, yPad0: 1, yPad1: 0 };
  const run = async (memType: number, data: Uint8Array, elemBytes: number) => {
    const dev = device(cfg);
    const addr = put(dev, data);
    await runInsns(dev, [build.load({ memType, dramBase: addr / elemBytes, ...s }), build.finish()]);
    return Array.from(dev.srams.acc.subarray(0, 40 * 16));
  };
  const wide = await run(ACC, int32Bytes(vals), 64);
  const narrow = await run(MEM_TYPE_ACC_8BIT, new Uint8Array(Int8Array.from(vals).buffer), 16);
  expect(narrow).toEqual(wide);
});

test('strict mode names the instruction: an ACC row past the buffer, DRAM past its end', async () => {
  const cfg = config({ ACC_8BIT_LOAD: 1 });
  const depth = cfg.tensor.acc.depth;
  await expect(runInsns(device(cfg), [build.load({ memType: MEM_TYPE_ACC_8BIT, sramBase: depth - 1, xSize: 2 }), build.finish()])).rejects.toThrow(
    new RegExp(`LOAD ACC_8BIT SRAM index ${depth} is past the end of the buffer \\(depth ${depth}`),
  );
  const dev = device(cfg);
  await expect(runInsns(dev, [build.load({ memType: MEM_TYPE_ACC_8BIT, dramBase: (1 << 20) / 16, xSize: 1 }), build.finish()])).rejects.toThrow(
    /instruction 0: LOAD ACC_8BIT reads DRAM bytes 1048576\.\.1048591/,
  );
});

test('non-strict mode wraps ACC rows modulo the depth', async () => {
  const cfg = config({ ACC_8BIT_LOAD: 1, LOG_ACC_BUFF_SIZE: 10 }); // 16 rows
  const dev = device(cfg, false);
  const addr = put(dev, new Uint8Array(3 * 16).fill(0xfe));
  await runInsns(dev, [build.load({ memType: MEM_TYPE_ACC_8BIT, dramBase: addr / 16, sramBase: 15, xSize: 3, xPad0: 0 }), build.finish()]);
  expect([15, 0, 1, 2].map((row) => dev.srams.acc[row * 16 + 5])).toEqual([-2, -2, -2, 0]);
});

test('without the knob memory_type 5 is illegal, naming the instruction index; with it the disassembler names it', async () => {
  const off = config();
  expect(off.acc8).toBeNull();
  const prog = [build.load({ memType: ACC, xSize: 0 }), build.load({ memType: MEM_TYPE_ACC_8BIT, xSize: 1 }), build.finish()];
  await expect(runInsns(device(off), prog)).rejects.toThrow(
    /instruction 1\b.*memory_type 5 is not loadable \(UOP 0, WGT 1, INP 2, ACC 3\); ACC_8BIT needs ACC_8BIT_LOAD 1/,
  );
  expect(formatInsn(off, prog[1])).toMatch(/^LOAD {3}mem5 .*; ILLEGAL: LOAD memory_type 5/);
  const on = config({ ACC_8BIT_LOAD: 1, REQUANT_BUFF_DEPTH: 4 });
  expect(formatInsn(on, prog[1])).toMatch(/^LOAD {3}ACC8 sram=0/);
  expect(formatInsn(on, prog[1])).not.toMatch(/ILLEGAL/);
  expect(formatInsn(on, build.load({ memType: 7, xSize: 1 }))).toMatch(/not loadable \(UOP 0, WGT 1, INP 2, ACC 3, ACC_8BIT 5, REQ 6\)/);
  expect(programLegend(on)).toMatch(/ACC8 16 \(int8, sign-extended into ACC\)/);
  expect(programLegend(off)).not.toMatch(/ACC8/);
});

test('ACC_8BIT_LOAD is validated, hashed only when on, and shows in the header only when on', () => {
  expect(() => config({ ACC_8BIT_LOAD: 2 })).toThrow(/key ACC_8BIT_LOAD must be 0 \(off\) or 1 .*got 2/);
  expect(() => config({ ACC_8BIT_LOAD: true as unknown as number })).toThrow(/key ACC_8BIT_LOAD must be 0 \(off\) or 1 .*got true/);
  expect(() => config({ ACC_8BIT_LOAD: 1, LOG_ACC_WIDTH: 4 })).toThrow(/ACC_8BIT_LOAD 1 needs LOG_ACC_WIDTH 5 and LOG_INP_WIDTH 3.*got 4 and 3/);
  expect(config({ ACC_8BIT_LOAD: 0 }).hash).toBe(config().hash);
  expect(config({ ACC_8BIT_LOAD: 1 }).hash).not.toBe(config().hash);
  expect(DEFAULT_CONFIG_JSON).not.toHaveProperty('ACC_8BIT_LOAD');
  const off = renderHwSpecHeader(config());
  expect(renderHwSpecHeader(config({ ACC_8BIT_LOAD: 0 }))).toBe(off);
  expect(off).not.toMatch(/VTA_ACC_8BIT_LOAD/);
  const on = renderHwSpecHeader(config({ ACC_8BIT_LOAD: 1, ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }));
  expect(on).toMatch(/#define VTA_ACC_8BIT_LOAD 1\b/);
  expect(on).toMatch(/#define VTA_ACC_8BIT_ELEM_BYTES 16\b/);
  expect(on).toMatch(/#define VTA_MEM_ID_ACC_8BIT 5\b/);
});

test('signExtendBytes widens int8 to little-endian int32', () => {
  const src = Uint8Array.from([0x80, 0x7f, 0xff, 0x00, 0x01]);
  const dst = new Uint8Array(24).fill(0xaa);
  signExtendBytes(src, 0, dst, 4, 5);
  expect(Array.from(new Int32Array(dst.buffer).subarray(1, 6))).toEqual([-128, 127, -1, 0, 1]);
  expect([dst[0], dst[1], dst[2], dst[3]]).toEqual([0xaa, 0xaa, 0xaa, 0xaa]);
});

test('the ACC_8BIT vectors (test/sim/fixtures/acc8-vectors, scripts/acc8-vectors.ts) replay on fsim', async () => {
  const dir = join(__dirname, 'fixtures', 'acc8-vectors');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(8);
  expect(files.filter((f) => f.includes('acc8_sign_pads_strides'))).toHaveLength(2);
  for (const file of files) {
    const v = loadVector(join(dir, file));
    expect(v.config.acc8).not.toBeNull();
    const r = await replay(v, { target: 'fsim', maxMismatches: 4 });
    expect({ file, mismatches: r.mismatchCount }).toEqual({ file, mismatches: 0 });
  }
});

const acc8Vectors = (): Vector[] =>
  readdirSync(join(__dirname, 'fixtures', 'acc8-vectors'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadVector(join(__dirname, 'fixtures', 'acc8-vectors', f)));

/** Whether the expected bytes of `v` differ from what the reference interpreter with `fault` computes. */
function caught(v: Vector, fault: 'zero-extend' | 'acc-element-address'): boolean {
  let got: Uint8Array;
  try {
    got = referenceRun(v.config, initialDram(v), v.insnAddr, v.insnCount, { acc8: fault });
  } catch {
    return true; // reading past DRAM or an SRAM index out of range: caught too
  }
  return v.expect.some((e) => e.data.some((b, k) => got[e.addr + k] !== b));
}

describe('a wrong LOAD ACC_8BIT is caught', () => {
  test.each(['zero-extend', 'acc-element-address'] as const)('%s: every ACC_8BIT vector and most random programs see it', async (fault) => {
    const vectors = acc8Vectors();
    for (const v of vectors) {
      // without the fault the reference computes the vector's bytes
      const good = referenceRun(v.config, initialDram(v), v.insnAddr, v.insnCount);
      expect({ name: v.name, same: v.expect.every((e) => e.data.every((b, k) => good[e.addr + k] === b)) }).toEqual({ name: v.name, same: true });
    }
    const directed = vectors.filter((v) => v.name.includes('acc8_sign_pads_strides'));
    expect(directed.map((v) => caught(v, fault))).toEqual([true, true]);
    expect(vectors.filter((v) => !caught(v, fault)).map((v) => v.name)).toEqual([]);
    // random programs: fsim against the faulty reference
    const cfg = config({ ACC_8BIT_LOAD: 1 });
    let differ = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const p = randomProgram(cfg, seed);
      const image = programImage(p);
      let bad: Uint8Array;
      try {
        bad = referenceRun(cfg, image, p.insnAddr, p.insnCount, { acc8: fault });
      } catch {
        differ++;
        continue;
      }
      const sim = new FunctionalSimulator(cfg, { dramBytes: image.length });
      sim.loadImage(image);
      await sim.run(p.insnAddr, p.insnCount);
      if (Buffer.compare(Buffer.from(sim.read(0, image.length)), Buffer.from(bad)) !== 0) differ++;
    }
    expect(differ).toBeGreaterThanOrEqual(10);
  });
});

test('mutants of the ACC_8BIT vectors swap LOAD ACC and ACC_8BIT or change an int8 byte; fsim runs them', async () => {
  const vectors = acc8Vectors();
  const seen = { swap: 0, byte: 0 };
  for (const v of vectors) {
    for (let seed = 1; seed <= 100; seed++) {
      const m = mutate(v, seed);
      if (/LOAD memory_type (3 -> 5|5 -> 3)/.test(m.description)) seen.swap++;
      if (/int8 byte at \d+ read by insn \d+ LOAD ACC_8BIT/.test(m.description)) seen.byte++;
    }
  }
  expect(seen.swap).toBeGreaterThan(3);
  expect(seen.byte).toBeGreaterThan(3);
  // one mutant run end to end on fsim: a verdict, no stray writes
  const v = vectors[0];
  const m = mutate(v, 3);
  const out = await runMutant(new FunctionalSimulator(v.config, { dramBytes: Math.ceil(v.dramBytes / 4096) * 4096 }), m);
  expect(out.strayBytes).toBe(0);
});
