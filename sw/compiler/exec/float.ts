// The float reference: runs a float graph node by node on the CPU with ONNX semantics (NCHW). Returns
// every tensor's values, so the quantizer can calibrate on them.

import { Activation, CompileError, elementCount, Graph, Node } from '../ir';
import { broadcastIndex, concat, convSums, denseSums, pool } from './kernels';

export type FloatValues = Map<string, Float32Array>;

export function applyActivation(v: Float32Array, a: Activation | undefined): void {
  if (!a || a.kind === 'none') return;
  const lo = a.kind === 'relu' ? 0 : a.min;
  const hi = a.kind === 'relu' ? Infinity : a.max;
  for (let i = 0; i < v.length; i++) v[i] = Math.min(hi, Math.max(lo, v[i]));
}

function constFloat(g: Graph, name: string): Float32Array | null {
  if (!name) return null;
  const t = g.tensors[name];
  if (!t.data) return null;
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}

export function runFloatNode(g: Graph, n: Node, get: (name: string) => Float32Array): Float32Array {
  const inShape = (i: number) => g.tensors[n.inputs[i]].shape;
  const outShape = g.tensors[n.outputs[0]].shape;
  const out = new Float32Array(elementCount(outShape));
  const x = get(n.inputs[0]);
  switch (n.op) {
    case 'conv2d': {
      const [, , OH, OW] = outShape;
      out.set(convSums(x, inShape(0), get(n.inputs[1]), inShape(1), n.inputs[2] ? get(n.inputs[2]) : null, n.attrs, OH, OW));
      applyActivation(out, n.attrs.activation);
      return out;
    }
    case 'dense': {
      const [M, K] = inShape(0);
      out.set(denseSums(x, M, K, get(n.inputs[1]), outShape[1], n.inputs[2] ? get(n.inputs[2]) : null));
      applyActivation(out, n.attrs.activation);
      return out;
    }
    case 'batch_norm': {
      const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => get(n.inputs[i]));
      const C = outShape[1];
      const inner = elementCount(outShape.slice(2));
      const eps = n.attrs.epsilon;
      for (let i = 0; i < out.length; i++) {
        const c = Math.floor(i / inner) % C;
        out[i] = ((x[i] - mean[c]) / Math.sqrt(variance[c] + eps)) * scale[c] + bias[c];
      }
      return out;
    }
    case 'relu':
      for (let i = 0; i < out.length; i++) out[i] = Math.max(0, x[i]);
      return out;
    case 'clip':
      for (let i = 0; i < out.length; i++) out[i] = Math.min(n.attrs.max, Math.max(n.attrs.min, x[i]));
      return out;
    case 'identity':
    case 'flatten':
    case 'reshape':
      out.set(x);
      return out;
    case 'add': {
      const b = get(n.inputs[1]);
      const ia = broadcastIndex(outShape, inShape(0));
      const ib = broadcastIndex(outShape, inShape(1));
      for (let i = 0; i < out.length; i++) out[i] = x[ia(i)] + b[ib(i)];
      applyActivation(out, n.attrs.activation);
      return out;
    }
    case 'max_pool':
    case 'avg_pool': {
      const [, , OH, OW] = outShape;
      const max = n.op === 'max_pool';
      const incl = n.attrs.countIncludePad;
      pool(x, inShape(0), n.attrs.kernel, n.attrs.strides, n.attrs.pads, OH, OW, out, (v, padded) =>
        max ? Math.max(...v) : v.reduce((a, b) => a + b, 0) / (incl ? padded : v.length),
      );
      return out;
    }
    case 'global_avg_pool': {
      const inner = elementCount(inShape(0).slice(2));
      for (let i = 0; i < out.length; i++) {
        let s = 0;
        for (let k = 0; k < inner; k++) s += x[i * inner + k];
        out[i] = s / inner;
      }
      return out;
    }
    case 'softmax': {
      const L = outShape[outShape.length - 1];
      for (let r = 0; r < out.length / L; r++) {
        let m = -Infinity;
        for (let k = 0; k < L; k++) m = Math.max(m, x[r * L + k]);
        let s = 0;
        for (let k = 0; k < L; k++) s += Math.exp(x[r * L + k] - m);
        for (let k = 0; k < L; k++) out[r * L + k] = Math.exp(x[r * L + k] - m) / s;
      }
      return out;
    }
    case 'concat': {
      const r = outShape.length;
      const axis = n.attrs.axis < 0 ? n.attrs.axis + r : n.attrs.axis;
      concat(
        n.inputs.map((name, i) => ({ data: get(name), shape: inShape(i) })),
        axis,
        out,
      );
      return out;
    }
    default:
      throw new CompileError(`node ${n.name}: the float reference cannot run ${n.op}`);
  }
}

/** Runs the float graph on one set of inputs; every tensor's values. */
export function runFloat(g: Graph, inputs: Record<string, Float32Array>): FloatValues {
  const vals: FloatValues = new Map();
  for (const i of g.inputs) {
    const v = inputs[i];
    const want = elementCount(g.tensors[i].shape);
    if (!v || v.length !== want) throw new CompileError(`input ${i}: expected ${want} float values, got ${v?.length ?? 'none'}`);
    vals.set(i, v);
  }
  const get = (name: string): Float32Array => {
    const v = vals.get(name) ?? constFloat(g, name);
    if (!v) throw new CompileError(`tensor ${name} has no value yet`);
    return v;
  };
  for (const n of g.nodes) {
    if (g.tensors[n.outputs[0]].dtype !== 'float32') throw new CompileError(`node ${n.name} (${n.op}): the float reference runs float graphs only`);
    vals.set(n.outputs[0], runFloatNode(g, n, get));
  }
  return vals;
}
