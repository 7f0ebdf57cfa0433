import { readdirSync } from 'fs';
import { join } from 'path';
import { deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, withOverrides, VtaConfig } from '../../hw/vta/config';
import { build, decodeInsn, decodeProgram, decodeUop, encodeInsn, encodeProgram, encodeUop, illegalReason, Insn, INSN_BYTES } from '../../hw/vta/isa';
import { formatProgram } from '../../hw/vta/disasm';
import { loadVector, programBytes } from '../../sim/vector';

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');

const configs: [string, VtaConfig][] = [
  ['default', deriveConfig(DEFAULT_CONFIG_JSON)],
  ['b2x8', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 }))],
  ['b1x32', deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32')))],
  [
    '2x32x16-mul',
    deriveConfig({
      ...withOverrides(DEFAULT_CONFIG_JSON, { LOG_BATCH: 1, LOG_BLOCK_IN: 5, LOG_BLOCK_OUT: 4, LOG_WGT_BUFF_SIZE: 17 }),
      ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'],
    }),
  ],
];

// A small deterministic PRNG so failures reproduce.
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

function randomInsn(cfg: VtaConfig, r: (n: number) => number): Insn {
  const deps = { popPrev: r(2) === 1, popNext: r(2) === 1, pushPrev: r(2) === 1, pushNext: r(2) === 1 };
  const bits = (w: number) => r(2 ** w);
  const L = cfg.layout;
  const w = (layout: typeof L.gemm, name: string) => layout.byName[name].width;
  switch (r(4)) {
    case 0:
      return {
        ...deps,
        op: r(2) ? 'LOAD' : 'STORE',
        memType: r(5),
        sramBase: bits(16),
        dramBase: bits(32),
        ySize: bits(16),
        xSize: bits(16),
        xStride: bits(16),
        yPad0: bits(4),
        yPad1: bits(4),
        xPad0: bits(4),
        xPad1: bits(4),
      };
    case 1:
    case 2: {
      const loop = {
        ...deps,
        resetReg: r(2) === 1,
        uopBgn: bits(w(L.gemm, 'uop_bgn')),
        uopEnd: bits(w(L.gemm, 'uop_end')),
        iterOut: bits(14),
        iterIn: bits(14),
        dstFactorOut: bits(w(L.gemm, 'dst_factor_out')),
        dstFactorIn: bits(w(L.gemm, 'dst_factor_in')),
      };
      if (r(2)) {
        return {
          ...loop,
          op: 'GEMM',
          srcFactorOut: bits(w(L.gemm, 'src_factor_out')),
          srcFactorIn: bits(w(L.gemm, 'src_factor_in')),
          wgtFactorOut: bits(w(L.gemm, 'wgt_factor_out')),
          wgtFactorIn: bits(w(L.gemm, 'wgt_factor_in')),
        };
      }
      return {
        ...loop,
        op: 'ALU',
        srcFactorOut: bits(w(L.alu, 'src_factor_out')),
        srcFactorIn: bits(w(L.alu, 'src_factor_in')),
        aluOp: r(8),
        useImm: r(2) === 1,
        imm: r(65536) - 32768,
      };
    }
    default:
      return { ...deps, op: 'FINISH' };
  }
}

describe.each(configs)('ISA round trip, %s', (_name, cfg) => {
  test('random instructions encode and decode to themselves', () => {
    const r = rng(0xc0ffee);
    for (let i = 0; i < 2000; i++) {
      const insn = randomInsn(cfg, r);
      const bytes = encodeInsn(cfg, insn);
      expect(decodeInsn(cfg, bytes)).toEqual(insn);
    }
  });
  test('random micro-ops encode and decode to themselves', () => {
    const r = rng(7);
    const [d, s, w] = cfg.layout.uop.fields;
    for (let i = 0; i < 2000; i++) {
      const uop = { dst: r(2 ** d.width), src: r(2 ** s.width), wgt: r(2 ** w.width) };
      expect(decodeUop(cfg, encodeUop(cfg, uop))).toEqual(uop);
    }
  });
});

describe('ISA against the reference vectors', () => {
  const files = readdirSync(VECTORS).filter((f) => f.endsWith('.json'));
  test.each(files)('%s: every instruction re-encodes to its exact bytes', (file) => {
    const v = loadVector(join(VECTORS, file));
    const bytes = programBytes(v);
    const insns = decodeProgram(v.config, bytes);
    expect(insns).toHaveLength(v.insnCount);
    expect(Buffer.from(encodeProgram(v.config, insns))).toEqual(Buffer.from(bytes));
    expect(insns[insns.length - 1].op).toBe('FINISH');
    expect(insns.every((i) => illegalReason(v.config, i) === null)).toBe(true);
    expect(formatProgram(v.config, insns).split('\n')).toHaveLength(v.insnCount);
  });
});

describe('field encodings from the README', () => {
  const cfg = configs[0][1];
  test('an ALU immediate of -2 sets the top 16 bits of word 1', () => {
    const bytes = encodeInsn(cfg, build.alu({ aluOp: 2, useImm: true, imm: -2 }));
    expect(Buffer.from(bytes.slice(8)).readBigUInt64LE()).toBe(0xfffe_0000_0000_0000n | (1n << 47n) | (2n << 44n));
  });
  test('y_size starts at bit 64 in LOAD/STORE', () => {
    const bytes = encodeInsn(cfg, build.load({ memType: 2, ySize: 1 }));
    expect(bytes[8]).toBe(1);
  });
  test('out-of-range fields name the field and its width', () => {
    expect(() => encodeInsn(cfg, build.alu({ aluOp: 0, imm: 40000 }), undefined, 0, 'instruction 3 (ALU)')).toThrow(
      'instruction 3 (ALU): field imm = 40000 does not fit 16 signed bits [-32768, 32767]',
    );
    expect(() => encodeInsn(cfg, build.gemm({ uopBgn: 8192 }))).toThrow('field uop_bgn = 8192 does not fit 13 bits [0, 8191]');
    expect(() => encodeUop(cfg, { dst: 2048, src: 0, wgt: 0 })).toThrow('micro-op: field dst = 2048 does not fit 11 bits');
  });
  test('illegal instructions are recognised', () => {
    const unknown = decodeInsn(
      cfg,
      new Uint8Array(INSN_BYTES).fill(0).map((_, i) => (i === 0 ? 5 : 0)),
    );
    expect(illegalReason(cfg, unknown)).toMatch(/opcode 5 is not an instruction/);
    expect(illegalReason(cfg, build.load({ memType: 4 }))).toMatch(/LOAD memory_type 4 is not loadable/);
    expect(illegalReason(cfg, build.alu({ aluOp: 4 }))).toMatch(/ALU opcode 4 \(MUL\) is not enabled/);
    expect(illegalReason(configs[3][1], build.alu({ aluOp: 4 }))).toBeNull();
  });
});
