// Shared pieces of the `vta fpga` tests: a bundle written to a temporary folder (fake RTL by default, so
// the scripts are tested without the generator's cost), and the fixed generator string golden files use.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { dirname, join } from 'path';
import { boardByName } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { deriveConfig, DEFAULT_CONFIG_JSON, VtaConfig, withOverrides } from '../../hw/vta/config';
import type { RtlOutput } from '../../gen/rtl';
import { Bundle, buildBundle } from '../../scripts/fpga/bundle';
import { bufferLowerBound } from '../../scripts/fpga/fit';
import { fakeEmitRtl } from '../gen/util';

export const TEST_GENERATOR = 'vta-ts test';

const dirs: string[] = [];

export function tempDir(prefix = 'vta-fpga-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export function cleanup(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function boardConfig(board: string): VtaConfig {
  return deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, boardPreset(boardByName(board))));
}

/** The bundle of `board` (default configuration with the board preset), built with `emit` (fake RTL by default). */
export async function makeBundle(board: string, emit: (cfg: VtaConfig) => RtlOutput = fakeEmitRtl, freqMhz?: number): Promise<Bundle> {
  const b = boardByName(board);
  const cfg = boardConfig(board);
  const fit = await bufferLowerBound(cfg, b);
  return buildBundle({ board: b, cfg, rtl: emit(cfg), freqMhz: freqMhz ?? b.clockMhz, fit, generator: TEST_GENERATOR, configDir: cfg.name, forced: false });
}

export function writeBundle(bundle: Bundle, dir = tempDir()): string {
  for (const f of bundle.files) {
    const p = join(dir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.text);
    if (f.executable) chmodSync(p, 0o755);
  }
  return dir;
}
