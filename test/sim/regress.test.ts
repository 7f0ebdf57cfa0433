import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import execa from 'execa';
import { namedConfig } from '../../hw/vta/configs';
import type { Device } from '../../sim/device';
import { FunctionalSimulator } from '../../sim/fsim';
import { checkProgram } from '../../sim/regress/check';
import { junitXml, RegressReport } from '../../sim/regress/report';
import { randomProgram, toVector } from '../../sim/testing/random-program';
import { loadVector } from '../../sim/vector';
import { replay } from '../../sim/replay';

const ROOT = join(__dirname, '../..');

/** fsim with one DRAM byte flipped after each run: a device with a known bug. */
function brokenDevice(cfg = namedConfig('default')): Device {
  const sim = new FunctionalSimulator(cfg, { dramBytes: 4 << 20 });
  const run = sim.run.bind(sim);
  sim.run = async (a, n, o) => {
    const r = await run(a, n, o);
    sim.write(4096, Uint8Array.of(sim.read(4096, 1)[0] ^ 0xff));
    return r;
  };
  return sim;
}

test('checkProgram finds a wrong byte and the failure replays as a vector', async () => {
  const cfg = namedConfig('default');
  const p = randomProgram(cfg, 42);
  const ok = await checkProgram(
    new FunctionalSimulator(cfg, { dramBytes: 4 << 20 }),
    new FunctionalSimulator(cfg, { dramBytes: 4 << 20, gemmKernel: 'js' }),
    p,
  );
  expect(ok).toMatchObject({ ok: true, mismatchCount: 0 });
  const bad = await checkProgram(new FunctionalSimulator(cfg, { dramBytes: 4 << 20 }), brokenDevice(cfg), p);
  expect(bad.ok).toBe(false);
  expect(bad.mismatchCount).toBe(1);
  expect(bad.mismatches[0].addr).toBe(4096);
  // The saved vector holds the reference's DRAM: the reference passes it, the broken device does not.
  const dir = mkdtempSync(join(tmpdir(), 'vta-regress-'));
  const file = join(dir, 'v.json');
  writeFileSync(file, JSON.stringify(toVector(p, bad.referenceDram!, 'default')));
  const v = loadVector(file);
  expect((await replay(v)).ok).toBe(true);
});

test('JUnit XML has one testsuite per configuration and escapes failure text', () => {
  const report: RegressReport = {
    target: 'tsim',
    reference: 'fsim',
    configs: ['default', 'b2x8'],
    programs: 1,
    seed: 1,
    passed: 1,
    failed: 1,
    seconds: 1,
    cases: [
      { config: 'default', seed: 1, name: 'default__random_s1', ok: true, seconds: 0.5, cycles: 100, mismatchCount: 0 },
      {
        config: 'b2x8',
        seed: 1,
        name: 'b2x8__random_s1',
        ok: false,
        seconds: 0.5,
        cycles: null,
        error: 'deadlock <l2g> & "x"',
        mismatchCount: 0,
        vector: 'f.json',
      },
    ],
  };
  const xml = junitXml(report);
  expect(xml).toContain('<testsuite name="default" tests="1" failures="0"');
  expect(xml).toContain('<testsuite name="b2x8" tests="1" failures="1"');
  expect(xml).toContain('message="deadlock &lt;l2g&gt; &amp; &quot;x&quot;"');
  expect(xml).toContain('replay: vta run f.json --target tsim');
});

test('vta regress runs in parallel workers and writes both reports', async () => {
  const out = mkdtempSync(join(tmpdir(), 'vta-regress-'));
  const r = await execa('node', ['bin/vta.js', 'regress', '--target', 'fsim-js', '--programs', '4', '--jobs', '2', '--out', out], { cwd: ROOT, reject: false });
  expect(r.exitCode).toBe(0);
  expect(r.stdout.trim().split('\n').pop()).toBe('12 passed, 0 failed');
  const json = JSON.parse(readFileSync(join(out, 'regress.json'), 'utf8'));
  expect(json.cases).toHaveLength(12);
  expect(readFileSync(join(out, 'regress.xml'), 'utf8')).toContain('tests="12" failures="0"');
});

test('vta regress rejects an unknown configuration in one line', async () => {
  const r = await execa('node', ['bin/vta.js', 'regress', '--configs', 'default,b9'], { cwd: ROOT, reject: false });
  expect(r.exitCode).toBe(2);
  expect(r.stderr.trim()).toMatch(
    /^vta regress: --configs: unknown configuration "b9"; give a name \(default, b2x8, b1x32\), a board \(.*\), a shape BxIxO or a JSON file, optionally \+req\[N\] \(the requantization stage\) and \+acc8 \(LOAD ACC_8BIT\)$/,
  );
});
