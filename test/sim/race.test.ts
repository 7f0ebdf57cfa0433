// The race detector (sim/fsim/race.ts): SRAM accesses of different stages that no dependency token
// orders are reported with both instructions, the memory and the row; well-synchronized programs (every
// conformance vector, random programs) report none; a token removed makes a race, a token added fixes it.

import { readdirSync } from 'fs';
import { join } from 'path';
import { MEM_TYPE } from '../../hw/vta/config';
import { namedConfig } from '../../hw/vta/configs';
import { ALU_OPCODE, build, encodeProgram, Insn } from '../../hw/vta/isa';
import { FunctionalSimulator } from '../../sim/fsim';
import { formatRace } from '../../sim/fsim/race';
import { programImage, randomProgram } from '../../sim/testing/random-program';
import { loadVector } from '../../sim/vector';
import { DEFAULT_CFG, device, put, runInsns, uopBytes, vtaInProcess as vta } from './helpers';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { DEFAULT_CONFIG_JSON } from '../../hw/vta/config';

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const { INP, WGT, UOP } = MEM_TYPE;

/**
 * LOAD UOP, LOAD INP rows 0..3, LOAD WGT row 0, GEMM over INP rows 0..3, ALU over ACC/OUT 0..3, STORE of
 * OUT 0..3, FINISH; then a second LOAD INP over the same rows (write after the GEMM's read). `tokens` says
 * which handshakes exist.
 */
function program(dev: FunctionalSimulator, tokens: { l2g: boolean; g2s: boolean; g2l: boolean }): Insn[] {
  const uops = put(dev, uopBytes(DEFAULT_CFG, [{ dst: 0, src: 0, wgt: 0 }]));
  const data = put(dev, new Uint8Array(4096).fill(1));
  const out = put(dev, new Uint8Array(4096));
  return [
    build.load({ memType: UOP, dramBase: uops / 4, xSize: 1, xStride: 1 }),
    build.load({ memType: WGT, dramBase: data / DEFAULT_CFG.tensor.wgt.elemBytes, xSize: 1, xStride: 1 }),
    build.load({ memType: INP, dramBase: data / 16, xSize: 4, xStride: 4, pushNext: tokens.l2g }),
    build.gemm({ uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 4, dstFactorIn: 1, srcFactorIn: 1, popPrev: tokens.l2g, pushPrev: tokens.g2l }),
    build.alu({
      uopBgn: 0,
      uopEnd: 1,
      iterOut: 1,
      iterIn: 4,
      dstFactorIn: 1,
      srcFactorIn: 1,
      aluOp: ALU_OPCODE.ADD,
      useImm: true,
      imm: 1,
      pushNext: tokens.g2s,
    }),
    build.store({ dramBase: out / 16, xSize: 4, xStride: 4, popPrev: tokens.g2s }),
    build.load({ memType: INP, dramBase: data / 16, xSize: 4, xStride: 4, popNext: tokens.g2l }),
    build.finish(),
  ];
}

describe('race detector', () => {
  test('a fully synchronized program reports none', async () => {
    const dev = device();
    const r = await runInsns(dev, program(dev, { l2g: true, g2s: true, g2l: true }), { checkRaces: true });
    expect(r.races).toEqual([]);
  });

  test('removing the load->compute token: the GEMM reads INP rows the LOAD writes', async () => {
    const dev = device();
    const r = await runInsns(dev, program(dev, { l2g: false, g2s: true, g2l: true }), { checkRaces: true });
    const inp = r.races!.find((x) => x.memory === 'INP')!;
    expect(formatRace(inp)).toMatch(
      /^race on INP row 0 \(and 3 more rows\): load instruction 2 writes it \(LOAD +INP .*\) and compute instruction 3 reads it \(GEMM .*\); no dependency token orders them$/,
    );
    expect(inp).toMatchObject({
      memory: 'INP',
      row: 0,
      rows: 4,
      first: { index: 2, stage: 'load', access: 'write' },
      second: { index: 3, stage: 'compute', access: 'read' },
    });
    // The WGT row is unordered too (its LOAD never pushed).
    expect(r.races!.some((x) => x.memory === 'WGT' && x.first.index === 1 && x.second.index === 3)).toBe(true);
  });

  test('removing the compute->store token: the STORE reads OUT rows the ALU writes', async () => {
    const dev = device();
    const r = await runInsns(dev, program(dev, { l2g: true, g2s: false, g2l: true }), { checkRaces: true });
    expect(r.races).toEqual([
      expect.objectContaining({
        memory: 'OUT',
        row: 0,
        rows: 4,
        first: expect.objectContaining({ index: 4, stage: 'compute', access: 'write' }),
        second: expect.objectContaining({ index: 5, stage: 'store', access: 'read' }),
      }),
    ]);
    expect(formatRace(r.races![0])).toMatch(
      /^race on OUT row 0 \(and 3 more rows\): compute instruction 4 writes it \(ALU.*\) and store instruction 5 reads it \(STORE.*\); no dependency token orders them$/,
    );
  });

  test('removing the compute->load token: the second LOAD overwrites INP rows the GEMM reads (write after read)', async () => {
    const dev = device();
    const r = await runInsns(dev, program(dev, { l2g: true, g2s: true, g2l: false }), { checkRaces: true });
    expect(r.races).toEqual([
      expect.objectContaining({
        memory: 'INP',
        row: 0,
        rows: 4,
        first: expect.objectContaining({ index: 3, access: 'read' }),
        second: expect.objectContaining({ index: 6, stage: 'load', access: 'write' }),
      }),
    ]);
  });

  test('a token chain through a third stage orders two stages (transitivity)', async () => {
    // The ALU writes OUT and tells the store stage; the store stage tells compute... and the STORE reads OUT
    // only after a token that reached it through load: compute -g2l-> load -l2g-> compute -g2s-> store.
    const dev = device();
    const uops = put(dev, uopBytes(DEFAULT_CFG, [{ dst: 0, src: 0, wgt: 0 }]));
    const out = put(dev, new Uint8Array(4096));
    const insns = [
      build.load({ memType: UOP, dramBase: uops / 4, xSize: 1, xStride: 1 }),
      build.alu({ uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 1, aluOp: ALU_OPCODE.ADD, useImm: true, imm: 1, pushPrev: true }),
      build.load({ memType: INP, xSize: 0, popNext: true, pushNext: true }),
      build.gemm({ uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 0, popPrev: true, pushNext: true }),
      build.store({ dramBase: out / 16, xSize: 1, xStride: 1, popPrev: true }),
      build.finish(),
    ];
    expect((await runInsns(dev, insns, { checkRaces: true })).races).toEqual([]);
  });

  test('a device keeps one detector: a racy run leaves nothing behind for the next', async () => {
    const dev = device();
    const racy = await runInsns(dev, program(dev, { l2g: true, g2s: false, g2l: true }), { checkRaces: true });
    expect(racy.races).toHaveLength(1);
    const clean = await runInsns(dev, program(dev, { l2g: true, g2s: true, g2l: true }), { checkRaces: true });
    expect(clean.races).toEqual([]);
  });

  test('off by default, and not reported by a device that was not asked', async () => {
    const dev = device();
    const r = await runInsns(dev, program(dev, { l2g: false, g2s: false, g2l: false }));
    expect(r.races).toBeUndefined();
  });

  test('every conformance vector reports none', async () => {
    const files = readdirSync(VECTORS).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      const v = loadVector(join(VECTORS, f));
      const dev = new FunctionalSimulator(v.config, { dramBytes: v.dramBytes });
      for (const b of v.init) dev.write(b.addr, b.data);
      const r = await dev.run(v.insnAddr, v.insnCount, { checkRaces: true }).catch(() => null);
      expect([f, (r?.races ?? []).map(formatRace)]).toEqual([f, []]);
    }
  });

  test('random programs report none; dropping one of their tokens pairs makes a race', async () => {
    let dropped = 0;
    for (const name of ['default', 'b2x8', 'b1x32']) {
      for (let seed = 1; seed <= 40; seed++) {
        const p = randomProgram(namedConfig(name), seed);
        const dev = new FunctionalSimulator(p.cfg, { dramBytes: p.dramBytes });
        dev.loadImage(programImage(p));
        const r = await dev.run(p.insnAddr, p.insnCount, { checkRaces: true });
        expect([p.name, (r.races ?? []).map(formatRace)]).toEqual([p.name, []]);
        // Drop the push of the first LOAD INP and the pop of the GEMM after it: still balanced, now racy.
        const li = p.insns.findIndex((x) => x.op === 'LOAD' && x.memType === INP);
        const gi = p.insns.findIndex((x, k) => k > li && x.op === 'GEMM' && x.popPrev);
        const mutated = p.insns.map((x, k) => (k === li ? { ...x, pushNext: false } : k === gi ? { ...x, popPrev: false } : x));
        const image = programImage(p);
        image.set(encodeProgram(p.cfg, mutated), p.insnAddr);
        dev.loadImage(image);
        const m = await dev.run(p.insnAddr, p.insnCount, { checkRaces: true });
        expect(m.races!.some((x) => x.memory === 'INP' && x.first.index === li && x.second.index === gi)).toBe(true);
        dropped++;
      }
    }
    expect(dropped).toBe(120);
  });
});

describe('vta run reports races', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vta-race-'));
  test('a vector whose bytes match but whose tokens do not order a STORE fails, naming both instructions', async () => {
    const dev = device();
    const insns = program(dev, { l2g: true, g2s: false, g2l: true });
    const image = dev.read(0, 1 << 16);
    image.set(encodeProgram(DEFAULT_CFG, insns), 0x8000);
    const file = join(tmp, 'racy.json');
    const vector = {
      name: 'default__racy_s1',
      config: DEFAULT_CONFIG_JSON,
      dram_bytes: 1 << 16,
      init: [{ addr: 0, data: Buffer.from(image).toString('base64') }],
      insn_addr: 0x8000,
      insn_count: insns.length,
      expect: [],
    };
    writeFileSync(file, JSON.stringify(vector));
    const r = await vta('run', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL default__racy_s1: 1 pair\(s\) of instructions race/);
    expect(r.stdout).toMatch(/race on OUT row 0 \(and 3 more rows\): compute instruction 4 writes it .* store instruction 5 reads it/);
    const off = await vta('run', file, '--no-race-check');
    expect(off.code).toBe(0);
    const json = JSON.parse((await vta('run', file, '--json')).stdout);
    expect(json.ok).toBe(false);
    expect(json.races).toHaveLength(1);
  });
});
