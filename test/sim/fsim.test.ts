// Unit tests of each semantic rule of SEMANTICS.md on the functional simulator.

import { ALU_OPCODE, build, MEM_TYPE_NAMES } from '../../hw/vta/isa';
import { MEM_TYPE, TensorKind } from '../../hw/vta/config';
import { aluOp } from '../../sim/fsim/alu';
import { config, DEFAULT_CFG, device, int32Bytes, put, runInsns, uopBytes } from './helpers';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const { UOP, INP, WGT, ACC } = MEM_TYPE;
const lanes = DEFAULT_CFG.batch * DEFAULT_CFG.blockOut; // 16

describe('ALU lane operations', () => {
  test('SHR: amounts are the whole signed 32-bit value', () => {
    const a = -1000;
    expect(aluOp(ALU_OPCODE.SHR, a, 0)).toBe(a);
    expect(aluOp(ALU_OPCODE.SHR, a, 3)).toBe(a >> 3);
    expect(aluOp(ALU_OPCODE.SHR, INT32_MIN, 31)).toBe(-1);
    expect(aluOp(ALU_OPCODE.SHR, INT32_MAX, 31)).toBe(0);
    expect(aluOp(ALU_OPCODE.SHR, INT32_MIN, 32)).toBe(-1); // min(s, 31)
    expect(aluOp(ALU_OPCODE.SHR, 12345, 32)).toBe(0);
    expect(aluOp(ALU_OPCODE.SHR, -5, 40)).toBe(-1); // not 40 & 31 = 8
    expect(aluOp(ALU_OPCODE.SHR, 1, INT32_MAX)).toBe(0);
    expect(aluOp(ALU_OPCODE.SHR, 3, -4)).toBe(48);
    expect(aluOp(ALU_OPCODE.SHR, 1, -31)).toBe(INT32_MIN);
    expect(aluOp(ALU_OPCODE.SHR, 3, -31)).toBe(INT32_MIN);
    expect(aluOp(ALU_OPCODE.SHR, 1, -32)).toBe(0);
    expect(aluOp(ALU_OPCODE.SHR, -1, -33)).toBe(0);
    expect(aluOp(ALU_OPCODE.SHR, 7, INT32_MIN)).toBe(0); // -INT32_MIN >= 32
    expect(aluOp(ALU_OPCODE.SHR, 7, 16)).toBe(0); // HLS would shift left here
    expect(aluOp(ALU_OPCODE.SHR, 7, -17)).toBe(7 * 2 ** 17);
  });

  test('MIN/MAX signed, ADD wraps, MUL low 32 bits', () => {
    expect(aluOp(ALU_OPCODE.MIN, -1, 1)).toBe(-1);
    expect(aluOp(ALU_OPCODE.MAX, INT32_MIN, -1)).toBe(-1);
    expect(aluOp(ALU_OPCODE.ADD, INT32_MAX, 1)).toBe(INT32_MIN);
    expect(aluOp(ALU_OPCODE.MUL, 0x10000, 0x10000)).toBe(0);
    expect(aluOp(ALU_OPCODE.MUL, 65537, 65537)).toBe(131073);
    expect(aluOp(ALU_OPCODE.MUL, INT32_MIN, -1)).toBe(INT32_MIN);
    expect(aluOp(ALU_OPCODE.MUL, -3, 7)).toBe(-21);
  });
});

/** ACC tile 0 = a, tile 1 = b; runs one ALU (dst 0, src 1); returns ACC and OUT of tile 0. */
async function alu(op: number, a: number[], b: number[] | { imm: number }, cfg = DEFAULT_CFG) {
  const dev = device(cfg);
  const accAddr = put(dev, int32Bytes([...a, ...(Array.isArray(b) ? b : a)]));
  const uopAddr = put(dev, uopBytes(cfg, [{ dst: 0, src: 1, wgt: 0 }]));
  const useImm = !Array.isArray(b);
  const r = await runInsns(dev, [
    build.load({ memType: UOP, dramBase: uopAddr / 4, xSize: 1, ySize: 1, xStride: 1 }),
    build.load({ memType: ACC, dramBase: accAddr / (4 * lanes), xSize: 2, ySize: 1, xStride: 2 }),
    build.alu({ aluOp: op, uopBgn: 0, uopEnd: 1, useImm, imm: useImm ? b.imm : 0 }),
    build.finish(),
  ]);
  return { acc: Array.from(dev.srams.acc.subarray(0, lanes)), out: Array.from(dev.srams.out.subarray(0, lanes)), r };
}

describe('ALU instructions', () => {
  test('SHR by vector: ±31, ±32, INT32_MIN, INT32_MAX and more', async () => {
    const amounts = [31, 32, -31, -32, INT32_MIN, INT32_MAX, 0, 5, -5, 16, -16, 33, -33, 100, -100, 1];
    const a = [INT32_MIN, 99, 1, 1, 7, -7, -9, -64, 3, -1, 1, -1, 1, -1, 1, -2];
    const { acc, out } = await alu(ALU_OPCODE.SHR, a, amounts);
    const want = a.map((x, i) => aluOp(ALU_OPCODE.SHR, x, amounts[i]));
    expect(acc).toEqual(want);
    expect(want.slice(0, 6)).toEqual([-1, 0, INT32_MIN, 0, 0, -1]);
    expect(out).toEqual(want.map((v) => (v << 24) >> 24));
  });

  test('SHR by immediate: the 16-bit immediate is sign-extended', async () => {
    const a = Array.from({ length: lanes }, (_, i) => (i - 8) * 1000);
    expect((await alu(ALU_OPCODE.SHR, a, { imm: -32768 })).acc).toEqual(a.map(() => 0));
    expect((await alu(ALU_OPCODE.SHR, a, { imm: 32767 })).acc).toEqual(a.map((x) => (x < 0 ? -1 : 0)));
    expect((await alu(ALU_OPCODE.SHR, a, { imm: -3 })).acc).toEqual(a.map((x) => x << 3));
  });

  test('MUL (enabled by ALU_OPS) keeps the low 32 bits; without MUL it is illegal', async () => {
    const cfg = config({ ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'] });
    const a = [0x10000, 65537, INT32_MIN, -3, 5, 0, 1, -1, 46341, 2, 3, 4, 5, 6, 7, 8];
    const b = [0x10000, 65537, -1, 7, -5, 9, INT32_MAX, INT32_MAX, 46341, 1, 1, 1, 1, 1, 1, 1];
    const { acc } = await alu(ALU_OPCODE.MUL, a, b, cfg);
    expect(acc).toEqual(a.map((x, i) => Math.imul(x, b[i])));
    expect((await alu(ALU_OPCODE.MUL, a, { imm: -2 }, cfg)).acc).toEqual(a.map((x) => Math.imul(x, -2)));
    await expect(alu(ALU_OPCODE.MUL, a, b)).rejects.toThrow(/illegal instruction 2: ALU opcode 4 \(MUL\) is not enabled/);
  });

  test('ADD wraps and writes OUT = low 8 bits', async () => {
    const a = Array.from({ length: lanes }, (_, i) => INT32_MAX - i);
    const { acc, out } = await alu(ALU_OPCODE.ADD, a, { imm: 300 });
    expect(acc).toEqual(a.map((x) => (x + 300) | 0));
    expect(out).toEqual(acc.map((v) => (v << 24) >> 24));
  });

  test('micro-ops are strictly sequential: a prefix sum in one instruction', async () => {
    const dev = device();
    const n = 6;
    const tiles = Array.from({ length: n }, (_, t) => Array.from({ length: lanes }, (_, l) => t + l * 100 + 1));
    const accAddr = put(dev, int32Bytes(tiles.flat()));
    const uopAddr = put(dev, uopBytes(DEFAULT_CFG, [{ dst: 1, src: 0, wgt: 0 }]));
    await runInsns(dev, [
      build.load({ memType: UOP, dramBase: uopAddr / 4, xSize: 1, xStride: 1 }),
      build.load({ memType: ACC, dramBase: accAddr / 64, xSize: n, xStride: n }),
      build.alu({ aluOp: ALU_OPCODE.ADD, uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: n - 1, dstFactorIn: 1, srcFactorIn: 1 }),
      build.finish(),
    ]);
    const got = Array.from(dev.srams.acc.subarray(0, n * lanes));
    const want: number[] = [];
    for (let l = 0; l < lanes; l++) {
      let s = 0;
      for (let t = 0; t < n; t++) {
        s += tiles[t][l];
        want[t * lanes + l] = s;
      }
    }
    expect(got).toEqual(want);
  });

  test('src == dst (x + x) reads before it writes, lane by lane', async () => {
    const dev = device();
    const a = Array.from({ length: lanes }, (_, i) => i - 3);
    const accAddr = put(dev, int32Bytes(a));
    const uopAddr = put(
      dev,
      uopBytes(DEFAULT_CFG, [
        { dst: 0, src: 0, wgt: 0 },
        { dst: 0, src: 0, wgt: 0 },
      ]),
    );
    await runInsns(dev, [
      build.load({ memType: UOP, dramBase: uopAddr / 4, xSize: 2, xStride: 2 }),
      build.load({ memType: ACC, dramBase: accAddr / 64, xSize: 1, xStride: 1 }),
      build.alu({ aluOp: ALU_OPCODE.ADD, uopBgn: 0, uopEnd: 2 }),
      build.finish(),
    ]);
    expect(Array.from(dev.srams.acc.subarray(0, lanes))).toEqual(a.map((x) => 4 * x));
  });
});

describe('LOAD', () => {
  const kinds: [number, TensorKind][] = [
    [UOP, 'uop'],
    [INP, 'inp'],
    [WGT, 'wgt'],
    [ACC, 'acc'],
  ];
  for (const cfg of [DEFAULT_CFG, config({ LOG_BATCH: 1, LOG_BLOCK: 3, LOG_WGT_BUFF_SIZE: 16 })]) {
    for (const [memType, kind] of kinds) {
      test(`${MEM_TYPE_NAMES[memType]} (${cfg.name}): 2-D, strided, zero padding on all four sides`, async () => {
        const dev = device(cfg);
        const eb = cfg.tensor[kind].elemBytes;
        const xSize = 2,
          ySize = 3,
          xStride = 5,
          yPad0 = 1,
          yPad1 = 2,
          xPad0 = 3,
          xPad1 = 1,
          sramBase = 7;
        const src = new Uint8Array(xStride * ySize * eb).map((_, k) => (k * 7 + 1) & 255 || 1);
        const addr = put(dev, src);
        const junk = 0x55;
        const off = dev.srams.offsets[kind];
        dev.srams.bytes.fill(junk, off, off + 64 * eb);
        await runInsns(dev, [build.load({ memType, sramBase, dramBase: addr / eb + 1, xSize, ySize, xStride, yPad0, yPad1, xPad0, xPad1 }), build.finish()]);
        const w = xPad0 + xSize + xPad1;
        const h = yPad0 + ySize + yPad1;
        const want: number[] = [];
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const r = y - yPad0;
            const c = x - xPad0;
            const inside = r >= 0 && r < ySize && c >= 0 && c < xSize;
            const from = (1 + r * xStride + c) * eb;
            for (let k = 0; k < eb; k++) want.push(inside ? src[from + k] : 0);
          }
        }
        const got = dev.srams.bytes.subarray(off + sramBase * eb, off + (sramBase + w * h) * eb);
        expect(Array.from(got)).toEqual(want);
        expect(dev.srams.bytes[off + sramBase * eb - 1]).toBe(junk);
        expect(dev.srams.bytes[off + (sramBase + w * h) * eb]).toBe(junk);
      });
    }
  }

  test('LOAD ACC writes ACC only; OUT keeps its value', async () => {
    const dev = device();
    dev.srams.out.fill(0x55);
    const addr = put(dev, int32Bytes(Array.from({ length: lanes }, (_, i) => i * 1000 + 7)));
    await runInsns(dev, [build.load({ memType: ACC, dramBase: addr / 64, xSize: 1, xStride: 1 }), build.finish()]);
    expect(dev.srams.acc[1]).toBe(1007);
    expect(Array.from(dev.srams.out.subarray(0, lanes))).toEqual(new Array(lanes).fill(0x55));
  });

  test('x_size 0 is token-only: no memory touched, even with out-of-range fields', async () => {
    const dev = device();
    dev.srams.inp.fill(9);
    const r = await runInsns(dev, [
      build.load({ memType: INP, sramBase: 65535, dramBase: 2 ** 32 - 1, xSize: 0, ySize: 9, yPad0: 15, pushNext: true }),
      build.store({ sramBase: 65535, dramBase: 2 ** 32 - 1, xSize: 0, ySize: 9, pushPrev: true }),
      build.finish({ popPrev: true, popNext: true }),
    ]);
    expect(dev.srams.inp.every((v) => v === 9)).toBe(true);
    expect(r.leftoverTokens).toEqual({ l2g: 0, g2l: 0, g2s: 0, s2g: 0 });
    expect(r.warnings).toEqual([]);
    expect(r.counters.byKind).toEqual({ NOP_LOAD_INP: 1, NOP_STORE_OUT: 1, FINISH: 1 });
  });
});

describe('GEMM', () => {
  test('matches a plain reference on an asymmetric 2x32x16 configuration, with loop factors', async () => {
    const cfg = config({ LOG_BATCH: 1, LOG_BLOCK_IN: 5, LOG_BLOCK_OUT: 4, LOG_WGT_BUFF_SIZE: 17 });
    const dev = device(cfg);
    const { batch: B, blockIn: I, blockOut: O } = cfg;
    let seed = 1;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
    const inp = new Int8Array(5 * B * I).map(() => rnd() - 128);
    const wgt = new Int8Array(4 * O * I).map(() => rnd() - 128);
    const bias = Array.from({ length: 8 * B * O }, () => (rnd() << 24) | rnd());
    const ia = put(dev, new Uint8Array(inp.buffer));
    const wa = put(dev, new Uint8Array(wgt.buffer));
    const aa = put(dev, int32Bytes(bias));
    const uops = [
      { dst: 0, src: 0, wgt: 0 },
      { dst: 1, src: 1, wgt: 2 },
    ];
    const ua = put(dev, uopBytes(cfg, uops));
    // dst = u.dst + o*2 + i*3 ; src = u.src + o*2 + i*1 (i < 2) ; wgt = u.wgt + o*1
    const g = { iterOut: 2, iterIn: 2, dstFactorOut: 2, dstFactorIn: 3, srcFactorOut: 2, srcFactorIn: 1, wgtFactorOut: 1, wgtFactorIn: 0 };
    await runInsns(dev, [
      build.load({ memType: UOP, dramBase: ua / 4, xSize: 2, xStride: 2 }),
      build.load({ memType: ACC, dramBase: aa / (B * O * 4), xSize: 8, xStride: 8 }),
      build.load({ memType: INP, dramBase: ia / (B * I), xSize: 5, xStride: 5 }),
      build.load({ memType: WGT, dramBase: wa / (O * I), xSize: 4, xStride: 4, pushNext: true }),
      build.gemm({ uopBgn: 0, uopEnd: 2, ...g, popPrev: true }),
      build.finish(),
    ]);
    const acc = Int32Array.from(bias);
    const out = new Int8Array(acc.length);
    for (let o = 0; o < g.iterOut; o++)
      for (let i = 0; i < g.iterIn; i++)
        for (const u of uops) {
          const d = u.dst + o * g.dstFactorOut + i * g.dstFactorIn;
          const s = u.src + o * g.srcFactorOut + i * g.srcFactorIn;
          const w = u.wgt + o * g.wgtFactorOut + i * g.wgtFactorIn;
          for (let b = 0; b < B; b++)
            for (let oo = 0; oo < O; oo++) {
              let sum = 0;
              for (let k = 0; k < I; k++) sum += inp[s * B * I + b * I + k] * wgt[w * O * I + oo * I + k];
              const idx = d * B * O + b * O + oo;
              acc[idx] = (acc[idx] + sum) | 0;
              out[idx] = acc[idx];
            }
        }
    expect(Array.from(dev.srams.acc.subarray(0, acc.length))).toEqual(Array.from(acc));
    const touched = [0, 1, 2, 3, 4, 5, 6, 7];
    for (const t of touched) {
      const o0 = t * B * O;
      const written = Array.from(out.subarray(o0, o0 + B * O));
      if (written.some((v) => v !== 0)) expect(Array.from(dev.srams.out.subarray(o0, o0 + B * O))).toEqual(written);
    }
  });

  test('reset writes ACC 0 and OUT 0 for every dst, nothing else', async () => {
    const dev = device();
    dev.srams.acc.fill(123456);
    dev.srams.out.fill(0x55);
    const ua = put(dev, uopBytes(DEFAULT_CFG, [{ dst: 2, src: 0, wgt: 0 }]));
    const r = await runInsns(dev, [
      build.load({ memType: UOP, dramBase: ua / 4, xSize: 1, xStride: 1 }),
      build.gemm({ resetReg: true, uopBgn: 0, uopEnd: 1, iterOut: 2, iterIn: 1, dstFactorOut: 3 }),
      build.finish(),
    ]);
    const acc = dev.srams.acc;
    const out = dev.srams.out;
    for (const t of [2, 5]) {
      expect(Array.from(acc.subarray(t * lanes, (t + 1) * lanes))).toEqual(new Array(lanes).fill(0));
      expect(Array.from(out.subarray(t * lanes, (t + 1) * lanes))).toEqual(new Array(lanes).fill(0));
    }
    for (const t of [0, 1, 3, 4, 6]) {
      expect(acc[t * lanes]).toBe(123456);
      expect(out[t * lanes]).toBe(0x55);
    }
    expect(r.counters.gemmResetUops).toBe(2);
    expect(r.counters.gemmUops).toBe(0);
  });

  test('zero-trip loops do nothing (and check nothing)', async () => {
    const dev = device();
    dev.srams.acc.fill(42);
    dev.srams.out.fill(3);
    const far = { dstFactorOut: 2047, dstFactorIn: 2047, srcFactorOut: 2047, srcFactorIn: 2047 };
    const r = await runInsns(dev, [
      build.gemm({ uopBgn: 0, uopEnd: 4, iterOut: 0, iterIn: 5, ...far }),
      build.gemm({ uopBgn: 0, uopEnd: 4, iterOut: 5, iterIn: 0, ...far }),
      build.gemm({ uopBgn: 3, uopEnd: 3, iterOut: 5, iterIn: 5, ...far }),
      build.gemm({ resetReg: true, uopBgn: 3, uopEnd: 2, iterOut: 5, iterIn: 5, ...far }),
      build.alu({ aluOp: ALU_OPCODE.ADD, useImm: true, imm: 1, uopBgn: 0, uopEnd: 1, iterOut: 0, iterIn: 1, ...far }),
      build.finish(),
    ]);
    expect(dev.srams.acc.every((v) => v === 42)).toBe(true);
    expect(dev.srams.out.every((v) => v === 3)).toBe(true);
    expect(r.counters.gemmUops + r.counters.aluUops + r.counters.gemmResetUops).toBe(0);
  });
});

describe('stages and tokens', () => {
  test('instructions after FINISH are not executed; leftover tokens are a warning', async () => {
    const dev = device();
    dev.srams.inp.fill(1);
    const addr = put(dev, new Uint8Array(16));
    const r = await runInsns(dev, [
      build.load({ memType: INP, dramBase: addr / 16, xSize: 0, pushNext: true }),
      build.finish(),
      build.load({ memType: INP, dramBase: addr / 16, xSize: 1, xStride: 1 }),
    ]);
    expect(dev.srams.inp[0]).toBe(1);
    expect(r.leftoverTokens.l2g).toBe(1);
    expect(r.warnings.join('\n')).toMatch(/tokens left in queues after FINISH: l2g=1/);
    expect(r.warnings.join('\n')).toMatch(/1 instruction\(s\) after FINISH/);
    expect(r.cycles).toBeNull();
  });

  test('a load waits for the g2l token of the compute instruction before it', async () => {
    // Program order would run LOAD INP #2 only after the GEMM released INP; the stage order must too.
    const dev = device();
    const ua = put(dev, uopBytes(DEFAULT_CFG, [{ dst: 0, src: 0, wgt: 0 }]));
    const one = put(dev, new Uint8Array(16).fill(1));
    const two = put(dev, new Uint8Array(16).fill(2));
    const w = put(dev, new Uint8Array(256).fill(1));
    const r = await runInsns(dev, [
      build.load({ memType: UOP, dramBase: ua / 4, xSize: 1, xStride: 1 }),
      build.load({ memType: WGT, dramBase: w / 256, xSize: 1, xStride: 1 }),
      build.load({ memType: INP, dramBase: one / 16, xSize: 1, xStride: 1, pushNext: true }),
      build.load({ memType: INP, dramBase: two / 16, xSize: 1, xStride: 1, popNext: true, pushNext: true }),
      build.gemm({ uopBgn: 0, uopEnd: 1, popPrev: true, pushPrev: true }),
      build.finish({ popPrev: true }),
    ]);
    expect(dev.srams.acc[0]).toBe(16); // the GEMM saw the first INP
    expect(dev.srams.inp[0]).toBe(2);
    expect(r.warnings).toEqual([]);
    expect(r.counters).toMatchObject({
      loadInsns: 3,
      computeInsns: 3,
      storeInsns: 0,
      inpLoadBytes: 32,
      wgtLoadBytes: 256,
      uopLoadBytes: 4,
      gemmUops: 1,
      macs: 256,
    });
  });
});
