// Operators that move values without computing: flatten and reshape (on VTA a flatten between a VTA conv2d
// and a VTA dense is free: the dense reads the packed output, its weights permuted by pack.ts), concat (on
// VTA free: the producers write into channel slices of one buffer) and im2col (host work, lower-gemm.ts).

import { concat as concatKernel } from '../exec/kernels';
import { im2col as im2colKernel } from '../exec/im2col';
import { CompileError, elementCount } from '../ir';
import { axisIndex, convOutHW, zeroPointOf } from './common';
import { copyFloat, sameInt8 } from './elementwise';
import type { OperatorDef } from './types';

export const flatten: OperatorDef<'flatten'> = {
  inferShape(n, s) {
    const x = s(0);
    const axis = axisIndex(n.attrs.axis, x.length);
    return [[elementCount(x.slice(0, axis)), elementCount(x.slice(axis))]];
  },
  runFloat: copyFloat,
  runInt8: sameInt8,
  deviceSupport: () => null,
  placedInContext: true,
  async emit(n, c) {
    const r = c.residency(n.inputs[0]);
    if (!r) throw new CompileError(`codegen: ${n.name}: a VTA flatten needs its input on the device`);
    c.place(n.outputs[0], r);
    return null;
  },
};

export const reshape: OperatorDef<'reshape'> = {
  inferShape(n, s, need) {
    const x = s(0);
    const want = n.attrs.shape.map((d, i) => (d === 0 ? x[i] : d));
    const known = want.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const out = want.map((d) => (d === -1 ? elementCount(x) / known : d));
    need(
      out.every((d) => Number.isInteger(d) && d > 0) && elementCount(out) === elementCount(x),
      `cannot reshape [${x.join(',')}] to [${n.attrs.shape.join(',')}]`,
    );
    return [out];
  },
  runFloat: copyFloat,
  runInt8: sameInt8,
};

export const concat: OperatorDef<'concat'> = {
  inferShape(n, s, need) {
    const shapes = n.inputs.map((_, i) => s(i));
    const r = shapes[0].length;
    const axis = axisIndex(n.attrs.axis, r);
    for (const sh of shapes)
      need(
        sh.length === r && sh.every((d, i) => i === axis || d === shapes[0][i]),
        `inputs [${shapes.map((x) => x.join(',')).join('] [')}] differ outside axis ${axis}`,
      );
    const out = [...shapes[0]];
    out[axis] = shapes.reduce((a, sh) => a + sh[axis], 0);
    return [out];
  },
  runFloat(n, { get, inShape, out: o, size }) {
    const out = new Float32Array(size);
    concatKernel(
      n.inputs.map((name, i) => ({ data: get(name), shape: inShape(i) })),
      axisIndex(n.attrs.axis, o.shape.length),
      out,
    );
    return out;
  },
  runInt8(n, { get, inShape, out: o, size }) {
    const out = new Int8Array(size);
    concatKernel(
      n.inputs.map((name, i) => ({ data: get(name) as Int8Array, shape: inShape(i) })),
      axisIndex(n.attrs.axis, o.shape.length),
      out,
    );
    return out;
  },
  deviceSupport: () => null,
  placedInContext: true,
  // one buffer; each input is written into its channel-block slice (padded slices: only VTA convolutions read it, pack.ts)
  planBuffers(n, c) {
    const whole = c.alloc(
      n.outputs[0],
      n.inputs.reduce((s, i) => s + c.outBytes(c.g.tensors[i].shape), 0),
    );
    let off = 0;
    for (const i of n.inputs) {
      const bytes = c.outBytes(c.g.tensors[i].shape);
      c.setSlice(i, { addr: whole.addr + off, bytes });
      off += bytes;
    }
    c.place(n.outputs[0], { buf: whole, form: 'act' });
  },
  // its inputs were written into their slices
  emit: async () => null,
};

export const im2col: OperatorDef<'im2col'> = {
  inferShape(n, s) {
    const [N, C, H, W] = s(0);
    const [KH, KW] = n.attrs.kernel;
    const [OH, OW] = convOutHW(H, W, KH, KW, n.attrs.strides, n.attrs.pads);
    return [[N, C * KH * KW, OH, OW]];
  },
  runInt8(n, { g, get, inShape, out: o }) {
    return im2colKernel(get(n.inputs[0]), inShape(0), n.attrs, o.shape[2], o.shape[3], zeroPointOf(g, n.inputs[0]));
  },
  hostWork: "lays the host's input out for a 1x1 GEMM (host work beside the input quantization)",
};
