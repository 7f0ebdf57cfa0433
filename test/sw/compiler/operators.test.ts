// The operator table: every IR operator has one consistent entry, the IR helpers keep the typed node's parts,
// and the pack pass's record prints as the attributes graph.txt always showed.

import { cloneGraph, CompileError, Graph, makeNode, nodeAs, OpType } from '../../../sw/compiler/ir';
import { OPERATORS } from '../../../sw/compiler/operators/table';
import { deviceSupport } from '../../../sw/compiler/passes/partition';
import { formatGraph } from '../../../sw/compiler/printer';
import { defaultConfig } from '../../../hw/vta/config';

const ops = Object.keys(OPERATORS) as OpType[];

test('each entry is consistent: code for what VTA may run, a reference for every operator', () => {
  expect(ops.length).toBe(17);
  for (const op of ops) {
    const d = OPERATORS[op];
    const mayRunOnVta = d.deviceSupport !== undefined || d.placeInContext !== undefined;
    expect([op, mayRunOnVta && !d.hostWork]).toEqual([op, d.emit !== undefined]);
    expect([op, d.runFloat !== undefined || d.runInt8 !== undefined]).toEqual([op, true]);
    if (d.writesSlices) expect([op, d.emit !== undefined]).toEqual([op, true]);
  }
  expect(ops.filter((op) => OPERATORS[op].emit).sort()).toEqual(['add', 'avg_pool', 'concat', 'conv2d', 'dense', 'flatten', 'max_pool']);
  expect(ops.filter((op) => OPERATORS[op].hostWork).sort()).toEqual(['dequantize', 'im2col', 'quantize']);
});

function oneNode(op: 'relu' | 'quantize' | 'avg_pool'): Graph {
  const x = { name: 'x', dtype: 'int8' as const, shape: [1, 16, 4, 4], quant: { scale: [1], zeroPoint: [0] } };
  const base = { name: 'n', inputs: ['x'], outputs: ['y'] };
  const node =
    op === 'avg_pool' ? makeNode('avg_pool', base, { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], countIncludePad: false }) : makeNode(op, base, {});
  return { name: 'g', inputs: ['x'], outputs: ['y'], tensors: { x, y: { ...x, name: 'y' } }, nodes: [node] };
}

test('the partition asks the table: host work, then the value type, then the entry (absent: no VTA operator)', () => {
  const cfg = defaultConfig();
  const g = oneNode('quantize');
  expect(deviceSupport(g, cfg, g.nodes[0])).toBe('converts between float and int8 (host work)');
  const r = oneNode('relu');
  expect(deviceSupport(r, cfg, r.nodes[0])).toBe('VTA has no relu operator');
  r.tensors.y.dtype = 'float32';
  expect(deviceSupport(r, cfg, r.nodes[0])).toBe('works on float32 values; VTA computes on int8');
});

test('nodeAs checks the operator; cloneGraph copies attributes and the packing record', () => {
  const g = oneNode('avg_pool');
  expect(() => nodeAs(g.nodes[0], 'conv2d')).toThrow(new CompileError('node n: expected a conv2d node, got avg_pool'));
  g.nodes[0].packed = { weight: 'w:packed', weightShape: [16, 16, 1, 1], bias: 'b:packed' };
  const c = cloneGraph(g);
  nodeAs(c.nodes[0], 'avg_pool').attrs.kernel[0] = 3;
  c.nodes[0].packed!.weightShape[0] = 32;
  expect(nodeAs(g.nodes[0], 'avg_pool').attrs.kernel).toEqual([2, 2]);
  expect(g.nodes[0].packed!.weightShape).toEqual([16, 16, 1, 1]);
});

test("the pack pass's record prints as packed* attributes, in its order", () => {
  const g = oneNode('avg_pool');
  g.nodes[0].packed = { groups: 1, weight: 'w:packed', weightShape: [16, 16, 1, 1], bias: 'b:packed' };
  expect(formatGraph(g)).toContain(
    'n: avg_pool(%x) kernel=[2,2] strides=[2,2] pads=[0,0,0,0] countIncludePad=false packedGroups=1 packedWeight=w:packed packedWeightShape=[16,16,1,1] packedBias=b:packed',
  );
});
