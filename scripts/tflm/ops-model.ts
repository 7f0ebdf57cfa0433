// Writes test/fixtures/tflm/ops-edges.tflite: a small int8 model of the operator cases the MLPerf Tiny models
// do not reach, for TFLM to record (make-fixtures.ts): a depthwise convolution with depth multiplier 2,
// per-channel scales and RELU6 whose upper bound is inside the int8 range; max and average pooling with
// SAME padding (partial windows: TFLite averages over the taps inside the input only); a convolution with
// one weight scale and a non-zero output zero point; an ADD of two inputs of different scales and zero
// points with RELU. Weights are seeded, so the file is the same on every run.
//
//   npx tsx scripts/tflm/ops-model.ts

import { writeFileSync } from 'fs';
import { join } from 'path';
import { mulberry32 } from '../../sim/testing/prng';
import { BTensor, buildTflite } from '../../test/sw/compiler/tflite-builder';

const INT8 = 9;
const INT32 = 2;
const rnd = mulberry32(2026);
const int8s = (n: number) => new Uint8Array(Int8Array.from({ length: n }, () => Math.floor(rnd() * 255) - 127).buffer);
const int32s = (n: number, range: number) => new Uint8Array(Int32Array.from({ length: n }, () => Math.floor((rnd() * 2 - 1) * range)).buffer);

export function opsEdgesModel(): Uint8Array {
  const tensors: BTensor[] = [
    { name: 'input', shape: [1, 9, 9, 4], type: INT8, scale: [0.05], zeroPoint: [-3] },
    // depthwise weights [1, KH, KW, C x 2], one scale per output channel (quantized dimension 3)
    {
      name: 'dw_weights',
      shape: [1, 3, 3, 8],
      type: INT8,
      data: int8s(72),
      scale: Array.from({ length: 8 }, (_, i) => 0.004 + 0.001 * i),
      zeroPoint: new Array(8).fill(0),
      quantizedDimension: 3,
    },
    { name: 'dw_bias', shape: [8], type: INT32, data: int32s(8, 2000), scale: Array.from({ length: 8 }, (_, i) => 0.05 * (0.004 + 0.001 * i)) },
    { name: 'dw_relu6', shape: [1, 5, 5, 8], type: INT8, scale: [0.03], zeroPoint: [-128] },
    { name: 'max_pool', shape: [1, 3, 3, 8], type: INT8, scale: [0.03], zeroPoint: [-128] },
    { name: 'avg_pool', shape: [1, 5, 5, 8], type: INT8, scale: [0.03], zeroPoint: [-128] },
    { name: 'conv_weights', shape: [8, 3, 3, 8], type: INT8, data: int8s(576), scale: [0.006], zeroPoint: [0] },
    { name: 'conv_bias', shape: [8], type: INT32, data: int32s(8, 3000), scale: [0.03 * 0.006] },
    { name: 'conv', shape: [1, 3, 3, 8], type: INT8, scale: [0.07], zeroPoint: [5] },
    { name: 'add_relu', shape: [1, 3, 3, 8], type: INT8, scale: [0.09], zeroPoint: [-7] },
  ];
  const SAME = 0;
  const RELU = 1;
  const RELU6 = 3;
  return buildTflite(
    tensors,
    [
      // DEPTHWISE_CONV_2D: padding, stride_w, stride_h, depth_multiplier, activation
      {
        code: 4,
        inputs: [0, 1, 2],
        outputs: [3],
        optionsType: 2,
        options: [
          [0, 1, SAME],
          [1, 4, 2],
          [2, 4, 2],
          [3, 4, 2],
          [4, 1, RELU6],
        ],
      },
      // MAX_POOL_2D and AVERAGE_POOL_2D: padding, stride_w, stride_h, filter_width, filter_height
      {
        code: 17,
        inputs: [3],
        outputs: [4],
        optionsType: 5,
        options: [
          [0, 1, SAME],
          [1, 4, 2],
          [2, 4, 2],
          [3, 4, 3],
          [4, 4, 3],
        ],
      },
      {
        code: 1,
        inputs: [3],
        outputs: [5],
        optionsType: 5,
        options: [
          [0, 1, SAME],
          [1, 4, 1],
          [2, 4, 1],
          [3, 4, 3],
          [4, 4, 3],
        ],
      },
      // CONV_2D: padding, stride_w, stride_h, activation
      {
        code: 3,
        inputs: [5, 6, 7],
        outputs: [8],
        optionsType: 1,
        options: [
          [0, 1, SAME],
          [1, 4, 2],
          [2, 4, 2],
          [3, 1, 0],
        ],
      },
      // ADD: activation
      { code: 0, inputs: [4, 8], outputs: [9], optionsType: 11, options: [[0, 1, RELU]] },
    ],
    [0],
    [9],
  );
}

if (require.main === module) {
  const path = join(__dirname, '..', '..', 'test', 'fixtures', 'tflm', 'ops-edges.tflite');
  writeFileSync(path, opsEdgesModel());
  console.log(`wrote ${path}`);
}
