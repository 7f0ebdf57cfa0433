// STORE: OUT element sram_base + y*x_size + x goes to DRAM element dram_base + y*x_stride + x. Pads are
// ignored; x_size == 0 is a no-op.

import type { MemInsn } from '../../hw/vta/isa';
import { checkSram, FsimState, memoryError } from './state';

export function executeStore(st: FsimState, insn: MemInsn): void {
  const { xSize, ySize, xStride, sramBase, dramBase } = insn;
  if (xSize === 0 || ySize === 0) return;
  const geom = st.cfg.tensor.out;
  const eb = geom.elemBytes;
  const depth = geom.depth;
  const lo = dramBase * eb;
  const hi = (dramBase + (ySize - 1) * xStride + xSize) * eb;
  st.dram.check(lo, hi, 'STORE writes', (d) => memoryError(st, d));
  const wrap = checkSram(st, 'STORE OUT SRAM', sramBase, sramBase + ySize * xSize - 1, depth);

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
