// `vta regress --configs`: names, board presets, GEMM shapes and configuration files, checked up front.

import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DEFAULT_CONFIG_JSON } from '../../hw/vta/config';
import { resolveRegressConfigs } from '../../sim/regress/config-spec';
import { vtaInProcess as vta } from './helpers';

const tmp = mkdtempSync(join(tmpdir(), 'vta-regress-configs-'));

test('names, boards, shapes and files resolve to labelled configurations', () => {
  const file = join(tmp, 'my wide.json');
  writeFileSync(file, JSON.stringify({ ...DEFAULT_CONFIG_JSON, LOG_BUS_WIDTH: 7 }));
  const got = resolveRegressConfigs(['default', 'b2x8', 'pynq-z1', '1x16x32', file]);
  expect(got.map((c) => c.label)).toEqual(['default', 'b2x8', 'pynq-z1', '1x16x32', 'my_wide']);
  expect(got[3].json).toMatchObject({ LOG_BATCH: 0, LOG_BLOCK_IN: 4, LOG_BLOCK_OUT: 5 });
  expect(got[4].json.LOG_BUS_WIDTH).toBe(7);
  expect(got[2].json.LOG_BUS_WIDTH).toBeDefined();
});

test('+req[N] adds the requantization stage to any spec', () => {
  const got = resolveRegressConfigs(['default+req', 'pynq-z1+req16', '1x16x32+req']);
  expect(got.map((c) => c.label)).toEqual(['default_req64', 'pynq-z1_req16', '1x16x32_req64']);
  expect(got.map((c) => c.json.REQUANT_BUFF_DEPTH)).toEqual([64, 16, 64]);
  expect(got[1].json.ALU_INITIATION_INTERVAL).toBe(2);
  expect(() => resolveRegressConfigs(['default+req3'])).toThrow(/--configs default\+req3: REQUANT_BUFF_DEPTH = 3 must be 0/);
});

test('unknown, impossible and repeated configurations name the problem', () => {
  expect(() => resolveRegressConfigs(['nope'])).toThrow(/--configs: unknown configuration "nope"; give a name \(default, b2x8, b1x32\), a board \(pynq-z1/);
  expect(() => resolveRegressConfigs(['2x8x8'])).toThrow(/--configs 2x8x8: the micro-op does not fit in 32 bits.*LOG_WGT_BUFF_SIZE/);
  expect(() => resolveRegressConfigs(['64x128x128'])).toThrow(/1048576 MACs; the generator builds at most 16384/);
  expect(() => resolveRegressConfigs([join(tmp, 'missing.json')])).toThrow(/cannot read config file .*missing\.json: no such file/);
  expect(() => resolveRegressConfigs(['default', 'default'])).toThrow('--configs: default is given twice (label default)');
});

test('vta regress runs shapes, boards and files; failures would be saved under their labels', async () => {
  const file = join(tmp, 'cfg.json');
  writeFileSync(file, JSON.stringify(DEFAULT_CONFIG_JSON));
  const out = join(tmp, 'out');
  const r = await vta('regress', '--target', 'fsim', '--configs', `1x16x32,pynq-z1,${file}`, '--programs', '3', '--jobs', '1', '--out', out);
  expect(r.stderr).not.toMatch(/FAIL/);
  expect(r.stdout).toMatch(/regress: 3 programs x 3 configurations \(1x16x32, pynq-z1, .*cfg\.json\)/);
  expect(r.stdout).toMatch(/9 passed, 0 failed\n$/);
  expect(r.code).toBe(0);
  const report = JSON.parse(readFileSync(join(out, 'regress.json'), 'utf8'));
  expect(report.configs).toEqual(['1x16x32', 'pynq-z1', 'cfg']);
  expect(report.cases.map((c: { name: string }) => c.name)).toContain('1x16x32__random_s2');
  const bad = await vta('regress', '--target', 'fsim', '--configs', 'default,1x1x1', '--out', out);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^vta regress: --configs 1x1x1: /);
});

test('+acc8 adds LOAD ACC_8BIT to any spec, with +req in either order; default_acc8 is a name too', () => {
  const got = resolveRegressConfigs(['default+acc8', 'pynq-z1+acc8', 'b2x8+req16+acc8', '1x16x32+acc8+req']);
  expect(got.map((c) => c.label)).toEqual(['default_acc8', 'pynq-z1_acc8', 'b2x8_req16_acc8', '1x16x32_req64_acc8']);
  expect(got.every((c) => c.json.ACC_8BIT_LOAD === 1)).toBe(true);
  expect(got[2].json.REQUANT_BUFF_DEPTH).toBe(16);
  expect(resolveRegressConfigs(['default_acc8'])[0].json).toEqual(got[0].json);
  expect(() => resolveRegressConfigs(['default+acc8+acc8'])).toThrow(/unknown configuration "default\+acc8"/);
});
