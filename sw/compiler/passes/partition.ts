// CPU/accelerator partition of a quantized graph. A node goes to VTA when the operator library can run
// it with the same integers (deviceSupport: its operator's rule in operators/table.ts): a convolution with
// few input channels (a first layer) has them zero-padded to a block, a grouped one (depthwise, any depth
// multiplier) runs as a grouped GEMM over whole channel blocks (block-groups.ts), and softmax and
// (de)quantization have no VTA operator (average pools and adds the ALU cannot run are GEMMs by then:
// lower-gemm.ts). Flags force nodes either way; forcing an unsupported node onto VTA is an error that says why.

import type { VtaConfig } from '../../../hw/vta/config';
import { CompileError, Graph, Node, Target } from '../ir';
import { consumers, producers, cloneGraph } from '../ir';
import { operatorOf } from '../operators/table';
import type { PlacementContext } from '../operators/types';
import { didYouMean } from '../../../util/suggest';

export { exactAddReason } from '../operators/common';

/** A --cpu/--vta request that cannot be met (an unknown node, or one VTA cannot run): the user's to fix. */
export class PartitionRequestError extends CompileError {
  constructor(message: string) {
    super(message);
    this.name = 'PartitionRequestError';
  }
}

export interface PartitionOptions {
  /** Node names forced onto the CPU / onto VTA. */
  cpu?: string[];
  vta?: string[];
}

export interface Placement {
  node: string;
  op: string;
  target: Target;
  reason: string;
}

/** Why VTA cannot run `n` (null when it can): host work, a value type other than int8, or its operator's rule (operators/table.ts). */
export function deviceSupport(g: Graph, cfg: VtaConfig, n: Node): string | null {
  const t = (i: number) => g.tensors[n.inputs[i]];
  const out = g.tensors[n.outputs[0]];
  const op = operatorOf(n);
  if (op.hostWork) return op.hostWork;
  if (out.dtype !== 'int8' || (n.inputs[0] && t(0).dtype !== 'int8')) {
    return `works on ${n.inputs[0] && t(0).dtype !== 'int8' ? t(0).dtype : out.dtype} values; VTA computes on int8`;
  }
  return op.deviceSupport ? op.deviceSupport(n, g, cfg) : `VTA has no ${n.op} operator`;
}

/** Sets every node's target; returns the graph and one line of reasons per node. */
export function partition(input: Graph, cfg: VtaConfig, opts: PartitionOptions = {}): { graph: Graph; placements: Placement[] } {
  const g = cloneGraph(input);
  const names = new Set(g.nodes.map((n) => n.name));
  for (const k of [...(opts.cpu ?? []), ...(opts.vta ?? [])]) {
    if (!names.has(k))
      throw new PartitionRequestError(`partition: no node named ${JSON.stringify(k)}${didYouMean(k, [...names])} (nodes: ${[...names].join(', ')})`);
  }
  const reasons = new Map<string, string>();
  for (const n of g.nodes) {
    const inContext = operatorOf(n).placeInContext !== undefined;
    const why = inContext ? 'decided below' : deviceSupport(g, cfg, n);
    let target: Target = why ? 'cpu' : 'vta';
    let reason = why ?? 'the operator library runs it';
    if (opts.cpu?.includes(n.name)) {
      target = 'cpu';
      reason = 'forced by --cpu';
    }
    if (opts.vta?.includes(n.name)) {
      if (why && !inContext) throw new PartitionRequestError(`partition: node ${n.name} (${n.op}) cannot run on VTA: ${why}`);
      target = 'vta';
      reason = 'forced by --vta';
    }
    n.target = target;
    reasons.set(n.name, reason);
  }
  // operators placed from their neighbours' targets (a free flatten or concat), in node order
  const prod = producers(g);
  const cons = consumers(g);
  const context: PlacementContext = {
    g,
    cfg,
    producer: (t) => prod.get(t),
    consumers: (t) => cons.get(t) ?? [],
    writesSlices: (p) => operatorOf(p).writesSlices === true,
    slicedBy: new Map(),
  };
  for (const n of g.nodes) {
    const place = operatorOf(n).placeInContext;
    if (!place) continue;
    const d = place(n, context);
    const forced = opts.cpu?.includes(n.name);
    if (opts.vta?.includes(n.name) && !d.ok) throw new PartitionRequestError(`partition: node ${n.name} (${n.op}) runs on VTA only ${d.onlyWhen}`);
    n.target = d.ok && !forced ? 'vta' : 'cpu';
    if (n.target === 'vta') d.onVta?.();
    reasons.set(n.name, forced ? 'forced by --cpu' : d.ok ? d.free : d.host);
  }
  return { graph: g, placements: g.nodes.map((n) => ({ node: n.name, op: n.op, target: n.target!, reason: reasons.get(n.name)! })) };
}

export function formatPlacements(p: Placement[]): string {
  const w = Math.max(...p.map((x) => x.node.length), 4);
  return ['partition:', ...p.map((x) => `  ${x.target.padEnd(3)}  ${x.node.padEnd(w)}  ${x.op.padEnd(15)} ${x.reason}`)].join('\n');
}
