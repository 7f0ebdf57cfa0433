// TSIM's hardware counters (hw/vta/regs.ts, filled by sim/tsim/device.ts countersFrom) against fsim's on a
// few conformance vectors. Same definitions: gemmUops (non-reset), gemmResetUops, aluUops, macs, per-stage
// instructions, outStoreBytes (strobed bytes = element bytes stored). Intended difference: per-type load
// bytes are whole bus beats on TSIM and element bytes on fsim; they agree whenever every LOAD row starts and
// ends on a bus boundary (always for INP/WGT/ACC of these configurations; UOP rows may differ by a beat).

import { join } from 'path';
import { FunctionalSimulator } from '../../sim/fsim';
import { openDevice } from '../../sim/targets';
import { initialDram, loadVector } from '../../sim/vector';

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
    const r = await dev.run(v.insnAddr, v.insnCount);
    const c = r.counters;
    const same = ['gemmUops', 'gemmResetUops', 'aluUops', 'macs', 'loadInsns', 'computeInsns', 'storeInsns', 'outStoreBytes', 'inpLoadBytes', 'wgtLoadBytes', 'accLoadBytes'] as const;
    const pick = (x: typeof c) => Object.fromEntries(same.map((k) => [k, x[k]]));
    expect(pick(c)).toEqual(pick(f));
    // UOP: whole 8-byte beats of 4-byte micro-ops: at least fsim's bytes, less than one extra beat per LOAD UOP.
    const beat = v.config.busBits / 8;
    expect(c.uopLoadBytes).toBeGreaterThanOrEqual(f.uopLoadBytes);
    expect(c.uopLoadBytes - f.uopLoadBytes).toBeLessThanOrEqual(2 * beat * (f.byKind.LOAD_UOP ?? 0));
    expect(c.uopLoadBytes % beat).toBe(0);
  } finally {
    dev.close?.();
  }
});
