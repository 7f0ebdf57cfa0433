import { deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, withOverrides } from '../../hw/vta/config';
import { describeLayout } from '../../hw/vta/layout';

const b2x8 = withOverrides(DEFAULT_CONFIG_JSON, { ...parseGemmShape('2x8x8'), LOG_WGT_BUFF_SIZE: 16 });
const b1x32 = withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('1x32x32'));

describe('derived sizes match the conformance README', () => {
  test.each([
    ['default', DEFAULT_CONFIG_JSON, [16, 256, 64, 16], [8192, 2048, 1024, 2048]],
    ['b2x8', b2x8, [16, 64, 64, 16], [8192, 2048, 1024, 2048]],
    ['b1x32', b1x32, [32, 1024, 128, 32], [8192, 1024, 256, 1024]],
  ] as const)('%s', (_name, json, elems, depths) => {
    const c = deriveConfig(json);
    const t = c.tensor;
    expect([t.inp.elemBytes, t.wgt.elemBytes, t.acc.elemBytes, t.out.elemBytes]).toEqual(elems);
    expect([t.uop.depth, t.inp.depth, t.wgt.depth, t.acc.depth]).toEqual(depths);
    expect(t.uop.elemBytes).toBe(4);
  });
});

describe('instruction layouts match the conformance README tables', () => {
  const memTable =
    'opcode[2:0] pop_prev[3] pop_next[4] push_prev[5] push_next[6] memory_type[9:7] sram_base[25:10] dram_base[57:26] ' +
    'y_size[79:64] x_size[95:80] x_stride[111:96] y_pad_0[115:112] y_pad_1[119:116] x_pad_0[123:120] x_pad_1[127:124]';
  test.each([
    ['default', DEFAULT_CONFIG_JSON],
    ['b2x8', b2x8],
    ['b1x32', b1x32],
  ] as const)('LOAD/STORE, %s', (_n, json) => {
    expect(describeLayout(deriveConfig(json).layout.mem)).toBe(memTable);
  });

  const head = 'opcode[2:0] pop_prev[3] pop_next[4] push_prev[5] push_next[6] reset_reg[7] uop_bgn[20:8] uop_end[34:21] iter_out[48:35] iter_in[62:49]';
  test.each([
    ['default', DEFAULT_CONFIG_JSON],
    ['b2x8', b2x8],
  ] as const)('GEMM/ALU/uop, %s', (_n, json) => {
    const c = deriveConfig(json);
    const factors = 'dst_factor_out[74:64] dst_factor_in[85:75] src_factor_out[96:86] src_factor_in[107:97]';
    expect(describeLayout(c.layout.gemm)).toBe(`${head} ${factors} wgt_factor_out[117:108] wgt_factor_in[127:118]`);
    expect(describeLayout(c.layout.alu)).toBe(`${head} ${factors} alu_opcode[110:108] use_imm[111] imm[127:112]`);
    expect(describeLayout(c.layout.uop)).toBe('dst[10:0] src[21:11] wgt[31:22]');
  });
  test('GEMM/ALU/uop, b1x32', () => {
    const c = deriveConfig(b1x32);
    const factors = 'dst_factor_out[73:64] dst_factor_in[83:74] src_factor_out[93:84] src_factor_in[103:94]';
    expect(describeLayout(c.layout.gemm)).toBe(`${head} ${factors} wgt_factor_out[111:104] wgt_factor_in[119:112]`);
    expect(describeLayout(c.layout.alu)).toBe(`${head} ${factors} alu_opcode[106:104] use_imm[107] imm[123:108]`);
    expect(describeLayout(c.layout.uop)).toBe('dst[9:0] src[19:10] wgt[27:20]');
  });
});

describe('impossible configurations are rejected with the key and the fix', () => {
  test('2x8x8 with the default 256 KiB weight buffer overflows the micro-op', () => {
    const json = withOverrides(DEFAULT_CONFIG_JSON, parseGemmShape('2x8x8'));
    expect(() => deriveConfig(json)).toThrow(
      /micro-op does not fit in 32 bits.*dst 11 \+ src 11 \+ wgt 12 = 34 bits.*set LOG_WGT_BUFF_SIZE to 16 \(now 18: the weight index is 2 bit\(s\) too wide\)/,
    );
  });
  test('a block size that is not a power of two', () => {
    expect(() => parseGemmShape('1x15x16')).toThrow('--gemm: BLOCK_IN = 15 in 1x15x16 must be a power of two');
  });
  test('a malformed shape', () => {
    expect(() => parseGemmShape('abc')).toThrow('--gemm: expected BATCHxBLOCK_INxBLOCK_OUT such as 1x16x16, got "abc"');
  });
  test('a buffer of fewer than two elements', () => {
    const json = withOverrides(DEFAULT_CONFIG_JSON, { LOG_WGT_BUFF_SIZE: 7 });
    expect(() => deriveConfig(json, 'cfg.json')).toThrow(
      'cfg.json: the wgt buffer (LOG_WGT_BUFF_SIZE = 7, 128 bytes) holds fewer than 2 wgt elements (256 bytes each); raise LOG_WGT_BUFF_SIZE to at least 9',
    );
    // One element means a 0-bit index (the generator failed inside the HDL before).
    expect(() => deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_UOP_BUFF_SIZE: 2 }), '--uop-buff 2')).toThrow(
      '--uop-buff 2: the uop buffer (LOG_UOP_BUFF_SIZE = 2, 4 bytes) holds fewer than 2 uop elements (4 bytes each); raise LOG_UOP_BUFF_SIZE to at least 3',
    );
    expect(() => deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_ACC_BUFF_SIZE: 6 }))).toThrow(/acc buffer .* raise LOG_ACC_BUFF_SIZE to at least 7/);
  });
  test('instruction fields wider than 128 bits', () => {
    const json = withOverrides(DEFAULT_CONFIG_JSON, { LOG_UOP_BUFF_SIZE: 16 });
    expect(() => deriveConfig(json)).toThrow(/GEMM instruction does not fit in 128 bits: field wgt_factor_in would end at bit 147.*LOG_UOP_BUFF_SIZE/);
  });
  test('unknown and missing keys', () => {
    expect(() => deriveConfig({ ...DEFAULT_CONFIG_JSON, LOG_BLOK: 4 }, 'x.json')).toThrow('x.json: unknown key LOG_BLOK');
    const { LOG_BATCH: _b, ...missing } = DEFAULT_CONFIG_JSON;
    expect(() => deriveConfig(missing, 'x.json')).toThrow('x.json: missing key LOG_BATCH');
  });
  test('a value of the wrong type', () => {
    expect(() => deriveConfig({ ...DEFAULT_CONFIG_JSON, LOG_BATCH: '0' }, 'x.json')).toThrow('x.json: key LOG_BATCH must be an integer, got "0"');
  });
  test('ALU_OPS must keep the four base operations', () => {
    expect(() => deriveConfig({ ...DEFAULT_CONFIG_JSON, ALU_OPS: ['MIN', 'MAX', 'ADD'] })).toThrow(/ALU_OPS must include SHR/);
    expect(deriveConfig({ ...DEFAULT_CONFIG_JSON, ALU_OPS: ['MUL', 'MIN', 'MAX', 'ADD', 'SHR'] }).aluOps).toEqual(['MIN', 'MAX', 'ADD', 'SHR', 'MUL']);
  });
});

describe('naming and extensions', () => {
  test('VTA config string and a stable hash', () => {
    const c = deriveConfig(DEFAULT_CONFIG_JSON);
    expect(c.name).toBe('1x16_i8w8a32_15_15_18_17');
    expect(c.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(deriveConfig({ ...DEFAULT_CONFIG_JSON, TARGET: 'tsim' }).hash).toBe(c.hash);
    expect(deriveConfig({ ...DEFAULT_CONFIG_JSON, LOG_BUS_WIDTH: 7 }).hash).not.toBe(c.hash);
  });
  test('LOG_BLOCK_IN different from LOG_BLOCK_OUT', () => {
    const c = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BLOCK_IN: 5, LOG_BLOCK_OUT: 4 }));
    expect([c.blockIn, c.blockOut]).toEqual([32, 16]);
    expect(c.name).toBe('1x32x16_i8w8a32_15_15_18_17');
  });
  test('a VTA vta_config.json with pkg_config-derived keys loads unchanged', () => {
    const c = deriveConfig({ ...DEFAULT_CONFIG_JSON, LOG_BLOCK_IN: 4, LOG_BLOCK_OUT: 4, LOG_OUT_WIDTH: 3, LOG_OUT_BUFF_SIZE: 15 });
    expect(c.tensor.out.bytes).toBe(32768);
  });
  test('the configuration is frozen', () => {
    const c = deriveConfig(DEFAULT_CONFIG_JSON);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.tensor.acc)).toBe(true);
  });
});

describe('fitting knobs: ALU initiation interval and GEMM DSP packing', () => {
  test('defaults are VTA-compatible and stay out of the hash; other values change it', () => {
    const d = deriveConfig(DEFAULT_CONFIG_JSON);
    expect([d.aluInitiationInterval, d.gemmDspPacking]).toEqual([1, 1]);
    expect(deriveConfig({ ...DEFAULT_CONFIG_JSON, ALU_INITIATION_INTERVAL: 1, GEMM_DSP_PACKING: 1 }).hash).toBe(d.hash);
    const ii2 = deriveConfig({ ...DEFAULT_CONFIG_JSON, ALU_INITIATION_INTERVAL: 2 });
    const pk2 = deriveConfig({ ...DEFAULT_CONFIG_JSON, GEMM_DSP_PACKING: 2 });
    expect(new Set([d.hash, ii2.hash, pk2.hash]).size).toBe(3);
    expect(ii2.json.ALU_INITIATION_INTERVAL).toBe(2);
    expect(pk2.gemmDspPacking).toBe(2);
  });
  test('out-of-range values and packing without lane pairs are rejected with the key', () => {
    expect(() => deriveConfig({ ...DEFAULT_CONFIG_JSON, ALU_INITIATION_INTERVAL: 3 }, 'f.json')).toThrow(
      'f.json: key ALU_INITIATION_INTERVAL = 3 is out of range [1, 2]',
    );
    expect(() => deriveConfig({ ...DEFAULT_CONFIG_JSON, GEMM_DSP_PACKING: 4 }, 'f.json')).toThrow('key GEMM_DSP_PACKING = 4 is out of range [1, 2]');
    expect(() => deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BLOCK_IN: 4, LOG_BLOCK_OUT: 0, GEMM_DSP_PACKING: 2 }), 'x')).toThrow(
      'x: GEMM_DSP_PACKING 2 pairs output lanes, so BLOCK_OUT must be at least 2; use GEMM_DSP_PACKING 1',
    );
  });
});
