// Issue 19 §2 on small synthetic int8 graphs in TFLite's form (random shapes, odd channel counts, strides,
// padding): first convolutions with 1-3 channels, depthwise convolutions, average and global-average pools,
// adds with zero points and different scales, reshape + fully connected of odd widths. Each runs on VTA
// (fsim) with outputs equal to the integer reference's, and each add/pool lowered to a GEMM stays within a few
// steps of TFLite's exact integers for the same inputs.
import { defaultConfig } from '../../../hw/vta/config';
import { FunctionalSimulator } from '../../../sim/fsim';
import { generate } from '../../../sw/compiler/codegen/network';
import { constValue, runInt8, runInt8Node } from '../../../sw/compiler/exec/int8';
import { quantizeMultiplier } from '../../../sw/compiler/fixed-point';
import { TFLITE_ADD_LEFT_SHIFT } from '../../../sw/compiler/import/tflite';
import { AddRequant, Graph, Node, Requant, Tensor } from '../../../sw/compiler/ir';
import { blockDiagonal, spreadInputChannels } from '../../../sw/compiler/passes/pack';
import { runPipeline } from '../../../sw/compiler/pipeline';
import { Runtime } from '../../../sw/runtime';

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
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
type Rng = ReturnType<typeof rng>;

/** Builds int8 graphs the way the TFLite importer does (per-channel Q31 multipliers, zero points). */
class Int8Builder {
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
  conv(x: string, O: number, k: number, stride: number, same: boolean, depthwise: boolean, relu = this.r.next() < 0.5): string {
    const [N, C, H, W] = this.tensors[x].shape;
    const Ig = depthwise ? 1 : C;
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
      attrs: { strides: [stride, stride], pads, groups: depthwise ? C : 1, activation: { kind: relu ? 'relu' : 'none' }, requant },
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
    const attrs: Node['attrs'] = global ? {} : { kernel: [kernel, kernel], strides: [stride, stride], pads: [0, 0, 0, 0], countIncludePad: false };
    this.nodes.push({ name: `pool${this.k++}`, op: global ? 'global_avg_pool' : 'avg_pool', inputs: [x], outputs: [y], attrs });
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

/**
 * Compiles `g` for fsim and checks, on two inputs: every node but `cpu` on VTA, every tensor the device brought
 * back equal to the integer reference, and each lowered add/pool within `loweredTolerance` steps of the original
 * operator's exact integers on the same inputs (a lowering wrong in both the reference and the device fails here).
 */
async function check(g: Graph, seed: number, cpu = ['quantize_x']) {
  const cfg = defaultConfig();
  const p = runPipeline(g, cfg, []);
  // im2col of the host's input runs beside its quantization
  expect(p.placements.filter((x) => x.target === 'cpu' && x.op !== 'im2col').map((x) => x.node)).toEqual(cpu);
  const rt = new Runtime(new FunctionalSimulator(cfg, { dramBytes: 32 << 20 }));
  const net = await generate(rt, p.device);
  const r = rng(seed);
  const n = g.tensors.x.shape.reduce((a, b) => a * b, 1);
  const lowered = p.quantized.nodes.filter((q) => q.attrs.loweredFrom);
  for (let k = 0; k < 2; k++) {
    const x = { x: Float32Array.from({ length: n }, () => (r.next() - 0.5) * 6) };
    const run = await net.run(x);
    const ref = runInt8(p.quantized, x);
    const seen = [...run.values.keys()].filter((t) => ref.has(t) && t !== 'x');
    expect(seen).toContain(g.outputs[0]);
    for (const t of seen) expect([t, Array.from(run.values.get(t)!)]).toEqual([t, Array.from(ref.get(t)!)]);
    for (const l of lowered) {
      const original = g.nodes.find((o) => o.name === l.name)!;
      const exact = runInt8Node(g, original, (t) => ref.get(t) ?? constValue(g, t)!);
      const got = ref.get(l.outputs[0])!;
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - exact[i]));
      expect([l.name, worst <= loweredTolerance(g, original)]).toEqual([l.name, true]);
    }
  }
  net.release();
  return lowered.length;
}

/**
 * Steps between a lowered node and its operator's exact integers. Each input's multiplier M (output steps per
 * input step) is folded into a weight round(M * 2^n) with n the largest shift keeping the larger one <= 127, so
 * 2^n > 63.5 / max M and each of up to 255 input steps is off by at most 0.5 / 2^n; plus one for the rounding.
 * A pool's multiplier is at most 1 (the average of a window, TFLite keeps its scale).
 */
function loweredTolerance(g: Graph, n: Node): number {
  const y = g.tensors[n.outputs[0]].quant!.scale[0];
  const m = Math.max(...n.inputs.map((i) => g.tensors[i].quant!.scale[0] / y));
  return 1 + Math.ceil((n.inputs.length * 255 * 0.5 * m) / 63.5);
}

const SEEDS = [1, 2, 3, 4, 5, 6];

test('blockDiagonal puts channel c at lane c % block', () => {
  const w = Int8Array.from([1, 2, 3, 4, 5, 6]); // 3 channels of 1x2
  const { data, shape } = blockDiagonal(w, [3, 1, 1, 2], 2);
  expect(shape).toEqual([3, 2, 1, 2]);
  expect(Array.from(data)).toEqual([1, 2, 0, 0, 0, 0, 3, 4, 5, 6, 0, 0]);
});

test('spreadInputChannels starts every concat input but the last at a block boundary', () => {
  // one output channel over inputs of 3 and 2 channels, blocks of 4: columns 0,1,2 then 4,5
  const { data, shape } = spreadInputChannels(Int8Array.from([1, 2, 3, 4, 5]), [1, 5, 1, 1], [3, 2], 4);
  expect(shape).toEqual([1, 6, 1, 1]);
  expect(Array.from(data)).toEqual([1, 2, 3, 0, 4, 5]);
});

test.each(SEEDS)('first conv with 1-3 input channels on VTA (seed %i)', async (seed) => {
  const r = rng(seed);
  const b = new Int8Builder(r);
  const x = b.input([1, r.int(1, 3), r.int(5, 14), r.int(5, 14)]);
  const k = r.pick([1, 3, 5]);
  const y = b.conv(x, r.int(1, 20), k, r.int(1, 2), r.next() < 0.7, false);
  const g = b.graph(y);
  await check(g, seed);
  // a 1x1 kernel gains nothing from im2col; 3x3 and 5x5 kernels over 1-3 channels fit fewer GEMM blocks
  const ops = runPipeline(g, defaultConfig(), []).placements.map((q) => q.op);
  expect(ops.includes('im2col')).toBe(k > 1);
});

test.each(SEEDS)('depthwise conv (odd channel counts, strides, padding) on VTA (seed %i)', async (seed) => {
  const r = rng(100 + seed);
  const b = new Int8Builder(r);
  const x = b.input([1, r.pick([3, 5, 8, 16, 24, 37]), r.int(4, 13), r.int(4, 13)]);
  const y = b.conv(x, 0, r.pick([3, 5]), r.int(1, 2), r.next() < 0.7, true);
  await check(b.graph(y), seed);
});

test.each(SEEDS)('average and global-average pools on VTA (seed %i)', async (seed) => {
  const r = rng(200 + seed);
  const b = new Int8Builder(r);
  const x = b.conv(b.input([1, 2, r.int(4, 12), r.int(4, 12)]), r.int(1, 40), 1, 1, false, false);
  const y = r.next() < 0.5 ? b.pool(x, r.int(2, 3), r.int(1, 3), false) : b.pool(x, 0, 0, true);
  expect(await check(b.graph(y), seed)).toBe(1);
});

test.each(SEEDS)('add with zero points and different scales, of two convolutions (seed %i)', async (seed) => {
  const r = rng(300 + seed);
  const b = new Int8Builder(r);
  const x = b.input([1, r.int(1, 20), r.int(4, 10), r.int(4, 10)]);
  // the concat is free: the producers write into channel slices of one buffer; widths that are not a block multiple
  // start the next slice at a block boundary and the 1x1 conv's weights follow (pack.ts)
  const C = [16, 7, 32, 21][seed % 4];
  const a = b.conv(x, C, 3, 1, true, false);
  const c = b.conv(x, C, 1, 1, true, false);
  const y = b.add(a, c);
  const g = b.graph(y);
  const p = runPipeline(g, defaultConfig(), []);
  const pair = p.placements.find((q) => q.op === 'concat')!;
  expect(pair.reason).toBe('free: the inputs are written into channel slices of one buffer');
  expect(p.device.nodes.find((q) => q.op === 'concat')!.attrs.paddedSlices).toBe(C % 16 === 0 ? undefined : true);
  expect(await check(g, seed)).toBe(1);
});

test.each(SEEDS)('global pool, reshape and fully connected layers of odd widths on VTA (seed %i)', async (seed) => {
  const r = rng(400 + seed);
  const b = new Int8Builder(r);
  const x = b.input([1, r.int(1, 3), r.int(3, 8), r.int(3, 8)]);
  const c = b.conv(x, r.int(5, 70), 3, 1, true, false);
  const d = b.dense(b.reshape(b.pool(c, 0, 0, true)), r.int(1, 30));
  expect(await check(b.graph(b.dense(d, r.int(1, 13))), seed)).toBe(1);
});
