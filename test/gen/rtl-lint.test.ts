// `vta gen` output for three configurations passes `verilator --lint-only -Wall` with the manifest's
// top over the manifest's files, module names follow the parameters (the top is always VtaCore), the
// manifest describes ports, memories and files, and the Verilog reads well (named instruction fields,
// GEMM lanes commented, optional source lines).

import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { emitVerilog, lintVerilog } from '../../hw/dsl';
import { Compute } from '../../hw/vta/core/compute';
import { rtlTestConfigs } from '../vta/rtl-sim';
import { GenManifest, runGen } from '../../gen/gen';
import { emitRtl } from '../../gen/rtl';
import { defaultConfig } from '../../hw/vta/config';
import { corePorts } from '../../hw/vta/ports';

const quiet = { stdout: () => undefined, stderr: () => undefined };

describe.each([
  ['1x16x16', [], 'GemmCore_1x16x16_p2'],
  ['2x8x8', ['--wgt-buff', '16'], 'GemmCore_2x8x8_p2'],
  ['1x32x32', [], 'GemmCore_1x32x32_p2'],
])('vta gen --gemm %s', (shape, extra, gemm) => {
  test('lints clean with -Wall over the manifest', async () => {
    const out = mkdtempSync(join(tmpdir(), `vta-gen-${shape}-`));
    expect(await runGen(['--gemm', shape, ...extra, '--out', out], { io: quiet })).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as GenManifest;
    expect(manifest.top).toBe('VtaCore');
    expect(readFileSync(join(out, 'VtaCore.v'), 'utf8')).toContain(`// Config hash: ${manifest.configHash}`);
    expect(manifest.files).toContain(`${gemm}.v`);
    expect(manifest.files[manifest.files.length - 1]).toBe(`${manifest.top}.v`);
    const files = new Map(manifest.files.map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    const lint = lintVerilog(files, manifest.top, { order: [...manifest.files] });
    expect(lint.diagnostics).toEqual([]);
    expect(lint.ok).toBe(true);
  });
});

describe('manifest and readability (default configuration)', () => {
  const cfg = defaultConfig();
  const rtl = emitRtl(cfg);
  const text = (name: string): string => rtl.files.find((f) => f.name.startsWith(name))!.text;

  test('ports: the contract of hw/vta/ports.ts, with direction, width and interface', () => {
    expect(rtl.ports!.map((p) => p.name)).toEqual(corePorts(cfg).map((p) => p.name));
    expect(rtl.ports!.find((p) => p.name === 'm_axi_rdata')).toMatchObject({ direction: 'input', width: cfg.busBits, interface: 'm_axi' });
    expect(rtl.ports!.find((p) => p.name === 's_axil_awaddr')).toMatchObject({ direction: 'input', width: 16, interface: 's_axil' });
  });

  test('memories: the scratchpads by instance path, with depth, width, ports and read-during-write', () => {
    const acc = rtl.memories!.find((m) => m.name === 'compute.acc_mem')!;
    expect(acc).toMatchObject({ depth: cfg.tensor.acc.depth, width: cfg.tensor.acc.elemBits, writePorts: 1, readDuringWrite: 'old' });
    expect(acc.readPorts.length).toBeGreaterThan(0);
    expect(rtl.memories!.find((m) => m.name === 'load.wgt_mem')).toMatchObject({ depth: cfg.tensor.wgt.depth, width: cfg.tensor.wgt.elemBits });
  });

  test('instruction fields are named wires; no !(~x); GEMM lanes are commented', () => {
    const compute = text('Compute_');
    expect(compute).toMatch(/assign cur_opcode = cur_insn\[2:0\];/);
    expect(compute).toMatch(/cur_opcode == 3'd2/);
    expect(compute).not.toMatch(/cur_insn\[2:0\] ==/);
    for (const f of rtl.files) expect(f.text).not.toContain('!(~');
    const gemm = text('GemmCore_');
    for (const [b, o] of [
      [0, 0],
      [0, 15],
    ])
      expect(gemm).toContain(`// ---- lane (b=${b}, o=${o}): dot product of inp[${b}][0..15] and wgt[${o}][0..15] ----`);
    expect(gemm).toMatch(/reg +\[17:0\] dot_b0_o15_s1_0;/);
  });

  test('--source-lines annotates blocks with the TypeScript line that built them', () => {
    const annotated = emitRtl(cfg, { sourceLines: true });
    const compute = annotated.files.find((f) => f.name.startsWith('Compute_'))!.text;
    expect(compute).toMatch(/assign is_gemm = cur_opcode == 3'd2; \/\/ hw\/vta\/core\/compute\.ts:\d+/);
    expect(compute).toMatch(/assign cur_opcode = cur_insn\[2:0\]; \/\/ hw\/vta\/core\/compute\.ts:\d+/);
    expect(compute).toMatch(/\/\/ from hw\/vta\/core\/compute\.ts:\d+(, \d+)*\n {2}always @\(posedge clock\)/);
    expect(text('Compute_')).not.toMatch(/\/\/ from hw\//);
  });
});

// Not timed: on a shared 2-core machine a wall-clock bound only measures the neighbours.
test('emitRtl of the default configuration is deterministic', () => {
  const cfg = defaultConfig();
  const a = emitRtl(cfg);
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
