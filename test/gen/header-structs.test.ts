// The header's C types (VTAMemInsn, VTAGemInsn, VTAAluInsn, union VTAInsn, VTAUop) against the TypeScript
// encoder: g++ builds instructions through the structs, member by member, and prints their bytes; they
// must equal encodeInsn/encodeUop byte for byte. Covers configurations whose INP/ACC/WGT depths differ.

import { spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, withOverrides, VtaConfig } from '../../hw/vta/config';
import { encodeInsn, encodeUop, FIELD_KEYS, Insn, OPCODE, Uop } from '../../hw/vta/isa';
import type { FieldLayout } from '../../hw/vta/layout';
import { renderHwSpecHeader } from '../../gen/header';
import { mulberry32 } from '../../sim/testing/prng';
import { cleanupTempDirs, tempDir } from './util';

afterAll(cleanupTempDirs);

// VTA's member names where the layout's differ.
const MEMBER: Record<string, string> = {
  pop_prev: 'pop_prev_dep',
  pop_next: 'pop_next_dep',
  push_prev: 'push_prev_dep',
  push_next: 'push_next_dep',
  dst: 'dst_idx',
  src: 'src_idx',
  wgt: 'wgt_idx',
};

interface Case {
  /** C++ statements that fill `u` (a union VTAInsn) or `uop` (a VTAUop). */
  cc: string;
  bytes: Uint8Array;
}

function randomFields(rand: () => number, layout: FieldLayout, fixed: Record<string, number>): Record<string, number> {
  const v: Record<string, number> = {};
  for (const f of layout.fields) {
    if (f.name in fixed) v[f.name] = fixed[f.name];
    else if (f.name === 'imm') v[f.name] = Math.floor(rand() * 2 ** f.width) - 2 ** (f.width - 1);
    else v[f.name] = Math.floor(rand() * 2 ** f.width);
  }
  return v;
}

function toObject(op: string, layout: FieldLayout, fields: Record<string, number>): Record<string, unknown> {
  const o: Record<string, unknown> = { op };
  for (const f of layout.fields) {
    if (f.name === 'opcode') continue;
    const key = FIELD_KEYS[f.name];
    o[key] = ['pop_prev', 'pop_next', 'push_prev', 'push_next', 'reset_reg', 'use_imm'].includes(f.name) ? fields[f.name] === 1 : fields[f.name];
  }
  return o;
}

function cases(cfg: VtaConfig, seed: number, perKind: number): Case[] {
  const rand = mulberry32(seed);
  const out: Case[] = [];
  const kinds: [string, keyof VtaConfig['layout'] & string, string, number][] = [
    ['LOAD', 'mem', 'mem', OPCODE.LOAD],
    ['STORE', 'mem', 'mem', OPCODE.STORE],
    ['GEMM', 'gemm', 'gemm', OPCODE.GEMM],
    ['ALU', 'alu', 'alu', OPCODE.ALU],
  ];
  for (const [op, key, member, opcode] of kinds) {
    const layout = cfg.layout[key];
    for (let i = 0; i < perKind; i++) {
      const fixed: Record<string, number> = { opcode };
      if (op === 'ALU') fixed.alu_opcode = Math.floor(rand() * 5);
      const fields = randomFields(rand, layout, fixed);
      const insn = toObject(op, layout, fields) as unknown as Insn;
      const sets = layout.fields
        .filter((f) => f.width > 0)
        .map((f) => `u.${member}.${MEMBER[f.name] ?? f.name} = ${fields[f.name]}${f.name === 'imm' ? 'LL' : 'ULL'};`);
      out.push({ cc: sets.join(' '), bytes: encodeInsn(cfg, insn) });
    }
  }
  // FINISH through the generic view.
  out.push({
    cc: `u.generic.opcode = ${OPCODE.FINISH}; u.generic.pop_prev_dep = 1; u.generic.push_next_dep = 1;`,
    bytes: encodeInsn(cfg, { op: 'FINISH', popPrev: true, popNext: false, pushPrev: false, pushNext: true }),
  });
  for (let i = 0; i < perKind; i++) {
    const fields = randomFields(rand, cfg.layout.uop, {});
    const uop = toObject('UOP', cfg.layout.uop, fields) as unknown as Uop;
    const word = encodeUop(cfg, uop);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, word, true);
    const sets = cfg.layout.uop.fields.filter((f) => f.width > 0).map((f) => `uop.${MEMBER[f.name] ?? f.name} = ${fields[f.name]}U;`);
    out.push({ cc: `UOP ${sets.join(' ')}`, bytes });
  }
  return out;
}

function runCc(cfg: VtaConfig, list: Case[]): string[] {
  const dir = tempDir();
  writeFileSync(join(dir, 'vta_hw_spec.h'), renderHwSpecHeader(cfg, 'vta-ts test'));
  const body = list.map((c) => {
    if (c.cc.startsWith('UOP ')) return `  { VTAUop uop; memset(&uop, 0, sizeof uop); ${c.cc.slice(4)} dump(&uop, sizeof uop); }`;
    return `  { union VTAInsn u; memset(&u, 0, sizeof u); ${c.cc} dump(&u, sizeof u); }`;
  });
  const src = [
    '#include <cstdio>',
    '#include <cstring>',
    '#include "vta_hw_spec.h"',
    'static_assert(VTA_UOP_WIDTH == sizeof(VTAUop) * 8, "TVM runtime check");',
    'static void dump(const void* p, size_t n) { const unsigned char* b = (const unsigned char*)p; for (size_t i = 0; i < n; i++) printf("%02x", b[i]); printf("\\n"); }',
    'int main() {',
    ...body,
    '  return 0;',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'structs.cc'), src);
  const c = spawnSync('g++', ['-std=c++11', '-Wall', '-Wextra', '-Werror', '-O0', '-o', 'structs', 'structs.cc'], { cwd: dir, encoding: 'utf8' });
  if (c.status !== 0) throw new Error(`g++ failed:\n${c.stderr}`);
  const r = spawnSync(join(dir, 'structs'), [], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`structs exited with ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const configs: [string, VtaConfig][] = [
  ['default 1x16x16', deriveConfig(DEFAULT_CONFIG_JSON)],
  ['2x8x8 wgt 16', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }))],
  ['1x32x32', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32')))],
  // INP deeper than ACC (src_idx takes the INP width) and a shallow UOP buffer.
  [
    'inp 16 acc 15 uop 14',
    deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_INP_BUFF_SIZE: 16, LOG_ACC_BUFF_SIZE: 15, LOG_WGT_BUFF_SIZE: 17, LOG_UOP_BUFF_SIZE: 14 })),
  ],
];

test.each(configs)('instructions built through the structs equal the TypeScript encoding (%s)', (_label, cfg) => {
  const list = cases(cfg, 12345, 12);
  const got = runCc(cfg, list);
  expect(got).toHaveLength(list.length);
  list.forEach((c, i) => expect([i, got[i]]).toEqual([i, hex(c.bytes)]));
});

test('a wrong member width is caught (the comparison is real)', () => {
  const cfg = deriveConfig(DEFAULT_CONFIG_JSON);
  const header = renderHwSpecHeader(cfg, 'vta-ts test').replace(/uint64_t sram_base\s+: 16;/, 'uint64_t sram_base : 15;');
  expect(header).toMatch(/sram_base : 15;/);
  const dir = tempDir();
  writeFileSync(join(dir, 'vta_hw_spec.h'), header);
  writeFileSync(
    join(dir, 'x.cc'),
    '#include <cstdio>\n#include <cstring>\n#include "vta_hw_spec.h"\nint main() { union VTAInsn u; memset(&u, 0, sizeof u); u.mem.dram_base = 1; unsigned long long w; memcpy(&w, &u, 8); printf("%llx\\n", w); return 0; }\n',
  );
  const c = spawnSync('g++', ['-std=c++11', '-o', 'x', 'x.cc'], { cwd: dir, encoding: 'utf8' });
  expect(c.stderr).toBe('');
  const r = spawnSync(join(dir, 'x'), [], { encoding: 'utf8' });
  // dram_base moved one bit down: the TypeScript encoder puts it at bit 26.
  expect(r.stdout.trim()).toBe((1n << 25n).toString(16));
  expect(cfg.layout.mem.byName.dram_base.lsb).toBe(26);
});
