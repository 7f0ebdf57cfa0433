// Activation fusion: a ReLU or Clip whose input is produced by a conv2d, dense or add (and used only
// there) becomes that node's `activation`, so the epilogue (requantization + clip) runs in the same call.

import { cloneGraph, Graph, Node, NodeOf, pruneTensors } from '../ir';
import { replaceUses, useCount } from './util';

const fusable = (n: Node | undefined): n is NodeOf<'conv2d'> | NodeOf<'dense'> | NodeOf<'add'> => n?.op === 'conv2d' || n?.op === 'dense' || n?.op === 'add';

export function fuseActivations(input: Graph): Graph {
  const g = cloneGraph(input);
  const byOutput = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  const drop = new Set<string>();
  for (const n of g.nodes) {
    if (n.op !== 'relu' && n.op !== 'clip') continue;
    const prev = byOutput.get(n.inputs[0]);
    if (!fusable(prev) || useCount(g, prev.outputs[0]) !== 1 || g.outputs.includes(prev.outputs[0])) continue;
    const cur = prev.attrs.activation;
    const lo0 = cur.kind === 'none' ? -Infinity : cur.kind === 'relu' ? 0 : cur.min;
    const hi0 = cur.kind === 'clip' ? cur.max : Infinity;
    const lo = Math.max(lo0, n.op === 'relu' ? 0 : n.attrs.min);
    const hi = Math.min(hi0, n.op === 'relu' ? Infinity : n.attrs.max);
    prev.attrs.activation = lo === 0 && hi === Infinity ? { kind: 'relu' } : { kind: 'clip', min: lo, max: hi };
    replaceUses(g, n.outputs[0], prev.outputs[0]);
    drop.add(n.name);
    n.inputs = []; // no longer a use of anything
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n.name));
  return pruneTensors(g);
}
