// Writes LOAD ACC_8BIT's conformance-style vectors (hw/vta/ACC_8BIT.md) into test/sim/fixtures/acc8-vectors/:
// one directed program (every int8 value incl. -128 and 127, pads on all four sides, a row stride, nonzero
// dram_base and sram_base, an int8 operand added to int32 accumulators, the upper bits made visible by
// shifts) and random programs with two or more LOAD ACC_8BIT on three configurations; expected DRAM from fsim.
// `npx tsx scripts/acc8-vectors.ts`; test/sim/acc8-vectors.test.ts replays them on fsim, test/tsim/acc8.test.ts on TSIM.

import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { boardPreset } from '../hw/boards/presets';
import { MEM_TYPE_ACC_8BIT } from '../hw/vta/acc8';
import { DEFAULT_CONFIG_JSON, deriveConfig, MEM_TYPE, parseGemmShape, VtaConfig, VtaConfigJson, withOverrides } from '../hw/vta/config';
import { ALU_OPCODE, build, encodeProgram, encodeUop, Insn, Uop } from '../hw/vta/isa';
import { FunctionalSimulator } from '../sim/fsim';
import { mulberry32 } from '../sim/testing/prng';
import { programImage, RandomProgram, randomProgram, SENTINEL, toVector } from '../sim/testing/random-program';

const OUT_DIR = join(__dirname, '..', 'test', 'sim', 'fixtures', 'acc8-vectors');
const PAGE = 4096;

/**
 * ACC rows 0..: LOAD ACC_8BIT A (3 rows of 5 elements, stride 7, pads y 1,2 x 2,1) at sram 4, from dram_base
 * 3 elements into its data; LOAD ACC (int32) B at 64 and LOAD ACC_8BIT C (2 elements, pads x 0,1) at 80,
 * then B += C. Stored: A's low bytes (ADD 0), A >> 4 and A >> 31 (sign), and (B + C) >> 8.
 */
function directed(cfg: VtaConfig): RandomProgram {
  const lanes = cfg.batch * cfg.blockOut;
  const acc8 = cfg.acc8!;
  const rnd = mulberry32(2024);
  let next = PAGE;
  const init: { addr: number; bytes: Uint8Array }[] = [];
  const put = (bytes: Uint8Array) => {
    const addr = next;
    next = Math.ceil((next + bytes.length) / PAGE) * PAGE;
    init.push({ addr, bytes });
    return addr;
  };
  // A: 3 + 2·7 + 5 = 22 elements from element 3; every int8 value first, -128 and 127 among them
  const aElems = 3 + 2 * 7 + 5;
  const aBytes = Uint8Array.from({ length: aElems * acc8.elemBytes }, (_, k) => (k < 256 ? (k + 128) & 0xff : Math.floor(rnd() * 256)));
  // place -128 and 127 where the load reads them for sure (row 0, element 0)
  aBytes.set([0x80, 0x7f, 0xff, 0x00, 0x01], 3 * acc8.elemBytes);
  const aAddr = put(aBytes);
  const bVals = Array.from(
    { length: 3 * lanes },
    (_, k) => [-(2 ** 31), 2 ** 31 - 1, -1, 0, 127, -128][k % 6] + (k % 6 < 2 ? 0 : Math.floor(rnd() * 1000) - 500),
  );
  const bAddr = put(new Uint8Array(Int32Array.from(bVals).buffer));
  const cBytes = Uint8Array.from({ length: 2 * acc8.elemBytes }, (_, k) => [0x80, 0x7f, 0xff, 0x01][k % 4] ^ (k & 0x10));
  const cAddr = put(cBytes);

  const aShape = { sramBase: 4, xSize: 5, ySize: 3, xStride: 7, yPad0: 1, yPad1: 2, xPad0: 2, xPad1: 1 };
  const aRows = (aShape.xPad0 + aShape.xSize + aShape.xPad1) * (aShape.yPad0 + aShape.ySize + aShape.yPad1); // 48
  const uops: Uop[] = [
    { dst: aShape.sramBase, src: aShape.sramBase, wgt: 0 }, // 0: over A, one row per iteration
    { dst: 64, src: 80, wgt: 0 }, // 1: B += C
    { dst: 64, src: 64, wgt: 0 }, // 2: over B
  ];
  const uopAddr = put(new Uint8Array(Uint32Array.from(uops.map((u) => encodeUop(cfg, u))).buffer));
  const outElem = cfg.tensor.out.elemBytes;
  const regions = [aRows, aRows, aRows, 3].map((n) => ({ addr: 0, bytes: n * outElem }));
  for (const r of regions) r.addr = put(new Uint8Array(r.bytes).fill(SENTINEL));
  const overA = { uopBgn: 0, uopEnd: 1, iterOut: aRows, dstFactorOut: 1, srcFactorOut: 1 };
  const overB = { uopBgn: 2, uopEnd: 3, iterOut: 3, dstFactorOut: 1, srcFactorOut: 1 };
  const store = (k: number, sramBase: number, n: number, pushPrev: boolean): Insn =>
    build.store({ sramBase, dramBase: regions[k].addr / outElem, xSize: n, xStride: n, popPrev: true, pushPrev });
  const alu = (range: object, aluOp: number, imm: number, last: boolean) => build.alu({ ...range, aluOp, useImm: true, imm, pushNext: last });
  const insns: Insn[] = [
    build.load({ memType: MEM_TYPE.UOP, dramBase: uopAddr / 4, xSize: uops.length, xStride: uops.length }),
    build.load({ memType: MEM_TYPE_ACC_8BIT, dramBase: aAddr / acc8.elemBytes + 3, ...aShape }),
    build.load({ memType: MEM_TYPE.ACC, sramBase: 64, dramBase: bAddr / cfg.tensor.acc.elemBytes, xSize: 3, xStride: 3 }),
    build.load({ memType: MEM_TYPE_ACC_8BIT, sramBase: 80, dramBase: cAddr / acc8.elemBytes, xSize: 2, xStride: 2, xPad1: 1 }),
    build.alu({ uopBgn: 1, uopEnd: 2, iterOut: 3, dstFactorOut: 1, srcFactorOut: 1, aluOp: ALU_OPCODE.ADD }),
    alu(overA, ALU_OPCODE.ADD, 0, true),
    store(0, aShape.sramBase, aRows, true),
    { ...alu(overA, ALU_OPCODE.SHR, 4, true), popNext: true },
    store(1, aShape.sramBase, aRows, true),
    // A >> 4 >> 27 = A >> 31: the sign of every lane
    { ...alu(overA, ALU_OPCODE.SHR, 27, true), popNext: true },
    store(2, aShape.sramBase, aRows, true),
    { ...alu(overB, ALU_OPCODE.SHR, 8, true), popNext: true },
    store(3, 64, 3, true),
    build.finish({ popNext: true }),
  ];
  const code = encodeProgram(cfg, insns);
  const insnAddr = put(code);
  return { cfg, seed: 0, name: 'acc8_sign_pads_strides', insns, uops, init, insnAddr, insnCount: insns.length, dramBytes: next, outputRegions: regions };
}

async function withFsimResult(p: RandomProgram, label: string): Promise<Record<string, unknown>> {
  const image = programImage(p);
  const sim = new FunctionalSimulator(p.cfg, { dramBytes: image.length });
  sim.loadImage(image);
  const r = await sim.run(p.insnAddr, p.insnCount);
  if (Object.values(r.leftoverTokens).some((n) => n !== 0)) throw new Error(`${p.name}: tokens left over ${JSON.stringify(r.leftoverTokens)}`);
  const v = toVector(p, sim.read(0, image.length), label);
  if (!p.name.includes('__random_')) {
    v.name = `${label}__${p.name}`;
    v.source = `scripts/acc8-vectors.ts (${p.name}); expected DRAM from fsim`;
  }
  return v;
}

/** The configuration keys that differ from VTA's default (toVector writes the LOG_* keys and ACC_8BIT_LOAD). */
function extensionKeys(cfg: VtaConfig): Record<string, unknown> {
  const d = deriveConfig(DEFAULT_CONFIG_JSON).json as unknown as Record<string, unknown>;
  const j = cfg.json as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['ALU_INITIATION_INTERVAL', 'GEMM_DSP_PACKING', 'REQUANT_BUFF_DEPTH', 'ALU_OPS', 'LOG_BUS_WIDTH', 'GEMM_PIPELINE_DEPTH']) {
    if (JSON.stringify(j[k]) !== JSON.stringify(d[k])) out[k] = j[k];
  }
  return out;
}

/** The first `n` random programs from `seed` on that load int8 tiles or operands at least twice. */
function usingAcc8(cfg: VtaConfig, seed: number, n: number): RandomProgram[] {
  const out: RandomProgram[] = [];
  for (let s = seed; out.length < n; s++) {
    const p = randomProgram(cfg, s);
    if (p.insns.filter((i) => i.op === 'LOAD' && i.memType === MEM_TYPE_ACC_8BIT && i.xSize > 0).length >= 2) out.push(p);
  }
  return out;
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const configs: [string, VtaConfigJson][] = [
    ['default_acc8', { ...DEFAULT_CONFIG_JSON, ACC_8BIT_LOAD: 1 }],
    ['b2x8_acc8', withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16, ACC_8BIT_LOAD: 1 })],
    ['pynq-z1_acc8', withOverrides(DEFAULT_CONFIG_JSON, { ...boardPreset('pynq-z1'), ACC_8BIT_LOAD: 1 })],
  ];
  for (const [label, json] of configs) {
    const cfg = deriveConfig(json, label);
    const programs = [...(label === 'b2x8_acc8' ? [] : [directed(cfg)]), ...usingAcc8(cfg, 2801, 2)];
    for (const p of programs) {
      const v = await withFsimResult(p, label);
      v.config = { ...(v.config as object), ...extensionKeys(cfg) };
      writeFileSync(join(OUT_DIR, `${v.name}.json`), JSON.stringify(v, null, 1) + '\n');
      console.log(`wrote ${v.name}.json`);
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
