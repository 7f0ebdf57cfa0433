import { cloneGraph, CompileError, Graph, nodeAs, pruneTensors, validateGraph } from '../../../sw/compiler/ir';
import { formatGraph } from '../../../sw/compiler/printer';

function tiny(): Graph {
  return {
    name: 'tiny',
    inputs: ['x'],
    outputs: ['y'],
    tensors: {
      x: { name: 'x', dtype: 'int8', shape: [1, 16, 4, 4], quant: { scale: [2 ** -4], zeroPoint: [0] } },
      w: { name: 'w', dtype: 'int8', shape: [16, 16, 3, 3], data: new Int8Array(16 * 16 * 9), quant: { scale: [0.01, 0.02], zeroPoint: [0, 0], axis: 0 } },
      y: { name: 'y', dtype: 'int8', shape: [1, 16, 4, 4] },
      unused: { name: 'unused', dtype: 'float32', shape: [1], data: new Float32Array(1) },
    },
    nodes: [
      {
        name: 'c',
        op: 'conv2d',
        inputs: ['x', 'w', ''],
        outputs: ['y'],
        target: 'vta',
        attrs: {
          strides: [1, 1],
          pads: [1, 1, 1, 1],
          groups: 1,
          activation: { kind: 'relu' },
          requant: { shift: [7], rounding: 'floor', zeroPoint: 0, min: 0, max: 127 },
        },
      },
    ],
  };
}

test('validate, clone, prune and print', () => {
  const g = tiny();
  validateGraph(g);
  const c = cloneGraph(g);
  nodeAs(c.nodes[0], 'conv2d').attrs.groups = 2;
  expect(nodeAs(g.nodes[0], 'conv2d').attrs.groups).toBe(1);
  expect(Object.keys(pruneTensors(g).tensors).sort()).toEqual(['w', 'x', 'y']);
  const text = formatGraph(g);
  expect(text).toContain('vta c: conv2d(%x, $w, _)');
  expect(text).toContain('requant={shr 7 clip[0,127]}');
  expect(text).toContain('int8[16,16,3,3]{s=0.01,0.02 axis=0}');
  expect(text).toContain('int8[1,16,4,4]{s=2^-4}');
});

test('validation names the node and the tensor', () => {
  const g = tiny();
  g.nodes[0].inputs[0] = 'nope';
  expect(() => validateGraph(g)).toThrow(new CompileError('node c (conv2d): input nope is not a tensor of the graph'));
});
