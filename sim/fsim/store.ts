// STORE: OUT element sram_base + y*x_size + x goes to DRAM element dram_base + y*x_stride + x. Pads are
// ignored; x_size == 0 is a no-op.

import type { MemInsn } from '../../hw/vta/isa';
import { checkSram, FsimState, memoryError } from './state';

/** The DRAM bytes [lo, hi) a STORE writes (rows and the gaps between them), or null when it writes none. */
export function storeDramRange(st: FsimState, insn: MemInsn): [number, number] | null {
  const { xSize, ySize, xStride, dramBase } = insn;
  if (xSize === 0 || ySize === 0) return null;
  const eb = st.cfg.tensor.out.elemBytes;
  return [dramBase * eb, (dramBase + (ySize - 1) * xStride + xSize) * eb];
}

/** Every check of a STORE before it writes a byte; returns whether OUT indices wrap, or null for a no-op. */
export function checkStore(st: FsimState, insn: MemInsn): boolean | null {
  const range = storeDramRange(st, insn);
  if (!range) return null;
  st.dram.check(range[0], range[1], 'STORE writes', (d) => memoryError(st, d));
  st.dram.noteWrite(range[1]);
  const { xSize, ySize, sramBase } = insn;
  return checkSram(st, 'STORE OUT SRAM', sramBase, sramBase + ySize * xSize - 1, st.cfg.tensor.out.depth);
}

export function executeStore(st: FsimState, insn: MemInsn): void {
  const wrap = checkStore(st, insn);
  if (wrap === null) return;
  const { xSize, ySize, xStride, sramBase, dramBase } = insn;
  const geom = st.cfg.tensor.out;
  const eb = geom.elemBytes;
  const depth = geom.depth;

  const sram = st.srams.bytes;
  const dram = st.dram.bytes;
  const base = st.srams.offsets.out;
  const rowBytes = xSize * eb;
  for (let y = 0; y < ySize; y++) {
    const d = (dramBase + y * xStride) * eb;
    const s0 = sramBase + y * xSize;
    if (!wrap) {
      const s = base + s0 * eb;
      dram.set(sram.subarray(s, s + rowBytes), d);
    } else {
      for (let x = 0; x < xSize; x++) {
        const s = base + ((s0 + x) % depth) * eb;
        dram.set(sram.subarray(s, s + eb), d + x * eb);
      }
    }
    if (st.storeWriters) st.storeWriters.fill(st.index, d, d + rowBytes);
  }
  st.counters.outStoreBytes += xSize * ySize * eb;
}
