// Small int8 graphs in the form the TFLite importer makes (per-channel Q31 multipliers, zero points, TFLite's ADD),
// with random shapes and scales from a seeded generator: for the lowering tests on fsim and TSIM.
import { quantizeMultiplier } from '../../../sw/compiler/fixed-point';
import { TFLITE_ADD_LEFT_SHIFT } from '../../../sw/compiler/import/tflite';
import { AddRequant, Graph, makeNode, Node, Requant, Tensor } from '../../../sw/compiler/ir';

/** A small deterministic generator (mulberry32). */
export function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)), pick: <T>(xs: T[]) => xs[Math.floor(next() * xs.length)] };
}
export type Rng = ReturnType<typeof rng>;

/** Builds int8 graphs the way the TFLite importer does (per-channel Q31 multipliers, zero points). */
export class Int8Builder {
  tensors: Record<string, Tensor> = {};
  nodes: Node[] = [];
  private k = 0;
  constructor(readonly r: Rng) {}

  act(shape: number[], scale: number, zeroPoint: number, name = `t${this.k++}`): string {
    this.tensors[name] = { name, dtype: 'int8', shape, quant: { scale: [scale], zeroPoint: [zeroPoint] } };
    return name;
  }
  randomAct(shape: number[]): string {
    return this.act(shape, 0.01 + this.r.next() * 0.05, this.r.int(-128, 100));
  }
  input(shape: number[]): string {
    this.tensors.x = { name: 'x', dtype: 'float32', shape };
    const q = this.randomAct(shape);
    this.nodes.push({ name: 'quantize_x', op: 'quantize', inputs: ['x'], outputs: [q], attrs: {} });
    return q;
  }
  private requant(real: number[], y: string, relu: boolean): Requant {
    const qs = real.map(quantizeMultiplier);
    const zp = this.tensors[y].quant!.zeroPoint[0];
    return { shift: qs.map((q) => -q.shift), multiplier: qs.map((q) => q.multiplier), rounding: 'nearest', zeroPoint: zp, min: relu ? zp : -128, max: 127 };
  }
  /** A conv2d; `depthwise` makes O = C groups of one channel, `groups` any other grouping (O a multiple of it). */
  conv(x: string, O: number, k: number, stride: number, same: boolean, depthwise: boolean, relu = this.r.next() < 0.5, groups?: number): string {
    const [N, C, H, W] = this.tensors[x].shape;
    groups ??= depthwise ? C : 1;
    const Ig = C / groups;
    if (depthwise) O = C;
    const pad = same ? Math.max(0, (Math.ceil(H / stride) - 1) * stride + k - H) : 0;
    const padW = same ? Math.max(0, (Math.ceil(W / stride) - 1) * stride + k - W) : 0;
    const pads = [Math.floor(pad / 2), pad - Math.floor(pad / 2), Math.floor(padW / 2), padW - Math.floor(padW / 2)];
    const OH = Math.floor((H + pad - k) / stride) + 1;
    const OW = Math.floor((W + padW - k) / stride) + 1;
    const wScale = Array.from({ length: O }, () => 0.002 + this.r.next() * 0.02);
    const w = `w${this.k++}`;
    this.tensors[w] = {
      name: w,
      dtype: 'int8',
      shape: [O, Ig, k, k],
      data: Int8Array.from({ length: O * Ig * k * k }, () => this.r.int(-127, 127)),
      quant: { scale: wScale, zeroPoint: wScale.map(() => 0), axis: 0 },
    };
    const sx = this.tensors[x].quant!.scale[0];
    const b = `b${this.k++}`;
    this.tensors[b] = { name: b, dtype: 'int32', shape: [O], data: Int32Array.from({ length: O }, () => this.r.int(-3000, 3000)) };
    const y = this.act([N, O, OH, OW], 0.02 + this.r.next() * 0.1, this.r.int(-128, 20));
    const sy = this.tensors[y].quant!.scale[0];
    const requant = this.requant(
      wScale.map((s) => (sx * s) / sy),
      y,
      relu,
    );
    this.nodes.push({
      name: `conv${this.k++}`,
      op: 'conv2d',
      inputs: [x, w, b],
      outputs: [y],
      attrs: { strides: [stride, stride], pads, groups, activation: { kind: relu ? 'relu' : 'none' }, requant },
    });
    return y;
  }
  add(a: string, b: string, relu = this.r.next() < 0.5): string {
    const [sa, sb] = [this.tensors[a].quant!.scale[0], this.tensors[b].quant!.scale[0]];
    const y = this.randomAct(this.tensors[a].shape);
    const sy = this.tensors[y].quant!.scale[0];
    // TFLite's ADD (as the importer prepares it)
    const twiceMax = 2 * Math.max(sa, sb);
    const [qa, qb] = [quantizeMultiplier(sa / twiceMax), quantizeMultiplier(sb / twiceMax)];
    const qy = quantizeMultiplier(twiceMax / (2 ** TFLITE_ADD_LEFT_SHIFT * sy));
    const zp = this.tensors[y].quant!.zeroPoint[0];
    const requant: AddRequant = {
      inputShift: [TFLITE_ADD_LEFT_SHIFT, TFLITE_ADD_LEFT_SHIFT],
      inputMultiplier: [qa.multiplier, qb.multiplier],
      inputPostShift: [-qa.shift, -qb.shift],
      requant: { shift: [-qy.shift], multiplier: [qy.multiplier], rounding: 'nearest', zeroPoint: zp, min: relu ? zp : -128, max: 127 },
    };
    this.nodes.push({ name: `add${this.k++}`, op: 'add', inputs: [a, b], outputs: [y], attrs: { activation: { kind: relu ? 'relu' : 'none' }, requant } });
    return y;
  }
  pool(x: string, kernel: number, stride: number, global: boolean): string {
    const [N, C, H, W] = this.tensors[x].shape;
    const q = this.tensors[x].quant!;
    const shape = global ? [N, C, 1, 1] : [N, C, Math.floor((H - kernel) / stride) + 1, Math.floor((W - kernel) / stride) + 1];
    const y = this.act(shape, q.scale[0], q.zeroPoint[0]);
    const base = { name: `pool${this.k++}`, inputs: [x], outputs: [y] };
    const window = { kernel: [kernel, kernel], strides: [stride, stride], pads: [0, 0, 0, 0], countIncludePad: false };
    this.nodes.push(global ? makeNode('global_avg_pool', base, {}) : makeNode('avg_pool', base, window));
    return y;
  }
  reshape(x: string): string {
    const s = this.tensors[x].shape;
    const q = this.tensors[x].quant!;
    const y = this.act([s[0], s[1] * s[2] * s[3]], q.scale[0], q.zeroPoint[0]);
    this.nodes.push({ name: `reshape${this.k++}`, op: 'reshape', inputs: [x], outputs: [y], attrs: { shape: this.tensors[y].shape } });
    return y;
  }
  dense(x: string, N: number): string {
    const [M, K] = this.tensors[x].shape;
    const w = `w${this.k++}`;
    const ws = 0.002 + this.r.next() * 0.02;
    this.tensors[w] = {
      name: w,
      dtype: 'int8',
      shape: [N, K],
      data: Int8Array.from({ length: N * K }, () => this.r.int(-127, 127)),
      quant: { scale: [ws], zeroPoint: [0] },
    };
    const y = this.act([M, N], 0.05 + this.r.next() * 0.2, this.r.int(-20, 20));
    const requant = this.requant([(this.tensors[x].quant!.scale[0] * ws) / this.tensors[y].quant!.scale[0]], y, false);
    this.nodes.push({ name: `dense${this.k++}`, op: 'dense', inputs: [x, w], outputs: [y], attrs: { activation: { kind: 'none' }, requant } });
    return y;
  }
  graph(out: string): Graph {
    return { name: 'synthetic', tensors: this.tensors, nodes: this.nodes, inputs: ['x'], outputs: [out] };
  }
}
