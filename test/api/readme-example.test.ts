// The README's "Use it from code", run as a new user would: its install lines in a scratch folder (npm pack
// of this tree, npm install of the tarball), then every example as written, through the package name
// `vta-ts`, checked against what the README says it prints; also the .mts form under tsx, CommonJS's view
// of the API, and a linked clone (what `npm install /path/to/vta-ts` makes).

import { execFileSync, execSync } from 'child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { TARGET_NAMES } from '../../sim/targets';
import { COMMANDS } from '../../cli/commands';

const ROOT = resolve(__dirname, '../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MNIST = join(ROOT, '../shared/models/mnist-lenet-bn/model.onnx');

function section(title: string): string {
  const start = README.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`README has no section "${title}"`);
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

const useIt = section('Use it from code');
/** The install lines, and each example with its file name (its first comment) and what it prints. */
const install = /```sh\n([\s\S]*?)```/
  .exec(useIt)![1]
  .split('\n')
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter(Boolean);
const examples = [...useIt.matchAll(/```js\n([\s\S]*?)```\n\nIt prints ((?:`[^`]+`(?: and )?)+)\./g)].map((m) => ({
  file: /^\/\/ (\S+)/.exec(m[1])![1],
  code: m[1],
  printed: [...m[2].matchAll(/`([^`]+)`/g)].map((p) => p[1]),
}));

let scratch: string;
const run = (cmd: string, args: string[], cwd = scratch): string => execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: 90_000 });

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'vta-api-'));
  // the README's lines, with the clone's path; npm's cache first (the registry only for what it lacks)
  for (const line of install) {
    execSync(line.replace('/path/to/vta-ts', ROOT), {
      cwd: scratch,
      stdio: 'pipe',
      timeout: 180_000,
      env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    });
  }
  copyFileSync(MNIST, join(scratch, 'model.onnx'));
}, 240_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('the install lines copy the package (not a link) with its dependencies, and leave the tests out', () => {
  expect(install).toEqual(['npm pack /path/to/vta-ts', 'npm install ./vta-ts-0.1.0.tgz']);
  const pkg = join(scratch, 'node_modules', 'vta-ts');
  expect(existsSync(join(pkg, 'api', 'index.ts'))).toBe(true);
  expect(existsSync(join(pkg, 'test'))).toBe(false);
  expect(existsSync(join(scratch, 'node_modules', 'tsx'))).toBe(true);
});

test('every README example runs from the scratch folder and prints what the README says', () => {
  expect(examples.map((e) => e.file)).toEqual(['example.mjs', 'conv.cjs', 'classify.mjs']);
  for (const e of examples) {
    expect(e.code).toMatch(/from 'vta-ts'|require\('vta-ts'\)/);
    writeFileSync(join(scratch, e.file), e.code);
    const out = run(process.execPath, [e.file]);
    for (const line of e.printed) expect([e.file, out]).toEqual([e.file, expect.stringContaining(line)]);
  }
});

test('the first example as .mts under tsx (top-level await)', () => {
  writeFileSync(join(scratch, 'example.mts'), examples[0].code);
  const out = run(process.execPath, [join(scratch, 'node_modules/tsx/dist/cli.mjs'), 'example.mts']);
  expect(out).toContain(examples[0].printed[0]);
});

test('CommonJS: require("vta-ts") gives the whole API, and a device is disposable', () => {
  writeFileSync(
    join(scratch, 'names.cjs'),
    `
const api = require('vta-ts');
(async () => {
  const device = await api.openDevice('fsim', api.vtaConfig({ gemm: '1x16x16' }));
  const rt = new api.Runtime(device);
  const y = await api.ops.relu(rt, Int32Array.from({ length: 16 }, (_, i) => i - 8), [1, 16, 1, 1]);
  device[Symbol.dispose]();
  device.close(); // idempotent
  console.log(JSON.stringify({ names: Object.keys(api).sort(), shape: y.shape, out: Array.from(y.out) }));
})().catch((e) => { console.error(e.message); process.exit(1); });
`,
  );
  const r = JSON.parse(run(process.execPath, ['names.cjs']));
  expect(r.names).toEqual(
    expect.arrayContaining(['openDevice', 'Runtime', 'ops', 'reference', 'vtaConfig', 'emitRtl', 'compileModel', 'TARGET_NAMES', 'DEFAULT_DRAM_BYTES']),
  );
  expect(r.shape).toEqual([1, 16, 1, 1]);
  expect(r.out).toEqual(Array.from({ length: 16 }, (_, i) => Math.max(0, i - 8)));
});

test('a linked clone (what npm install /path/to/vta-ts makes) loads the same API', () => {
  const linked = mkdtempSync(join(tmpdir(), 'vta-api-link-'));
  try {
    mkdirSync(join(linked, 'node_modules'));
    symlinkSync(ROOT, join(linked, 'node_modules', 'vta-ts'), 'dir');
    writeFileSync(join(linked, 'example.mjs'), examples[0].code);
    expect(run(process.execPath, ['example.mjs'], linked)).toContain(examples[0].printed[0]);
  } finally {
    rmSync(linked, { recursive: true, force: true });
  }
});

test('the README names every --target, the set-up and test commands, and how to open a waveform', () => {
  const targets = section('The CLI');
  for (const t of TARGET_NAMES) expect(targets).toContain(`\`${t}\``);
  expect(README).toContain('npm install && npm run gen -- --gemm 1x16x16');
  expect(README).toMatch(/```sh\nnpm test\n```/);
  expect(targets).toMatch(/gtkwave run\.fst\.gtkw/);
  expect(targets).toContain('The `-<hash>` in names.');
});

test('the CLI table is one table (no heading inside it) with a row for every command and bench subcommand', () => {
  const cli = section('The CLI');
  const lines = cli.split('\n');
  const first = lines.findIndex((l) => l.startsWith('| command |'));
  let end = first;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  const rows = lines.slice(first + 2, end);
  // nothing after the table's end is a row of it (a heading in between broke it once)
  expect(lines.slice(end).filter((l) => /^\| `vta /.test(l))).toEqual([]);
  for (const name of [...COMMANDS.map((c) => c.name), 'bench conv2d', 'bench network', 'bench synth']) {
    expect([name, rows.some((r) => r.startsWith(`| \`vta ${name}`))]).toEqual([name, true]);
  }
});
