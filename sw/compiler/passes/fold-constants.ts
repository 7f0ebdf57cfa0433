// Constant folding: identity nodes disappear, and a node whose inputs are all constants is evaluated
// once (float graphs) and becomes a constant tensor.

import { runFloatNode } from '../exec/float';
import { cloneGraph, Graph, pruneTensors } from '../ir';
import { replaceUses } from './util';

export function foldConstants(input: Graph): Graph {
  const g = cloneGraph(input);
  const kept = [];
  for (const n of g.nodes) {
    if (n.op === 'identity' && !g.inputs.includes(n.inputs[0])) {
      replaceUses(g, n.outputs[0], n.inputs[0]);
      continue;
    }
    const ins = n.inputs.filter(Boolean);
    const out = g.tensors[n.outputs[0]];
    if (ins.length && ins.every((i) => g.tensors[i].data) && out.dtype === 'float32') {
      out.data = runFloatNode(g, n, (name) => Float32Array.from(g.tensors[name].data as ArrayLike<number>));
      continue;
    }
    kept.push(n);
  }
  g.nodes = kept;
  // an identity of a graph input feeding a graph output stays as is; otherwise a graph output that is now a constant keeps its data
  return pruneTensors(g);
}
