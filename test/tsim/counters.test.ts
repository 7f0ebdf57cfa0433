// TSIM's counters against fsim's on a few conformance vectors: every field of Counters is equal (the
// hardware registers for micro-ops, MACs, per-stage instructions and stored bytes; the program for byKind
// and the element bytes of LOADs). TSIM's `busBeatBytes` holds what the core fetched in whole bus beats:
// at least the element bytes, a multiple of the beat, less than one extra beat per LOAD row.

import { join } from 'path';
import { FunctionalSimulator } from '../../sim/fsim';
import { openDevice } from '../../sim/targets';
import { initialDram, loadVector } from '../../sim/vector';
import type { TsimRunResult } from '../../sim/tsim/device';

// Verilator is a required tool (scripts/setup-system.sh installs it): without it these fail, naming the install command.
const t = test;
jest.setTimeout(600_000);

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const FILES = [
  'default__tl_blocked_gemm_b128_c128_blk32_vt1_comp_s110.json',
  'default__gemm_pad_inp_A_reset_clip_s201.json',
  'default__tl_alu_add_vec_s107.json',
  'default__alu_pad_acc_1_s204.json',
];

t.each(FILES)('counters of %s equal fsim', async (file) => {
  const v = loadVector(join(VECTORS, file));
  const image = initialDram(v);
  const fsim = new FunctionalSimulator(v.config, { dramBytes: image.length });
  fsim.loadImage(image);
  const f = (await fsim.run(v.insnAddr, v.insnCount)).counters;
  const dev = await openDevice('tsim', v.config, { dramBytes: image.length, log: () => undefined });
  try {
    dev.loadImage(image);
    const r = (await dev.run(v.insnAddr, v.insnCount)) as TsimRunResult;
    expect(r.counters).toEqual(f);
    expect(Object.keys(r.counters.byKind).length).toBeGreaterThan(0);
    // UOP: whole 8-byte beats of 4-byte micro-ops: at least fsim's bytes, less than one extra beat per LOAD UOP.
    const beat = v.config.busBits / 8;
    const beats = r.busBeatBytes;
    expect(beats.uop).toBeGreaterThanOrEqual(f.uopLoadBytes);
    expect(beats.uop - f.uopLoadBytes).toBeLessThanOrEqual(2 * beat * (f.byKind.LOAD_UOP ?? 0));
    expect(beats.uop % beat).toBe(0);
    expect(beats.inp).toBe(f.inpLoadBytes);
  } finally {
    dev.close?.();
  }
});
