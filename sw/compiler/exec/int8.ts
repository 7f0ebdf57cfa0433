// The integer reference: runs a quantized graph on the CPU with exactly the device's integer semantics
// (int32 accumulation with wrap, requantization by shift/clip, or TFLite's fixed-point multiplier).
// The device executor runs its CPU nodes through runInt8Node too, so both agree by construction on
// those and the device's own nodes are checked against them.

import { CompileError, elementCount, Graph, Node } from '../ir';
import { operatorOf } from '../operators/table';
import type { Value } from '../operators/types';
import { runFloatNode } from './float';

export type { Value };
export type Values = Map<string, Value>;
export { requantValue } from './requant-sums';

/** One node on integer values: its operator's integer reference (operators/table.ts); a float output runs the float one. */
export function runInt8Node(g: Graph, n: Node, get: (name: string) => Value): Value {
  const out = g.tensors[n.outputs[0]];
  if (out.dtype === 'float32' && n.op !== 'dequantize') return runFloatNode(g, n, get as (name: string) => Float32Array);
  const run = operatorOf(n).runInt8;
  if (!run) throw new CompileError(`node ${n.name}: the integer reference cannot run ${n.op}`);
  return run(n, { g, get, inShape: (i) => g.tensors[n.inputs[i]].shape, out, size: elementCount(out.shape) });
}

export function constValue(g: Graph, name: string): Value | null {
  const d = g.tensors[name]?.data;
  if (!d) return null;
  if (d instanceof Float32Array || d instanceof Int8Array || d instanceof Int32Array) return d;
  return Int32Array.from(d as ArrayLike<number>);
}

/** Runs a quantized graph on the CPU; every tensor's value. */
export function runInt8(g: Graph, inputs: Record<string, Float32Array>): Values {
  const vals: Values = new Map();
  for (const i of g.inputs) vals.set(i, inputs[i]);
  const get = (name: string): Value => {
    const v = vals.get(name) ?? constValue(g, name);
    if (!v) throw new CompileError(`tensor ${name} has no value yet`);
    return v;
  };
  for (const n of g.nodes) vals.set(n.outputs[0], runInt8Node(g, n, get));
  return vals;
}
