// Compiles the generated vta_hw_spec.h with g++ next to static_asserts, so the header is valid C++
// and its values are what the configuration says.

import { spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, withOverrides, VtaConfig } from '../../hw/vta/config';
import { renderHwSpecHeader } from '../../gen/header';
import { cleanupTempDirs, tempDir } from './util';

// g++ is a required tool (scripts/setup-system.sh installs it).
const testCc = test;

afterAll(cleanupTempDirs);

function compile(cfg: VtaConfig, asserts: string[]): { status: number | null; stderr: string } {
  const dir = tempDir();
  writeFileSync(join(dir, 'vta_hw_spec.h'), renderHwSpecHeader(cfg));
  const source = [
    '#include "vta_hw_spec.h"',
    '#include "vta_hw_spec.h" /* the include guard makes a second include harmless */',
    ...asserts.map((a) => `static_assert(${a}, "${a.replace(/"/g, '\\"')}");`),
    'int main() { return 0; }',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'check.cc'), source);
  const r = spawnSync('g++', ['-std=c++11', '-fsyntax-only', '-Wall', '-Wextra', '-Werror', 'check.cc'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

function fieldAsserts(cfg: VtaConfig): string[] {
  const f = cfg.layout;
  return [
    `VTA_INSN_GEM_UOP_BGN_SHIFT == ${f.gemm.byName.uop_bgn.lsb}`,
    `VTA_INSN_GEM_WGT_FACTOR_IN_SHIFT == ${f.gemm.byName.wgt_factor_in.lsb}`,
    `VTA_INSN_ALU_IMM_SHIFT == ${f.alu.byName.imm.lsb}`,
    `VTA_UOP_WGT_SHIFT == ${f.uop.byName.wgt.lsb}`,
    `VTA_UOP_WGT_MASK == (1ULL << VTA_UOP_WGT_WIDTH) - 1`,
    'VTA_UOP_WGT_SHIFT + VTA_UOP_WGT_WIDTH <= VTA_UOP_WIDTH',
    'VTA_INSN_GEM_WGT_FACTOR_IN_SHIFT + VTA_INSN_GEM_WGT_FACTOR_IN_WIDTH <= VTA_INS_WIDTH',
  ];
}

testCc("the default header compiles and has VTA's default values", () => {
  const cfg = deriveConfig(DEFAULT_CONFIG_JSON);
  const r = compile(cfg, [
    'VTA_INP_ELEM_BYTES == 16',
    'VTA_WGT_ELEM_BYTES == 256',
    'VTA_ACC_ELEM_BYTES == 64',
    'VTA_OUT_ELEM_BYTES == 16',
    'VTA_UOP_ELEM_BYTES == 4',
    'VTA_INS_ELEM_BYTES == 16',
    'VTA_BATCH == 1 && VTA_BLOCK_IN == 16 && VTA_BLOCK_OUT == 16',
    'VTA_LOG_ACC_BUFF_DEPTH == 11 && VTA_ACC_BUFF_DEPTH == 2048',
    'VTA_WGT_BUFF_DEPTH == 1024',
    'VTA_INP_MATRIX_WIDTH == VTA_INP_WIDTH * VTA_BATCH * VTA_BLOCK_IN',
    'VTA_OPCODE_ALU == 4 && VTA_MEM_ID_OUT == 4 && VTA_ALU_OPCODE_SHR == 3',
    'VTA_INSN_MEM_Y_SIZE_SHIFT == 64',
    'VTA_INSN_MEM_DRAM_BASE_MASK == 0xffffffffULL',
    'sizeof(VTA_CONFIG_NAME) == sizeof("1x16_i8w8a32_15_15_18_17")',
    ...fieldAsserts(cfg),
  ]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

testCc('the 1x32x32 header compiles with its own values', () => {
  const cfg = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32')));
  const r = compile(cfg, ['VTA_INP_ELEM_BYTES == 32', 'VTA_WGT_ELEM_BYTES == 1024', 'VTA_ACC_BUFF_DEPTH == 1024', ...fieldAsserts(cfg)]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

testCc('a false assertion fails (the check is real)', () => {
  const r = compile(deriveConfig(DEFAULT_CONFIG_JSON), ['VTA_INP_ELEM_BYTES == 17']);
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/static assert/i);
});
