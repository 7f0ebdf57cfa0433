// The whole vta-hls conformance set on fsim: every vector byte for byte, except the two SEMANTICS.md names.

import { readdirSync } from 'fs';
import { join } from 'path';
import { replay } from '../../sim/replay';
import { loadVector, skipReason } from '../../sim/vector';

const DIR = join(__dirname, '../../../shared/conformance/vta-hls');
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the set holds 37 vectors, 2 of them skipped by name', () => {
  expect(files).toHaveLength(37);
  const skipped = files.filter((f) => skipReason(loadVector(join(DIR, f))) !== null);
  expect(skipped).toEqual(['default__quirk_hls_reset_gemm_then_store_s210.json', 'default__quirk_hls_shr_amounts_s212.json']);
});

describe.each(files)('%s', (file) => {
  const v = loadVector(join(DIR, file));
  const skip = skipReason(v);
  if (skip !== null) {
    test(`skipped: ${skip}`, async () => {
      // It differs from the HLS model exactly where SEMANTICS.md says it should.
      const r = await replay(v);
      expect(r.ok).toBe(false);
    });
    return;
  }
  test('matches byte for byte (strict mode), with no leftover tokens', async () => {
    const r = await replay(v);
    expect(r.mismatches).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.run.warnings).toEqual([]);
    expect(r.run.cycles).toBeNull();
  });
});
