// `vta conform`, `vta run` and `vta disasm` end to end, through bin/vta.js.

import { spawnSync } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '../..');

function vta(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/vta.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('vta conform over the vta-hls set: 35 passed, 0 failed, 2 skipped', () => {
  const r = vta('conform', '../shared/conformance/vta-hls', '--target', 'fsim');
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[lines.length - 1]).toBe('35 passed, 0 failed, 2 skipped');
  expect(r.code).toBe(0);
  expect(lines.filter((l) => l.startsWith('PASS '))).toHaveLength(35);
  const skips = lines.filter((l) => l.startsWith('SKIP '));
  expect(skips).toHaveLength(2);
  expect(skips[0]).toMatch(/^SKIP default__quirk_hls_reset_gemm_then_store_s210: .*OUT becomes 0/);
  expect(skips[1]).toMatch(/^SKIP default__quirk_hls_shr_amounts_s212: .*whole amount/); // the time line says what it is
  expect(r.stderr).toMatch(/^vta conform: 37 vector file\(s\) on fsim in \d+\.\d\d s wall-clock$/m);
});

test('vta conform on a skipped vector alone still says why; a failing one exits 1', () => {
  const r = vta('conform', '../shared/conformance/vta-hls/default__quirk_hls_shr_amounts_s212.json', '--target', 'fsim');
  expect(r.stdout.trimEnd().split('\n').pop()).toBe('0 passed, 0 failed, 1 skipped');
  expect(r.code).toBe(0);
  const bad = vta('conform', 'package.json', '--target', 'fsim');
  expect(bad.stdout).toMatch(/^FAIL package: VectorError: .*missing field config/m);
  expect(bad.stdout.trimEnd().split('\n').pop()).toBe('0 passed, 1 failed, 0 skipped');
  expect(bad.code).toBe(1);
});

test('vta run --json prints exactly one JSON object with counters', () => {
  const r = vta('run', '../shared/conformance/vta-hls/default__tl_blocked_gemm_b128_c128_blk32_vt1_comp_s110.json', '--target', 'fsim', '--json');
  expect(r.code).toBe(0);
  const o = JSON.parse(r.stdout);
  expect(o.ok).toBe(true);
  expect(o.cycles).toBeNull();
  expect(o.wallSeconds).toBeGreaterThan(0);
  for (const k of ['gemmUops', 'aluUops', 'uopLoadBytes', 'inpLoadBytes', 'wgtLoadBytes', 'accLoadBytes', 'outStoreBytes']) {
    expect(typeof o.counters[k]).toBe('number');
  }
  expect(o.counters.gemmUops).toBeGreaterThan(0);
});

test('vta run on a mismatch lists addresses, expected/actual bytes and the STORE that wrote them', () => {
  const r = vta('run', '../shared/conformance/vta-hls/default__quirk_hls_reset_gemm_then_store_s210.json', '--target', 'fsim');
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/^FAIL default__quirk_hls_reset_gemm_then_store_s210: 96 byte\(s\) differ/);
  expect(r.stdout).toMatch(/addr 20480 \(0x5000\): expected 0x90, got 0x00, last written by STORE instruction 5/);
});

test('vta disasm lists a vector program one instruction per line, after a legend of what the fields count', () => {
  const r = vta('disasm', '../shared/conformance/vta-hls/default__tl_gemm_4x4x4_s111.json');
  expect(r.code).toBe(0);
  const all = r.stdout.trimEnd().split('\n');
  const legend = all.filter((l) => l.startsWith('#'));
  expect(all.slice(0, legend.length)).toEqual(legend); // the legend comes first
  expect(legend.join('\n')).toContain('sram= and dram= are element indices of that memory, not bytes');
  expect(legend.join('\n')).toMatch(/element bytes: UOP 4, INP \d+, WGT \d+, ACC \d+, OUT \d+/);
  const lines = all.slice(legend.length);
  expect(lines).toHaveLength(7);
  expect(lines[4]).toMatch(/^4 +compute GEMM +uop=\[0,64\)/);
  expect(lines[6]).toMatch(/FINISH/);
  const bare = vta('disasm', '--no-legend', '../shared/conformance/vta-hls/default__tl_gemm_4x4x4_s111.json');
  expect(bare.stdout.trimEnd().split('\n')).toEqual(lines);
});

test('vta disasm of a text file that is no vector: "not a vector or a program", one line, exit 1', () => {
  const r = vta('disasm', 'README.md');
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe('vta disasm: README.md: not a vector or a program: a vector is a .json file, a program whole 16-byte instructions (this is text)\n');
});

test('vta conform --json prints one JSON document with a result per vector (fsim-js target)', () => {
  const dir = '../shared/conformance/vta-hls';
  const r = vta(
    'conform',
    `${dir}/default__tl_alu_add_vec_s107.json`,
    `${dir}/default__quirk_hls_shr_amounts_s212.json`,
    `${dir}/missing.json`,
    '--json',
    '--target',
    'fsim-js',
  );
  expect(r.code).toBe(2); // a missing file is a usage error, reported before anything runs
  const ok = vta('conform', `${dir}/default__tl_alu_add_vec_s107.json`, `${dir}/default__quirk_hls_shr_amounts_s212.json`, '--json', '--target', 'fsim-js');
  expect(ok.code).toBe(0);
  const o = JSON.parse(ok.stdout);
  expect(o).toMatchObject({ target: 'fsim-js', passed: 1, failed: 0, skipped: 1 });
  expect(o.vectors).toEqual([
    expect.objectContaining({ name: 'default__tl_alu_add_vec_s107', status: 'pass', file: `${dir}/default__tl_alu_add_vec_s107.json` }),
    expect.objectContaining({ name: 'default__quirk_hls_shr_amounts_s212', status: 'skip', reason: expect.stringMatching(/whole amount/) }),
  ]);
});
