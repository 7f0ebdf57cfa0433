// loadImage clears only what may be non-zero (host writes and what the core stored, tracked by fsim and by
// the TSIM bridge), so after any run the next image must still see an all-zero DRAM past its end.

import { MEM_TYPE } from '../../hw/vta/config';
import { namedConfig } from '../../hw/vta/configs';
import { ALU_OPCODE, build, encodeProgram, encodeUop } from '../../hw/vta/isa';
import type { Device } from '../../sim/device';
import { openDevice } from '../../sim/targets';
import { programImage, randomProgram } from '../../sim/testing/random-program';

const DRAM = 16 << 20;

function nonZero(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) n++;
  return n;
}

/** GEMM reset, ALU ADD 7 to ACC[0], STORE OUT[0] to `dramAt`, FINISH: one row of 7s stored far past the image. */
function storeFarProgram(dramAt: number): { image: Uint8Array; insnAddr: number; insnCount: number } {
  const cfg = namedConfig('default');
  const insnAddr = 4096;
  const uopAddr = 8192;
  const one = { uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 1 };
  const insns = [
    build.load({ memType: MEM_TYPE.UOP, dramBase: uopAddr / 4, xSize: 1, xStride: 1 }),
    build.gemm({ ...one, resetReg: true }),
    build.alu({ ...one, aluOp: ALU_OPCODE.ADD, useImm: true, imm: 7, pushNext: true }),
    build.store({ sramBase: 0, dramBase: dramAt / cfg.tensor.out.elemBytes, ySize: 1, xSize: 1, xStride: 1, popPrev: true, pushPrev: true }),
    build.finish({ popNext: true }),
  ];
  const image = new Uint8Array(uopAddr + 4);
  image.set(encodeProgram(cfg, insns), insnAddr);
  new DataView(image.buffer).setUint32(uopAddr, encodeUop(cfg, { dst: 0, src: 0, wgt: 0 }), true);
  return { image, insnAddr, insnCount: insns.length };
}

async function leavesNothingBehind(dev: Device): Promise<void> {
  // the core's STORE lands far past everything the host wrote: only the write tracking knows of it
  const far = DRAM / 2;
  const p = storeFarProgram(far);
  dev.loadImage(p.image);
  await dev.run(p.insnAddr, p.insnCount);
  expect(Array.from(dev.read(far, 4))).toEqual([7, 7, 7, 7]);
  dev.loadImage(new Uint8Array(64));
  expect(nonZero(dev.read(0, DRAM))).toBe(0);
  // random programs, run and cleared in turn
  const cfg = namedConfig('default');
  for (const seed of [3, 11, 29]) {
    const r = randomProgram(cfg, seed);
    dev.loadImage(programImage(r));
    await dev.run(r.insnAddr, r.insnCount);
    dev.loadImage(new Uint8Array(64));
    expect(nonZero(dev.read(0, DRAM))).toBe(0);
  }
  // host writes far out, then a short image
  dev.write(DRAM - 8, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
  dev.loadImage(Uint8Array.of(9));
  const all = dev.read(0, DRAM);
  expect(all[0]).toBe(9);
  expect(nonZero(all)).toBe(1);
}

test('fsim: loadImage after a run leaves an all-zero DRAM past the image', async () => {
  const dev = await openDevice('fsim', namedConfig('default'), { dramBytes: DRAM });
  try {
    await leavesNothingBehind(dev);
  } finally {
    dev.close();
  }
});

test('tsim: loadImage after a run leaves an all-zero DRAM past the image (the bridge tracks the core writes)', async () => {
  const dev = await openDevice('tsim', namedConfig('default'), { dramBytes: DRAM, log: () => undefined });
  try {
    await leavesNothingBehind(dev);
  } finally {
    dev.close();
  }
}, 300_000);
