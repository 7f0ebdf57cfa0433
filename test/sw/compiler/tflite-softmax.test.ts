// TFLite's int8 softmax: vectors computed by TFLite Micro's reference_ops::Softmax (the commit in
// scripts/tflm/README.md, with PreprocessSoftmaxScaling and CalculateInputRadius for beta 1), one row each.

import { softmaxInt8, softmaxParams } from '../../../sw/compiler/exec/tflite-softmax';

const VECTORS: { scale: number; x: number[]; tflm: number[]; multiplier: number; leftShift: number; diffMin: number }[] = [
  {
    scale: 0.0039,
    x: [15, -66, 117, -35, 108, 24, -91, 121, 78, -25],
    tflm: [-104, -111, -93, -109, -94, -103, -112, -92, -98, -108],
    multiplier: 2144047616,
    leftShift: 18,
    diffMin: -7936,
  },
  {
    scale: 0.1234,
    x: [108, -40, 24, 10, -13, -116, 31, -49, 104, -22],
    tflm: [31, -128, -128, -128, -128, -128, -128, -128, -31, -128],
    multiplier: 2119995904,
    leftShift: 23,
    diffMin: -248,
  },
  { scale: 3.7, x: [8, -122, -39, 5, 79, -37], tflm: [-128, -128, -128, -128, 127, -128], multiplier: 1986422400, leftShift: 28, diffMin: -7 },
  { scale: 0.0001, x: [-71, -62, -37, -13], tflm: [-64, -64, -64, -64], multiplier: 1759218560, leftShift: 13, diffMin: -253952 },
  // rows where the float softmax, quantized, is one step off (14 -> -77, 83 -> -97; 7 of 883,600 random values)
  {
    scale: 0.021296216174960136,
    x: [-69, 14, -40, -50, 6, -18, 46],
    tflm: [-119, -78, -112, -115, -85, -102, -28],
    multiplier: 1463464832,
    leftShift: 21,
    diffMin: -992,
  },
  {
    scale: 0.013149209320545197,
    x: [30, 81, -47, 20, -16, -45, -2, -98, -73, 83, 119, -123, 32, -24, 0, 101],
    tflm: [-112, -97, -122, -114, -119, -122, -118, -125, -124, -96, -77, -126, -112, -120, -117, -88],
    multiplier: 1807213568,
    leftShift: 20,
    diffMin: -1984,
  },
];

test.each(VECTORS)('softmax with input scale $scale is TFLM’s', (v) => {
  const p = softmaxParams(Math.fround(v.scale));
  expect(p).toEqual({ multiplier: v.multiplier, leftShift: v.leftShift, diffMin: v.diffMin });
  const out = new Int8Array(v.x.length);
  softmaxInt8(v.x, 1, v.x.length, 1, p, out);
  expect(Array.from(out)).toEqual(v.tflm);
});

test('a softmax over a strided axis (NCHW channels) reads and writes each row in place', () => {
  // two rows of 4 channels, interleaved as [C=4, HW=2]: row 0 at even positions, row 1 at odd
  const v = VECTORS[3];
  const x = v.x.flatMap((a) => [a, a]);
  const out = new Int8Array(8);
  softmaxInt8(x, 2, 4, 2, softmaxParams(Math.fround(v.scale)), out);
  expect(Array.from(out)).toEqual(v.tflm.flatMap((a) => [a, a]));
});
