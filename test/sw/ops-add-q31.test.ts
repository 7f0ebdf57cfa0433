// TFLite's int8 ADD on the device (sw/ops/add-q31.ts: wide ALU REQs per input, an int32 sum, a narrow REQ) against
// the add's integer reference (operators/elementwise.ts runInt8) on fsim: random int8 tensors, random scales (ratios
// up to 1000, so small multipliers with large exponents), zero points and clamps, through both operand paths.
import { multiplyByQuantizedMultiplier, requantStage } from '../../hw/vta/requant';
import { exactAdd } from '../../sw/compiler/operators/common';
import { runInt8Node } from '../../sw/compiler/exec/int8';
import { Graph, NodeOf } from '../../sw/compiler/ir';
import { addQ31, addQ31Issue, addQ31ParamsIssue, Q31AddParams } from '../../sw/ops/add-q31';
import { OperatorError } from '../../sw/ops';
import { packActivations, unpackActivations } from '../../sw/ops/layout';
import { Int8Builder, rng } from './compiler/int8-builder';
import { cfgWith, firstDiff, runtime } from './helpers';

const cfg = cfgWith({ REQUANT_BUFF_DEPTH: 4 });

/** An add of two random int8 tensors of `shape` with random TFLite quantization, as the importer builds it. */
function randomAdd(seed: number, shape: [number, number, number, number]) {
  const r = rng(seed);
  const b = new Int8Builder(r);
  const act = () => b.act(shape, 0.001 * 1000 ** r.next(), r.int(-128, 127));
  const [x, y] = [act(), act()];
  b.add(x, y, r.next() < 0.3);
  const g: Graph = { name: `add${seed}`, tensors: b.tensors, nodes: b.nodes, inputs: [x, y], outputs: [b.nodes[0].outputs[0]] };
  const n = b.nodes[0] as NodeOf<'add'>;
  // random int8 values, with each tensor's extremes in the first elements (the widest |x - z|)
  const size = shape.reduce((p, d) => p * d);
  const values = [x, y].map(() => Int8Array.from({ length: size }, (_, i) => (i < 2 ? [-128, 127][i] : r.int(-128, 127))));
  return { g, n, values, size };
}

test.each([
  [1, [1, 16, 5, 7], 'inp'],
  [2, [1, 37, 3, 3], 'inp'],
  [3, [2, 8, 9, 9], 'acc'],
  [4, [1, 64, 16, 16], 'inp'],
  [5, [1, 20, 4, 6], 'acc'],
  [6, [1, 32, 33, 33], 'inp'],
] as const)('seed %i, shape %j, %s operands: the device computes the add’s reference integers', async (seed, shape, operands) => {
  const { g, n, values, size } = randomAdd(seed, [...shape]);
  const params = exactAdd(g, n, cfg);
  if (typeof params === 'string') throw new Error(params);
  const want = runInt8Node(g, n, (t) => values[g.inputs.indexOf(t)]) as Int8Array;
  expect(want.length).toBe(size);

  const rt = runtime(cfg);
  const upload = (v: Int8Array) => {
    const packed = operands === 'inp' ? packActivations(cfg, v, shape, 'inp') : packActivations(cfg, Int32Array.from(v), shape, 'acc');
    const buf = rt.alloc(packed.byteLength);
    rt.copyToDevice(buf, packed);
    return buf;
  };
  const outPacked = packActivations(cfg, new Int8Array(size), shape, 'out');
  const out = rt.alloc(outPacked.byteLength);
  const vectors = outPacked.length / (cfg.batch * cfg.blockOut);
  await addQ31(rt, upload(values[0]), upload(values[1]), out, vectors, params, operands, n.name);
  const got = unpackActivations(cfg, new Int8Array(rt.copyFromDevice(out).buffer.slice(0)), shape, 'out');
  const d = firstDiff(got, want);
  if (d >= 0) throw new Error(`${n.name} ${JSON.stringify(params)}: element ${d} is ${got[d]}, the reference ${want[d]}`);
  // the random scales reach both far ends of the multipliers: some outputs clamp, most do not
  expect(new Set(want).size).toBeGreaterThan(2);
});

test('parameters outside the exact int32 range are refused with a reason', async () => {
  const { g, n } = randomAdd(7, [1, 16, 2, 2]);
  const p = exactAdd(g, n, cfg) as Q31AddParams;
  const wide: Q31AddParams = { ...p, inputs: [{ ...p.inputs[0], leftShift: 24 }, p.inputs[1]] };
  expect(addQ31ParamsIssue(wide)).toMatch(/input 0's left shift 24 lies outside 0\.\.23/);
  const rt = runtime(cfg);
  const buf = rt.alloc(4096);
  await expect(addQ31(rt, buf, buf, buf, 4, wide, 'inp', 'add9')).rejects.toThrow(OperatorError);
  expect(exactAdd(g, n, cfgWith())).toMatch(/no requantization stage/);
});

// Hand-made parameters off TFLite's usual path: zero points 0 (no zero-point micro-op) and -128 (|x - z| = 255),
// left shifts 0 and 23 (the widest exact one), both exponents negative. Two different left shifts besides need
// five parameter entries, more than a buffer of four.
test('edge parameters against the formula; more entries than the buffer holds is a clear error', async () => {
  const p: Q31AddParams = {
    inputs: [
      { zeroPoint: 0, leftShift: 0, multiplier: 2 ** 31 - 1, exponent: -3 },
      { zeroPoint: -128, leftShift: 23, multiplier: 1518500250, exponent: -20 },
    ],
    output: { mode: 'q31', multiplier: 1 << 30, exponent: -4, zeroPoint: -7, min: -100, max: 120 },
  };
  expect(addQ31Issue(cfg, p)).toBeNull();
  const twoShifts: Q31AddParams = { ...p, inputs: [{ ...p.inputs[0], leftShift: 5 }, p.inputs[1]] };
  expect(addQ31Issue(cfg, twoShifts)).toMatch(/needs 5 parameter entries, the requantization stage has 4/);
  expect(addQ31Issue(cfgWith({ REQUANT_BUFF_DEPTH: 8 }), twoShifts)).toBeNull();
  const rt = runtime(cfg);
  const vectors = 700;
  const size = vectors * 16;
  const x = Int8Array.from({ length: size }, (_, i) => (i * 37) % 256);
  const y = Int8Array.from({ length: size }, (_, i) => (i * 101 + 255 * (i & 1)) % 256);
  const [bx, by, bo] = [x, y, x].map((v) => {
    const buf = rt.alloc(v.length);
    rt.copyToDevice(buf, new Uint8Array(v.buffer));
    return buf;
  });
  await addQ31(rt, bx, by, bo, vectors, p, 'inp');
  const got = new Int8Array(rt.copyFromDevice(bo, size).slice().buffer);
  const scale = (v: number, k: 0 | 1) => {
    const i = p.inputs[k];
    return multiplyByQuantizedMultiplier((v - i.zeroPoint) * 2 ** i.leftShift, i.multiplier, i.exponent);
  };
  const want = Int8Array.from(x, (v, i) => requantStage(scale(v, 0) + scale(y[i], 1), p.output));
  expect(firstDiff(got, want)).toBe(-1);
  expect(new Set(want).size).toBeGreaterThan(40);
});
