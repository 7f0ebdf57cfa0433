// A padded max-pool: TFLite and ONNX take the max over the values inside the image, VTA's load pads with 0.
// The integer reference follows the frameworks; the device's int8 max-pool keeps its pads out of the max (pool-int8.ts),
// the int32 one (BLOCK_IN != BLOCK_OUT) runs the pool only when no value can be below 0.
import { defaultConfig } from '../../../hw/vta/config';
import { cfgWith } from '../helpers';
import { runInt8Node } from '../../../sw/compiler/exec/int8';
import type { Graph, Node, Requant } from '../../../sw/compiler/ir';
import { deviceSupport } from '../../../sw/compiler/passes/partition';

function graph(producerMin: number | null): Graph {
  const q = { scale: [0.1], zeroPoint: [0] };
  const tensors: Graph['tensors'] = {
    a: { name: 'a', dtype: 'int8', shape: [1, 16, 4, 4], quant: q },
    y: { name: 'y', dtype: 'int8', shape: [1, 16, 2, 2], quant: q },
  };
  const nodes: Node[] = [];
  if (producerMin !== null) {
    // a producer whose requantization clamps at producerMin (a fused ReLU clamps at the zero point)
    const requant: Requant = { shift: [0], rounding: 'floor', zeroPoint: 0, min: producerMin, max: 127 };
    tensors.s = { name: 's', dtype: 'int8', shape: [1, 16, 4, 4], quant: q };
    tensors.w = { name: 'w', dtype: 'int8', shape: [16, 16, 1, 1], data: new Int8Array(256), quant: { scale: [0.1], zeroPoint: [0] } };
    nodes.push({
      name: 'conv',
      op: 'conv2d',
      inputs: ['s', 'w'],
      outputs: ['a'],
      attrs: { strides: [1, 1], pads: [0, 0, 0, 0], groups: 1, activation: { kind: 'none' }, requant },
    });
  }
  nodes.push({ name: 'pool', op: 'max_pool', inputs: ['a'], outputs: ['y'], attrs: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } });
  return { name: 'pool', tensors, nodes, inputs: [producerMin === null ? 'a' : 's'], outputs: ['y'] };
}

test('the integer reference leaves the pads out of the max', () => {
  const g = graph(null);
  const x = new Int8Array(16 * 16).fill(-50);
  const out = runInt8Node(g, g.nodes[0], () => x) as Int8Array;
  expect(Array.from(out.slice(0, 4))).toEqual([-50, -50, -50, -50]);
});

test('VTA runs a padded max-pool of any int8 input with the int8 kernel (pads kept out), with the int32 one only over values >= 0', () => {
  const cfg = defaultConfig();
  for (const min of [null, -128, 0]) expect(deviceSupport(graph(min), cfg, graph(min).nodes.at(-1)!)).toBeNull();
  // BLOCK_IN != BLOCK_OUT: no int8 INP operands, the int32 max-pool pads with 0
  const wide = cfgWith({ LOG_BLOCK_IN: 5, LOG_INP_BUFF_SIZE: 16, LOG_WGT_BUFF_SIZE: 19 });
  expect(deviceSupport(graph(null), wide, graph(null).nodes[0])).toMatch(/padded windows may hold only negative values/);
  expect(deviceSupport(graph(-128), wide, graph(-128).nodes[1])).toMatch(/padded windows may hold only negative values/);
  expect(deviceSupport(graph(0), wide, graph(0).nodes[1])).toBeNull();
});
