// Each pass on small IR graphs: what it rewrites, what it leaves alone, and that float results are kept.
import { defaultConfig } from '../../../hw/vta/config';
import { runFloat } from '../../../sw/compiler/exec/float';
import { requantValue, runInt8 } from '../../../sw/compiler/exec/int8';
import { cloneGraph, Conv2dAttrs, Graph, Node, nodeAs, Tensor, validateGraph } from '../../../sw/compiler/ir';
import { foldBatchNorm } from '../../../sw/compiler/passes/fold-batch-norm';
import { foldConstants } from '../../../sw/compiler/passes/fold-constants';
import { fuseActivations } from '../../../sw/compiler/passes/fuse';
import { pack, permuteFlattenedColumns } from '../../../sw/compiler/passes/pack';
import { partition } from '../../../sw/compiler/passes/partition';
import { activationBounds, pow2Scale, quantize } from '../../../sw/compiler/passes/quantize';
import { inferShapes } from '../../../sw/compiler/shapes';
import { floats } from './onnx-builder';

/** A float graph from nodes; shapes inferred; constants from `consts`. */
function graph(
  input: [string, number[]],
  consts: Record<string, [number[], Float32Array]>,
  nodes: (Omit<Node, 'attrs'> & { attrs?: Node['attrs'] })[],
  outputs: string[],
): Graph {
  const tensors: Record<string, Tensor> = { [input[0]]: { name: input[0], dtype: 'float32', shape: input[1] } };
  for (const [k, [shape, data]] of Object.entries(consts)) tensors[k] = { name: k, dtype: 'float32', shape, data };
  const g: Graph = { name: 't', tensors, nodes: [], inputs: [input[0]], outputs };
  for (const n of nodes) {
    const node = { ...n, attrs: n.attrs ?? {} } as Node; // test graphs: each op with its attributes as written
    g.nodes.push(node);
    inferShapes(g, node).forEach((s, i) => (tensors[node.outputs[i]] = { name: node.outputs[i], dtype: 'float32', shape: s }));
  }
  validateGraph(g);
  return g;
}

const conv = (name: string, inputs: string[], out: string, extra: Partial<Conv2dAttrs> = {}): Node => ({
  name,
  op: 'conv2d',
  inputs,
  outputs: [out],
  attrs: { strides: [1, 1], pads: [1, 1, 1, 1], groups: 1, activation: { kind: 'none' }, ...extra },
});

function convBnRelu(): Graph {
  return graph(
    ['x', [1, 16, 6, 6]],
    {
      w: [[32, 16, 3, 3], floats(32 * 16 * 9, 1, 0.2)],
      b: [[32], floats(32, 2, 0.1)],
      g: [[32], Float32Array.from(floats(32, 3, 0.5), (v) => 1 + v)],
      beta: [[32], floats(32, 4)],
      m: [[32], floats(32, 5)],
      v: [[32], Float32Array.from(floats(32, 6, 0.5), (v) => 1 + v)],
    },
    [
      conv('c', ['x', 'w', 'b'], 'y'),
      { name: 'bn', op: 'batch_norm', inputs: ['y', 'g', 'beta', 'm', 'v'], outputs: ['z'], attrs: { epsilon: 1e-5 } },
      { name: 'id', op: 'identity', inputs: ['z'], outputs: ['zi'] },
      { name: 'r', op: 'relu', inputs: ['zi'], outputs: ['out'] },
    ],
    ['out'],
  );
}

function close(a: Float32Array, b: Float32Array, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
}

test('fold batch norm, fold constants (identity), fuse ReLU: same float results, one node left', () => {
  const g = convBnRelu();
  const x = { x: floats(16 * 36, 9, 2) };
  const ref = runFloat(g, x).get('out')!;
  const bn = foldBatchNorm(g);
  expect(bn.nodes.map((n) => n.op)).toEqual(['conv2d', 'identity', 'relu']);
  expect(Object.keys(bn.tensors)).not.toContain('g');
  const folded = foldConstants(bn);
  expect(folded.nodes.map((n) => n.op)).toEqual(['conv2d', 'relu']);
  const fused = fuseActivations(folded);
  expect(fused.nodes.map((n) => n.op)).toEqual(['conv2d']);
  expect(nodeAs(fused.nodes[0], 'conv2d').attrs.activation).toEqual({ kind: 'relu' });
  close(runFloat(fused, x).get(fused.outputs[0])!, ref, 1e-4);
  // the input graph is untouched (passes are pure)
  expect(g.nodes.length).toBe(4);
});

test('batch norm stays when the conv output has another use; constant nodes are evaluated', () => {
  const g = graph(
    ['x', [1, 16, 4, 4]],
    {
      w: [[16, 16, 3, 3], floats(16 * 16 * 9, 1)],
      g: [[16], floats(16, 2)],
      b: [[16], floats(16, 3)],
      m: [[16], floats(16, 4)],
      v: [[16], Float32Array.from({ length: 16 }, () => 1)],
      c: [[1, 16, 4, 4], floats(256, 5)],
    },
    [
      conv('c1', ['x', 'w', ''], 'y'),
      { name: 'bn', op: 'batch_norm', inputs: ['y', 'g', 'b', 'm', 'v'], outputs: ['z'], attrs: { epsilon: 1e-5 } },
      { name: 'k', op: 'relu', inputs: ['c'], outputs: ['kc'] },
      { name: 'a', op: 'add', inputs: ['y', 'z'], outputs: ['s'], attrs: { activation: { kind: 'none' } } },
      { name: 'a2', op: 'add', inputs: ['s', 'kc'], outputs: ['out'], attrs: { activation: { kind: 'none' } } },
    ],
    ['out'],
  );
  expect(foldBatchNorm(g).nodes.map((n) => n.name)).toEqual(['c1', 'bn', 'k', 'a', 'a2']);
  const f = foldConstants(g);
  expect(f.nodes.map((n) => n.name)).toEqual(['c1', 'bn', 'a', 'a2']);
  expect(Array.from(f.tensors.kc.data as Float32Array)).toEqual(Array.from(g.tensors.c.data as Float32Array, (v) => Math.max(0, v)));
});

test('ReLU then Clip(-1, 6) fuse into clip(0, 6); no fusion when the conv output has two uses', () => {
  const g = graph(
    ['x', [1, 16, 4, 4]],
    { w: [[16, 16, 3, 3], floats(16 * 16 * 9, 1)] },
    [
      conv('c', ['x', 'w', ''], 'y'),
      { name: 'r', op: 'relu', inputs: ['y'], outputs: ['r'] },
      { name: 'k', op: 'clip', inputs: ['r'], outputs: ['out'], attrs: { min: -1, max: 6 } },
    ],
    ['out'],
  );
  const f = fuseActivations(g);
  expect(f.nodes.length).toBe(1);
  expect(nodeAs(f.nodes[0], 'conv2d').attrs.activation).toEqual({ kind: 'clip', min: 0, max: 6 });
  expect(f.outputs).toEqual(['y']);
  const h = graph(
    ['x', [1, 16, 4, 4]],
    { w: [[16, 16, 3, 3], floats(16 * 16 * 9, 1)] },
    [
      conv('c', ['x', 'w', ''], 'y'),
      { name: 'r', op: 'relu', inputs: ['y'], outputs: ['r'] },
      { name: 'a', op: 'add', inputs: ['y', 'r'], outputs: ['out'], attrs: { activation: { kind: 'none' } } },
    ],
    ['out'],
  );
  expect(fuseActivations(h).nodes.map((n) => n.op)).toEqual(['conv2d', 'relu', 'add']);
});

test('quantize: power-of-two scales, shift = log2(out / (in x w)), rounding folded into the bias, shared scales for add', () => {
  expect(pow2Scale(127)).toBe(1);
  expect(pow2Scale(128)).toBe(2);
  expect(pow2Scale(3)).toBe(2 ** -5);
  expect(activationBounds({ kind: 'clip', min: 0, max: 6 }, 2 ** -4)).toEqual([0, 96]);
  expect(activationBounds({ kind: 'relu' }, 1)).toEqual([0, 127]);
  const g = fuseActivations(foldConstants(foldBatchNorm(convBnRelu())));
  const samples = [0, 1, 2].map((s) => ({ x: floats(16 * 36, 20 + s, 2) }));
  const q = quantize(g, samples);
  const c = q.nodes.find((n) => n.op === 'conv2d')!;
  const sx = q.tensors[c.inputs[0]].quant!.scale[0];
  const sw = q.tensors[c.inputs[1]].quant!.scale[0];
  const so = q.tensors[c.outputs[0]].quant!.scale[0];
  for (const s of [sx, sw, so]) expect(Number.isInteger(Math.log2(s))).toBe(true);
  const r = c.attrs.requant as { shift: number[]; min: number; max: number };
  expect(2 ** r.shift[0]).toBe(so / (sx * sw));
  expect([r.min, r.max]).toEqual([0, 127]);
  const bf = g.tensors[g.nodes[0].inputs[2]].data as Float32Array;
  const bq = q.tensors[c.inputs[2]].data as Int32Array;
  expect(bq[0]).toBe(Math.round(bf[0] / (sx * sw)) + 2 ** (r.shift[0] - 1));
  expect(q.nodes.map((n) => n.op)).toEqual(['quantize', 'conv2d', 'dequantize']);
  // the int8 graph tracks the float one
  const x = { x: floats(16 * 36, 30, 2) };
  close(runInt8(q, x).get(q.outputs[0]) as Float32Array, runFloat(g, x).get(g.outputs[0])!, 6 * so);
  // global scale: every activation at 8/128
  const qg = quantize(g, [], { scheme: 'global' });
  expect(qg.tensors[qg.nodes[1].outputs[0]].quant!.scale[0]).toBe(1 / 16);
});

test('int8 requantization: floor shift (VTA), TFLite multiplier with rounding, negative shift', () => {
  const vta = { shift: [2], rounding: 'floor' as const, zeroPoint: 0, min: -128, max: 127 };
  expect([-5, -4, 5, 7, 1000].map((v) => requantValue(v, vta, 0))).toEqual([-2, -1, 1, 1, 127]);
  const tfl = { shift: [1], multiplier: [2 ** 30], rounding: 'nearest' as const, zeroPoint: -3, min: -128, max: 127 };
  // 10 * 0.5 = 5, then 5 / 2 rounded = 3 (half up), + zp -3 = 0
  expect(requantValue(10, tfl, 0)).toBe(0);
  expect(requantValue(3, { ...vta, shift: [-2] }, 0)).toBe(12);
});

test('partition: a first conv with 3 channels on VTA, overrides, unsupported forced onto VTA is an error', () => {
  const cfg = defaultConfig();
  const g = graph(
    ['x', [1, 3, 8, 8]],
    { w1: [[16, 3, 3, 3], floats(16 * 27, 1)], w2: [[16, 16, 3, 3], floats(16 * 16 * 9, 2)] },
    [
      conv('c1', ['x', 'w1', ''], 'y1', { activation: { kind: 'relu' } }),
      conv('c2', ['y1', 'w2', ''], 'y2'),
      { name: 'gap', op: 'global_avg_pool', inputs: ['y2'], outputs: ['p'] },
      { name: 'f', op: 'flatten', inputs: ['p'], outputs: ['f'], attrs: { axis: 1 } },
      { name: 's', op: 'softmax', inputs: ['f'], outputs: ['out'], attrs: { axis: 1 } },
    ],
    ['out'],
  );
  const q = quantize(g, [{ x: floats(3 * 64, 3) }]);
  const at = (opts = {}) => Object.fromEntries(partition(q, cfg, opts).placements.map((p) => [p.node, p.target]));
  expect(at()).toMatchObject({ c1: 'vta', c2: 'vta', gap: 'cpu', f: 'cpu', s: 'cpu' });
  expect(at({ cpu: ['c1', 'c2'] })).toMatchObject({ c1: 'cpu', c2: 'cpu' });
  expect(() => partition(q, cfg, { vta: ['gap'] })).toThrow('partition: node gap (global_avg_pool) cannot run on VTA: VTA has no global_avg_pool operator');
  expect(() => partition(q, cfg, { cpu: ['nope'] })).toThrow(/no node named "nope"/);
  // the reasons say what is wrong in words, not in field values
  const reason = (gr: Graph, node: string) => partition(gr, cfg).placements.find((p) => p.node === node)!.reason;
  expect(reason(q, 'c2')).toBe('the operator library runs it');
  const withShift = (s: number) => {
    const r = cloneGraph(q);
    const c2 = nodeAs(
      r.nodes.find((n) => n.name === 'c2')!,
      'conv2d',
    );
    c2.attrs.requant = { ...c2.attrs.requant!, shift: [s] };
    return r;
  };
  expect(reason(withShift(-1), 'c2')).toBe('the output scale needs a left shift by 1 bit(s); the ALU only shifts right (by 0 to 31)');
  expect(reason(withShift(33), 'c2')).toBe('the output scale needs a right shift by 33 bits; the ALU shifts by at most 31');
  expect(reason(q, 's')).toBe('works on float32 values; VTA computes on int8');
});

test('pack: OIHWoi weights with padded channels; a flattened packed input permutes the dense columns', () => {
  // C = 3 channels of 2x1, BLOCK_OUT 2: packed order ((cb*H + h)*W + w)*2 + ci, channel 3 padded
  const w = Int8Array.from({ length: 6 }, (_, i) => i + 1); // one row: k = c*2 + h
  const p = permuteFlattenedColumns(w, 1, [3, 2, 1], 2);
  expect(p.K).toBe(8);
  expect(Array.from(p.data)).toEqual([1, 3, 2, 4, 5, 0, 6, 0]);
  const cfg = defaultConfig();
  const g = graph(['x', [1, 16, 4, 4]], { w: [[20, 16, 3, 3], floats(20 * 16 * 9, 1)] }, [conv('c', ['x', 'w', ''], 'out')], ['out']);
  const q = partition(quantize(g, [{ x: floats(256, 2) }]), cfg).graph;
  const packed = pack(q, cfg);
  const c = packed.nodes.find((n) => n.op === 'conv2d')!;
  const t = packed.tensors[c.packed!.weight];
  expect(t.layout).toBe('OIHWoi');
  expect(t.shape).toEqual([2, 1, 3, 3, 16, 16]);
  expect(packed.tensors[c.inputs[0]].layout).toBe('NCHWnc');
});
