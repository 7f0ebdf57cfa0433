// Element-wise operators: add (on VTA: GEMMs adding int8 operands where they are, or the ALU's ADD on int32
// copies; TFLite's ADD exactly through the requantization stage where the core has it, add-q31.ts), relu and
// clip (fused into their producer by fuse.ts where they can be), identity, batch_norm
// (folded into the convolution before it by fold-batch-norm.ts where it can be).

import { multiplyByQuantizedMultiplier, requantize } from '../../../hw/vta/requant';
import { addGemm, addGemmIssue } from '../../ops/add-gemm';
import { addQ31 } from '../../ops/add-q31';
import { aluElementwise } from '../../ops/alu';
import { applyActivation, broadcastIndex } from '../exec/kernels';
import { mulQ31, wrap } from '../exec/requant-sums';
import { channelScheme, CompileError, elementCount, NodeOf } from '../ir';
import { exactAdd, exactAddReason, shiftOnly, zeroPointOf, zeroPoints } from './common';
import type { OperatorDef, RunContext, Value } from './types';

export const add: OperatorDef<'add'> = {
  inferShape(_n, s, need) {
    const a = s(0);
    const b = s(1);
    const r = Math.max(a.length, b.length);
    const out: number[] = [];
    for (let i = 0; i < r; i++) {
      const da = a[a.length - r + i] ?? 1;
      const db = b[b.length - r + i] ?? 1;
      need(da === db || da === 1 || db === 1, `shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
      out.push(Math.max(da, db));
    }
    return [out];
  },
  runFloat(n, { get, inShape, out: o, size }) {
    const x = get(n.inputs[0]);
    const out = new Float32Array(size);
    const b = get(n.inputs[1]);
    const ia = broadcastIndex(o.shape, inShape(0));
    const ib = broadcastIndex(o.shape, inShape(1));
    for (let i = 0; i < out.length; i++) out[i] = x[ia(i)] + b[ib(i)];
    applyActivation(out, n.attrs.activation);
    return out;
  },
  runInt8(n, { g, get, inShape, out: o, size }) {
    const x = get(n.inputs[0]);
    const ar = n.attrs.requant;
    if (!ar) throw new CompileError(`node ${n.name} (add): an int8 add needs its requantization (AddRequant)`);
    const b = get(n.inputs[1]);
    const ia = broadcastIndex(o.shape, inShape(0));
    const ib = broadcastIndex(o.shape, inShape(1));
    const [za, zb] = [zeroPointOf(g, n.inputs[0]), zeroPointOf(g, n.inputs[1])];
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
  },
  deviceSupport(n, g, cfg) {
    const t = (i: number) => g.tensors[n.inputs[i]];
    const ar = n.attrs.requant;
    if (exactAddReason(cfg, ar)) {
      const exact = exactAdd(g, n, cfg);
      return typeof exact === 'string' ? exact : null;
    }
    if (t(0).shape.join() !== t(1).shape.join() || t(0).shape.length !== 4) return 'the inputs are not two NCHW tensors of one shape';
    if (zeroPoints(g, n)) return "an input has a non-zero zero point; VTA's add has none";
    if (!ar) return 'its output is not requantized to int8';
    if (ar.inputShift.some((s) => s !== 0) || ar.inputMultiplier) return "its two inputs have different scales and VTA's add cannot rescale them";
    return shiftOnly(ar.requant);
  },
  async emit(n, c) {
    const { cfg } = c;
    // fused into the conv2d producing one operand (operators/residual.ts), which wrote the sum
    if (c.fusedInto(n.name)) return null;
    const ar = n.attrs.requant;
    if (!ar) throw new CompileError(`codegen: node ${n.name} (add) has no int8 requantization`);
    const output = c.outputBuf(n.outputs[0]);
    const elements = c.outBytes(c.g.tensors[n.outputs[0]].shape) / (cfg.batch * cfg.blockOut);
    const exact = exactAddReason(cfg, ar) && exactAdd(c.g, n, cfg);
    if (exact) {
      if (typeof exact === 'string') throw new CompileError(`codegen: node ${n.name} (add): ${exact}`);
      // TFLite's integers: each input rescaled exactly by the requantization stage (add-q31.ts)
      const inp = addGemmIssue(cfg) === null;
      const operand = (t: string) => (inp ? c.inpOperand(t) : c.upload(t, 'acc'));
      await addQ31(c.rt, operand(n.inputs[0]), operand(n.inputs[1]), output, elements, exact, inp ? 'inp' : 'acc', n.name);
      c.place(n.outputs[0], { buf: output, form: 'act' });
      return { macs: 0 };
    }
    const epi = { shift: ar.requant.shift[0], min: ar.requant.min, max: ar.requant.max };
    if (addGemmIssue(cfg) === null) {
      // int8 operands where they are, added by GEMMs: no int32 copies through the host
      await addGemm(c.rt, c.inpOperand(n.inputs[0]), c.inpOperand(n.inputs[1]), output, elements, epi, n.name);
    } else {
      await aluElementwise(c.rt, c.upload(n.inputs[0], 'acc'), c.upload(n.inputs[1], 'acc'), output, elements, 'ADD', epi, n.name);
    }
    c.place(n.outputs[0], { buf: output, form: 'act' });
    return { macs: 0 };
  },
  writesSlices: true,
};

/** relu/clip on int8: the clamp to the real bounds in the output's quantization. */
function clampInt8(n: NodeOf<'relu'> | NodeOf<'clip'>, { get, out: o }: RunContext<Value>): Value {
  const x = get(n.inputs[0]);
  const q = o.quant!;
  const lo = n.op === 'relu' ? q.zeroPoint[0] : Math.max(-128, Math.round(n.attrs.min / q.scale[0]) + q.zeroPoint[0]);
  const hi = n.op === 'relu' ? 127 : Math.min(127, Math.round(n.attrs.max / q.scale[0]) + q.zeroPoint[0]);
  return Int8Array.from(x, (v) => Math.min(hi, Math.max(lo, v)));
}

export const relu: OperatorDef<'relu'> = {
  keepsScale: true,
  runFloat(n, { get, size }) {
    const x = get(n.inputs[0]);
    const out = new Float32Array(size);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(0, x[i]);
    return out;
  },
  runInt8: clampInt8,
};

export const clip: OperatorDef<'clip'> = {
  keepsScale: true,
  runFloat(n, { get, size }) {
    const x = get(n.inputs[0]);
    const out = new Float32Array(size);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(n.attrs.max, Math.max(n.attrs.min, x[i]));
    return out;
  },
  runInt8: clampInt8,
};

/** The input's values: a float copy; int8 the same array (identity, flatten, reshape). */
export const copyFloat = (n: { inputs: string[] }, { get, size }: RunContext<Float32Array>): Float32Array => {
  const out = new Float32Array(size);
  out.set(get(n.inputs[0]));
  return out;
};
export const sameInt8 = (n: { inputs: string[] }, { get }: RunContext<Value>): Value => get(n.inputs[0]);

export const identity: OperatorDef<'identity'> = { keepsScale: true, runFloat: copyFloat, runInt8: sameInt8 };

export const batchNorm: OperatorDef<'batch_norm'> = {
  runFloat(n, { get, out: o, size }) {
    const x = get(n.inputs[0]);
    const out = new Float32Array(size);
    const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => get(n.inputs[i]));
    const C = o.shape[1];
    const inner = elementCount(o.shape.slice(2));
    const eps = n.attrs.epsilon;
    for (let i = 0; i < out.length; i++) {
      const c = Math.floor(i / inner) % C;
      out[i] = ((x[i] - mean[c]) / Math.sqrt(variance[c] + eps)) * scale[c] + bias[c];
    }
    return out;
  },
};
