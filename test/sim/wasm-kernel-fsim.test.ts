// fsim with the WebAssembly GEMM kernel plugged in replays every conformance vector byte for byte
// (the quirk vectors SEMANTICS.md skips aside).

import { readdirSync } from 'fs';
import { join } from 'path';
import type { GemmKernel } from '../../sim/fsim';
import { FunctionalSimulator } from '../../sim/fsim';
import { createWasmGemmKernel } from '../../sim/fsim/wasm/kernel';
import { initialDram, loadVector, skipReason } from '../../sim/vector';

const DIR = join(__dirname, '../../../shared/conformance/vta-hls');
let files: string[] = [];
try {
  files = readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
} catch {
  files = [];
}

let kernel: GemmKernel;
beforeAll(async () => {
  kernel = await createWasmGemmKernel();
});

describe('fsim + wasm GEMM kernel on the conformance vectors', () => {
  test.each(files)('%s', async (file) => {
    const v = loadVector(join(DIR, file));
    if (skipReason(v)) return;
    const sim = new FunctionalSimulator(v.config, { dramBytes: v.dramBytes, gemmKernel: kernel });
    sim.loadImage(initialDram(v));
    await sim.run(v.insnAddr, v.insnCount);
    for (const blob of v.expect) {
      expect(Buffer.compare(Buffer.from(sim.read(blob.addr, blob.data.length)), Buffer.from(blob.data))).toBe(0);
    }
  });
});
