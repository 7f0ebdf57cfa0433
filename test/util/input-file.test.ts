// The shared bounded reader, strict JSON and output-directory checks (util/).

import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { InputFileError, isText, readInputFile, readInputFileMaybeGzip, readInputText } from '../../util/input-file';
import { findDuplicateKey, parseJsonStrict } from '../../util/json';
import { OutputPathError, prepareOutputDir, prepareOutputFile } from '../../util/output-dir';

const tmp = mkdtempSync(join(tmpdir(), 'vta-input-'));

describe('readInputFile', () => {
  test('reads a regular file within the limit', () => {
    const f = join(tmp, 'a.txt');
    writeFileSync(f, 'hello');
    expect(readInputFile(f, { maxBytes: 5 }).toString()).toBe('hello');
  });
  test('a regular file over the limit fails before it is read', () => {
    const f = join(tmp, 'big.txt');
    writeFileSync(f, 'x'.repeat(100));
    expect(() => readInputFile(f, { maxBytes: 99, what: 'vector' })).toThrow(`vector ${f}: larger than the limit of 99 bytes`);
  });
  test('devices and FIFOs are refused unless allowed, and then still bounded', () => {
    expect(() => readInputFile('/dev/zero', { maxBytes: 1 << 20 })).toThrow(/\/dev\/zero: is a character device, not a regular file \(--allow-special-files/);
    expect(() => readInputFile('/dev/urandom', { maxBytes: 1 << 20 })).toThrow(InputFileError);
    // Allowed: /dev/zero never ends, so the limit stops it.
    expect(() => readInputFile('/dev/zero', { maxBytes: 1 << 20, allowSpecial: true })).toThrow('larger than the limit of 1 MiB');
    const fifo = join(tmp, 'pipe');
    execFileSync('mkfifo', [fifo]);
    // Refused without opening it for a blocking read (which would wait for a writer forever).
    expect(() => readInputFile(fifo, { maxBytes: 10 })).toThrow(/is a FIFO \(pipe\), not a regular file/);
  });
  test('directories and missing files', () => {
    expect(() => readInputFile(tmp, { maxBytes: 10, what: 'config file' })).toThrow(`cannot read config file ${tmp}: it is a directory`);
    expect(() => readInputFile(join(tmp, 'nope'), { maxBytes: 10 })).toThrow(/no such file/);
    expect(() => readInputFile('', { maxBytes: 10 })).toThrow('the file name is empty');
  });
  test('text files: binary data is refused', () => {
    const f = join(tmp, 'bin');
    writeFileSync(f, Buffer.from([0x7b, 0, 1, 2]));
    expect(isText(Buffer.from('{"a": 1}'))).toBe(true);
    expect(isText(Buffer.from([0x7b, 0xff, 0xfe]))).toBe(false);
    expect(() => readInputText(f, { maxBytes: 100, what: 'vector' })).toThrow(`vector ${f}: binary data, not UTF-8 text`);
  });
});

test('gzipped input is bounded after decompression too', () => {
  const f = join(tmp, 'bomb.gz');
  writeFileSync(f, gzipSync(Buffer.alloc(1 << 20))); // 1 MiB of zeros in about 1 KiB
  expect(readInputFileMaybeGzip(f, { maxBytes: 1 << 20 }).length).toBe(1 << 20);
  expect(() => readInputFileMaybeGzip(f, { maxBytes: (1 << 20) - 1, what: 'data file' })).toThrow(
    `data file ${f}: decompresses to more than the limit of 1048575 bytes`,
  );
  const broken = join(tmp, 'broken.gz');
  writeFileSync(broken, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  expect(() => readInputFileMaybeGzip(broken, { maxBytes: 100 })).toThrow(/broken gzip data/);
  const plain = join(tmp, 'plain');
  writeFileSync(plain, 'abc');
  expect(readInputFileMaybeGzip(plain, { maxBytes: 3 }).toString()).toBe('abc');
});

describe('parseJsonStrict', () => {
  test('duplicate keys are found at any depth, with line and column', () => {
    expect(findDuplicateKey('{"a": 1, "b": {"a": 2}}')).toBeNull();
    expect(findDuplicateKey('[{"a": 1}, {"a": 2}]')).toBeNull();
    expect(findDuplicateKey('{"s": "x\\"a\\": 1", "a": 1}')).toBeNull();
    expect(findDuplicateKey('{"a": 1, "b": {"c": [1, {"d": 1, "d": 2}]}}')).toEqual({ key: 'd', offset: 33 });
    expect(() => parseJsonStrict('{\n  "init": [],\n  "init": []\n}', 'v.json', 'vector')).toThrow(
      'vector v.json: key "init" appears twice in one object (line 3, column 3)',
    );
    // Keys compare after unescaping.
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')?.key).toBe('a');
  });
  test('syntax errors give line and column; truncation is named; empty files are named', () => {
    expect(() => parseJsonStrict('{\n  "a": 1,\n}', 'c.json')).toThrow(/c\.json: not valid JSON: .*\(line 3, column 1\)$/);
    expect(() => parseJsonStrict('{"a": "abc', 'c.json')).toThrow(/the file may be truncated/);
    expect(() => parseJsonStrict('  \n', 'c.json')).toThrow('file c.json: the file is empty');
  });
});

describe('prepareOutputDir', () => {
  test('creates missing parts one at a time', () => {
    const d = prepareOutputDir('x/y/z', '--out', tmp);
    expect(d).toBe(join(tmp, 'x/y/z'));
    expect(existsSync(d)).toBe(true);
  });
  test('refuses empty names, files in the way and /proc without hanging', () => {
    expect(() => prepareOutputDir('', '--out')).toThrow(new OutputPathError('--out: the directory name is empty'));
    writeFileSync(join(tmp, 'f'), '');
    expect(() => prepareOutputDir('f', '--out', tmp)).toThrow(`--out f: ${join(tmp, 'f')} exists and is not a directory`);
    expect(() => prepareOutputDir('f/sub', '--out', tmp)).toThrow(/a part of the path is not a directory/);
    expect(() => prepareOutputDir('/proc/vta-out', '--out')).toThrow('--out /proc/vta-out: cannot create /proc/vta-out: /proc does not allow new directories');
    expect(() => prepareOutputFile(tmp, '--json')).toThrow(`--json ${tmp}: is a directory, not a file`);
  });
});
