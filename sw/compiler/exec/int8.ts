// The integer reference: runs a quantized graph on the CPU with exactly the device's integer semantics
// (int32 accumulation with wrap, requantization by shift/clip, or TFLite's fixed-point multiplier).
// The device executor runs its CPU nodes through runInt8Node too, so both agree by construction on
// those and the device's own nodes are checked against them.

import { multiplyByQuantizedMultiplier, requantize } from '../../../hw/vta/requant';
import { channelScheme, CompileError, elementCount, Graph, Node, Requant } from '../ir';
import { tfliteAverage } from '../fixed-point';
import { runFloatNode } from './float';
import { broadcastIndex, concat, convSums, denseSums, pool } from './kernels';
import { im2col } from './im2col';
import { softmaxInt8, softmaxParams } from './tflite-softmax';

export type Value = Float32Array | Int8Array | Int32Array;
export type Values = Map<string, Value>;

const wrap = (v: number) => v | 0;

/** round(a * m / 2^31) with TFLite's rounding-doubling high multiply. */
function mulQ31(a: number, m: number): number {
  const p = BigInt(a) * BigInt(m);
  const nudge = p >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((p + nudge) / (1n << 31n));
}

const perChannel = (a: readonly number[] | undefined, c: number, def: number) => (a === undefined ? def : a.length === 1 ? a[0] : a[c]);

/** Requantizes one int32 accumulator of channel `c` (the shared evaluator, hw/vta/requant.ts). */
export function requantValue(acc: number, r: Requant, c: number): number {
  return requantize(acc, channelScheme(r, c));
}

/**
 * Requantizes channel-major int32 sums (C channels of `inner` values each, repeated per image) into `out`;
 * the common VTA rule (shift, clip) runs as one tight loop per channel.
 */
function requantizeSums(sums: Float64Array, r: Requant, C: number, inner: number, out: Int8Array): void {
  const simple = !r.multiplier && !r.aluMultiplier && r.rounding !== 'nearest';
  for (let base = 0, c = 0; base < sums.length; base += inner, c = c + 1 === C ? 0 : c + 1) {
    if (simple) {
      const shift = perChannel(r.shift, c, 0);
      const { min, max, zeroPoint } = r;
      for (let k = base; k < base + inner; k++) {
        let v = sums[k] | 0;
        v = shift > 0 ? v >> shift : shift < 0 ? (v * 2 ** -shift) | 0 : v;
        v += zeroPoint;
        out[k] = v < min ? min : v > max ? max : v;
      }
    } else if (r.multiplier && r.rounding === 'nearest') {
      // TFLite's rule with this channel's multiplier and shift read once
      const m = perChannel(r.multiplier, c, 0);
      const shift = -perChannel(r.shift, c, 0);
      const { min, max, zeroPoint } = r;
      const multiply = multiplyByQuantizedMultiplier; // once: an imported binding is a getter call under CommonJS
      for (let k = base; k < base + inner; k++) {
        const v = multiply(sums[k] | 0, m, shift) + zeroPoint;
        out[k] = v < min ? min : v > max ? max : v;
      }
    } else {
      // the channel's scheme built once, not per element
      const scheme = channelScheme(r, c);
      const evaluate = requantize;
      for (let k = base; k < base + inner; k++) out[k] = evaluate(sums[k] | 0, scheme);
    }
  }
}

const zp = (g: Graph, t: string) => g.tensors[t].quant?.zeroPoint[0] ?? 0;

export function runInt8Node(g: Graph, n: Node, get: (name: string) => Value): Value {
  const outT = g.tensors[n.outputs[0]];
  if (outT.dtype === 'float32' && n.op !== 'dequantize') return runFloatNode(g, n, get as (name: string) => Float32Array);
  const inShape = (i: number) => g.tensors[n.inputs[i]].shape;
  const outShape = outT.shape;
  const size = elementCount(outShape);
  const x = get(n.inputs[0]);
  switch (n.op) {
    case 'quantize': {
      const s = outT.quant!.scale[0];
      const z = outT.quant!.zeroPoint[0];
      const q = new Int8Array(x.length);
      for (let i = 0; i < x.length; i++) q[i] = Math.min(127, Math.max(-128, Math.round(x[i] / s) + z));
      return q;
    }
    case 'dequantize': {
      const q = g.tensors[n.inputs[0]].quant!;
      return Float32Array.from(x, (v) => (v - q.zeroPoint[0]) * q.scale[0]);
    }
    case 'conv2d':
    case 'dense': {
      const w = get(n.inputs[1]);
      const bias = n.inputs[2] ? get(n.inputs[2]) : null;
      const wz = zp(g, n.inputs[1]);
      const wv = wz ? Int32Array.from(w, (v) => v - wz) : w;
      const sums =
        n.op === 'conv2d'
          ? convSums(x, inShape(0), wv, inShape(1), bias, n.attrs, outShape[2], outShape[3], zp(g, n.inputs[0]))
          : denseSums(x, inShape(0)[0], inShape(0)[1], wv, outShape[1], bias, zp(g, n.inputs[0]));
      // int32 accumulators with wrap: the exact double sums modulo 2^32
      const r = n.attrs.requant;
      if (!r) return Int32Array.from(sums, wrap);
      const out = new Int8Array(size);
      requantizeSums(sums, r, outShape[1], n.op === 'conv2d' ? outShape[2] * outShape[3] : 1, out);
      return out;
    }
    case 'add': {
      const ar = n.attrs.requant;
      if (!ar) throw new CompileError(`node ${n.name} (add): an int8 add needs its requantization (AddRequant)`);
      const b = get(n.inputs[1]);
      const ia = broadcastIndex(outShape, inShape(0));
      const ib = broadcastIndex(outShape, inShape(1));
      const [za, zb] = [zp(g, n.inputs[0]), zp(g, n.inputs[1])];
      // each input's constants read once; same arithmetic as TFLite's ADD per element
      const scaler = (k: 0 | 1): ((v: number) => number) => {
        const pow = 2 ** ar.inputShift[k];
        if (!ar.inputMultiplier) return (v) => v * pow;
        const m = ar.inputMultiplier[k];
        // TFLite: MultiplyByQuantizedMultiplierSmallerThanOneExp(v << inputShift, multiplier, -postShift)
        if (ar.inputPostShift) {
          const post = -ar.inputPostShift[k];
          return (v) => multiplyByQuantizedMultiplier(wrap(v * pow), m, post);
        }
        return (v) => mulQ31(v * pow, m);
      };
      const [scaleA, scaleB] = [scaler(0), scaler(1)];
      const out = new Int8Array(size);
      const scheme = channelScheme(ar.requant, 0);
      const evaluate = requantize;
      for (let i = 0; i < size; i++) out[i] = evaluate(wrap(scaleA(x[ia(i)] - za) + scaleB(b[ib(i)] - zb)), scheme);
      return out;
    }
    case 'max_pool':
    case 'avg_pool': {
      const out = new Int8Array(size);
      const z = zp(g, n.inputs[0]);
      const incl = n.attrs.countIncludePad;
      // Max: over the values inside the image (TFLite and ONNX leave pads out). Average: TFLite's int8 rule,
      // the raw int8 values summed and divided rounding half away from zero (around 0, not the zero point)
      pool(
        x,
        inShape(0),
        n.attrs.kernel,
        n.attrs.strides,
        n.attrs.pads,
        outShape[2],
        outShape[3],
        out,
        n.op === 'max_pool'
          ? (v) => Math.max(...v)
          : (v, padded) => tfliteAverage(v.reduce((a, c) => a + c, 0) + (incl ? (padded - v.length) * z : 0), incl ? padded : v.length),
      );
      return out;
    }
    case 'global_avg_pool': {
      const inner = elementCount(inShape(0).slice(2));
      const z = zp(g, n.inputs[0]);
      return Int8Array.from({ length: size }, (_, i) => {
        let s = 0;
        for (let k = 0; k < inner; k++) s += x[i * inner + k] - z;
        return z + roundDiv(s, inner);
      });
    }
    case 'relu':
    case 'clip': {
      const q = outT.quant!;
      const lo = n.op === 'relu' ? q.zeroPoint[0] : Math.max(-128, Math.round(n.attrs.min / q.scale[0]) + q.zeroPoint[0]);
      const hi = n.op === 'relu' ? 127 : Math.min(127, Math.round(n.attrs.max / q.scale[0]) + q.zeroPoint[0]);
      return Int8Array.from(x, (v) => Math.min(hi, Math.max(lo, v)));
    }
    case 'flatten':
    case 'reshape':
    case 'identity':
      return x;
    case 'softmax': {
      const qi = g.tensors[n.inputs[0]].quant!;
      const qo = outT.quant!;
      if (qo.scale[0] === 1 / 256 && qo.zeroPoint[0] === -128 && n.attrs.axis === 1) {
        // TFLite's int8 softmax (the only output quantization its kernel accepts), over axis 1
        const [N, C] = inShape(0);
        const inner = elementCount(inShape(0).slice(2));
        const out = new Int8Array(size);
        softmaxInt8(x, N * inner, C, inner, softmaxParams(qi.scale[0]), out);
        return out;
      }
      // another output quantization: the float softmax of the dequantized input, quantized to the output
      const f = runFloatNode(g, n, () => Float32Array.from(x, (v) => (v - qi.zeroPoint[0]) * qi.scale[0]));
      return Int8Array.from(f, (v) => Math.min(127, Math.max(-128, Math.round(v / qo.scale[0]) + qo.zeroPoint[0])));
    }
    case 'im2col':
      return im2col(x, inShape(0), n.attrs, outShape[2], outShape[3], zp(g, n.inputs[0]));
    case 'concat': {
      const out = new Int8Array(size);
      const r = outShape.length;
      const axis = n.attrs.axis < 0 ? n.attrs.axis + r : n.attrs.axis;
      concat(
        n.inputs.map((name, i) => ({ data: get(name) as Int8Array, shape: inShape(i) })),
        axis,
        out,
      );
      return out;
    }
    default:
      throw new CompileError(`node ${n.name}: the integer reference cannot run ${n.op}`);
  }
}

function roundDiv(s: number, d: number): number {
  return Math.sign(s) * Math.floor((Math.abs(s) + d / 2) / d);
}

export function constValue(g: Graph, name: string): Value | null {
  const d = g.tensors[name]?.data;
  if (!d) return null;
  if (d instanceof Float32Array || d instanceof Int8Array || d instanceof Int32Array) return d;
  return Int32Array.from(d as ArrayLike<number>);
}

/** Runs a quantized graph on the CPU; every tensor's value. */
export function runInt8(g: Graph, inputs: Record<string, Float32Array>): Values {
  const vals: Values = new Map();
  for (const i of g.inputs) vals.set(i, inputs[i]);
  const get = (name: string): Value => {
    const v = vals.get(name) ?? constValue(g, name);
    if (!v) throw new CompileError(`tensor ${name} has no value yet`);
    return v;
  };
  for (const n of g.nodes) vals.set(n.outputs[0], runInt8Node(g, n, get));
  return vals;
}
