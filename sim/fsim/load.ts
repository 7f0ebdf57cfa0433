// LOAD: 2-D strided DRAM→SRAM copy with zero padding on all four sides, for every memory type
// (SEMANTICS.md "Memory", vta-reference §3.3). SRAM elements have the same byte layout as DRAM
// elements, so each DRAM row is one byte copy.

import { MEM_TYPE_TENSOR, TensorKind } from '../../hw/vta/config';
import type { MemInsn } from '../../hw/vta/isa';
import { checkSram, FsimState, memoryError } from './state';

const COUNTER: Record<string, 'uopLoadBytes' | 'inpLoadBytes' | 'wgtLoadBytes' | 'accLoadBytes'> = {
  uop: 'uopLoadBytes', inp: 'inpLoadBytes', wgt: 'wgtLoadBytes', acc: 'accLoadBytes',
};

export function executeLoad(st: FsimState, insn: MemInsn): void {
  const kind = MEM_TYPE_TENSOR[insn.memType] as TensorKind;
  const { xSize, ySize, xStride, xPad0, xPad1, yPad0, yPad1, sramBase, dramBase } = insn;
  if (xSize === 0) return; // a dependency-only no-op
  const geom = st.cfg.tensor[kind];
  const eb = geom.elemBytes;
  const depth = geom.depth;
  const name = kind.toUpperCase();

  // DRAM rows: [dramBase + r*xStride, + xSize) for r < ySize.
  if (ySize > 0) {
    const lo = dramBase * eb;
    const hi = (dramBase + (ySize - 1) * xStride + xSize) * eb;
    st.dram.check(lo, hi, `LOAD ${name} reads`, (d) => memoryError(st, d));
  }
  const w = xPad0 + xSize + xPad1;
  const total = w * (yPad0 + ySize + yPad1);
  const wrap = total > 0 && checkSram(st, `LOAD ${name} SRAM`, sramBase, sramBase + total - 1, depth);

  const sram = st.srams.bytes;
  const dram = st.dram.bytes;
  const base = st.srams.offsets[kind];
  const rowBytes = xSize * eb;
  if (!wrap) {
    let s = base + sramBase * eb;
    const zeroRows = yPad0 * w * eb;
    sram.fill(0, s, s + zeroRows);
    s += zeroRows;
    for (let r = 0; r < ySize; r++) {
      const d = (dramBase + r * xStride) * eb;
      sram.fill(0, s, s + xPad0 * eb);
      s += xPad0 * eb;
      sram.set(dram.subarray(d, d + rowBytes), s);
      s += rowBytes;
      sram.fill(0, s, s + xPad1 * eb);
      s += xPad1 * eb;
    }
    sram.fill(0, s, s + yPad1 * w * eb);
  } else {
    // Non-strict mode with an index past the depth: element by element, modulo the depth.
    let idx = sramBase;
    const put = (src: number): void => {
      const at = base + (idx % depth) * eb;
      if (src < 0) sram.fill(0, at, at + eb);
      else sram.set(dram.subarray(src, src + eb), at);
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
  st.counters[COUNTER[kind]] += xSize * ySize * eb;
}
