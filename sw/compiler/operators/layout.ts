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
  keepsScale: true,
  inferShape(n, s) {
    const x = s(0);
    const axis = axisIndex(n.attrs.axis, x.length);
    return [[elementCount(x.slice(0, axis)), elementCount(x.slice(axis))]];
  },
  runFloat: copyFloat,
  runInt8: sameInt8,
  deviceSupport: () => null,
  // free between a VTA conv2d and a VTA dense: the dense reads the packed output with permuted weights
  placeInContext(n, { g, cfg, producer, consumers }) {
    const p = producer(n.inputs[0]);
    const c = consumers(n.outputs[0]);
    const x = g.tensors[n.inputs[0]].shape;
    const axisOk = n.attrs.axis === 1 && x.length === 4 && x[0] === 1;
    const ok =
      p?.target === 'vta' &&
      p.op === 'conv2d' &&
      consumers(n.inputs[0]).length === 1 &&
      c.length === 1 &&
      c[0].target === 'vta' &&
      c[0].op === 'dense' &&
      axisOk &&
      cfg.blockIn === cfg.blockOut &&
      !g.outputs.includes(n.outputs[0]);
    return {
      ok,
      free: "free: folded into the dense weights' column order",
      host: 'host reshape',
      onlyWhen: 'between a VTA conv2d and a VTA dense of batch 1 with BLOCK_IN = BLOCK_OUT',
    };
  },
  async emit(n, c) {
    const r = c.residency(n.inputs[0]);
    if (!r) throw new CompileError(`codegen: ${n.name}: a VTA flatten needs its input on the device`);
    c.place(n.outputs[0], r);
    return null;
  },
};

export const reshape: OperatorDef<'reshape'> = {
  keepsScale: true,
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
  keepsScale: true,
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
  // free along channels of batch-1 VTA outputs: the producers write into slices of one buffer, which needs every
  // input but the last to fill whole BLOCK_OUT channel blocks
  placeInContext(n, { g, cfg, producer, consumers, writesSlices, slicedBy }) {
    const shapes = n.inputs.map((i) => g.tensors[i].shape);
    const r = shapes[0].length;
    const axis = axisIndex(n.attrs.axis, r);
    // inputs of other widths start at block boundaries too (padded slices) when only VTA convolutions read the result:
    // the pack pass spreads their weights' input channels onto the padded layout (zeros on the padding)
    const readers = consumers(n.outputs[0]);
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
        const p = producer(i);
        return (
          p?.target === 'vta' &&
          writesSlices(p) &&
          !slicedBy.has(i) &&
          !g.outputs.includes(i) &&
          (k === n.inputs.length - 1 || shapes[k][1] % cfg.blockOut === 0 || padded)
        );
      });
    return {
      ok,
      free: 'free: the inputs are written into channel slices of one buffer',
      host: 'host concatenation',
      onlyWhen: `along channels of batch-1 VTA conv/add/max-pool outputs, all but the last a multiple of BLOCK_OUT ${cfg.blockOut} unless only VTA convolutions read it`,
      onVta() {
        for (const i of n.inputs) slicedBy.set(i, n.name);
        if (shapes.slice(0, -1).some((sh) => sh[1] % cfg.blockOut)) n.attrs.paddedSlices = true;
      },
    };
  },
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
