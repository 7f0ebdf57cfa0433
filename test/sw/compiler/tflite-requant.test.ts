// The tflite-requant pass: TFLite's per-channel Q31 requantization mapped onto the ALU, with and without MUL,
// checked against TFLite's integer rule computed by hand-checked fixed-point functions.
import { exactAverage, multiplyByQuantizedMultiplier, quantizeMultiplier, tfliteAverage } from '../../../sw/compiler/fixed-point';
import { cfgWith } from '../helpers';
import { Graph, Requant, requantOf } from '../../../sw/compiler/ir';
import { lowerTfliteRequant } from '../../../sw/compiler/passes/tflite-requant';

/** One int8 conv2d (3 input channels, 3x3) with TFLite requantization, per-channel multipliers `reals`. */
function convGraph(w: Int8Array, bias: Int32Array, reals: number[], zx: number, zy: number): Graph {
  const O = reals.length;
  const qm = reals.map(quantizeMultiplier);
  const requant: Requant = { shift: qm.map((q) => -q.shift), multiplier: qm.map((q) => q.multiplier), rounding: 'nearest', zeroPoint: zy, min: -128, max: 127 };
  return {
    name: 'one-conv',
    inputs: ['x'],
    outputs: ['y'],
    tensors: {
      x: { name: 'x', dtype: 'int8', shape: [1, 3, 4, 4], quant: { scale: [0.5], zeroPoint: [zx] } },
      w: { name: 'w', dtype: 'int8', shape: [O, 3, 3, 3], data: w, quant: { scale: reals.map(() => 0.01), zeroPoint: reals.map(() => 0), axis: 0 } },
      b: { name: 'b', dtype: 'int32', shape: [O], data: bias },
      y: { name: 'y', dtype: 'int8', shape: [1, O, 4, 4], quant: { scale: [0.1], zeroPoint: [zy] } },
    },
    nodes: [
      {
        name: 'c',
        op: 'conv2d',
        inputs: ['x', 'w', 'b'],
        outputs: ['y'],
        attrs: { strides: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { kind: 'none' }, requant },
      },
    ],
  };
}

test('without MUL: the multiplier is folded into the weights and bias, one shift per channel', () => {
  // channel 0: max |w| = 100, M = 0.003 -> n = floor(log2(127 / 0.3)) = 8, r = 0.768
  const w = new Int8Array(2 * 27);
  w[0] = 100;
  w[1] = -37;
  w[2] = 1;
  w[27] = -128;
  w[28] = 64;
  const reals = [0.003, 0.0005];
  const g = lowerTfliteRequant(convGraph(w, Int32Array.of(1000, -77), reals, -128, 5), { mul: false });
  const n = g.nodes[0];
  const r = requantOf(n) as Requant;
  const q0 = quantizeMultiplier(0.003);
  const M0 = (q0.multiplier / 2 ** 31) * 2 ** q0.shift; // TFLite exponent: M = m / 2^31 * 2^shift
  expect(r).toEqual({ shift: [8, 10], rounding: 'floor', zeroPoint: 5, min: -128, max: 127 });
  const w2 = g.tensors[n.inputs[1]].data as Int8Array;
  expect(Array.from(w2.subarray(0, 3))).toEqual([Math.round(100 * M0 * 256), Math.round(-37 * M0 * 256), Math.round(M0 * 256)]);
  expect(w2[27]).toBe(Math.round(-128 * 0.0005 * 1024)); // -66: channel 1's n = floor(log2(127 / 0.064)) = 10
  const b2 = g.tensors[n.inputs[2]].data as Int32Array;
  expect(b2[0]).toBe(Math.round(1000 * M0 * 256) + 128); // + 2^(n-1): round half up
  // the original graph is untouched
  expect((g.tensors.w.data as Int8Array)[0]).toBe(100);
  // dequantised weights keep their real value: scale / r
  expect(g.tensors[n.inputs[1]].quant!.scale[0]).toBeCloseTo(0.01 / (M0 * 256), 12);
});

test('with MUL: ((acc >> p) * q + 2^(t-1)) >> t stays within one step of TFLite and never overflows', () => {
  const O = 4;
  const w = Int8Array.from({ length: O * 27 }, (_, i) => ((i * 73) % 255) - 127);
  const bias = Int32Array.of(12345, -54321, 0, 777);
  const reals = [0.0031, 0.00047, 0.021, 0.9];
  const g = lowerTfliteRequant(convGraph(w, bias, reals, -128, -3), { mul: true });
  const r = requantOf(g.nodes[0]) as Requant;
  expect(g.nodes[0].inputs[1]).toBe('w'); // exact weights
  expect(r.rounding).toBe('nearest');
  const qm = reals.map(quantizeMultiplier);
  for (let c = 0; c < O; c++) {
    let sumAbs = 0;
    for (let k = 0; k < 27; k++) sumAbs += Math.abs(w[c * 27 + k]);
    const A = sumAbs * 255 + Math.abs(bias[c]);
    let worst = 0;
    for (const acc of [A, -A, 0, 1, -1, 12345, -99999, Math.floor(A / 3), -Math.floor(A / 7)]) {
      const p = r.preShift![c];
      const prod = (acc >> p) * r.aluMultiplier![c]; // exact in a double: must already fit int32
      expect(Math.abs(prod) + 2 ** r.shift[c] * 4).toBeLessThan(2 ** 31);
      const dev = Math.floor((prod + 2 ** (r.shift[c] - 1)) / 2 ** r.shift[c]);
      const exact = multiplyByQuantizedMultiplier(acc, qm[c].multiplier, qm[c].shift);
      const clip = (v: number) => Math.min(127, Math.max(-128, v));
      worst = Math.max(worst, Math.abs(clip(dev) - clip(exact)));
    }
    expect(worst).toBeLessThanOrEqual(1);
  }
});

test('nodes partitioned to the CPU keep the exact TFLite rule', () => {
  const g0 = convGraph(new Int8Array(27).fill(3), Int32Array.of(0), [0.01], 0, 0);
  g0.nodes[0].target = 'cpu';
  expect(requantOf(lowerTfliteRequant(g0, { mul: false }).nodes[0])).toBe(requantOf(g0.nodes[0]));
});

test('a channel of zero weights keeps a small shift; a multiplier flushed to 0 multiplies by 0 (VWW has both)', () => {
  // channel 1 has zero weights and a large bias: its shift stays small so that zp * 2^n and the bias fit int32
  const w = new Int8Array(2 * 27);
  w[0] = 50;
  const folded = lowerTfliteRequant(convGraph(w, Int32Array.of(10, -138022948), [0.004, 2 ** -27], 0, -128), { mul: false });
  const r = requantOf(folded.nodes[0]) as Requant;
  expect(r.shift[1]).toBe(0);
  expect((folded.tensors[folded.nodes[0].inputs[2]].data as Int32Array)[1]).toBe(Math.round(-138022948 * 2 ** -27));
  // TFLite's QuantizeMultiplier flushes a tiny multiplier to 0: the MUL form multiplies that channel by 0
  const withZero = convGraph(w, Int32Array.of(10, 20), [0.004, 1e-12], 0, 3);
  expect((requantOf(withZero.nodes[0]) as Requant).multiplier![1]).toBe(0);
  const mul = requantOf(lowerTfliteRequant(withZero, { mul: true }).nodes[0]) as Requant;
  expect([mul.preShift![1], mul.aluMultiplier![1], mul.shift[1]]).toEqual([0, 0, 1]);
});

test('a core with the requantization stage keeps the Q31 multiplier (nothing folded into the weights)', () => {
  const w = Int8Array.from({ length: 2 * 27 }, (_, i) => ((i * 37) % 255) - 127);
  const g = convGraph(w, Int32Array.of(10, -20), [0.004, 0.0021], 3, -5);
  const staged = lowerTfliteRequant(g, { mul: false, stage: cfgWith({ REQUANT_BUFF_DEPTH: 16 }) });
  expect(requantOf(staged.nodes[0])).toEqual(requantOf(g.nodes[0]));
  expect(staged.nodes[0].inputs).toEqual(g.nodes[0].inputs);
});

test("exactAverage: w * sum through TFLite's Q31 rule is TFLite's average for every window sum", () => {
  for (const count of [1, 2, 3, 4, 6, 9, 25, 49, 64, 100]) {
    const e = exactAverage(count)!;
    expect(e).not.toBeNull();
    expect(Math.abs(e.weight)).toBeLessThanOrEqual(127);
    for (let s = -128 * count; s <= 127 * count; s++) {
      const got = multiplyByQuantizedMultiplier(e.weight * s, e.multiplier, e.exponent);
      if (got !== tfliteAverage(s, count)) throw new Error(`count ${count}, sum ${s}: ${got} vs ${tfliteAverage(s, count)}`);
    }
  }
  // TFLite rounds half away from zero: 2.5 -> 3, -2.5 -> -3, 7/9 -> 1
  expect([tfliteAverage(5, 2), tfliteAverage(-5, 2), tfliteAverage(7, 9), tfliteAverage(-4, 9)]).toEqual([3, -3, 1, 0]);
});
