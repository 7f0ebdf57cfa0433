// LOAD: 2-D strided DRAM→SRAM copy with zero padding on all four sides, for every memory type
// (SEMANTICS.md "Memory", vta-reference §3.3), and the requantization parameter buffer (REQUANT.md). SRAM elements have the same byte layout as DRAM
// elements, so each DRAM row is one byte copy; except LOAD ACC_8BIT (ACC_8BIT.md), whose int8 DRAM lanes
// are sign-extended into ACC's int32 lanes.

import { MEM_TYPE_TENSOR, TensorKind } from '../../hw/vta/config';
import type { MemInsn } from '../../hw/vta/isa';
import { MEM_TYPE_ACC_8BIT, signExtendBytes } from '../../hw/vta/acc8';
import { MEM_TYPE_REQ } from '../../hw/vta/requant';
import { checkSram, FsimState, memoryError } from './state';

const COUNTER: Record<string, 'uopLoadBytes' | 'inpLoadBytes' | 'wgtLoadBytes' | 'accLoadBytes'> = {
  uop: 'uopLoadBytes',
  inp: 'inpLoadBytes',
  wgt: 'wgtLoadBytes',
  acc: 'accLoadBytes',
};

/** Where a LOAD writes: an on-chip tensor buffer, or the requantization parameter buffer (REQUANT.md). */
interface LoadTarget {
  name: string;
  /** Bytes of one DRAM element. */
  elemBytes: number;
  /** Bytes of one SRAM element: elemBytes, or 4 × elemBytes when each DRAM byte widens to an int32 lane. */
  sramElemBytes: number;
  depth: number;
  sram: Uint8Array;
  base: number;
  counter: (typeof COUNTER)[string] | null;
}

function loadTarget(st: FsimState, memType: number): LoadTarget {
  const req = st.cfg.requant;
  if (memType === MEM_TYPE_REQ && req && st.srams.req) {
    return { name: 'REQ', elemBytes: req.elemBytes, sramElemBytes: req.elemBytes, depth: req.depth, sram: st.srams.req, base: 0, counter: null };
  }
  const acc8 = st.cfg.acc8;
  if (memType === MEM_TYPE_ACC_8BIT && acc8) {
    const acc = st.cfg.tensor.acc;
    return {
      name: 'ACC_8BIT',
      elemBytes: acc8.elemBytes,
      sramElemBytes: acc.elemBytes,
      depth: acc.depth,
      sram: st.srams.bytes,
      base: st.srams.offsets.acc,
      counter: 'accLoadBytes',
    };
  }
  const kind = MEM_TYPE_TENSOR[memType] as TensorKind;
  const geom = st.cfg.tensor[kind];
  return {
    name: kind.toUpperCase(),
    elemBytes: geom.elemBytes,
    sramElemBytes: geom.elemBytes,
    depth: geom.depth,
    sram: st.srams.bytes,
    base: st.srams.offsets[kind],
    counter: COUNTER[kind],
  };
}

/** The DRAM bytes [lo, hi) a LOAD reads, or null when it reads none. */
export function loadDramRange(st: FsimState, insn: MemInsn): [number, number] | null {
  const { xSize, ySize, xStride, dramBase } = insn;
  if (xSize === 0 || ySize === 0) return null;
  const eb = loadTarget(st, insn.memType).elemBytes;
  return [dramBase * eb, (dramBase + (ySize - 1) * xStride + xSize) * eb];
}

/**
 * Every check of a LOAD before it touches anything: its DRAM rows lie inside DRAM, its SRAM indices inside
 * the buffer (strict mode). Returns whether the SRAM indices wrap, or null for a no-op (x_size 0).
 */
export function checkLoad(st: FsimState, insn: MemInsn): boolean | null {
  const target = loadTarget(st, insn.memType);
  const { xSize, ySize, xPad0, xPad1, yPad0, yPad1, sramBase } = insn;
  if (xSize === 0) return null; // a dependency-only no-op
  const name = target.name;
  // DRAM rows: [dramBase + r*xStride, + xSize) for r < ySize.
  const range = loadDramRange(st, insn);
  if (range) st.dram.check(range[0], range[1], `LOAD ${name} reads`, (d) => memoryError(st, d));
  const w = xPad0 + xSize + xPad1;
  const total = w * (yPad0 + ySize + yPad1);
  return total > 0 && checkSram(st, `LOAD ${name} SRAM`, sramBase, sramBase + total - 1, target.depth);
}

export function executeLoad(st: FsimState, insn: MemInsn): void {
  const wrap = checkLoad(st, insn);
  if (wrap === null) return;
  const target = loadTarget(st, insn.memType);
  const { xSize, ySize, xStride, xPad0, xPad1, yPad0, yPad1, sramBase, dramBase } = insn;
  const eb = target.elemBytes;
  const sb = target.sramElemBytes;
  const depth = target.depth;
  const w = xPad0 + xSize + xPad1;

  const sram = target.sram;
  if (sram === st.srams.req) st.srams.forgetReqSchemes();
  const dram = st.dram.bytes;
  const base = target.base;
  // n DRAM elements at byte d into SRAM at byte s: a byte copy, or one int8 → int32 lane widening per byte.
  const copy =
    sb === eb
      ? (d: number, s: number, n: number) => sram.set(dram.subarray(d, d + n * eb), s)
      : (d: number, s: number, n: number) => signExtendBytes(dram, d, sram, s, n * eb);
  if (!wrap) {
    let s = base + sramBase * sb;
    const zeroRows = yPad0 * w * sb;
    sram.fill(0, s, s + zeroRows);
    s += zeroRows;
    for (let r = 0; r < ySize; r++) {
      const d = (dramBase + r * xStride) * eb;
      sram.fill(0, s, s + xPad0 * sb);
      s += xPad0 * sb;
      copy(d, s, xSize);
      s += xSize * sb;
      sram.fill(0, s, s + xPad1 * sb);
      s += xPad1 * sb;
    }
    sram.fill(0, s, s + yPad1 * w * sb);
  } else {
    // Non-strict mode with an index past the depth: element by element, modulo the depth.
    let idx = sramBase;
    const put = (src: number): void => {
      const at = base + (idx % depth) * sb;
      if (src < 0) sram.fill(0, at, at + sb);
      else copy(src, at, 1);
      idx++;
    };
    for (let k = 0; k < yPad0 * w; k++) put(-1);
    for (let r = 0; r < ySize; r++) {
      for (let k = 0; k < xPad0; k++) put(-1);
      for (let x = 0; x < xSize; x++) put((dramBase + r * xStride + x) * eb);
      for (let k = 0; k < xPad1; k++) put(-1);
    }
    for (let k = 0; k < yPad1 * w; k++) put(-1);
  }
  if (target.counter) st.counters[target.counter] += xSize * ySize * eb;
}
