// `vta gen` output for three configurations passes `verilator --lint-only -Wall` with the manifest's
// top over the manifest's files, and module names follow the parameters.

import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { emitVerilog, lintVerilog } from '../../hw/dsl';
import { Compute } from '../../hw/vta/core/compute';
import { rtlTestConfigs } from '../vta/rtl-sim';
import { GenManifest, runGen } from '../../gen/gen';
import { emitRtl } from '../../gen/rtl';
import { defaultConfig } from '../../hw/vta/config';

const quiet = { stdout: () => undefined, stderr: () => undefined };

describe.each([
  ['1x16x16', [], /^VtaCore_[0-9a-f]{12}$/, 'GemmCore_1x16x16_p2'],
  ['2x8x8', ['--wgt-buff', '16'], /^VtaCore_[0-9a-f]{12}$/, 'GemmCore_2x8x8_p2'],
  ['1x32x32', [], /^VtaCore_[0-9a-f]{12}$/, 'GemmCore_1x32x32_p2'],
])('vta gen --gemm %s', (shape, extra, top, gemm) => {
  test('lints clean with -Wall over the manifest', async () => {
    const out = mkdtempSync(join(tmpdir(), `vta-gen-${shape}-`));
    expect(await runGen(['--gemm', shape, ...extra, '--out', out], { io: quiet })).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as GenManifest;
    expect(manifest.top).toMatch(top);
    expect(manifest.files).toContain(`${gemm}.v`);
    expect(manifest.files[manifest.files.length - 1]).toBe(`${manifest.top}.v`);
    const files = new Map(manifest.files.map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    const lint = lintVerilog(files, manifest.top, { order: [...manifest.files] });
    expect(lint.diagnostics).toEqual([]);
    expect(lint.ok).toBe(true);
  });
});

test('emitRtl of the default configuration is fast and deterministic', () => {
  const cfg = defaultConfig();
  const t0 = Date.now();
  const a = emitRtl(cfg);
  const ms = Date.now() - t0;
  expect(ms).toBeLessThan(2000);
  const b = emitRtl(cfg);
  expect(b).toEqual(a);
  expect(a.files[0].text).toContain(cfg.hash);
});

describe.each(rtlTestConfigs())('Compute $label', ({ cfg }) => {
  test('elaborates and lints clean with -Wall', () => {
    const out = emitVerilog(new Compute(cfg));
    const lint = lintVerilog(out.files, out.top, { order: out.order });
    expect(lint.diagnostics).toEqual([]);
    expect(lint.ok).toBe(true);
  });
});
