// The Pynq-Z1 preset (ALU initiation interval 2, two int8 products per DSP, the requantization stage,
// 64-bit bus) keeps VTA's semantics bit-exact on TSIM: default-configuration conformance vectors that
// exercise what the preset changes (vector ALU operands, read-after-write chains, GEMM extremes, blocked
// GEMM) replay byte for byte on it, and random legal programs leave DRAM identical to fsim's. The whole set:
// `vta conform ../shared/conformance/vta-hls --target tsim --board pynq-z1`.

import { readdirSync } from 'fs';
import { join } from 'path';
import { namedConfig } from '../../hw/vta/configs';
import { benchCommand } from '../../cli/bench';
import { loadVector, skipReason } from '../../sim/vector';
import { replay } from '../../sim/replay';
import { firstDramDifference } from './random-vs-fsim';

jest.setTimeout(900_000);

const VECTORS = join(__dirname, '../../../shared/conformance/vta-hls');
const cfg = namedConfig('pynq-z1');

describe('VtaCore with the pynq-z1 preset on TSIM', () => {
  const picks = [
    'alu_all_ops_bytes',
    'seqsem_alu_raw_chain',
    'tl_alu_add_vec',
    'tl_alu_shr_vec_comp',
    'gemm_wrap_extremes',
    'tl_blocked_gemm_b256',
    'gemm_3phase_tokens',
  ];
  const files = readdirSync(VECTORS)
    .filter((f) => f.startsWith('default__') && picks.some((p) => f.includes(p)))
    .sort();

  test('the picked vectors exist', () => expect(files).toHaveLength(picks.length));

  test('the preset really changes the hardware', () => {
    expect(cfg.aluInitiationInterval).toBe(2);
    expect(cfg.gemmDspPacking).toBe(2);
    expect(cfg.requant?.depth).toBe(64); // its ALU REQ: test/tsim/requant.test.ts (the pynq-z1_req64 vectors)
  });

  test.each(files)('conformance %s', async (file) => {
    const v = loadVector(join(VECTORS, file));
    if (skipReason(v) !== null) return;
    const r = await replay({ ...v, config: cfg }, { target: 'tsim', maxMismatches: 4 });
    expect({ file, mismatches: r.mismatchCount, first: r.mismatches }).toEqual({ file, mismatches: 0, first: [] });
  });

  test.each([1, 2])('random program seed %i: DRAM equals fsim byte for byte', async (seed) => {
    expect({ seed, firstDifference: await firstDramDifference(cfg, seed) }).toEqual({ seed, firstDifference: -1 });
  });
});

describe('vta bench conv2d --board pynq-z1 --beside-default on TSIM', () => {
  test("the preset's cycles beside the default, labelled by board, with which schedules each used", async () => {
    const out: string[] = [];
    const io = { stdout: (s: string) => void out.push(s), stderr: () => undefined };
    const code = await benchCommand.run(
      ['conv2d', '--workload', 'mnist-lenet-bn', '--target', 'tsim', '--board', 'pynq-z1', '--beside-default', '--no-db'],
      io,
    );
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/default cycles +pynq-z1 preset cycles +pynq-z1 preset\/default/);
    const total = text.match(/^total +(\d+) +(\d+) +([\d.]+)$/m);
    expect(total).not.toBeNull();
    const [def, preset] = [Number(total![1]), Number(total![2])];
    expect(def).toBeGreaterThan(0);
    // the preset's requantization stage (accumulators started by one REQ, one-REQ epilogues) more than pays for its
    // ALU micro-ops at one per two cycles
    expect(preset).toBeLessThan(def);
    expect(Number(total![3])).toBeCloseTo(preset / def, 3);
    expect(text).toMatch(/schedules: default: 0 of 4 layers tuned; pynq-z1 preset: 0 of 4 layers tuned/);
  });
});
