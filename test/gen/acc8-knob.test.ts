// LOAD ACC_8BIT's knob (hw/vta/ACC_8BIT.md): off (the default and every board preset), the generated design
// has no int8 ACC loader and the header no ACC_8BIT_LOAD macro; on (--acc8-load 1, or the config file key),
// both; bad values are refused naming the flag or the file and key.

import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { GenManifest, runGen } from '../../gen/gen';
import { lintVerilog } from '../../hw/dsl';
import { DEFAULT_CONFIG_JSON } from '../../hw/vta/config';
import { captureIo, cleanupTempDirs, tempDir } from './util';

afterAll(cleanupTempDirs);

async function gen(...flags: string[]): Promise<{ code: number; err: string; m?: GenManifest; header?: string; compute?: string; out?: string }> {
  const out = join(tempDir(), 'rtl');
  const io = captureIo();
  const code = await runGen(['--out', out, ...flags], { io });
  if (code !== 0) return { code, err: io.err };
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as GenManifest;
  const compute = m.files.find((f) => f.startsWith('Compute_'))!;
  return { code, err: '', out, m, header: readFileSync(join(out, 'vta_hw_spec.h'), 'utf8'), compute: readFileSync(join(out, compute), 'utf8') };
}

test.each([
  ['default', []],
  ['--acc8-load 0', ['--acc8-load', '0']],
  ['pynq-z1', ['--board', 'pynq-z1']],
  ['de10-nano', ['--board', 'de10-nano']],
])('knob off (%s): no int8 ACC loader, no macro', async (_label, flags) => {
  const { m, header, compute } = await gen(...flags);
  expect(m!.files.filter((f) => /acc8/i.test(f))).toEqual([]);
  expect(compute).not.toMatch(/to_acc8|load_acc8/);
  expect(header).not.toMatch(/VTA_ACC_8BIT_LOAD/);
  expect(m!.config).not.toHaveProperty('ACC_8BIT_LOAD');
});

test.each([
  ['--acc8-load 1', ['--acc8-load', '1']],
  ['pynq-z1 --acc8-load 1', ['--board', 'pynq-z1', '--acc8-load', '1']],
])('knob on (%s): the int8 loader, fetch accepting memory type 5, the macros', async (_label, flags) => {
  const { m, header, compute } = await gen(...flags);
  expect(m!.files).toEqual(expect.arrayContaining([expect.stringMatching(/^TensorLoad_acc8_[0-9a-f]+\.v$/), expect.stringMatching(/^Fetch_.*_acc8\.v$/)]));
  expect(compute).toMatch(/assign to_acc8 = cur_memory_type == 3'd5;/);
  expect(header).toMatch(/#define VTA_ACC_8BIT_LOAD 1 /);
  expect(header).toMatch(/#define VTA_ACC_8BIT_ELEM_BYTES 16 /);
});

test.each([
  ['--acc8-load 1', ['--acc8-load', '1']],
  ['pynq-z1 --acc8-load 1', ['--board', 'pynq-z1', '--acc8-load', '1']],
])('knob on (%s): the Verilog lints clean with -Wall', async (_label, flags) => {
  const { m, out } = await gen(...flags);
  const files = new Map(m!.files.map((f) => [f, readFileSync(join(out!, f), 'utf8')]));
  const lint = lintVerilog(files, m!.top, { order: [...m!.files] });
  expect(lint.diagnostics).toEqual([]);
  expect(lint.ok).toBe(true);
});

test('the config file key works; bad values name the file, the key, or the flag', async () => {
  const dir = tempDir();
  const file = join(dir, 'vta_config.json');
  writeFileSync(file, JSON.stringify({ ...DEFAULT_CONFIG_JSON, ACC_8BIT_LOAD: 1 }));
  expect((await gen('--config', file)).header).toMatch(/VTA_ACC_8BIT_LOAD 1/);
  writeFileSync(file, JSON.stringify({ ...DEFAULT_CONFIG_JSON, ACC_8BIT_LOAD: 'yes' }));
  const bad = await gen('--config', file);
  expect(bad.code).not.toBe(0);
  expect(bad.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*key ACC_8BIT_LOAD must be 0 \\(off\\) or 1`));
  const flag = await gen('--acc8-load', '2');
  expect(flag.code).not.toBe(0);
  expect(flag.err).toMatch(/--acc8-load 2.*ACC_8BIT_LOAD must be 0 \(off\) or 1.*got 2/);
});
