// CPU/accelerator partition of a quantized graph. A node goes to VTA when the operator library can run
// it with the same integers (deviceSupport): a convolution with few input channels (a first layer) has them
// zero-padded to a block, a depthwise one runs with block-diagonal weights, and softmax and (de)quantization
// have no VTA operator (average pools and adds the ALU cannot run are GEMMs by then: lower-gemm.ts). Flags force
// nodes either way; forcing an unsupported node onto VTA is an error that says why.

import type { VtaConfig } from '../../../hw/vta/config';
import { AddRequant, CompileError, Graph, Node, Requant, Target } from '../ir';
import { consumers, producers, cloneGraph, requantOf } from '../ir';
import { didYouMean } from '../../../util/suggest';

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

/** Why the ALU's right shift by 0..31 cannot rescale the output by 2^-s, in words; null when it can. */
function shiftReason(s: number): string | null {
  if (!Number.isInteger(s)) return `the output scale needs a shift by ${s}, not a whole number of bits`;
  if (s < 0) return `the output scale needs a left shift by ${-s} bit(s); the ALU only shifts right (by 0 to 31)`;
  if (s > 31) return `the output scale needs a right shift by ${s} bits; the ALU shifts by at most 31`;
  return null;
}

function shiftOnly(r: Requant | undefined): string | null {
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
function convRequant(r: Requant | undefined, cfg: VtaConfig): string | null {
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

const zeroPoints = (g: Graph, n: Node) => n.inputs.filter(Boolean).some((i) => (g.tensors[i].quant?.zeroPoint ?? [0]).some((z) => z !== 0));
/** conv2d/dense: the input's zero point runs on the device (zero-point.ts); the weights' must be 0. */
const weightZeroPoint = (g: Graph, n: Node) => (g.tensors[n.inputs[1]].quant?.zeroPoint ?? [0]).some((z) => z !== 0);

/** A convolution with one filter per channel (depth multiplier 1): it runs as a GEMM with block-diagonal weights (pack.ts). */
export function isDepthwise(g: Graph, n: Node): boolean {
  if (n.op !== 'conv2d') return false;
  const groups = n.attrs.groups;
  return groups > 1 && g.tensors[n.inputs[0]].shape[1] === groups && g.tensors[n.inputs[1]].shape[0] === groups;
}

/**
 * On a core with the requantization stage the device computes TFLite's integers exactly, so an add it can only
 * approximate stays on the CPU: TFLite's ADD rescales each input by its own Q31 multiplier (about 24 bits that
 * decide the rounding), and the GEMM form of an add (lower-gemm.ts) has int8 weights.
 */
export function exactAddReason(cfg: VtaConfig, ar: AddRequant | undefined): string | null {
  if (!cfg.requant || !ar?.inputMultiplier) return null;
  return "TFLite's ADD rescales each input by its own Q31 multiplier, which the device can only approximate; on the CPU it is exact";
}

/** The least int8 value tensor `t` can hold, as its producer's clamp says (-128 when unknown). */
function lowerBound(g: Graph, t: string): number {
  const p = g.nodes.find((m) => m.outputs[0] === t);
  const r = p && requantOf(p);
  if (!r) return -128;
  return 'requant' in r ? r.requant.min : r.min;
}

/** Why VTA cannot run `n` (null when it can). */
export function deviceSupport(g: Graph, cfg: VtaConfig, n: Node): string | null {
  const t = (i: number) => g.tensors[n.inputs[i]];
  const out = g.tensors[n.outputs[0]];
  if (n.op === 'quantize' || n.op === 'dequantize') return 'converts between float and int8 (host work)';
  if (n.op === 'im2col') return "lays the host's input out for a 1x1 GEMM (host work beside the input quantization)";
  if (out.dtype !== 'int8' || (n.inputs[0] && t(0).dtype !== 'int8')) {
    return `works on ${n.inputs[0] && t(0).dtype !== 'int8' ? t(0).dtype : out.dtype} values; VTA computes on int8`;
  }
  switch (n.op) {
    case 'conv2d': {
      const [, C] = t(0).shape;
      const [O, , KH, KW] = t(1).shape;
      const groups = n.attrs.groups;
      if (weightZeroPoint(g, n)) return "its weights have a non-zero zero point; VTA's GEMM takes plain int8 weights";
      const why = convRequant(n.attrs.requant, cfg);
      if (why) return why;
      if (isDepthwise(g, n)) {
        if (cfg.blockIn !== cfg.blockOut) return `depthwise runs as block-diagonal GEMMs, which need BLOCK_IN ${cfg.blockIn} = BLOCK_OUT ${cfg.blockOut}`;
      } else if (groups > 1 && ((C / groups) % cfg.blockIn || (O / groups) % cfg.blockOut)) {
        return `${groups} groups of ${C / groups} -> ${O / groups} channels are not multiples of BLOCK_IN ${cfg.blockIn} / BLOCK_OUT ${cfg.blockOut}`;
      }
      const pads = n.attrs.pads;
      if (pads.some((p, i) => p > 15 || p >= (i < 2 ? KH : KW))) return `pads [${pads.join(',')}] exceed the load unit's padding (< kernel, <= 15)`;
      return null;
    }
    case 'dense':
      if (weightZeroPoint(g, n)) return "its weights have a non-zero zero point; VTA's GEMM takes plain int8 weights";
      return convRequant(n.attrs.requant, cfg);
    case 'add': {
      const ar = n.attrs.requant;
      const exact = exactAddReason(cfg, ar);
      if (exact) return exact;
      if (t(0).shape.join() !== t(1).shape.join() || t(0).shape.length !== 4) return 'the inputs are not two NCHW tensors of one shape';
      if (zeroPoints(g, n)) return "an input has a non-zero zero point; VTA's add has none";
      if (!ar) return 'its output is not requantized to int8';
      if (ar.inputShift.some((s) => s !== 0) || ar.inputMultiplier) return "its two inputs have different scales and VTA's add cannot rescale them";
      return shiftOnly(ar.requant);
    }
    case 'max_pool': {
      const [kh, kw] = n.attrs.kernel;
      const [sh, sw] = n.attrs.strides;
      const p = n.attrs.pads;
      if (kh !== kw || sh !== sw || p.some((x) => x !== p[0])) return 'only square windows, equal strides and equal pads';
      if (p[0] >= kh || p[0] > 15) return `pad ${p[0]} must be below the window (${kh}) and at most 15`;
      if (zeroPoints(g, n)) return 'its input has a non-zero zero point (VTA pads with 0)';
      // the frameworks leave pads out of the max; VTA's zero pads change nothing only if no value is below 0
      if (p[0] > 0 && !(lowerBound(g, n.inputs[0]) >= 0))
        return 'its padded windows may hold only negative values, where the zero pads VTA loads would win (the frameworks leave pads out)';
      return null;
    }
    case 'flatten':
    case 'concat':
      return null;
    default:
      return `VTA has no ${n.op} operator`;
  }
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
    const why = n.op === 'flatten' || n.op === 'concat' ? 'decided below' : deviceSupport(g, cfg, n);
    let target: Target = why ? 'cpu' : 'vta';
    let reason = why ?? 'the operator library runs it';
    if (opts.cpu?.includes(n.name)) {
      target = 'cpu';
      reason = 'forced by --cpu';
    }
    if (opts.vta?.includes(n.name)) {
      if (why && n.op !== 'flatten' && n.op !== 'concat') throw new PartitionRequestError(`partition: node ${n.name} (${n.op}) cannot run on VTA: ${why}`);
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
