// One random legal program on TSIM and on fsim: the index of the first DRAM byte that differs (-1: none).

import type { VtaConfig } from '../../hw/vta/config';
import { FunctionalSimulator } from '../../sim/fsim';
import { openDevice } from '../../sim/targets';
import { programImage, randomProgram } from '../../sim/testing/random-program';

export async function firstDramDifference(cfg: VtaConfig, seed: number): Promise<number> {
  const p = randomProgram(cfg, seed);
  const image = programImage(p);
  const fsim = new FunctionalSimulator(cfg, { dramBytes: image.length });
  fsim.loadImage(image);
  await fsim.run(p.insnAddr, p.insnCount);
  const want = fsim.read(0, image.length);
  const dev = await openDevice('tsim', cfg, { dramBytes: image.length, log: () => undefined });
  try {
    dev.loadImage(image);
    await dev.run(p.insnAddr, p.insnCount);
    const got = dev.read(0, image.length);
    for (let k = 0; k < want.length; k++) if (got[k] !== want[k]) return k;
    return -1;
  } finally {
    dev.close?.();
  }
}
