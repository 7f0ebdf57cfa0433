// Random legal programs: fsim runs them without error, deterministically, and matches the naive
// program-order reference interpreter (test/sim/ref-interp.ts) byte for byte, with the JS and the
// WebAssembly GEMM kernels, on the default, b2x8 and b1x32 configurations.

import { deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, VtaConfig, withOverrides } from '../../hw/vta/config';
import { FunctionalSimulator, GemmKernel } from '../../sim/fsim';
import { createWasmGemmKernel } from '../../sim/fsim/wasm/kernel';
import { parseVector } from '../../sim/vector';
import { programImage, randomProgram, SENTINEL, toVector } from '../../sim/testing/random-program';
import { referenceRun } from './ref-interp';

const CONFIGS: [string, VtaConfig][] = [
  ['default', deriveConfig(DEFAULT_CONFIG_JSON)],
  ['b2x8', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }))],
  ['b1x32', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32')))],
  ['default+MUL', deriveConfig({ ...DEFAULT_CONFIG_JSON, ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'] })],
  ['default+req', deriveConfig({ ...DEFAULT_CONFIG_JSON, REQUANT_BUFF_DEPTH: 8 })],
  ['b2x8+req', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16, REQUANT_BUFF_DEPTH: 64 }))],
  ['default+acc8', deriveConfig({ ...DEFAULT_CONFIG_JSON, ACC_8BIT_LOAD: 1 })],
  [
    'b2x8+acc8+req',
    deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16, ACC_8BIT_LOAD: 1, REQUANT_BUFF_DEPTH: 16 })),
  ],
];
const SEEDS = Array.from({ length: 25 }, (_, k) => 1000 + k);

let wasm: GemmKernel;
beforeAll(async () => {
  wasm = await createWasmGemmKernel();
});

async function runFsim(cfg: VtaConfig, image: Uint8Array, insnAddr: number, insnCount: number, kernel?: GemmKernel): Promise<Uint8Array> {
  const sim = new FunctionalSimulator(cfg, { dramBytes: image.length, gemmKernel: kernel });
  sim.loadImage(image);
  const r = await sim.run(insnAddr, insnCount);
  expect(r.leftoverTokens).toEqual({ l2g: 0, g2l: 0, g2s: 0, s2g: 0 });
  return sim.read(0, image.length);
}

describe.each(CONFIGS)('random programs on %s', (_name, cfg) => {
  test('the generator is reproducible', () => {
    const a = randomProgram(cfg, 7);
    const b = randomProgram(cfg, 7);
    expect(Buffer.compare(Buffer.from(programImage(a)), Buffer.from(programImage(b)))).toBe(0);
  });

  test.each(SEEDS)('seed %i: fsim (JS and wasm) == reference, deterministic', async (seed) => {
    const p = randomProgram(cfg, seed);
    const image = programImage(p);
    const ref = referenceRun(cfg, image, p.insnAddr, p.insnCount);
    const js1 = await runFsim(cfg, image, p.insnAddr, p.insnCount);
    const js2 = await runFsim(cfg, image, p.insnAddr, p.insnCount);
    const w = await runFsim(cfg, image, p.insnAddr, p.insnCount, wasm);
    expect(Buffer.compare(Buffer.from(js1), Buffer.from(js2))).toBe(0);
    expect(Buffer.compare(Buffer.from(js1), Buffer.from(ref))).toBe(0);
    expect(Buffer.compare(Buffer.from(w), Buffer.from(ref))).toBe(0);
    // STOREs wrote something, and only inside the output regions.
    let changed = 0;
    for (const o of p.outputRegions) for (let k = o.addr; k < o.addr + o.bytes; k++) if (ref[k] !== SENTINEL) changed++;
    expect(changed).toBeGreaterThan(0);
  });

  test('toVector gives a replayable conformance vector', async () => {
    const p = randomProgram(cfg, 42);
    const image = programImage(p);
    const ref = referenceRun(cfg, image, p.insnAddr, p.insnCount);
    const json = toVector(p, ref, _name);
    const v = parseVector(JSON.stringify(json), `${_name}__random_s42.json`);
    expect(v.name).toContain('s42');
    const sim = new FunctionalSimulator(v.config, { dramBytes: v.dramBytes });
    const dram = new Uint8Array(v.dramBytes);
    for (const b of v.init) dram.set(b.data, b.addr);
    sim.loadImage(dram);
    await sim.run(v.insnAddr, v.insnCount);
    for (const e of v.expect) expect(Buffer.compare(Buffer.from(sim.read(e.addr, e.data.length)), Buffer.from(e.data))).toBe(0);
  });
});

describe('random programs that stress the buffer edges', () => {
  test.each(CONFIGS.slice(0, 3))('%s: fsim == reference, race-free; tiles end at the last rows, fields at their limits', async (_name, cfg) => {
    const seen = { inpEnd: false, wgtEnd: false, accEnd: false, uopEnd: false, pad15: false, stride: false, iter: false };
    for (let seed = 1; seed <= 12; seed++) {
      const p = randomProgram(cfg, seed, { edges: true });
      const image = programImage(p);
      // The reference interpreter is slow on 16383-iteration loops: it checks a third of them.
      if (seed % 3 === 0) {
        const ref = referenceRun(cfg, image, p.insnAddr, p.insnCount);
        const sim = new FunctionalSimulator(cfg, { dramBytes: image.length, gemmKernel: wasm });
        sim.loadImage(image);
        const r = await sim.run(p.insnAddr, p.insnCount, { checkRaces: true });
        expect(r.races).toEqual([]);
        expect(Buffer.compare(Buffer.from(sim.read(0, image.length)), Buffer.from(ref))).toBe(0);
      }
      const t = cfg.tensor;
      for (const insn of p.insns) {
        if (insn.op === 'LOAD') {
          const span = (insn.xPad0 + insn.xSize + insn.xPad1) * (insn.yPad0 + insn.ySize + insn.yPad1);
          const end = insn.sramBase + (insn.memType === 0 ? insn.xSize : span);
          if (insn.memType === 2 && end === t.inp.depth) seen.inpEnd = true;
          if (insn.memType === 1 && end === t.wgt.depth) seen.wgtEnd = true;
          if (insn.memType === 3 && end === t.acc.depth) seen.accEnd = true;
          if (insn.memType === 0 && end === t.uop.depth) seen.uopEnd = true;
          if ([insn.xPad0, insn.xPad1, insn.yPad0, insn.yPad1].includes(15)) seen.pad15 = true;
          if (insn.xStride === 0xffff) seen.stride = true;
        }
        if ((insn.op === 'GEMM' || insn.op === 'ALU') && Math.max(insn.iterOut, insn.iterIn) === 16383) seen.iter = true;
      }
    }
    expect(seen).toEqual({ inpEnd: true, wgtEnd: true, accEnd: true, uopEnd: true, pad15: true, stride: true, iter: true });
  });

  test('without edges the programs are those of before (the edge choices use their own stream)', () => {
    const cfg = CONFIGS[0][1];
    const plain = randomProgram(cfg, 4, { edges: false });
    // Seed 4 draws no edges by default, so both are the same program.
    const byDefault = randomProgram(cfg, 4);
    expect(Buffer.compare(Buffer.from(programImage(plain)), Buffer.from(programImage(byDefault)))).toBe(0);
  });
});

describe('random programs with the requantization stage', () => {
  test('they load parameter entries and run ALU REQ; without the stage no program does', () => {
    const count = (cfg: VtaConfig, op: (i: ReturnType<typeof randomProgram>['insns'][number]) => boolean) =>
      SEEDS.reduce((n, s) => n + randomProgram(cfg, s).insns.filter(op).length, 0);
    const isReq = (i: { op: string; aluOp?: number }) => i.op === 'ALU' && i.aluOp === 5;
    const isLoadReq = (i: { op: string; memType?: number }) => i.op === 'LOAD' && i.memType === 6;
    const withStage = CONFIGS.find(([n]) => n === 'default+req')![1];
    expect(count(withStage, isReq)).toBeGreaterThan(SEEDS.length);
    expect(count(withStage, isLoadReq)).toBeGreaterThan(SEEDS.length / 2);
    for (const [, cfg] of CONFIGS.slice(0, 4)) expect(count(cfg, (i) => isReq(i) || isLoadReq(i))).toBe(0);
  });
});

describe('random programs with LOAD ACC_8BIT (hw/vta/ACC_8BIT.md)', () => {
  const isAcc8 = (i: { op: string; memType?: number }) => i.op === 'LOAD' && i.memType === 5;
  test('they load int8 tiles and operands into ACC, with pads; without the knob no program does', () => {
    const withKnob = CONFIGS.find(([n]) => n === 'default+acc8')![1];
    const loads = SEEDS.flatMap((s) => randomProgram(withKnob, s).insns.filter(isAcc8)) as { yPad0: number; xPad0: number; xStride: number; xSize: number }[];
    expect(loads.length).toBeGreaterThan(SEEDS.length);
    expect(loads.some((l) => l.yPad0 > 0 || l.xPad0 > 0)).toBe(true);
    expect(loads.some((l) => l.xStride > l.xSize)).toBe(true);
    for (const [name, cfg] of CONFIGS) if (!name.includes('acc8')) expect(SEEDS.filter((s) => randomProgram(cfg, s).insns.some(isAcc8))).toEqual([]);
  });

  test('edge programs (tile at the end of ACC, 15-row pads): fsim == reference', async () => {
    const cfg = CONFIGS.find(([n]) => n === 'default+acc8')![1];
    for (let seed = 1; seed <= 8; seed++) {
      const p = randomProgram(cfg, seed, { edges: true, tiles: 2 });
      const image = programImage(p);
      const ref = referenceRun(cfg, image, p.insnAddr, p.insnCount);
      const got = await runFsim(cfg, image, p.insnAddr, p.insnCount);
      expect({ seed, same: Buffer.compare(Buffer.from(got), Buffer.from(ref)) }).toEqual({ seed, same: 0 });
    }
  });
});
