// CPU/accelerator partition of a quantized graph. A node goes to VTA when the operator library can run
// it with the same integers (deviceSupport): a convolution with few input channels (a first layer) has them
// zero-padded to a block, a depthwise one runs with block-diagonal weights, and softmax and (de)quantization
// have no VTA operator (average pools and adds the ALU cannot run are GEMMs by then: lower-gemm.ts). Flags force
// nodes either way; forcing an unsupported node onto VTA is an error that says why.

import type { VtaConfig } from '../../../hw/vta/config';
import { CompileError, Graph, Node, Target } from '../ir';
import { consumers, producers, cloneGraph } from '../ir';
import { operatorOf } from '../operators/table';
import { didYouMean } from '../../../util/suggest';

export { exactAddReason, isDepthwise } from '../operators/common';

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
    const inContext = operatorOf(n).placedInContext;
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
  // a flatten between a VTA conv2d and a VTA dense is free: the dense reads the packed output with permuted weights
  const prod = producers(g);
  const cons = consumers(g);
  for (const n of g.nodes) {
    if (n.op !== 'flatten') continue;
    const p = prod.get(n.inputs[0]);
    const c = cons.get(n.outputs[0]) ?? [];
    const axisOk = n.attrs.axis === 1 && g.tensors[n.inputs[0]].shape.length === 4 && g.tensors[n.inputs[0]].shape[0] === 1;
    const ok =
      p?.target === 'vta' &&
      p.op === 'conv2d' &&
      (cons.get(n.inputs[0]) ?? []).length === 1 &&
      c.length === 1 &&
      c[0].target === 'vta' &&
      c[0].op === 'dense' &&
      axisOk &&
      cfg.blockIn === cfg.blockOut &&
      !g.outputs.includes(n.outputs[0]);
    const forced = opts.cpu?.includes(n.name);
    if (opts.vta?.includes(n.name) && !ok)
      throw new PartitionRequestError(
        `partition: node ${n.name} (flatten) runs on VTA only between a VTA conv2d and a VTA dense of batch 1 with BLOCK_IN = BLOCK_OUT`,
      );
    n.target = ok && !forced ? 'vta' : 'cpu';
    reasons.set(n.name, forced ? 'forced by --cpu' : ok ? "free: folded into the dense weights' column order" : 'host reshape');
  }
  // a concat along channels of batch-1 VTA outputs is free: the producers write into slices of one buffer,
  // which needs every input but the last to fill whole BLOCK_OUT channel blocks
  const ACT_PRODUCERS = new Set(['conv2d', 'add', 'max_pool']);
  const slicedBy = new Map<string, string>();
  for (const n of g.nodes) {
    if (n.op !== 'concat') continue;
    const shapes = n.inputs.map((i) => g.tensors[i].shape);
    const r = shapes[0].length;
    const axis = n.attrs.axis < 0 ? n.attrs.axis + r : n.attrs.axis;
    // inputs of other widths start at block boundaries too (padded slices) when only VTA convolutions read the result:
    // the pack pass spreads their weights' input channels onto the padded layout (zeros on the padding)
    const readers = cons.get(n.outputs[0]) ?? [];
    const padded =
      cfg.blockIn === cfg.blockOut &&
      !g.outputs.includes(n.outputs[0]) &&
      readers.length > 0 &&
      readers.every((c) => c.op === 'conv2d' && c.target === 'vta' && c.inputs[0] === n.outputs[0] && c.attrs.groups === 1);
    const ok =
      r === 4 &&
      axis === 1 &&
      shapes[0][0] === 1 &&
      new Set(n.inputs).size === n.inputs.length &&
      n.inputs.every((i, k) => {
        const p = prod.get(i);
        return (
          p?.target === 'vta' &&
          ACT_PRODUCERS.has(p.op) &&
          !slicedBy.has(i) &&
          !g.outputs.includes(i) &&
          (k === n.inputs.length - 1 || shapes[k][1] % cfg.blockOut === 0 || padded)
        );
      });
    const forced = opts.cpu?.includes(n.name);
    if (opts.vta?.includes(n.name) && !ok)
      throw new PartitionRequestError(
        `partition: node ${n.name} (concat) runs on VTA only along channels of batch-1 VTA conv/add/max-pool outputs, all but the last a multiple of BLOCK_OUT ${cfg.blockOut} unless only VTA convolutions read it`,
      );
    n.target = ok && !forced ? 'vta' : 'cpu';
    if (n.target === 'vta') for (const i of n.inputs) slicedBy.set(i, n.name);
    if (n.target === 'vta' && shapes.slice(0, -1).some((sh) => sh[1] % cfg.blockOut)) n.attrs.paddedSlices = true;
    reasons.set(n.name, forced ? 'forced by --cpu' : ok ? 'free: the inputs are written into channel slices of one buffer' : 'host concatenation');
  }
  return { graph: g, placements: g.nodes.map((n) => ({ node: n.name, op: n.op, target: n.target!, reason: reasons.get(n.name)! })) };
}

export function formatPlacements(p: Placement[]): string {
  const w = Math.max(...p.map((x) => x.node.length), 4);
  return ['partition:', ...p.map((x) => `  ${x.target.padEnd(3)}  ${x.node.padEnd(w)}  ${x.op.padEnd(15)} ${x.reason}`)].join('\n');
}
