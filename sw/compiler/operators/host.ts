// Host operators: quantize and dequantize (float <-> int8 at the edges of the integer graph) and softmax
// (TFLite's int8 softmax when the output has its quantization, else the float one on dequantized values).

import { elementCount } from '../ir';
import { softmaxInt8, softmaxParams } from '../exec/tflite-softmax';
import type { OperatorDef, RunContext } from './types';

const CONVERSION = 'converts between float and int8 (host work)';

export const quantize: OperatorDef<'quantize'> = {
  runInt8(n, { get, out: o }) {
    const x = get(n.inputs[0]);
    const s = o.quant!.scale[0];
    const z = o.quant!.zeroPoint[0];
    const q = new Int8Array(x.length);
    for (let i = 0; i < x.length; i++) q[i] = Math.min(127, Math.max(-128, Math.round(x[i] / s) + z));
    return q;
  },
  hostWork: CONVERSION,
};

export const dequantize: OperatorDef<'dequantize'> = {
  runInt8(n, { g, get }) {
    const x = get(n.inputs[0]);
    const q = g.tensors[n.inputs[0]].quant!;
    return Float32Array.from(x, (v) => (v - q.zeroPoint[0]) * q.scale[0]);
  },
  hostWork: CONVERSION,
};

function softmaxFloat(n: { inputs: string[] }, { get, out: o, size }: RunContext<Float32Array>): Float32Array {
  const x = get(n.inputs[0]);
  const out = new Float32Array(size);
  const L = o.shape[o.shape.length - 1];
  for (let r = 0; r < out.length / L; r++) {
    let m = -Infinity;
    for (let k = 0; k < L; k++) m = Math.max(m, x[r * L + k]);
    let s = 0;
    for (let k = 0; k < L; k++) s += Math.exp(x[r * L + k] - m);
    for (let k = 0; k < L; k++) out[r * L + k] = Math.exp(x[r * L + k] - m) / s;
  }
  return out;
}

export const softmax: OperatorDef<'softmax'> = {
  runFloat: softmaxFloat,
  runInt8(n, c) {
    const { g, get, inShape, out: o, size } = c;
    const x = get(n.inputs[0]);
    const qi = g.tensors[n.inputs[0]].quant!;
    const qo = o.quant!;
    if (qo.scale[0] === 1 / 256 && qo.zeroPoint[0] === -128 && n.attrs.axis === 1) {
      // TFLite's int8 softmax (the only output quantization its kernel accepts), over axis 1
      const [N, C] = inShape(0);
      const inner = elementCount(inShape(0).slice(2));
      const out = new Int8Array(size);
      softmaxInt8(x, N * inner, C, inner, softmaxParams(qi.scale[0]), out);
      return out;
    }
    // another output quantization: the float softmax of the dequantized input, quantized to the output
    const f = softmaxFloat(n, { ...c, get: () => Float32Array.from(x, (v) => (v - qi.zeroPoint[0]) * qi.scale[0]) });
    return Int8Array.from(f, (v) => Math.min(127, Math.max(-128, Math.round(v / qo.scale[0]) + qo.zeroPoint[0])));
  },
};
