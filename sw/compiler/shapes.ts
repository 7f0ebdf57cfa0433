// Output shapes of IR nodes from their input shapes and attributes: the importers use it to type every
// tensor, passes to re-derive shapes after a rewrite.

import { CompileError, elementCount, Graph, Node } from './ir';

export function convOutHW(h: number, w: number, kh: number, kw: number, strides: number[], pads: number[]): [number, number] {
  const [sh, sw] = strides;
  const [pt, pb, pl, pr] = pads;
  return [Math.floor((h + pt + pb - kh) / sh) + 1, Math.floor((w + pl + pr - kw) / sw) + 1];
}

/** The shape of each output of `n` (in the order of n.outputs). */
export function inferShapes(g: Graph, n: Node): number[][] {
  const s = (i: number) => {
    const t = g.tensors[n.inputs[i]];
    if (!t) throw new CompileError(`node ${n.name} (${n.op}): input ${i} (${n.inputs[i]}) is missing`);
    return t.shape;
  };
  const need = (cond: boolean, what: string) => {
    if (!cond) throw new CompileError(`node ${n.name} (${n.op}): ${what}`);
  };
  switch (n.op) {
    case 'conv2d': {
      const [N, C, H, W] = s(0);
      const [O, I, KH, KW] = s(1);
      need(s(0).length === 4, `input must be 4-D NCHW, got [${s(0).join(',')}]`);
      need(I * n.attrs.groups === C, `weights [${s(1).join(',')}] need ${C} input channels / ${n.attrs.groups} groups`);
      const [OH, OW] = convOutHW(H, W, KH, KW, n.attrs.strides, n.attrs.pads);
      need(OH >= 1 && OW >= 1, `the ${KH}x${KW} kernel does not fit the padded ${H}x${W} input`);
      return [[N, O, OH, OW]];
    }
    case 'im2col': {
      const [N, C, H, W] = s(0);
      const [KH, KW] = n.attrs.kernel;
      const [OH, OW] = convOutHW(H, W, KH, KW, n.attrs.strides, n.attrs.pads);
      return [[N, C * KH * KW, OH, OW]];
    }
    case 'dense': {
      const x = s(0);
      const [N, K] = s(1);
      need(x.length === 2 && x[1] === K, `input [${x.join(',')}] does not match weights [${N},${K}]`);
      return [[x[0], N]];
    }
    case 'max_pool':
    case 'avg_pool': {
      const [N, C, H, W] = s(0);
      const [kh, kw] = n.attrs.kernel;
      const [OH, OW] = convOutHW(H, W, kh, kw, n.attrs.strides, n.attrs.pads);
      need(OH >= 1 && OW >= 1, `the ${kh}x${kw} window does not fit the padded ${H}x${W} input`);
      return [[N, C, OH, OW]];
    }
    case 'global_avg_pool': {
      const [N, C] = s(0);
      return [[N, C, 1, 1]];
    }
    case 'flatten': {
      const x = s(0);
      const axis = n.attrs.axis < 0 ? n.attrs.axis + x.length : n.attrs.axis;
      return [[elementCount(x.slice(0, axis)), elementCount(x.slice(axis))]];
    }
    case 'reshape': {
      const x = s(0);
      const want = n.attrs.shape.map((d, i) => (d === 0 ? x[i] : d));
      const known = want.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      const out = want.map((d) => (d === -1 ? elementCount(x) / known : d));
      need(
        out.every((d) => Number.isInteger(d) && d > 0) && elementCount(out) === elementCount(x),
        `cannot reshape [${x.join(',')}] to [${n.attrs.shape.join(',')}]`,
      );
      return [out];
    }
    case 'concat': {
      const shapes = n.inputs.map((_, i) => s(i));
      const r = shapes[0].length;
      const axis = n.attrs.axis < 0 ? n.attrs.axis + r : n.attrs.axis;
      for (const sh of shapes)
        need(
          sh.length === r && sh.every((d, i) => i === axis || d === shapes[0][i]),
          `inputs [${shapes.map((x) => x.join(',')).join('] [')}] differ outside axis ${axis}`,
        );
      const out = [...shapes[0]];
      out[axis] = shapes.reduce((a, sh) => a + sh[axis], 0);
      return [out];
    }
    case 'add': {
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
    }
    default:
      return [[...s(0)]];
  }
}
