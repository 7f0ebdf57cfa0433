// The WebAssembly SIMD GEMM kernel against a plain JS loop nest, bit for bit, on random data with
// extremes (-128/127 operands, accumulators near the int32 limits), repeated destinations within an
// instruction (sequential accumulation), index wrap-around, and every body (b16, k16, k8, generic, reset).

import {
  createWasmGemm,
  instantiateWasmGemm,
  loadWasmGemmModule,
  pickGemmBody,
  WasmGemmGeometry,
  WasmGemmLoop,
  WasmGemmOffsets,
} from '../../sim/fsim/wasm/gemm';
import { GemmBody } from '../../sim/fsim/wasm/gemm-wat';
import { wasmApi, WasmMemoryLike } from '../../sim/fsim/wasm/wasm-api';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

interface Setup {
  geom: WasmGemmGeometry;
  off: WasmGemmOffsets;
  memory: WasmMemoryLike;
  uopDepth: number;
}

function setup(batch: number, blockIn: number, blockOut: number, logDepth = 5): Setup {
  const depth = 1 << logDepth;
  const uopDepth = 64;
  let pos = 0;
  const place = (bytes: number) => {
    const at = pos;
    pos = Math.ceil((pos + bytes) / 64) * 64;
    return at;
  };
  const off = {
    uop: place(uopDepth * 4),
    inp: place(depth * batch * blockIn),
    wgt: place(depth * blockOut * blockIn),
    acc: place(depth * batch * blockOut * 4),
    out: place(depth * batch * blockOut),
  };
  const memory = new wasmApi.Memory({ initial: Math.ceil(pos / 65536) + 1 });
  const geom: WasmGemmGeometry = {
    batch,
    blockIn,
    blockOut,
    dstBits: logDepth,
    srcLsb: logDepth,
    srcBits: logDepth,
    wgtLsb: 2 * logDepth,
    wgtBits: logDepth,
    inpDepth: depth,
    wgtDepth: depth,
    accDepth: depth,
  };
  return { geom, off, memory, uopDepth };
}

function views(s: Setup) {
  const buf = s.memory.buffer;
  const { batch, blockIn, blockOut, inpDepth, wgtDepth, accDepth } = s.geom;
  return {
    uop: new Uint32Array(buf, s.off.uop, s.uopDepth),
    inp: new Int8Array(buf, s.off.inp, inpDepth * batch * blockIn),
    wgt: new Int8Array(buf, s.off.wgt, wgtDepth * blockOut * blockIn),
    acc: new Int32Array(buf, s.off.acc, accDepth * batch * blockOut),
    out: new Int8Array(buf, s.off.out, accDepth * batch * blockOut),
  };
}

type Views = ReturnType<typeof views>;

/** The reference: the loop nest of vta-reference §5.1, one scalar at a time. */
function jsGemm(s: Setup, v: Views, insn: WasmGemmLoop): void {
  const { batch, blockIn: bi, blockOut: bo, inpDepth, wgtDepth, accDepth } = s.geom;
  const L = s.geom.srcLsb;
  const m = (1 << L) - 1;
  for (let o = 0; o < insn.iterOut; o++) {
    for (let i = 0; i < insn.iterIn; i++) {
      for (let u = insn.uopBgn; u < insn.uopEnd; u++) {
        const w = v.uop[u];
        const d = ((w & m) + o * insn.dstFactorOut + i * insn.dstFactorIn) % accDepth;
        const sr = (((w >>> L) & m) + o * insn.srcFactorOut + i * insn.srcFactorIn) % inpDepth;
        const wg = (((w >>> (2 * L)) & m) + o * insn.wgtFactorOut + i * insn.wgtFactorIn) % wgtDepth;
        for (let b = 0; b < batch; b++) {
          for (let oo = 0; oo < bo; oo++) {
            const a = d * batch * bo + b * bo + oo;
            if (insn.resetReg) {
              v.acc[a] = 0;
              v.out[a] = 0;
              continue;
            }
            let sum = v.acc[a];
            for (let k = 0; k < bi; k++) sum = (sum + v.inp[sr * batch * bi + b * bi + k] * v.wgt[wg * bo * bi + oo * bi + k]) | 0;
            v.acc[a] = sum;
            v.out[a] = sum;
          }
        }
      }
    }
  }
}

function fillRandom(v: Views, r: () => number): void {
  const pick8 = () => {
    const x = r();
    return x < 0.2 ? -128 : x < 0.4 ? 127 : Math.floor(r() * 256) - 128;
  };
  for (let k = 0; k < v.inp.length; k++) v.inp[k] = pick8();
  for (let k = 0; k < v.wgt.length; k++) v.wgt[k] = pick8();
  for (let k = 0; k < v.acc.length; k++) {
    const x = r();
    v.acc[k] = x < 0.3 ? 0x7fffffff - Math.floor(r() * 300000) : x < 0.6 ? -0x80000000 + Math.floor(r() * 300000) : Math.floor(r() * 2 ** 32) | 0;
  }
  for (let k = 0; k < v.out.length; k++) v.out[k] = Math.floor(r() * 256) - 128;
}

function randomInsn(r: () => number, s: Setup, v: Views, allowReset: boolean): WasmGemmLoop {
  const depth = s.geom.accDepth;
  const L = s.geom.srcLsb;
  const bgn = Math.floor(r() * 8);
  const n = 1 + Math.floor(r() * 6);
  for (let u = bgn; u < bgn + n; u++) {
    // Every other micro-op repeats the previous dst, so consecutive uops accumulate into one element.
    const d = u > bgn && r() < 0.5 ? v.uop[u - 1] & (depth - 1) : Math.floor(r() * depth);
    v.uop[u] = (d | (Math.floor(r() * depth) << L) | (Math.floor(r() * depth) << (2 * L))) >>> 0;
  }
  const f = () => Math.floor(r() * 5);
  return {
    resetReg: allowReset && r() < 0.2,
    uopBgn: bgn,
    uopEnd: bgn + n,
    iterOut: 1 + Math.floor(r() * 3),
    iterIn: 1 + Math.floor(r() * 4),
    dstFactorOut: f(),
    dstFactorIn: f(),
    srcFactorOut: f(),
    srcFactorIn: f(),
    wgtFactorOut: f(),
    wgtFactorIn: f(),
  };
}

const SHAPES: [number, number, number][] = [
  [1, 16, 16],
  [2, 8, 8],
  [1, 32, 32],
  [4, 16, 32], // the configurations we ship
  [2, 32, 8],
  [1, 8, 4],
  [1, 4, 4],
  [2, 16, 2],
  [1, 1, 1], // other bodies: k16, k8, generic
];

beforeAll(async () => {
  await loadWasmGemmModule();
});

describe('wasm GEMM kernel', () => {
  test.each(SHAPES)('matches the JS loop nest bit for bit: %ix%ix%i', async (batch, bi, bo) => {
    const sw = setup(batch, bi, bo);
    const sj = setup(batch, bi, bo);
    const vw = views(sw);
    const vj = views(sj);
    const gemm = await createWasmGemm(sw.memory);
    const r = rng(batch * 1000 + bi * 10 + bo);
    for (let trial = 0; trial < 40; trial++) {
      fillRandom(vw, r);
      new Uint8Array(sj.memory.buffer).set(new Uint8Array(sw.memory.buffer));
      // Several instructions in a row: later ones see earlier ones' accumulators.
      for (let k = 0; k < 3; k++) {
        const insn = randomInsn(r, sw, vw, true);
        vj.uop.set(vw.uop);
        gemm(sw.geom, sw.off, insn);
        jsGemm(sj, vj, insn);
      }
      expect(Buffer.compare(Buffer.from(sw.memory.buffer), Buffer.from(sj.memory.buffer))).toBe(0);
    }
  });

  test('the same dst in consecutive micro-ops accumulates (sequential semantics)', async () => {
    const s = setup(1, 16, 16);
    const v = views(s);
    const gemm = await createWasmGemm(s.memory);
    v.inp.fill(1, 0, 16);
    v.wgt.fill(2, 0, 256);
    v.acc.fill(5, 0, 16);
    for (let u = 0; u < 4; u++) v.uop[u] = 0; // dst 0, src 0, wgt 0, four times
    gemm(s.geom, s.off, {
      resetReg: false,
      uopBgn: 0,
      uopEnd: 4,
      iterOut: 2,
      iterIn: 1,
      dstFactorOut: 0,
      dstFactorIn: 0,
      srcFactorOut: 0,
      srcFactorIn: 0,
      wgtFactorOut: 0,
      wgtFactorIn: 0,
    });
    expect([...v.acc.subarray(0, 16)]).toEqual(new Array(16).fill(5 + 8 * 32));
    expect([...v.out.subarray(0, 16)]).toEqual(new Array(16).fill(((5 + 8 * 32) << 24) >> 24));
  });

  test('wraps to int32 at the limits', async () => {
    const s = setup(1, 16, 16);
    const v = views(s);
    const gemm = await createWasmGemm(s.memory);
    v.inp.fill(-128, 0, 16);
    v.wgt.fill(-128, 0, 256);
    v.acc.fill(0x7fffffff, 0, 16);
    v.uop[0] = 0;
    gemm(s.geom, s.off, {
      resetReg: false,
      uopBgn: 0,
      uopEnd: 1,
      iterOut: 1,
      iterIn: 1,
      dstFactorOut: 0,
      dstFactorIn: 0,
      srcFactorOut: 0,
      srcFactorIn: 0,
      wgtFactorOut: 0,
      wgtFactorIn: 0,
    });
    expect(v.acc[0]).toBe((0x7fffffff + 16 * 16384) | 0);
  });

  test('the pre-decoded (tab) variant agrees with the raw one', async () => {
    await loadWasmGemmModule();
    for (const [batch, bi, bo] of SHAPES) {
      const s = setup(batch, bi, bo);
      const v = views(s);
      const ex = instantiateWasmGemm(s.memory);
      const r = rng(7 + bi);
      fillRandom(v, r);
      const insn = randomInsn(r, s, v, false);
      const before = new Uint8Array(s.memory.buffer).slice();
      const raw = (): Uint8Array => {
        new Uint8Array(s.memory.buffer).set(before);
        return new Uint8Array(s.memory.buffer).slice();
      };
      raw();
      const body: GemmBody = pickGemmBody(batch, bi, bo);
      const L = s.geom.srcLsb;
      const m = (1 << L) - 1;
      const common = [
        insn.iterOut,
        insn.iterIn,
        insn.dstFactorOut,
        insn.dstFactorIn,
        insn.srcFactorOut,
        insn.srcFactorIn,
        insn.wgtFactorOut,
        insn.wgtFactorIn,
        m,
        m,
        m,
        s.off.inp,
        s.off.wgt,
        s.off.acc,
        s.off.out,
        batch,
        bi,
        bo,
      ];
      const n = insn.uopEnd - insn.uopBgn;
      ex[`raw_${body}`](s.off.uop + 4 * insn.uopBgn, n, L, 2 * L, m, m, m, ...common);
      const rawResult = new Uint8Array(s.memory.buffer).slice();
      new Uint8Array(s.memory.buffer).set(before);
      // The table goes in the spare UOP words past index 32.
      const tab = new Int32Array(s.memory.buffer, s.off.uop + 32 * 4, 3 * n);
      for (let u = 0; u < n; u++) {
        const w = v.uop[insn.uopBgn + u];
        tab[3 * u] = w & m;
        tab[3 * u + 1] = (w >>> L) & m;
        tab[3 * u + 2] = (w >>> (2 * L)) & m;
      }
      const tabBefore = new Uint8Array(s.memory.buffer).slice();
      ex[`tab_${body}`](s.off.uop + 32 * 4, n, 0, 0, 0, 0, 0, ...common);
      const tabResult = new Uint8Array(s.memory.buffer).slice();
      // Equal everywhere except the table itself.
      tabResult.set(tabBefore.subarray(s.off.uop, s.off.uop + 64 * 4), s.off.uop);
      rawResult.set(tabBefore.subarray(s.off.uop, s.off.uop + 64 * 4), s.off.uop);
      expect(Buffer.compare(Buffer.from(rawResult), Buffer.from(tabResult))).toBe(0);
    }
  });
});
