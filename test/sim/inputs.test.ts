// No input can hang `vta` or exhaust its memory (issue 10, section 3): every file read is bounded, regular
// files only by default; impossible configurations and output directories fail before any work; small
// malformations (duplicate blobs and keys, negative counts, empty or ambiguous files, huge flag values)
// get one line naming what is wrong.

import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DEFAULT_CONFIG_JSON } from '../../hw/vta/config';
import { build, encodeProgram } from '../../hw/vta/isa';
import { DEFAULT_CFG, vtaInProcess as vta } from './helpers';

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const tmp = mkdtempSync(join(tmpdir(), 'vta-inputs-'));

/** Exactly one line on stderr matching `pattern` and a non-zero exit (a hang would hit jest's timeout). */
async function rejects(argv: string[], pattern: RegExp) {
  const r = await vta(...argv);
  expect(r.code).not.toBe(0);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/internal error/);
  return r;
}

function vectorWith(name: string, edit: (v: Record<string, unknown>) => void): string {
  const v = JSON.parse(readFileSync(join(VECTORS, 'default__tl_gemm_4x4x4_s111.json'), 'utf8')) as Record<string, unknown>;
  edit(v);
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(v));
  return file;
}

describe('bounded reads', () => {
  test.each([
    [['run', '/dev/zero'], /vta run: .*\/dev\/zero: is a character device, not a regular file/],
    [['run', '/dev/urandom'], /\/dev\/urandom: is a character device/],
    [['conform', '/dev/zero'], /./],
    [['gen', '--config', '/dev/zero'], /vta gen: config file \/dev\/zero: is a character device/],
    [['gen', '--config', '/dev/urandom'], /config file \/dev\/urandom: is a character device/],
    [['disasm', '/dev/urandom'], /vta disasm: program \/dev\/urandom: is a character device/],
    [['disasm', '--config', '/dev/zero', '/dev/null'], /./],
    [['gen', '--config', '/dev/urandom', '--allow-special-files'], /config file \/dev\/urandom: larger than the limit of 1 MiB/],
  ])('vta %j', async (argv, pattern) => {
    if (argv[0] === 'conform') {
      // conform reports per file: one FAIL line, exit 1.
      const r = await vta(...argv);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/FAIL zero: InputFileError: vector \/dev\/zero: is a character device/);
      return;
    }
    await rejects(argv, pattern);
  });
});

describe('configurations the generator or ISA cannot represent fail up front', () => {
  test('a GEMM core too large to generate names the keys and the limit', async () => {
    await rejects(['gen', '--gemm', '64x128x128', '--out', join(tmp, 'g1')], /--gemm 64x128x128: .*1048576 MACs; the generator builds at most 16384/);
    await rejects(['gen', '--gemm', '64x1x128', '--wgt-buff', '12', '--out', join(tmp, 'g2')], /acc element 262144 bits wide; .* at most 32768 bits/);
  });
  test('one-element buffers are rejected with the key and the flag to raise, not an internal HDL error', async () => {
    await rejects(
      ['gen', '--uop-buff', '2', '--out', join(tmp, 'g3')],
      /--uop-buff 2: the uop buffer \(LOG_UOP_BUFF_SIZE = 2, .* raise --uop-buff to at least 3/,
    );
    await rejects(['gen', '--inp-buff', '4', '--out', join(tmp, 'g4')], /raise --inp-buff to at least 5/);
    await rejects(['gen', '--acc-buff', '6', '--out', join(tmp, 'g5')], /raise --acc-buff to at least 7/);
  });
});

describe('output directories are checked first', () => {
  test('/proc, an empty name and a file in the way', async () => {
    await rejects(['gen', '--out', '/proc/vta-out'], /vta gen: --out \/proc\/vta-out: cannot create \/proc\/vta-out: \/proc does not allow new directories/);
    await rejects(['gen', '--out', ''], /vta gen: --out: the directory name is empty/);
    await rejects(['gen', '--out='], /--out: the directory name is empty/);
    await rejects(['regress', '--target', 'fsim', '--out', '/proc/vta-out'], /vta regress: --out \/proc\/vta-out: cannot create/);
  });
});

describe('small malformations', () => {
  test('overlapping init blobs and duplicate JSON keys', async () => {
    const dup = vectorWith('dup_init', (v) => {
      const init = v.init as unknown[];
      init.push(init[0]);
    });
    await rejects(['run', dup], /init\[0\] and init\[\d+\] overlap \(bytes \d+\.\.\d+\); each DRAM byte may be given once/);
    const file = join(tmp, 'dup_key.json');
    const text = readFileSync(join(VECTORS, 'default__tl_gemm_4x4x4_s111.json'), 'utf8').replace(/^\{/, '{"insn_count": 1, ');
    writeFileSync(file, text);
    await rejects(['run', file], /dup_key\.json: key "insn_count" appears twice in one object \(line \d+, column \d+\)/);
    const cfg = join(tmp, 'dup_cfg.json');
    writeFileSync(cfg, JSON.stringify(DEFAULT_CONFIG_JSON).replace(/^\{/, '{"LOG_BATCH": 1, '));
    await rejects(['gen', '--config', cfg, '--out', join(tmp, 'g6')], /config file .*dup_cfg\.json: key "LOG_BATCH" appears twice/);
  });
  test('a negative --max-mismatches', async () => {
    await rejects(['run', join(VECTORS, 'default__tl_gemm_4x4x4_s111.json'), '--max-mismatches', '-5'], /--max-mismatches -5: expected a count >= 0/);
  });
  test('disasm: an empty file is an error; a binary starting with "{" is a binary', async () => {
    const empty = join(tmp, 'empty.bin');
    writeFileSync(empty, '');
    await rejects(['disasm', empty], /empty\.bin: the file is empty/);
    const prog = Buffer.from(encodeProgram(DEFAULT_CFG, [build.finish({})]));
    // A FINISH whose first byte is '{' (0x7b): the low bits hold the opcode and flags, the rest are zeros.
    prog[0] = 0x7b;
    const bin = join(tmp, 'brace.bin');
    writeFileSync(bin, prog);
    const r = await vta('disasm', bin);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^0 /m);
  });
  test('a 20,000-character flag value is not echoed back in full', async () => {
    const huge = '1'.repeat(20000);
    for (const argv of [
      ['gen', '--gemm', huge],
      ['run', '--target', huge, 'x.json'],
      ['gen', `--${huge}`],
    ]) {
      const r = await rejects(argv, /\.\.\.\[200\d\d characters\]/);
      expect(r.stderr.length).toBeLessThan(400);
    }
  });
});

describe('a 2 GiB DRAM vector', () => {
  test('replays on fsim in about the memory it touches, and a mismatch report does not multiply it', async () => {
    const ok = vectorWith('big_ok', (v) => {
      v.dram_bytes = 2 ** 31;
    });
    const bad = vectorWith('big_bad', (v) => {
      v.dram_bytes = 2 ** 31;
      const e = (v.expect as { data: string }[])[0];
      const d = Buffer.from(e.data, 'base64');
      d[0] ^= 0xff;
      e.data = d.toString('base64');
    });
    const before = process.memoryUsage().rss;
    expect((await vta('run', ok)).stdout).toMatch(/^PASS /);
    const r = await vta('run', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/last written by STORE instruction 5/);
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 2 ** 20);
    await rejects(
      [
        'run',
        vectorWith('too_big', (v) => {
          v.dram_bytes = 2 ** 31 + 1;
        }),
      ],
      /dram_bytes must be an integer in \[1, 2147483648\]/,
    );
  });
});

describe('models and data sets are read through the same bounds', () => {
  test('ONNX, TFLite and IDX readers refuse devices', () => {
    // Imported lazily: the compiler is a layer above the simulator tests' usual imports.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { importOnnxFile } = require('../../sw/compiler/import/onnx') as typeof import('../../sw/compiler/import/onnx');
    const { importTfliteFile } = require('../../sw/compiler/import/tflite') as typeof import('../../sw/compiler/import/tflite');
    const { readIdx } = require('../../sw/compiler/data/idx') as typeof import('../../sw/compiler/data/idx');
    expect(() => importOnnxFile('/dev/zero')).toThrow('model /dev/zero: is a character device, not a regular file');
    expect(() => importTfliteFile('/dev/urandom')).toThrow('model /dev/urandom: is a character device, not a regular file');
    expect(() => readIdx('/dev/zero')).toThrow('data file /dev/zero: is a character device');
  });
});
