// Output shapes of IR nodes from their input shapes and attributes (each operator's `inferShape` in
// operators/table.ts): the importers use it to type every tensor, passes to re-derive shapes after a rewrite.

import { CompileError, Graph, Node } from './ir';
import { operatorOf } from './operators/table';

/** The shape of each output of `n` (in the order of n.outputs); an operator without a shape function keeps its input's. */
export function inferShapes(g: Graph, n: Node): number[][] {
  const s = (i: number) => {
    const t = g.tensors[n.inputs[i]];
    if (!t) throw new CompileError(`node ${n.name} (${n.op}): input ${i} (${n.inputs[i]}) is missing`);
    return t.shape;
  };
  const need = (cond: boolean, what: string) => {
    if (!cond) throw new CompileError(`node ${n.name} (${n.op}): ${what}`);
  };
  const infer = operatorOf(n).inferShape;
  return infer ? infer(n, s, need) : [[...s(0)]];
}
