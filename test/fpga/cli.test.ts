// `vta fpga` end to end: the folder of each board holds the documented files with the right part, the
// manifest's sha256 match the bytes, the header carries the board's platform macros and compiles, build.sh
// runs the vendor tools in order (fake tools on PATH record their arguments), and configurations that do
// not fit are refused with the knob to change unless --force.

import { createHash } from 'crypto';
import { spawnSync } from 'child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { join, relative } from 'path';
import { runFpga } from '../../scripts/fpga/command';
import { bufferLowerBound, fitFromSynth, FitEstimator } from '../../scripts/fpga/fit';
import { boardByName } from '../../hw/boards/boards';
import { captureIo, fakeEmitRtl } from '../gen/util';
import { cleanup, tempDir } from './helpers';

afterAll(cleanup);

// The buffer bound keeps these tests fast; `vta synth`'s yosys estimate is the default where the tree has it.
const lowerBound: FitEstimator = (cfg, board) => bufferLowerBound(cfg, board);

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p, root) : [relative(root, p)];
  });
}

const PARTS: [string, string, string[]][] = [
  ['pynq-z1', 'xc7z020clg400-1', ['build.tcl']],
  ['ultra96', 'xczu3eg-sbva484-1-i', ['build.tcl']],
  ['zcu104', 'xczu7ev-ffvc1156-2-e', ['build.tcl']],
  ['de10-nano', '5CSEBA6U23I7', ['vta_hw.tcl', 'soc_system.tcl', 'de10_nano_top.v', 'de10_nano.sdc', 'pins.tcl', 'project.tcl', 'report.tcl']],
];

describe.each(PARTS)('vta fpga --board %s', (board, part, vendorFiles) => {
  let out: string;
  let io: ReturnType<typeof captureIo>;
  beforeAll(async () => {
    out = tempDir();
    io = captureIo();
    expect(await runFpga(['--board', board, '--out', out], io, { emitRtl: fakeEmitRtl, estimator: lowerBound })).toBe(0);
  });

  test('writes the documented files; manifest.json names the part and hashes every other file', () => {
    const files = walk(out).sort();
    for (const f of ['build.sh', 'README.md', 'manifest.json', 'vta_hw_spec.h', 'config.json', 'synth-estimate.json', 'rtl/VtaBoardShell.v', ...vendorFiles]) {
      expect(files).toContain(f);
    }
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ board, part, coreTop: 'VTAFake', shellTop: 'VtaBoardShell', registerRange: 4096 });
    expect(m.files.map((f: { path: string }) => f.path).sort()).toEqual(files.filter((f) => f !== 'manifest.json'));
    for (const f of m.files) {
      const bytes = readFileSync(join(out, f.path));
      expect([f.path, createHash('sha256').update(bytes).digest('hex'), bytes.length]).toEqual([f.path, f.sha256, f.bytes]);
    }
    expect(m.registerMap[0]).toEqual({ name: 'CONTROL', offset: 0, access: 'rw' });
    expect(Object.keys(m.testedToolVersions)).toEqual([board === 'de10-nano' ? 'quartus' : 'vivado']);
    expect(io.out).toMatch(new RegExp(`part   ${part}`));
    expect(io.err).toMatch(/vta fpga: .*generating the core/);
  });

  test("vta_hw_spec.h carries the board's platform macros and compiles as C and C++", () => {
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const target = { 'pynq-z1': 'PYNQ', ultra96: 'ULTRA96', zcu104: 'ZCU104', 'de10-nano': 'DE10_NANO' }[board];
    writeFileSync(
      join(out, 'check.c'),
      [
        '#include <stdbool.h>',
        '#include "vta_hw_spec.h"',
        `#ifndef VTA_TARGET_${target}`,
        '#error no target macro',
        '#endif',
        `_Static_assert(VTA_HOST_ADDR == ${m.registerBase}u, "base");`,
        `_Static_assert(VTA_FETCH_INSN_COUNT_OFFSET == 8 && VTA_IP_REG_MAP_RANGE == 0x1000, "offsets");`,
        `_Static_assert(VTA_PHY_ADDR_OFFSET == ${m.physAddrOffset}u, "offset");`,
        `_Static_assert(VTA_COHERENT_ACCESSES == ${m.coherent ? 1 : 0}, "coherent");`,
        'int main(void) { union VTAInsn i; VTAUop u; (void)i; (void)u; return 0; }',
        '',
      ].join('\n'),
    );
    const c = spawnSync('gcc', ['-std=c11', '-Wall', '-Werror', '-fsyntax-only', 'check.c'], { cwd: out, encoding: 'utf8' });
    expect(c.stderr).toBe('');
    const cc = spawnSync('g++', ['-std=c++11', '-Wall', '-Werror', '-fsyntax-only', '-x', 'c++', '-'], {
      cwd: out,
      encoding: 'utf8',
      input: '#include "vta_hw_spec.h"\nint main() { return VTA_COHERENT_ACCESSES ? 0 : 1; }\n',
    });
    expect(cc.stderr).toBe('');
  });

  test("the README loads the bitstream the board's way: FPGA-region overlay on the DE10 (mainline has no firmware attribute), PS port widths on ZynqMP", () => {
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    if (board === 'de10-nano') {
      expect(readme).not.toMatch(/fpga_manager\/fpga0\/firmware/);
      expect(readme).toMatch(/target-path = "\/soc\/base_fpga_region";.*\n\s+__overlay__ \{\n\s+firmware-name = "vta\.rbf";/);
      expect(readme).toMatch(/device-tree\/overlays\/vta\/dtbo/);
    } else {
      expect(readme).toMatch(/sudo fpgautil -b vta\.bit/);
    }
    if (board === 'ultra96' || board === 'zcu104')
      expect(readme).toMatch(/the runtime sets M_AXI_HPM0_FPD to 32 and\s+S_AXI_HPC0_FPD to 128 bits before it uses the core/);
    else expect(readme).not.toMatch(/M_AXI_HPM0_FPD/);
  });

  test('build.sh runs the vendor tools in order with the job count (fake tools record their arguments)', () => {
    const bin = join(out, '.fake-bin');
    mkdirSync(bin, { recursive: true });
    const log = join(out, '.tools.log');
    for (const tool of ['vivado', 'qsys-script', 'qsys-generate', 'quartus_sh', 'quartus_map', 'quartus_sta', 'quartus_cpf']) {
      // qsys-generate leaves the HPS SDRAM pin-assignment script, as the real one does.
      const extra =
        tool === 'qsys-generate' ? 'mkdir -p soc_system/synthesis/submodules && touch soc_system/synthesis/submodules/hps_sdram_p0_pin_assignments.tcl\n' : '';
      writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> "${log}"\n${extra}`);
      chmodSync(join(bin, tool), 0o755);
    }
    const r = spawnSync('bash', [join(out, 'build.sh')], { encoding: 'utf8', env: { ...process.env, JOBS: '3', PATH: `${bin}:${process.env.PATH}` } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    if (board === 'de10-nano') {
      expect(lines).toEqual([
        `qsys-script --script=soc_system.tcl --search-path=${out},$`,
        `qsys-generate soc_system.qsys --synthesis=VERILOG --search-path=${out},$ --output-directory=soc_system`,
        // separate processes: project, synthesis, the HPS SDRAM pins in the timing analyzer, compile, report
        'quartus_sh -t project.tcl 3',
        'quartus_map vta',
        'quartus_sta -t soc_system/synthesis/submodules/hps_sdram_p0_pin_assignments.tcl vta',
        'quartus_sh --flow compile vta',
        'quartus_sh -t report.tcl',
        'quartus_cpf -c -o bitstream_compression=on output_files/vta.sof output/vta.rbf',
      ]);
    } else {
      expect(lines).toEqual(['vivado -mode batch -nojournal -log output/vivado.log -source build.tcl -tclargs 3']);
    }
    // Without the tools: one line naming the missing one.
    const none = spawnSync('bash', [join(out, 'build.sh')], { encoding: 'utf8', env: { ...process.env, PATH: '/usr/bin:/bin' } });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(board === 'de10-nano' ? /build\.sh: qsys-script is not on PATH/ : /build\.sh: vivado is not on PATH/);
  });
});

describe('vta fpga checks', () => {
  test('a configuration that does not fit is refused with the knob, and written with --force', async () => {
    const out = tempDir();
    const io = captureIo();
    expect(
      await runFpga(['--board', 'pynq-z1', '--gemm', '1x32x32', '--wgt-buff', '19', '--acc-buff', '18', '--out', out], io, {
        emitRtl: fakeEmitRtl,
        estimator: lowerBound,
      }),
    ).toBe(1);
    expect(io.err).toMatch(/vta fpga: 1x32_i8w8a32_15_15_19_18 does not fit pynq-z1 .*lower --wgt-buff \(the WGT buffer is 512 KiB\); or pass --force/);
    expect(readdirSync(out)).toEqual([]);
    const forced = captureIo();
    expect(
      await runFpga(['--board', 'pynq-z1', '--gemm', '1x32x32', '--wgt-buff', '19', '--acc-buff', '18', '--out', out, '--force'], forced, {
        emitRtl: fakeEmitRtl,
        estimator: lowerBound,
      }),
    ).toBe(0);
    expect(forced.err).toMatch(/WARNING: .*does not fit pynq-z1/);
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).fit).toMatchObject({ fits: false, forced: true });
    expect(JSON.parse(readFileSync(join(out, 'synth-estimate.json'), 'utf8')).fits).toBe(false);
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/DOES NOT FIT/);
  });

  test.each([
    [['--out', 'x'], /--board is required: one of pynq-z1, ultra96, zcu104, de10-nano/],
    [['--board', 'arty'], /unknown board "arty"; known boards: pynq-z1, ultra96, zcu104, de10-nano/],
    [['--board', 'pynq-z1', '--bus-width', '128'], /--bus-width 128: pynq-z1's PS7 S_AXI_ACP is 64 bits wide/],
    [['--board', 'ultra96', '--freq', '5'], /--freq 5: expected a fabric clock between 10 and 800 MHz/],
  ])('usage errors: %j', async (argv, message) => {
    const io = captureIo();
    expect(await runFpga(argv as string[], io, { emitRtl: fakeEmitRtl, estimator: lowerBound, cwd: tempDir() })).toBe(2);
    expect(io.err).toMatch(message);
    expect(io.err.trim().split('\n')).toHaveLength(1);
  });

  test("with the real generator the shell instantiates the generator's top", async () => {
    const out = tempDir();
    const io = captureIo();
    expect(await runFpga(['--board', 'de10-nano', '--out', out, '--freq', '90'], io, { estimator: lowerBound })).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(readFileSync(join(out, 'rtl/VtaBoardShell.v'), 'utf8')).toContain(`  ${m.coreTop} core (`);
    expect(readdirSync(join(out, 'rtl'))).toContain(`${m.coreTop}.v`);
    expect(m.frequencyMhz).toBe(90);
  });
});

test("vta synth's fit becomes the refusal with the knob per resource over budget", () => {
  const fit = fitFromSynth(
    {
      yosysVersion: '0.55',
      fit: { ok: false, lut: { used: 60000, budget: 53200, pct: 112.8, unit: 'LUT6' }, dsp: { used: 100, budget: 220, pct: 45.45, unit: 'DSP48E1' } },
    },
    boardByName('pynq-z1'),
  );
  expect(fit.fits).toBe(false);
  expect(fit.source).toBe('vta synth (yosys 0.55)');
  expect(fit.rows).toEqual([
    { resource: 'lut', used: 60000, available: 53200, unit: 'LUT6' },
    { resource: 'dsp', used: 100, available: 220, unit: 'DSP48E1' },
  ]);
  expect(fit.fix).toBe('lut 60000 > 53200 LUT6: a smaller --gemm, or --alu-ii 2');
});

test("--freq above vta synth's clock estimate warns, naming the estimate and the critical path; at or below it, no warning", async () => {
  const withEstimate: FitEstimator = async (cfg, board) => ({
    ...(await bufferLowerBound(cfg, board)),
    timing: { fmaxMHz: 142.5, rangeMHz: [118, 171] as const, levels: 9, from: 'fetch/state[0]', to: 'compute/uop_idx[2]' },
  });
  const fast = captureIo();
  expect(await runFpga(['--board', 'pynq-z1', '--freq', '150', '--out', tempDir()], fast, { emitRtl: fakeEmitRtl, estimator: withEstimate })).toBe(0);
  expect(fast.err).toMatch(
    /vta fpga: WARNING: 150 MHz is above the clock estimate of 142\.5 MHz \(118-171; 9 logic levels from fetch\/state\[0\] to compute\/uop_idx\[2\]\); the build may fail timing: lower --freq/,
  );
  const out = tempDir();
  const ok = captureIo();
  expect(await runFpga(['--board', 'pynq-z1', '--freq', '140', '--out', out], ok, { emitRtl: fakeEmitRtl, estimator: withEstimate })).toBe(0);
  expect(ok.err).not.toMatch(/WARNING/);
  expect(readFileSync(join(out, 'README.md'), 'utf8')).toMatch(/\| clock estimate \| 142\.5 MHz before place and route \(118-171\), 9 logic levels \|/);
  expect(JSON.parse(readFileSync(join(out, 'synth-estimate.json'), 'utf8')).timing.fmaxMHz).toBe(142.5);
});
