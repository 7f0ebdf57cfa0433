// The requantization stage's knob (hw/vta/REQUANT.md): off (the default, and every board preset but the
// Pynq-Z1's), the generated design has no requantization module or memory and the header no REQ macros; on,
// it has both.

import { readFileSync } from 'fs';
import { join } from 'path';
import { GenManifest, runGen } from '../../gen/gen';
import { captureIo, cleanupTempDirs, tempDir } from './util';

afterAll(cleanupTempDirs);

async function manifestOf(...flags: string[]): Promise<{ m: GenManifest; header: string }> {
  const out = join(tempDir(), 'rtl');
  const io = captureIo();
  expect(await runGen(['--out', out, ...flags], { io })).toBe(0);
  return { m: JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as GenManifest, header: readFileSync(join(out, 'vta_hw_spec.h'), 'utf8') };
}

const requantParts = (m: GenManifest) => [
  ...m.files.filter((f) => /_req(_|\.v)|requant/i.test(f)),
  ...(m.memories ?? []).map((x) => x.name).filter((n) => /req/.test(n)),
];

test.each([
  ['default', []],
  ['pynq-z1 --requant-depth 0', ['--board', 'pynq-z1', '--requant-depth', '0']],
  ['de10-nano', ['--board', 'de10-nano']],
])('knob off (%s): no requantization module, memory or macro', async (_label, flags) => {
  const { m, header } = await manifestOf(...flags);
  expect(m.files.length).toBeGreaterThan(10);
  expect(requantParts(m)).toEqual([]);
  expect(header).not.toMatch(/REQ/);
});

test('knob on: the REQ TensorAlu and loader, the parameter buffer and the header macros', async () => {
  const { m, header } = await manifestOf('--requant-depth', '32');
  expect(requantParts(m).sort()).toEqual(
    expect.arrayContaining([expect.stringMatching(/^TensorAlu_1x16_req\.v$/), expect.stringMatching(/^TensorLoad_req_/), 'compute.req_mem']),
  );
  expect(m.memories?.find((x) => x.name === 'compute.req_mem')).toMatchObject({ depth: 32, width: 16 * 64 });
  expect(header).toMatch(/#define VTA_MEM_ID_REQ 6\n#define VTA_ALU_OPCODE_REQ 5\n/);
  expect(header).toMatch(/#define VTA_REQ_BUFF_DEPTH 32 /);
});

test('the Pynq-Z1 preset has the stage, 64 entries', async () => {
  const { m, header } = await manifestOf('--board', 'pynq-z1');
  expect(m.memories?.find((x) => x.name === 'compute.req_mem')).toMatchObject({ depth: 64, width: 16 * 64 });
  expect(header).toMatch(/#define VTA_REQ_BUFF_DEPTH 64 /);
});
