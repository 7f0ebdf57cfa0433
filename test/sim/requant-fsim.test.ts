// fsim's requantization stage (hw/vta/REQUANT.md): LOAD REQ into the parameter buffer, ALU REQ over ACC,
// checked lane by lane against the one evaluator on random and edge values; and the knob off.

import { DEFAULT_CONFIG_JSON, parseGemmShape, VtaConfig } from '../../hw/vta/config';
import { build, MEM_TYPE_NAMES } from '../../hw/vta/isa';
import { formatInsn } from '../../hw/vta/disasm';
import { ALU_OPCODE_REQ, encodeParam, INT32_MAX, INT32_MIN, MEM_TYPE_REQ, REQ_LANE_BYTES, RequantParam, requantStage } from '../../hw/vta/requant';
import { mulberry32 } from '../../sim/testing/prng';
import { readdirSync } from 'fs';
import { join } from 'path';
import { replay } from '../../sim/replay';
import { loadVector } from '../../sim/vector';
import { config, device, int32Bytes, put, runInsns, uopBytes } from './helpers';

const UOP = MEM_TYPE_NAMES.indexOf('UOP');
const ACC = MEM_TYPE_NAMES.indexOf('ACC');

function randomParam(rnd: () => number, k: number): RequantParam {
  const i8 = () => Math.floor(rnd() * 256) - 128;
  const lo = i8();
  const edge = k % 5 === 0;
  return {
    mode: rnd() < 0.5 ? 'q31' : 'shift',
    multiplier: edge ? [INT32_MIN, INT32_MAX, 2 ** 30, 0, -1][k % 4] : (rnd() * 2 ** 32) | 0,
    exponent: edge ? [-32, 31, -1, 0][k % 4] : Math.floor(rnd() * 64) - 32,
    zeroPoint: i8(),
    // mostly a proper range; sometimes lo > hi (the clamp is min(hi, max(lo, v)))
    min: lo,
    max: rnd() < 0.9 ? Math.min(127, lo + Math.floor(rnd() * 200)) : i8(),
  };
}

/** Random ACC tiles and parameter entries, one ALU REQ over them with a two-level loop; the expected ACC. */
async function runRequant(cfg: VtaConfig, seed: number) {
  const rnd = mulberry32(seed);
  const lanes = cfg.batch * cfg.blockOut;
  const req = cfg.requant!;
  const tiles = 8;
  const accVals = Array.from({ length: tiles * lanes }, (_, k) => (k % 9 === 0 ? [INT32_MIN, INT32_MAX, 0, -1, 1 << 30][k % 5] : (rnd() * 2 ** 32) | 0));
  const params = Array.from({ length: req.depth * cfg.blockOut }, (_, k) => randomParam(rnd, k));
  const paramBytes = new Uint8Array(params.length * REQ_LANE_BYTES);
  params.forEach((p, k) => encodeParam(p, paramBytes, k * REQ_LANE_BYTES));
  const dev = device(cfg);
  const accAddr = put(dev, int32Bytes(accVals));
  const reqAddr = put(dev, paramBytes);
  // micro-ops: dst t, src (3t) mod depth; outer loop of 2 steps dst by 4 tiles and src by 1 entry
  const uops = [0, 1, 2, 3].map((t) => ({ dst: t, src: (3 * t) % req.depth, wgt: 0 }));
  const uopAddr = put(dev, uopBytes(cfg, uops));
  await runInsns(dev, [
    build.load({ memType: UOP, dramBase: uopAddr / 4, xSize: uops.length, ySize: 1, xStride: uops.length }),
    build.load({ memType: ACC, dramBase: accAddr / (4 * lanes), xSize: tiles, ySize: 1, xStride: tiles }),
    build.load({ memType: MEM_TYPE_REQ, dramBase: reqAddr / req.elemBytes, xSize: req.depth, ySize: 1, xStride: req.depth }),
    build.alu({ aluOp: ALU_OPCODE_REQ, uopBgn: 0, uopEnd: uops.length, iterOut: 2, dstFactorOut: 4, srcFactorOut: 1 }),
    build.finish(),
  ]);
  const want = [...accVals];
  for (let o = 0; o < 2; o++) {
    for (const u of uops) {
      const d = u.dst + 4 * o;
      const p = (u.src + o) % req.depth;
      for (let l = 0; l < lanes; l++) want[d * lanes + l] = requantStage(accVals[d * lanes + l], params[p * cfg.blockOut + (l % cfg.blockOut)]);
    }
  }
  return { want, acc: Array.from(dev.srams.acc.subarray(0, tiles * lanes)), out: Array.from(dev.srams.out.subarray(0, tiles * lanes)) };
}

test.each([
  ['1x16x16', {}],
  ['2x8x8', { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }],
])('ALU REQ on %s equals the evaluator lane by lane; OUT holds the same int8 values', async (_name, shape) => {
  const cfg = config({ ...shape, REQUANT_BUFF_DEPTH: 8 });
  for (const seed of [1, 2, 3, 4]) {
    const { want, acc, out } = await runRequant(cfg, seed);
    expect(acc).toEqual(want);
    expect(out).toEqual(want);
    expect(want.every((v) => v >= -128 && v <= 127)).toBe(true);
  }
});

test('without the knob LOAD REQ and ALU REQ are illegal; with it the disassembler names them', async () => {
  const off = config();
  expect(off.requant).toBeNull();
  const dev = device(off);
  await expect(runInsns(dev, [build.alu({ aluOp: ALU_OPCODE_REQ, uopBgn: 0, uopEnd: 1 }), build.finish()])).rejects.toThrow(/ALU opcode 5 is not enabled/);
  await expect(runInsns(device(off), [build.load({ memType: MEM_TYPE_REQ, xSize: 1 }), build.finish()])).rejects.toThrow(/memory_type 6 is not loadable/);
  const on = config({ REQUANT_BUFF_DEPTH: 4 });
  expect(formatInsn(on, build.alu({ aluOp: ALU_OPCODE_REQ }))).toMatch(/^ALU\.REQ param/);
  expect(formatInsn(on, build.load({ memType: MEM_TYPE_REQ, xSize: 1 }))).toMatch(/^LOAD {3}REQ/);
});

test('strict mode: a parameter index past the buffer is named', async () => {
  const cfg = config({ REQUANT_BUFF_DEPTH: 4 });
  const dev = device(cfg);
  const uopAddr = put(dev, uopBytes(cfg, [{ dst: 0, src: 4, wgt: 0 }]));
  await expect(
    runInsns(dev, [
      build.load({ memType: UOP, dramBase: uopAddr / 4, xSize: 1, ySize: 1, xStride: 1 }),
      build.alu({ aluOp: ALU_OPCODE_REQ, uopBgn: 0, uopEnd: 1 }),
      build.finish(),
    ]),
  ).rejects.toThrow(/ALU src \(REQ\) index 4 is past the end of the buffer \(depth 4/);
  await expect(runInsns(device(cfg), [build.load({ memType: MEM_TYPE_REQ, xSize: 5 }), build.finish()])).rejects.toThrow(/LOAD REQ SRAM index 4 is past/);
});

test('REQUANT_BUFF_DEPTH is validated', () => {
  expect(() => config({ REQUANT_BUFF_DEPTH: 3 })).toThrow(/REQUANT_BUFF_DEPTH = 3 must be 0 \(no requantization stage\) or a power of two/);
  expect(() => config({ REQUANT_BUFF_DEPTH: 1 << 14 })).toThrow(/exceeds the accumulator buffer's 2048 entries/);
  expect(config({ REQUANT_BUFF_DEPTH: 0 }).hash).toBe(config().hash);
  expect(config({ REQUANT_BUFF_DEPTH: 64 }).requant).toEqual({ depth: 64, logDepth: 6, elemBytes: 128, elemBits: 1024 });
  expect(DEFAULT_CONFIG_JSON).not.toHaveProperty('REQUANT_BUFF_DEPTH');
});

test('the stage vectors (test/sim/fixtures/requant-vectors) replay on fsim', async () => {
  const dir = join(__dirname, 'fixtures', 'requant-vectors');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files.length).toBeGreaterThanOrEqual(8);
  for (const file of files) {
    const r = await replay(loadVector(join(dir, file)), { target: 'fsim', maxMismatches: 4 });
    expect({ file, mismatches: r.mismatchCount }).toEqual({ file, mismatches: 0 });
  }
});
