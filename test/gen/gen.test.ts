import { existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { configDirName, genRequestFromArgs, GEN_SPEC, resolveGenConfig, runGen, GenManifest } from '../../gen/gen';
import { emitRtl } from '../../gen/rtl';
import { parseArgs } from '../../cli/args';
import { ConfigError } from '../../hw/vta/errors';
import { deriveConfig, DEFAULT_CONFIG_JSON } from '../../hw/vta/config';
import { captureIo, cleanupTempDirs, fakeEmitRtl, tempDir } from './util';

const VERSION = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

afterAll(cleanupTempDirs);

function resolveFlags(argv: string[], cwd?: string) {
  return resolveGenConfig(genRequestFromArgs(parseArgs(GEN_SPEC, argv)), cwd);
}

async function gen(argv: string[], cwd = tempDir(), env: Record<string, string> = {}) {
  const io = captureIo(env);
  const code = await runGen(argv, { emitRtl: fakeEmitRtl, io, cwd });
  return { code, out: io.out, err: io.err, cwd };
}

function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(join(dir, name), 'utf8');
  return files;
}

describe('flags and precedence', () => {
  test('no flags: VTA default configuration', () => {
    const c = resolveFlags([]);
    expect(c.json).toEqual(deriveConfig(DEFAULT_CONFIG_JSON).json);
    expect(c.name).toBe('1x16_i8w8a32_15_15_18_17');
  });

  test('every knob maps to its key', () => {
    const c = resolveFlags([
      '--gemm',
      '2x8x16',
      '--inp-width',
      '3',
      '--wgt-width',
      '3',
      '--acc-width',
      '5',
      '--uop-buff',
      '14',
      '--inp-buff',
      '14',
      '--wgt-buff',
      '16',
      '--acc-buff',
      '16',
      '--alu-ops',
      'min,MAX, add,SHR,MUL',
      '--bus-width',
      '128',
      '--insn-queue-depth',
      '64',
      '--dep-queue-depth',
      '32',
      '--gemm-pipeline',
      '3',
    ]);
    expect(c.json).toMatchObject({
      LOG_BATCH: 1,
      LOG_BLOCK_IN: 3,
      LOG_BLOCK_OUT: 4,
      LOG_UOP_BUFF_SIZE: 14,
      LOG_INP_BUFF_SIZE: 14,
      LOG_WGT_BUFF_SIZE: 16,
      LOG_ACC_BUFF_SIZE: 16,
      LOG_OUT_BUFF_SIZE: 14,
      LOG_BUS_WIDTH: 7,
      ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'],
      INSN_QUEUE_DEPTH: 64,
      DEP_QUEUE_DEPTH: 32,
      GEMM_PIPELINE_DEPTH: 3,
    });
    expect(c.busBits).toBe(128);
  });

  test('flags override the file, which overrides the defaults', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'cfg.json'),
      JSON.stringify({
        ...DEFAULT_CONFIG_JSON,
        TARGET: 'pynq',
        LOG_WGT_BUFF_SIZE: 17,
        LOG_BUS_WIDTH: 7,
        INSN_QUEUE_DEPTH: 128,
      }),
    );
    const fromFile = resolveFlags(['--config', 'cfg.json'], dir);
    expect(fromFile.json).toMatchObject({ TARGET: 'pynq', LOG_WGT_BUFF_SIZE: 17, LOG_BUS_WIDTH: 7, INSN_QUEUE_DEPTH: 128, LOG_ACC_BUFF_SIZE: 17 });
    const c = resolveFlags(['--config', 'cfg.json', '--gemm', '2x8x8', '--wgt-buff', '16', '--bus-width', '256'], dir);
    expect(c.json).toMatchObject({
      TARGET: 'pynq',
      LOG_BATCH: 1,
      LOG_BLOCK_IN: 3,
      LOG_BLOCK_OUT: 3,
      LOG_WGT_BUFF_SIZE: 16,
      LOG_BUS_WIDTH: 8,
      INSN_QUEUE_DEPTH: 128,
      LOG_ACC_BUFF_SIZE: 17,
      LOG_UOP_BUFF_SIZE: 15,
    });
  });

  test('a VTA file with pkg_config-derived keys loads unchanged, and flags may change their sources', () => {
    const dir = tempDir();
    const vta = { ...DEFAULT_CONFIG_JSON, LOG_BLOCK_IN: 4, LOG_BLOCK_OUT: 4, LOG_OUT_WIDTH: 3, LOG_OUT_BUFF_SIZE: 15 };
    writeFileSync(join(dir, 'vta_config.json'), JSON.stringify(vta, null, 2));
    expect(resolveFlags(['--config', 'vta_config.json'], dir).name).toBe('1x16_i8w8a32_15_15_18_17');
    const c = resolveFlags(['--config', 'vta_config.json', '--acc-buff', '16', '--gemm', '1x32x32'], dir);
    expect(c.json).toMatchObject({ LOG_ACC_BUFF_SIZE: 16, LOG_OUT_BUFF_SIZE: 14, LOG_BLOCK_IN: 5, LOG_BLOCK_OUT: 5 });
  });

  test('--bus-width accepts only bus widths in bits', () => {
    expect(() => resolveFlags(['--bus-width', '6'])).toThrow('--bus-width must be 64, 128, 256 or 512 (bits), got 6');
  });

  test('errors from flags name the flags, errors from a file name the file', () => {
    expect(() => resolveFlags(['--gemm', '2x8x8'])).toThrow(/^--gemm 2x8x8: the micro-op does not fit in 32 bits/);
    const dir = tempDir();
    writeFileSync(join(dir, 'big.json'), JSON.stringify({ ...DEFAULT_CONFIG_JSON, LOG_UOP_BUFF_SIZE: 16 }));
    expect(() => resolveFlags(['--config', 'big.json'], dir)).toThrow(/^big\.json: the GEMM instruction does not fit/);
    expect(() => resolveFlags(['--config', 'big.json', '--gemm-pipeline', '3'], dir)).toThrow(/^big\.json with --gemm-pipeline 3: /);
    expect(() => resolveFlags(['--config', 'big.json'], dir)).toThrow(ConfigError);
  });
});

describe('output', () => {
  test('writes the Verilog, config.json, the header and the manifest into build/rtl/<name>', async () => {
    const r = await gen([]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const dir = join(r.cwd, 'build/rtl/1x16_i8w8a32_15_15_18_17');
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'fake_gemm.v', 'fake_top.v', 'manifest.json', 'vta_hw_spec.h']);
    const cfg = deriveConfig(DEFAULT_CONFIG_JSON);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual(cfg.json);
    expect(r.out).toMatch(
      new RegExp(
        `^vta gen: 1x16_i8w8a32_15_15_18_17 \\(hash ${cfg.hash}\\)\\n  top    VTAFake\\n` +
          '  files  2 Verilog \\+ vta_hw_spec.h, config.json, manifest.json\\n' +
          '  out    build/rtl/1x16_i8w8a32_15_15_18_17\\n  time   \\d+ ms\\n$',
      ),
    );
  });

  test('manifest contents', async () => {
    const r = await gen(['--gemm', '2x8x8', '--wgt-buff', '16', '--out', 'o']);
    expect(r.code).toBe(0);
    const dir = join(r.cwd, 'o');
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as GenManifest;
    const cfg = resolveFlags(['--gemm', '2x8x8', '--wgt-buff', '16']);
    expect(m).toEqual({
      generator: `vta-ts ${VERSION}`,
      command: 'vta gen --gemm 2x8x8 --wgt-buff 16 --out o',
      configName: '2x8_i8w8a32_15_15_16_17',
      configHash: cfg.hash,
      top: 'VTAFake',
      files: ['fake_gemm.v', 'fake_top.v'],
      outputs: [
        { file: 'fake_gemm.v', role: 'Verilog module fake_gemm: submodule' },
        { file: 'fake_top.v', role: 'Verilog module fake_top: submodule' },
        { file: 'vta_hw_spec.h', role: expect.stringMatching(/^C header/) },
        { file: 'config.json', role: expect.stringMatching(/resolved configuration/) },
        { file: 'manifest.json', role: 'this file' },
      ],
      headers: ['vta_hw_spec.h'],
      configFile: 'config.json',
      config: cfg.json,
    });
    for (const f of [...m.files, ...m.headers, m.configFile]) expect(existsSync(join(dir, f))).toBe(true);
    // the generator's text, plus one line naming the configuration and the command that made the file
    const lines = fakeEmitRtl(cfg).files[0].text.split('\n');
    const at = lines[0].startsWith('//') ? 1 : 0;
    lines.splice(at, 0, '// Configuration 2x8_i8w8a32_15_15_16_17; made by: vta gen --gemm 2x8x8 --wgt-buff 16 --out o');
    expect(readFileSync(join(dir, 'fake_gemm.v'), 'utf8')).toBe(lines.join('\n'));
    expect(readFileSync(join(dir, 'vta_hw_spec.h'), 'utf8')).toContain('\n * Made by: vta gen --gemm 2x8x8 --wgt-buff 16 --out o\n');
  });

  test('byte-identical on re-run, in the same directory and in another', async () => {
    const argv = ['--gemm', '1x32x32', '--alu-ops', 'MIN,MAX,ADD,SHR,MUL'];
    const a = await gen(argv);
    const b = await gen(argv);
    const name = resolveFlags(argv);
    const dirA = join(a.cwd, 'build/rtl', configDirName(name));
    const first = readTree(dirA);
    expect(readTree(join(b.cwd, 'build/rtl', configDirName(name)))).toEqual(first);
    expect((await gen(argv, a.cwd)).code).toBe(0);
    expect(readTree(dirA)).toEqual(first);
  });

  test('extension keys add the hash to the directory name, so different hardware never shares one', () => {
    const plain = resolveFlags([]);
    expect(configDirName(plain)).toBe('1x16_i8w8a32_15_15_18_17');
    expect(configDirName(resolveFlags(['--bus-width', '64', '--alu-ops', 'MIN,MAX,ADD,SHR']))).toBe('1x16_i8w8a32_15_15_18_17');
    const names = [
      ['--bus-width', '128'],
      ['--alu-ops', 'MIN,MAX,ADD,SHR,MUL'],
      ['--insn-queue-depth', '64'],
      ['--dep-queue-depth', '64'],
      ['--gemm-pipeline', '1'],
      ['--gemm-pipeline', '3'],
    ].map((argv) => configDirName(resolveFlags(argv)));
    for (const n of names) expect(n).toMatch(/^1x16_i8w8a32_15_15_18_17-[0-9a-f]{12}$/);
    expect(new Set([...names, configDirName(plain)]).size).toBe(names.length + 1);
  });

  test('--help prints the usage and writes nothing', async () => {
    const r = await gen(['--gemm', '2x8x8', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: vta gen \[flags\]/);
    for (const flag of [
      '--config',
      '--gemm',
      '--inp-width',
      '--wgt-width',
      '--acc-width',
      '--uop-buff',
      '--inp-buff',
      '--wgt-buff',
      '--acc-buff',
      '--alu-ops',
      '--bus-width',
      '--insn-queue-depth',
      '--dep-queue-depth',
      '--gemm-pipeline',
      '--out',
    ]) {
      expect(r.out).toContain(`  ${flag} `);
    }
    expect(existsSync(join(r.cwd, 'build'))).toBe(false);
  });
});

describe('errors: one line on stderr, exit code 2, no stack', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.json'), '{\n  "LOG_BATCH": 0,\n}\n');
  writeFileSync(join(dir, 'unknown.json'), JSON.stringify({ ...DEFAULT_CONFIG_JSON, LOG_BLOK: 4 }));
  writeFileSync(join(dir, 'list.json'), '[1, 2]');

  test.each([
    [['--gemm', '1x15x16'], 'vta gen: --gemm: BLOCK_IN = 15 in 1x15x16 must be a power of two (1, 2, 4, 8, 16, ...)'],
    [['--gemm', 'abc'], 'vta gen: --gemm: expected BATCHxBLOCK_INxBLOCK_OUT such as 1x16x16, got "abc"'],
    [['--foo'], 'vta gen: unknown flag --foo (see vta gen --help)'],
    [['--gemm'], 'vta gen: --gemm needs a value (BxIxO) (see vta gen --help)'],
    [['--wgt-buff', 'big'], 'vta gen: --wgt-buff expects an integer, got "big"'],
    [['--config', 'missing.json'], 'vta gen: cannot read config file missing.json: no such file'],
    [['--config', '.'], 'vta gen: cannot read config file .: it is a directory'],
    [['--config', 'bad.json'], /^vta gen: config file bad\.json: not valid JSON: .* \(line 3, column 1\)$/],
    [['--config', 'unknown.json'], /^vta gen: unknown\.json: unknown key LOG_BLOK; known keys: /],
    [['--config', 'list.json'], /^vta gen: list\.json: a configuration must be a JSON object/],
    [['--alu-ops', 'MIN,MAX,ADD'], /^vta gen: --alu-ops MIN,MAX,ADD: ALU_OPS must include SHR/],
    [['--insn-queue-depth', '100'], 'vta gen: --insn-queue-depth 100: INSN_QUEUE_DEPTH = 100 must be a power of two'],
    // the fix in the flags' words, with the value, as the README says it
    [
      ['--gemm', '2x8x8'],
      /^vta gen: --gemm 2x8x8: the micro-op does not fit in 32 bits: .*; give --wgt-buff 16 \(now 18: the weight index is 2 bit\(s\) too wide\), or lower --acc-buff, or lower --inp-buff$/,
    ],
  ] as [string[], string | RegExp][])('%j', async (argv, expected) => {
    const r = await gen(argv, dir);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.endsWith('\n')).toBe(true);
    const lines = r.err.slice(0, -1).split('\n');
    expect(lines).toHaveLength(1);
    if (typeof expected === 'string') expect(lines[0]).toBe(expected);
    else expect(lines[0]).toMatch(expected);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'build'))).toBe(false);
  });

  test('a ConfigError from the hardware generator is a user error too', async () => {
    const io = captureIo();
    const code = await runGen([], {
      io,
      cwd: tempDir(),
      emitRtl: () => {
        throw new ConfigError('default config: BLOCK_OUT 16 is not supported by this core');
      },
    });
    expect([code, io.err]).toEqual([2, 'vta gen: default config: BLOCK_OUT 16 is not supported by this core\n']);
  });
});

describe('failures of the work itself: exit code 1', () => {
  const broken = (): never => {
    throw new Error('emitRtl: something broke');
  };

  test('the real generator is wired: the default configuration emits Verilog', () => {
    const rtl = emitRtl(deriveConfig(DEFAULT_CONFIG_JSON));
    expect(rtl.files.length).toBeGreaterThan(0);
    expect(rtl.files.map((f) => f.name)).toContain(`${rtl.top}.v`);
  });

  test('an internal error of the generator says so, in one line', async () => {
    const io = captureIo();
    const code = await runGen([], { io, cwd: tempDir(), emitRtl: broken });
    expect(code).toBe(1);
    expect(io.err).toBe(
      'vta gen: RTL generation for 1x16_i8w8a32_15_15_18_17 failed: emitRtl: something broke ' + '(internal error; run with VTA_DEBUG=1 for the stack)\n',
    );
  });

  test('VTA_DEBUG=1 adds the stack', async () => {
    const io = captureIo({ VTA_DEBUG: '1' });
    expect(await runGen([], { io, cwd: tempDir(), emitRtl: broken })).toBe(1);
    expect(io.err).toMatch(/^vta gen: RTL generation .* \(internal error\)\n/);
    expect(io.err).toMatch(/\n\s+at /);
  });

  test('an emitter that returns a bad file name is caught', async () => {
    const io = captureIo();
    const code = await runGen([], { io, cwd: tempDir(), emitRtl: () => ({ top: 'T', files: [{ name: '../x.v', text: '' }] }) });
    expect(code).toBe(1);
    expect(io.err).toMatch(/^vta gen: emitRtl returned an invalid file name "..\/x.v".*internal error/);
  });

  test('an output directory that cannot be created', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const r = await gen(['--out', 'file/sub'], dir);
    expect(r.code).toBe(2); // checked before any work, as a usage error
    expect(r.err).toMatch(/^vta gen: --out .*file\/sub: a part of the path is not a directory\n$/);
  });
});

describe('--board presets', () => {
  test('the preset applies under the flags: flags override it', () => {
    const pynq = resolveFlags(['--board', 'pynq-z1']);
    expect([pynq.busBits, pynq.aluInitiationInterval, pynq.gemmDspPacking]).toEqual([64, 2, 2]);
    const over = resolveFlags(['--board', 'pynq-z1', '--alu-ii', '1', '--bus-width', '128']);
    expect([over.busBits, over.aluInitiationInterval, over.gemmDspPacking]).toEqual([128, 1, 2]);
    expect(resolveFlags(['--board', 'zcu104']).busBits).toBe(128);
    expect(configDirName(pynq)).toBe(`${pynq.name}-${pynq.hash}`);
  });
  test('an unknown board is one line naming the known ones', async () => {
    const r = await gen(['--board', 'zedboard']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('vta gen: --board: unknown board "zedboard"; known boards: pynq-z1, ultra96, zcu104, de10-nano\n');
  });
  test('a preset error names the board', () => {
    expect(() => resolveFlags(['--board', 'pynq-z1', '--gemm', '1x16x1'])).toThrow(/--board pynq-z1 --gemm 1x16x1: GEMM_DSP_PACKING 2 pairs output lanes/);
  });
});
