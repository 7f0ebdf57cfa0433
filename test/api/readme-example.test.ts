// The README's "Use it from code" example, run as written through the package name `vta-ts`: as an ES
// module under plain Node (top-level await), as .mts under tsx, and a CommonJS require of the same API.

import { execFileSync } from 'child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { TARGET_NAMES } from '../../sim/targets';

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

function section(title: string): string {
  const start = README.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

const useIt = section('Use it from code');
const example = /```js\n([\s\S]*?)```/.exec(useIt)![1];
/** What the README says the example prints. */
const printed = /It prints `([^`]+)` and `([^`]+)`/.exec(useIt)!.slice(1);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vta-api-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'vta-ts'), 'dir');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { cwd: dir, encoding: 'utf8', timeout: 90_000 });

test('the README example runs as an ES module under plain Node and prints what the README says', () => {
  expect(example).toContain("from 'vta-ts'");
  writeFileSync(join(dir, 'example.mjs'), example);
  const out = run(process.execPath, ['example.mjs']);
  for (const line of printed) expect(out).toContain(line);
});

test('the same example as .mts under npx tsx (top-level await)', () => {
  writeFileSync(join(dir, 'example.mts'), example);
  const out = run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'example.mts']);
  expect(out).toContain(printed[0]);
});

test('CommonJS: require("vta-ts") gives the same API, and a device is disposable', () => {
  writeFileSync(join(dir, 'example.cjs'), `
const api = require('vta-ts');
(async () => {
  const device = await api.openDevice('fsim', api.vtaConfig({ gemm: '1x16x16' }));
  const rt = new api.Runtime(device);
  const y = await api.ops.relu(rt, Int32Array.from({ length: 16 }, (_, i) => i - 8), [1, 16, 1, 1]);
  device[Symbol.dispose]();
  device.close(); // idempotent
  console.log(JSON.stringify({ names: Object.keys(api).sort(), shape: y.shape, out: Array.from(y.out) }));
})().catch((e) => { console.error(e.message); process.exit(1); });
`);
  const r = JSON.parse(run(process.execPath, ['example.cjs']));
  expect(r.names).toEqual(expect.arrayContaining(['openDevice', 'Runtime', 'ops', 'reference', 'vtaConfig', 'emitRtl', 'TARGET_NAMES', 'DEFAULT_DRAM_BYTES']));
  expect(r.shape).toEqual([1, 16, 1, 1]);
  expect(r.out).toEqual(Array.from({ length: 16 }, (_, i) => Math.max(0, i - 8)));
});

test('the README names every --target, the set-up and test commands, and how to open a waveform', () => {
  const targets = section('The CLI');
  for (const t of TARGET_NAMES) expect(targets).toContain(`\`${t}\``);
  expect(README).toContain('npm install && npm run gen -- --gemm 1x16x16');
  expect(README).toMatch(/```sh\nnpm test\n```/);
  expect(targets).toMatch(/gtkwave run\.fst\.gtkw/);
  expect(targets).toContain('The `-<hash>` in names.');
});
