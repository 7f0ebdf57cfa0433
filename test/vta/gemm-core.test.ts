// GemmCore under Verilator (inside the VtaComputeUnits wrapper) against a TS reference: random and
// extreme operands, accumulators near INT32_MIN/MAX, reset, back-to-back operations with bubbles, and
// the exact latency (dotValid at t+P, out at t+P+1).

import { DEFAULT_CONFIG_JSON, deriveConfig, withOverrides } from '../../hw/vta/config';
import { VtaComputeUnits } from '../../hw/vta/core/compute-units';
import { buildStreamSim, packLanes, rng, rtlTestConfigs, Row, unpackLanes } from './rtl-sim';

// Two int8 products per DSP multiply (GEMM_DSP_PACKING 2): the same checks, exact to the bit.
const PACKED = [
  { label: '1x16x16-pk2', cfg: deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { GEMM_DSP_PACKING: 2 }), 'pk2') },
  {
    label: '2x8x8-pk2',
    cfg: deriveConfig(
      withOverrides(DEFAULT_CONFIG_JSON, { LOG_BATCH: 1, LOG_BLOCK: 3, LOG_WGT_BUFF_SIZE: 16, GEMM_PIPELINE_DEPTH: 1, GEMM_DSP_PACKING: 2 }),
      'pk2',
    ),
  },
];

const INT32 = [-(2 ** 31), 2 ** 31 - 1];
// A Verilator build of each configuration takes minutes on a loaded machine (cached afterwards).
jest.setTimeout(900_000);

describe.each([...rtlTestConfigs(), ...PACKED])('GemmCore $label', ({ label, cfg }) => {
  test('matches the reference, one op per cycle, latency P / P+1', async () => {
    const sim = await buildStreamSim(new VtaComputeUnits(cfg), `units_${label}`);
    const { batch: B, blockIn: I, blockOut: O, gemmPipelineDepth: P } = cfg;
    const r = rng(1234 + B * 100 + I);
    const n = 120;
    const extremes = [-128, 127];
    // within 2^17 of INT32_MIN or INT32_MAX, so that dot products (|dot| < 2^21) wrap both ways
    const nearExtreme = (): number => (r.int(0, 1) ? INT32[0] + r.int(0, 1 << 17) : INT32[1] - r.int(0, 1 << 17));
    interface Op {
      inp: number[];
      wgt: number[];
      acc: number[];
      reset: boolean;
    }
    const ops: (Op | undefined)[] = [];
    for (let t = 0; t < n; t++) {
      if (t > 40 && r.int(0, 5) === 0) {
        ops.push(undefined);
        continue;
      } // bubbles after a back-to-back run
      const mode = t < 6 ? t : r.int(0, 11);
      const lane8 = (): number => (mode === 0 ? -128 : mode === 1 ? 127 : mode <= 4 ? r.pick(extremes) : r.int(-128, 127));
      const inp = Array.from({ length: B * I }, mode === 3 ? () => -128 : mode === 4 ? () => 127 : lane8);
      // modes 3 and 4: output lanes alternate -128 / 127 weights (opposite extremes in each packed pair)
      const wgt = Array.from({ length: O * I }, (_, k) =>
        mode === 0 ? -128 : mode === 1 ? 127 : mode === 3 || mode === 4 ? (Math.floor(k / I) % 2 ? 127 : -128) : lane8(),
      );
      const acc = Array.from({ length: B * O }, () => (mode < 3 || r.int(0, 3) === 0 ? nearExtreme() : r.int(-(2 ** 31), 2 ** 31 - 1)));
      ops.push({ inp, wgt, acc, reset: r.int(0, 7) === 0 });
    }
    const total = n + P + 3;
    const rows: Row[] = Array.from({ length: total }, (_, t) => ({
      reset: t === 0,
      // garbage on accIn except when the accumulator of an op is due: it must be sampled only then
      io_gemm_accIn: packLanes(
        Array.from({ length: B * O }, () => r.int(-(2 ** 31), 2 ** 31 - 1)),
        32,
      ),
    }));
    const c0 = 1; // first op after the reset cycle
    ops.forEach((op, i) => {
      if (!op) return;
      Object.assign(rows[c0 + i], {
        io_gemm_in_valid: 1,
        io_gemm_in_reset: op.reset,
        io_gemm_in_inp: packLanes(op.inp, 8),
        io_gemm_in_wgt: packLanes(op.wgt, 8),
      });
      rows[c0 + i + P].io_gemm_accIn = packLanes(op.acc, 32);
    });
    const out = await sim.run(rows);
    for (let t = 0; t < total; t++) {
      const issued = ops[t - c0 - P];
      expect([label, t, out[t].io_gemm_dotValid]).toEqual([label, t, issued && t >= c0 + P ? 1n : 0n]);
      const done = t - c0 - P - 1 >= 0 ? ops[t - c0 - P - 1] : undefined;
      expect([label, t, out[t].io_gemm_out_valid]).toEqual([label, t, done ? 1n : 0n]);
      if (!done) continue;
      const want: bigint[] = [];
      for (let b = 0; b < B; b++) {
        for (let o = 0; o < O; o++) {
          let dot = 0n;
          for (let i = 0; i < I; i++) dot += BigInt(done.inp[b * I + i]) * BigInt(done.wgt[o * I + i]);
          want.push(done.reset ? 0n : BigInt.asIntN(32, BigInt(done.acc[b * O + o]) + dot));
        }
      }
      expect(unpackLanes(out[t].io_gemm_out_acc, B * O, 32)).toEqual(want);
      expect(unpackLanes(out[t].io_gemm_out_low, B * O, 8)).toEqual(want.map((v) => BigInt.asIntN(8, v)));
    }
  });
});
