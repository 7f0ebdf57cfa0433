// The float reference: runs a float graph node by node on the CPU with ONNX semantics (NCHW). Returns
// every tensor's values, so the quantizer can calibrate on them.

import { CompileError, elementCount, Graph, Node } from '../ir';
import { operatorOf } from '../operators/table';

export type FloatValues = Map<string, Float32Array>;

function constFloat(g: Graph, name: string): Float32Array | null {
  if (!name) return null;
  const t = g.tensors[name];
  if (!t.data) return null;
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}

/** One node on float values: its operator's float reference (operators/table.ts). */
export function runFloatNode(g: Graph, n: Node, get: (name: string) => Float32Array): Float32Array {
  const run = operatorOf(n).runFloat;
  if (!run) throw new CompileError(`node ${n.name}: the float reference cannot run ${n.op}`);
  const out = g.tensors[n.outputs[0]];
  return run(n, { g, get, inShape: (i) => g.tensors[n.inputs[i]].shape, out, size: elementCount(out.shape) });
}

/** Runs the float graph on one set of inputs; every tensor's values. */
export function runFloat(g: Graph, inputs: Record<string, Float32Array>): FloatValues {
  const vals: FloatValues = new Map();
  for (const i of g.inputs) {
    const v = inputs[i];
    const want = elementCount(g.tensors[i].shape);
    if (!v || v.length !== want) throw new CompileError(`input ${i}: expected ${want} float values, got ${v?.length ?? 'none'}`);
    vals.set(i, v);
  }
  const get = (name: string): Float32Array => {
    const v = vals.get(name) ?? constFloat(g, name);
    if (!v) throw new CompileError(`tensor ${name} has no value yet`);
    return v;
  };
  for (const n of g.nodes) {
    if (g.tensors[n.outputs[0]].dtype !== 'float32') throw new CompileError(`node ${n.name} (${n.op}): the float reference runs float graphs only`);
    vals.set(n.outputs[0], runFloatNode(g, n, get));
  }
  return vals;
}
