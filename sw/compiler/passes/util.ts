// Small helpers the passes share: replacing uses of a tensor and fresh names.

import { Graph } from '../ir';

/** Points every use of `from` (node inputs, graph outputs) at `to`. */
export function replaceUses(g: Graph, from: string, to: string): void {
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
  g.outputs = g.outputs.map((o) => (o === from ? to : o));
}

/** Uses of a tensor: consuming nodes plus 1 when it is a graph output. */
export function useCount(g: Graph, name: string): number {
  let k = g.outputs.includes(name) ? 1 : 0;
  for (const n of g.nodes) for (const i of n.inputs) if (i === name) k++;
  return k;
}

export function freshName(g: Graph, base: string): string {
  if (!g.tensors[base]) return base;
  for (let i = 1; ; i++) if (!g.tensors[`${base}_${i}`]) return `${base}_${i}`;
}
