// Helpers the operator entries share: window arithmetic, axes, zero points, and the partition's reasons in
// words (why VTA's ALU or GEMM cannot compute a node's integers).

import type { VtaConfig } from '../../../hw/vta/config';
import { schemeParam } from '../../../hw/vta/requant';
import { addQ31CoreIssue, addQ31Issue, Q31AddInput, Q31AddParams } from '../../ops/add-q31';
import { AddRequant, channelScheme, Graph, Node, NodeOf, Requant, requantOf } from '../ir';

export function convOutHW(h: number, w: number, kh: number, kw: number, strides: number[], pads: number[]): [number, number] {
  const [sh, sw] = strides;
  const [pt, pb, pl, pr] = pads;
  return [Math.floor((h + pt + pb - kh) / sh) + 1, Math.floor((w + pl + pr - kw) / sw) + 1];
}

/** A possibly negative axis of a rank-`rank` tensor as an index. */
export const axisIndex = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

/** The (per-tensor) zero point of tensor `t`, 0 when it has none. */
export const zeroPointOf = (g: Graph, t: string): number => g.tensors[t].quant?.zeroPoint[0] ?? 0;

/** Why the ALU's right shift by 0..31 cannot rescale the output by 2^-s, in words; null when it can. */
function shiftReason(s: number): string | null {
  if (!Number.isInteger(s)) return `the output scale needs a shift by ${s}, not a whole number of bits`;
  if (s < 0) return `the output scale needs a left shift by ${-s} bit(s); the ALU only shifts right (by 0 to 31)`;
  if (s > 31) return `the output scale needs a right shift by ${s} bits; the ALU shifts by at most 31`;
  return null;
}

/** An ALU epilogue (add, without multiplier, zero point or per-channel shifts): why it cannot requantize `r`. */
export function shiftOnly(r: Requant | undefined): string | null {
  if (!r) return 'its output is not requantized to int8';
  if (r.multiplier) return "rescaling its output needs a multiplier; VTA's ALU can only shift here";
  if (r.zeroPoint !== 0) return `its output has zero point ${r.zeroPoint}; VTA's add has none`;
  if (r.shift.length !== 1) return "its output needs a shift per channel; VTA's add has one shift";
  return shiftReason(r.shift[0]);
}

/**
 * conv2d/dense epilogues (sw/ops/conv2d.ts) also take per-channel shifts, clip bounds, output zero points
 * (folded into the bias or addend), the ALU-MUL form with MUL in ALU_OPS, and TFLite's Q31 multiplier, which
 * the tflite-requant pass lowers to one of those after the partition.
 */
export function convRequant(r: Requant | undefined, cfg: VtaConfig): string | null {
  if (!r) return 'its output is not requantized to int8';
  if (r.multiplier && r.rounding === 'nearest' && !r.aluMultiplier) return null;
  if (r.multiplier) return "rescaling its output needs a multiplier with this rounding; VTA's ALU can only shift here";
  if (r.aluMultiplier && !cfg.aluOps.includes('MUL')) return "rescaling its output needs the ALU's MUL (add MUL to --alu-ops)";
  for (const s of r.shift) {
    const why = shiftReason(s);
    if (why) return why;
  }
  return null;
}

/** Some input of `n` has a non-zero zero point. */
export const zeroPoints = (g: Graph, n: Node): boolean => n.inputs.filter(Boolean).some((i) => (g.tensors[i].quant?.zeroPoint ?? [0]).some((z) => z !== 0));

/** conv2d/dense: the input's zero point runs on the device (zero-point.ts); the weights' must be 0. */
export const weightZeroPoint = (g: Graph, n: Node): boolean => (g.tensors[n.inputs[1]].quant?.zeroPoint ?? [0]).some((z) => z !== 0);

/**
 * On a core with the requantization stage the device computes TFLite's integers exactly, so an add with
 * TFLite's per-input Q31 multipliers runs exactly (sw/ops/add-q31.ts, see exactAdd) or on the CPU, never as
 * the GEMM form of an add (lower-gemm.ts), whose int8 weights only approximate the multipliers. Non-null here
 * means "exact or nothing"; exactAdd says whether the device's exact form covers the node.
 */
export function exactAddReason(cfg: VtaConfig, ar: AddRequant | undefined): string | null {
  if (!cfg.requant || !ar?.inputMultiplier) return null;
  return "TFLite's ADD rescales each input by its own Q31 multiplier, which only the exact add kernel (add-q31.ts) reproduces";
}

/** The exact add kernel's parameters for add `n` on `cfg`, or why it cannot run it (the partition's reason). */
export function exactAdd(g: Graph, n: NodeOf<'add'>, cfg: VtaConfig): Q31AddParams | string {
  const why = (s: string) => `TFLite's ADD must be exact on this core (its per-input Q31 multipliers), and ${s}; on the CPU it is exact`;
  const ar = n.attrs.requant;
  if (!ar?.inputMultiplier) return why('it has no per-input multipliers');
  const core = addQ31CoreIssue(cfg);
  if (core) return why(core);
  const t = (i: number) => g.tensors[n.inputs[i]];
  if (t(0).shape.join() !== t(1).shape.join() || t(0).shape.length !== 4) return why('the exact add kernel needs two NCHW tensors of one shape');
  if ([0, 1].some((i) => (t(i).quant?.zeroPoint.length ?? 1) > 1)) return why('the exact add kernel needs per-tensor zero points');
  const r = ar.requant;
  if (r.shift.length !== 1 || (r.multiplier?.length ?? 1) !== 1) return why('the exact add kernel needs one output multiplier');
  const output = schemeParam(channelScheme(r, 0, `node ${n.name}`));
  if (typeof output === 'string') return why(`the requantization stage cannot requantize its sum: ${output}`);
  const input = (k: 0 | 1): Q31AddInput => ({
    zeroPoint: zeroPointOf(g, n.inputs[k]),
    leftShift: ar.inputShift[k],
    multiplier: ar.inputMultiplier![k],
    exponent: -(ar.inputPostShift?.[k] ?? 0),
  });
  const p: Q31AddParams = { inputs: [input(0), input(1)], output };
  const params = addQ31Issue(cfg, p);
  return params ? why(params) : p;
}

/** The least int8 value tensor `t` can hold, as its producer's clamp says (-128 when unknown). */
export function lowerBound(g: Graph, t: string): number {
  const p = g.nodes.find((m) => m.outputs[0] === t);
  const r = p && requantOf(p);
  if (!r) return -128;
  return 'requant' in r ? r.requant.min : r.min;
}
