// Residual adds fused into a conv2d at code generation (sw/ops/conv2d-residual.ts): a VTA add in VTA's scheme
// (one shift and a clamp, no zero points, no rescaling) whose one operand is the output of the conv2d being
// emitted, used by nothing else, and whose other operand is already on the device. The graph is unchanged, so
// the integer reference still computes the conv2d, then the add; the fused kernel gives the same integers.

import { addGemmIssue } from '../../ops/add-gemm';
import type { EmitContext } from '../codegen/context';
import { type Graph, type NodeOf, requantOf } from '../ir';
import { exactAddReason } from './common';

export interface FusableResidual {
  add: NodeOf<'add'>;
  /** The add's other operand (the shortcut). */
  other: string;
  shift: number;
  min: number;
  max: number;
  /** What the shortcut's values can be (valueRange). */
  range: [number, number];
}

const INT8: [number, number] = [-128, 127];

/** The values int8 tensor `t` can take: its producer's clamp (through max-pools, whose zero pads may win); else int8's. */
export function valueRange(g: Graph, t: string, depth = 0): [number, number] {
  const p = g.nodes.find((n) => n.outputs.includes(t));
  if (!p || depth > 16) return INT8;
  if (p.op === 'max_pool') {
    const [lo, hi] = valueRange(g, p.inputs[0], depth + 1);
    return [Math.min(lo, 0), Math.max(hi, 0)];
  }
  const r = requantOf(p);
  if (!r) return INT8;
  const q = 'requant' in r ? r.requant : r;
  return [Math.max(-128, q.min), Math.min(127, q.max)];
}

export function fusableResidual(n: NodeOf<'conv2d'>, c: EmitContext): FusableResidual | null {
  const { g, cfg } = c;
  const out = n.outputs[0];
  if (g.outputs.includes(out) || addGemmIssue(cfg)) return null;
  const users = g.nodes.filter((m) => m.inputs.includes(out));
  if (users.length !== 1) return null;
  const add = users[0];
  if (add.op !== 'add' || add.target !== 'vta' || add.inputs[0] === add.inputs[1]) return null;
  const ar = add.attrs.requant;
  if (!ar || exactAddReason(cfg, ar) || ar.inputShift.some((s) => s !== 0) || ar.inputMultiplier) return null;
  const other = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
  if (c.residency(other)?.form !== 'act') return null;
  if (g.tensors[other].shape.join() !== g.tensors[out].shape.join()) return null;
  return { add, other, shift: ar.requant.shift[0], min: ar.requant.min, max: ar.requant.max, range: valueRange(g, other) };
}
