// Shared helpers of the `vta gen` tests: a captured CliIo, a fake RTL emitter, temporary directories.

import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { CliIo } from '../../cli/errors';
import type { VtaConfig } from '../../hw/vta/config';
import type { RtlOutput } from '../../gen/rtl';

export interface CapturedIo extends CliIo {
  out: string;
  err: string;
}

export function captureIo(env: Record<string, string | undefined> = {}): CapturedIo {
  const io: CapturedIo = {
    out: '',
    err: '',
    stdout: (t) => void (io.out += t),
    stderr: (t) => void (io.err += t),
    env,
  };
  return io;
}

/** Stands in for the hardware generator: two deterministic files that depend on the configuration. */
export function fakeEmitRtl(cfg: VtaConfig): RtlOutput {
  return {
    top: 'VTAFake',
    files: [
      { name: 'fake_gemm.v', text: `// fake GEMM for ${cfg.name}\nmodule FakeGemm; localparam BATCH = ${cfg.batch}; endmodule\n` },
      { name: 'fake_top.v', text: `// fake top, hash ${cfg.hash}\nmodule VTAFake; FakeGemm g(); endmodule\n` },
    ],
  };
}

const dirs: string[] = [];

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vta-gen-test-'));
  dirs.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
