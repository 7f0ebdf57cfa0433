// A deliberately naive reference interpreter: instructions one at a time in program order (a valid
// schedule for balanced, race-free programs), plain number arithmetic, SRAMs as arrays of lane arrays.
// Written from SEMANTICS.md alone; shares nothing with fsim but the ISA decoder.

import { MEM_TYPE, VtaConfig } from '../../hw/vta/config';
import { decodeInsn, decodeUop, INSN_BYTES } from '../../hw/vta/isa';
import { decodeParam, MEM_TYPE_REQ, REQ_LANE_BYTES, requantStage } from '../../hw/vta/requant';

const wrap32 = (x: number) => x | 0;
const ACC_8BIT = 5;
const low8 = (x: number) => ((x & 0xff) << 24) >> 24;

/**
 * Faults to inject, to show that tests catch them: LOAD ACC_8BIT zero-extending its bytes, or addressing
 * DRAM by LOAD ACC's element size.
 */
export interface ReferenceFaults {
  acc8?: 'zero-extend' | 'acc-element-address';
}

export function referenceRun(cfg: VtaConfig, dramIn: Uint8Array, insnAddr: number, insnCount: number, faults: ReferenceFaults = {}): Uint8Array {
  const dram = dramIn.slice();
  const dv = new DataView(dram.buffer);
  const t = cfg.tensor;
  const lanes = (kind: 'inp' | 'wgt' | 'acc') => t[kind].rows * t[kind].cols;
  const mk = (depth: number, n: number) => Array.from({ length: depth }, () => new Array<number>(n).fill(0));
  const uop = new Array<number>(t.uop.depth).fill(0);
  const inp = mk(t.inp.depth, lanes('inp'));
  const wgt = mk(t.wgt.depth, lanes('wgt'));
  const acc = mk(t.acc.depth, lanes('acc'));
  const out = mk(t.acc.depth, lanes('acc'));
  // The requantization stage's entries (hw/vta/REQUANT.md), each BLOCK_OUT raw 8-byte words.
  const reqDepth = cfg.requant?.depth ?? 0;
  const reqBytes = cfg.blockOut * REQ_LANE_BYTES;
  const req: Uint8Array[] = Array.from({ length: reqDepth }, () => new Uint8Array(reqBytes));
  const tokens = { l2g: 0, g2l: 0, g2s: 0, s2g: 0 };
  const pop = (q: keyof typeof tokens, i: number) => {
    if (tokens[q] <= 0) throw new Error(`insn ${i}: pops ${q} before any push (program order)`);
    tokens[q]--;
  };
  const at = (depth: number, idx: number, what: string, i: number) => {
    if (idx < 0 || idx >= depth) throw new Error(`insn ${i}: ${what} index ${idx} out of range (depth ${depth})`);
    return idx;
  };
  const readElem = (mt: number, k: number): number[] => {
    if (mt === MEM_TYPE.UOP) return [dv.getUint32(k * 4, true)];
    if (mt === MEM_TYPE.ACC) return Array.from({ length: lanes('acc') }, (_, l) => dv.getInt32(k * t.acc.elemBytes + 4 * l, true));
    // LOAD ACC_8BIT (hw/vta/ACC_8BIT.md): one int8 per accumulator lane, BATCH·BLOCK_OUT bytes an element
    if (mt === ACC_8BIT) {
      const elemBytes = faults.acc8 === 'acc-element-address' ? t.acc.elemBytes : lanes('acc');
      const read = faults.acc8 === 'zero-extend' ? (a: number) => dv.getUint8(a) : (a: number) => dv.getInt8(a);
      return Array.from({ length: lanes('acc') }, (_, l) => read(k * elemBytes + l));
    }
    const g = mt === MEM_TYPE.INP ? t.inp : t.wgt;
    return Array.from({ length: g.rows * g.cols }, (_, l) => dv.getInt8(k * g.elemBytes + l));
  };
  for (let i = 0; i < insnCount; i++) {
    const insn = decodeInsn(cfg, dram, insnAddr + i * INSN_BYTES);
    const stage = insn.op === 'STORE' ? 'store' : insn.op === 'LOAD' && (insn.memType === MEM_TYPE.INP || insn.memType === MEM_TYPE.WGT) ? 'load' : 'compute';
    if (insn.op === 'UNKNOWN') throw new Error(`insn ${i}: unknown opcode`);
    if (stage === 'load' && insn.popNext) pop('g2l', i);
    if (stage === 'compute') {
      if (insn.popPrev) pop('l2g', i);
      if (insn.popNext) pop('s2g', i);
    }
    if (stage === 'store' && insn.popPrev) pop('g2s', i);
    if (insn.op === 'LOAD' && insn.xSize > 0 && insn.memType === MEM_TYPE_REQ) {
      const w = insn.xPad0 + insn.xSize + insn.xPad1;
      const rows: Uint8Array[] = [];
      const zero = () => new Uint8Array(reqBytes);
      for (let k = 0; k < insn.yPad0 * w; k++) rows.push(zero());
      for (let y = 0; y < insn.ySize; y++) {
        for (let k = 0; k < insn.xPad0; k++) rows.push(zero());
        for (let x = 0; x < insn.xSize; x++) {
          const a = (insn.dramBase + y * insn.xStride + x) * reqBytes;
          rows.push(dram.slice(a, a + reqBytes));
        }
        for (let k = 0; k < insn.xPad1; k++) rows.push(zero());
      }
      for (let k = 0; k < insn.yPad1 * w; k++) rows.push(zero());
      rows.forEach((e, k) => (req[at(reqDepth, insn.sramBase + k, 'LOAD REQ sram', i)] = e));
    } else if (insn.op === 'LOAD' && insn.xSize > 0) {
      const mt = insn.memType;
      if (mt === ACC_8BIT && !cfg.acc8) throw new Error(`insn ${i}: LOAD memory_type 5 without ACC_8BIT_LOAD`);
      const depth = mt === MEM_TYPE.UOP ? t.uop.depth : mt === MEM_TYPE.INP ? t.inp.depth : mt === MEM_TYPE.WGT ? t.wgt.depth : t.acc.depth;
      const zero = (): number[] =>
        mt === MEM_TYPE.UOP ? [0] : new Array(mt === MEM_TYPE.INP ? lanes('inp') : mt === MEM_TYPE.WGT ? lanes('wgt') : lanes('acc')).fill(0);
      const w = insn.xPad0 + insn.xSize + insn.xPad1;
      const rows: number[][] = [];
      for (let k = 0; k < insn.yPad0 * w; k++) rows.push(zero());
      for (let y = 0; y < insn.ySize; y++) {
        for (let k = 0; k < insn.xPad0; k++) rows.push(zero());
        for (let x = 0; x < insn.xSize; x++) rows.push(readElem(mt, insn.dramBase + y * insn.xStride + x));
        for (let k = 0; k < insn.xPad1; k++) rows.push(zero());
      }
      for (let k = 0; k < insn.yPad1 * w; k++) rows.push(zero());
      rows.forEach((e, k) => {
        const s = at(depth, insn.sramBase + k, 'LOAD sram', i);
        if (mt === MEM_TYPE.UOP) uop[s] = e[0];
        else (mt === MEM_TYPE.INP ? inp : mt === MEM_TYPE.WGT ? wgt : acc)[s] = e;
      });
    } else if (insn.op === 'STORE' && insn.xSize > 0) {
      for (let y = 0; y < insn.ySize; y++) {
        for (let x = 0; x < insn.xSize; x++) {
          const e = out[at(t.acc.depth, insn.sramBase + y * insn.xSize + x, 'STORE sram', i)];
          const base = (insn.dramBase + y * insn.xStride + x) * t.out.elemBytes;
          e.forEach((v, l) => dv.setInt8(base + l, v));
        }
      }
    } else if (insn.op === 'GEMM' || insn.op === 'ALU') {
      for (let o = 0; o < insn.iterOut; o++) {
        for (let ii = 0; ii < insn.iterIn; ii++) {
          for (let u = insn.uopBgn; u < insn.uopEnd; u++) {
            const U = decodeUop(cfg, uop[at(t.uop.depth, u, 'uop', i)]);
            const d = at(t.acc.depth, U.dst + o * insn.dstFactorOut + ii * insn.dstFactorIn, 'dst', i);
            const sIdx = U.src + o * insn.srcFactorOut + ii * insn.srcFactorIn;
            if (insn.op === 'GEMM') {
              if (insn.resetReg) {
                acc[d] = acc[d].map(() => 0);
                out[d] = out[d].map(() => 0);
                continue;
              }
              const s = at(t.inp.depth, sIdx, 'src', i);
              const wi = at(t.wgt.depth, U.wgt + o * insn.wgtFactorOut + ii * insn.wgtFactorIn, 'wgt', i);
              const na = acc[d].slice();
              for (let b = 0; b < cfg.batch; b++) {
                for (let oo = 0; oo < cfg.blockOut; oo++) {
                  let sum = 0;
                  for (let k = 0; k < cfg.blockIn; k++) sum += inp[s][b * cfg.blockIn + k] * wgt[wi][oo * cfg.blockIn + k];
                  na[b * cfg.blockOut + oo] = wrap32(na[b * cfg.blockOut + oo] + sum);
                }
              }
              acc[d] = na;
              out[d] = na.map(low8);
            } else if (insn.aluOp === 5 && cfg.requant) {
              const entry = req[at(reqDepth, sIdx, 'REQ src', i)];
              acc[d] = acc[d].map((a, l) => requantStage(a, decodeParam(entry, (l % cfg.blockOut) * REQ_LANE_BYTES)));
              out[d] = acc[d].map(low8);
            } else {
              const src = insn.useImm ? null : acc[at(t.acc.depth, sIdx, 'src', i)];
              const na = acc[d].map((a, l) => {
                const b = src ? src[l] : insn.imm;
                switch (insn.aluOp) {
                  case 0:
                    return Math.min(a, b);
                  case 1:
                    return Math.max(a, b);
                  case 2:
                    return wrap32(a + b);
                  case 3:
                    return b >= 0 ? a >> Math.min(b, 31) : -b >= 32 ? 0 : wrap32(a << -b);
                  case 4:
                    return Math.imul(a, b);
                  default:
                    throw new Error(`insn ${i}: ALU op ${insn.aluOp}`);
                }
              });
              acc[d] = na;
              out[d] = na.map(low8);
            }
          }
        }
      }
    }
    if (stage === 'load' && insn.pushNext) tokens.l2g++;
    if (stage === 'compute') {
      if (insn.pushPrev) tokens.g2l++;
      if (insn.pushNext) tokens.g2s++;
    }
    if (stage === 'store' && insn.pushPrev) tokens.s2g++;
    if (insn.op === 'FINISH') break;
  }
  for (const [q, n] of Object.entries(tokens)) if (n !== 0) throw new Error(`${n} ${q} tokens left at the end`);
  return dram;
}
