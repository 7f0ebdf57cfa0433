// Residual adds fused into a conv2d at code generation (sw/ops/conv2d-residual.ts): a VTA add in VTA's scheme
// (one shift and a clamp, no zero points, no rescaling) whose one operand is the output of the conv2d being
// emitted, used by nothing else, and whose other operand is already on the device. The graph is unchanged, so
// the integer reference still computes the conv2d, then the add; the fused kernel gives the same integers.

import { residualIssue } from '../../ops/conv2d-residual';
import type { EmitContext } from '../codegen/context';
import type { NodeOf } from '../ir';
import { exactAddReason } from './common';

export interface FusableResidual {
  add: NodeOf<'add'>;
  /** The add's other operand (the shortcut). */
  other: string;
  shift: number;
  min: number;
  max: number;
}

export function fusableResidual(n: NodeOf<'conv2d'>, c: EmitContext): FusableResidual | null {
  const { g, cfg } = c;
  const out = n.outputs[0];
  if (g.outputs.includes(out) || residualIssue(cfg)) return null;
  const users = g.nodes.filter((m) => m.inputs.includes(out));
  if (users.length !== 1) return null;
  const add = users[0];
  if (add.op !== 'add' || add.target !== 'vta' || add.inputs[0] === add.inputs[1]) return null;
  const ar = add.attrs.requant;
  if (!ar || exactAddReason(cfg, ar) || ar.inputShift.some((s) => s !== 0) || ar.inputMultiplier) return null;
  const other = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
  if (c.residency(other)?.form !== 'act') return null;
  if (g.tensors[other].shape.join() !== g.tensors[out].shape.join()) return null;
  return { add, other, shift: ar.requant.shift[0], min: ar.requant.min, max: ar.requant.max };
}
