// Quantization of a float graph to int8 activations and weights with int32 accumulators, TVM's scheme
// for VTA: every scale is a power of two, so requantization is an arithmetic right shift, a clip and
// a cast (the ALU's SHR, MAX, MIN). Activation scales come from calibration (per tensor: the smallest
// power of two with max|x| <= 127 * scale over a sample of inputs) or one `global_scale` for all (TVM's
// default 8.0: scale 8/128). Weights are per tensor, power of two from their max |w|. Round-half-up of
// the shift is folded into the bias (+ 2^(shift-1)), so the device still only shifts.
// Tensors that must share a scale (inputs of add and concat, the input and output of pooling and
// reshapes) are grouped and get the widest range of the group.

import { runFloat } from '../exec/float';
import { operatorOf } from '../operators/table';
import { Activation, cloneNode, CompileError, Graph, Node, QuantParams, Tensor } from '../ir';

export interface QuantizeOptions {
  /** 'calibrated' (per-tensor ranges from the samples, default) or 'global' (one scale for every activation). */
  scheme?: 'calibrated' | 'global';
  /** TVM's global_scale: activations span [-globalScale, globalScale) (default 8). */
  globalScale?: number;
}

/** Operators whose int8 output keeps its input's scale (their table entry's keepsScale). */
const keepsScale = (n: Node) => operatorOf(n).keepsScale === true;

/** Smallest power-of-two scale with maxAbs <= 127 * scale. */
export function pow2Scale(maxAbs: number): number {
  if (!(maxAbs > 0)) return 2 ** -7;
  return 2 ** Math.ceil(Math.log2(maxAbs / 127));
}

const clampInt = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Integer clip bounds of a fused activation at output scale `s`. */
export function activationBounds(a: Activation | undefined, s: number): [number, number] {
  if (!a || a.kind === 'none') return [-128, 127];
  if (a.kind === 'relu') return [0, 127];
  return [clampInt(Math.round(a.min / s), -128, 127), clampInt(Math.round(a.max / s), -128, 127)];
}

/** Maximum |value| of every non-constant tensor over the samples (the float graph's calibration). */
export function calibrate(g: Graph, samples: Record<string, Float32Array>[]): Map<string, number> {
  const range = new Map<string, number>();
  for (const s of samples) {
    for (const [name, v] of runFloat(g, s)) {
      let m = range.get(name) ?? 0;
      for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
      range.set(name, m);
    }
  }
  return range;
}

function scaleGroups(g: Graph): (t: string) => string {
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    let p = parent.get(t) ?? t;
    if (p !== t) {
      p = find(p);
      parent.set(t, p);
    }
    return p;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const n of g.nodes) {
    if (keepsScale(n)) for (const i of n.inputs) if (i) union(i, n.outputs[0]);
    if (n.op === 'add' && !g.tensors[n.inputs[0]].data && !g.tensors[n.inputs[1]].data) union(n.inputs[0], n.inputs[1]);
  }
  return find;
}

const q8 = (scale: number): QuantParams => ({ scale: [scale], zeroPoint: [0] });

/** The quantized graph; `samples` are calibration inputs (by graph input name). */
export function quantize(g: Graph, samples: Record<string, Float32Array>[], opts: QuantizeOptions = {}): Graph {
  const scheme = opts.scheme ?? 'calibrated';
  if (scheme === 'calibrated' && samples.length === 0) throw new CompileError('quantize: calibration needs at least one input sample');
  const range = scheme === 'calibrated' ? calibrate(g, samples) : new Map<string, number>();
  const group = scaleGroups(g);
  const groupRange = new Map<string, number>();
  for (const [t, r] of range) groupRange.set(group(t), Math.max(groupRange.get(group(t)) ?? 0, r));
  const actScale = (t: string) => (scheme === 'global' ? (opts.globalScale ?? 8) / 128 : pow2Scale(groupRange.get(group(t)) ?? 0));

  const out: Graph = { name: g.name, tensors: {}, nodes: [], inputs: [...g.inputs], outputs: [] };
  /** float name -> name of its value in the new graph, and whether that value is int8. */
  const value = new Map<string, { name: string; int: boolean }>();
  const add = (t: Tensor) => {
    out.tensors[t.name] = t;
    return t.name;
  };
  const emit = (n: Node) => out.nodes.push(n);
  const scaleOf = (name: string) => out.tensors[name].quant!.scale[0];

  for (const i of g.inputs) {
    const t = g.tensors[i];
    add({ ...t, shape: [...t.shape] });
    const qn = add({ name: `${i}:q`, dtype: 'int8', shape: [...t.shape], quant: q8(actScale(i)) });
    emit({ name: `${i}:quantize`, op: 'quantize', inputs: [i], outputs: [qn], attrs: {} });
    value.set(i, { name: qn, int: true });
  }
  const asFloat = (name: string): string => {
    const v = value.get(name)!;
    if (!v.int) return v.name;
    const f = add({ name: `${name}:f`, dtype: 'float32', shape: [...g.tensors[name].shape] });
    emit({ name: `${name}:dequantize`, op: 'dequantize', inputs: [v.name], outputs: [f], attrs: {} });
    value.set(name, { name: f, int: false });
    return f;
  };

  for (const n of g.nodes) {
    const o = g.tensors[n.outputs[0]];
    const ins = n.inputs.map((i) => (i ? value.get(i) : undefined));
    const floatIn = n.inputs.some((i, k) => i && !g.tensors[i].data && !ins[k]?.int);
    if (n.op === 'softmax' || floatIn) {
      // float from here on: the CPU runs it on dequantized values
      const inputs = n.inputs.map((i) => (!i ? '' : g.tensors[i].data ? add({ ...g.tensors[i] }) : asFloat(i)));
      add({ ...o, shape: [...o.shape] });
      emit({ ...cloneNode(n), inputs });
      value.set(o.name, { name: o.name, int: false });
      continue;
    }
    const so = actScale(o.name);
    switch (n.op) {
      case 'conv2d':
      case 'dense': {
        const x = ins[0]!.name;
        const sx = scaleOf(x);
        const w = g.tensors[n.inputs[1]];
        if (!(w.data instanceof Float32Array)) throw new CompileError(`node ${n.name} (${n.op}): weights must be float constants to quantize`);
        let wMax = 0;
        for (const v of w.data) wMax = Math.max(wMax, Math.abs(v));
        let sw = pow2Scale(wMax);
        // the accumulator scale may not be coarser than the output's: then coarsen the weights (shift >= 0)
        if (sx * sw > so) sw = so / sx;
        const sa = sx * sw;
        const shift = Math.round(Math.log2(so / sa));
        const wq = Int8Array.from(w.data, (v) => clampInt(Math.round(v / sw), -127, 127));
        const wn = add({ name: `${n.inputs[1]}:q`, dtype: 'int8', shape: [...w.shape], data: wq, quant: q8(sw) });
        const O = w.shape[0];
        const bf = n.inputs[2] ? (g.tensors[n.inputs[2]].data as Float32Array) : null;
        const half = shift > 0 ? 2 ** (shift - 1) : 0;
        const bq = Int32Array.from({ length: O }, (_, c) => (bf ? Math.round(bf[c] / sa) : 0) + half);
        const bn = add({ name: `${n.name}.bias:q`, dtype: 'int32', shape: [O], data: bq, quant: q8(sa) });
        const [min, max] = activationBounds(n.attrs.activation, so);
        add({ name: o.name, dtype: 'int8', shape: [...o.shape], quant: q8(so) });
        const q = cloneNode(n);
        q.inputs = [x, wn, bn];
        q.attrs.requant = { shift: [shift], rounding: 'floor', zeroPoint: 0, min, max };
        emit(q);
        break;
      }
      case 'add': {
        const [a, b] = n.inputs.map((i, k) => {
          if (ins[k]) return ins[k]!.name;
          throw new CompileError(`node ${n.name} (add): adding a constant to an activation is not supported in int8 (fold it into a bias first)`);
        });
        const sIn = scaleOf(a);
        const shift = Math.round(Math.log2(so / sIn));
        const [min, max] = activationBounds(n.attrs.activation, so);
        add({ name: o.name, dtype: 'int8', shape: [...o.shape], quant: q8(so) });
        const q = cloneNode(n);
        q.inputs = [a, b];
        q.attrs.requant = { inputShift: [0, 0], requant: { shift: [shift], rounding: 'floor', zeroPoint: 0, min, max } };
        emit(q);
        break;
      }
      default: {
        if (!keepsScale(n)) throw new CompileError(`node ${n.name} (${n.op}): cannot be quantized (fold batch norms into a convolution first)`);
        const inputs = ins.map((v) => v!.name);
        add({ name: o.name, dtype: 'int8', shape: [...o.shape], quant: q8(scaleOf(inputs[0])) });
        emit({ ...cloneNode(n), inputs });
        break;
      }
    }
    value.set(o.name, { name: o.name, int: true });
  }
  for (const name of g.outputs) {
    const v = value.get(name)!;
    if (!v.int) {
      out.outputs.push(v.name);
      continue;
    }
    // the int8 value is renamed; the graph output keeps its name as the dequantized float
    const qn = `${name}:q`;
    out.tensors[qn] = { ...out.tensors[name], name: qn };
    for (const n of out.nodes) n.outputs = n.outputs.map((t) => (t === name ? qn : t));
    for (const n of out.nodes) n.inputs = n.inputs.map((t) => (t === name ? qn : t));
    out.tensors[name] = { name, dtype: 'float32', shape: [...g.tensors[name].shape] };
    emit({ name: `${name}:dequantize`, op: 'dequantize', inputs: [qn], outputs: [name], attrs: {} });
    out.outputs.push(name);
  }
  return out;
}
