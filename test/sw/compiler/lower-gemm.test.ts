// Issue 19 §2 on small synthetic int8 graphs in TFLite's form (random shapes, odd channel counts, strides,
// padding): first convolutions with 1-3 channels, depthwise convolutions, average and global-average pools,
// adds with zero points and different scales, reshape + fully connected of odd widths. Each runs on VTA
// (fsim) with outputs equal to the integer reference's, and each add/pool lowered to a GEMM stays within a few
// steps of TFLite's exact integers for the same inputs.
import { defaultConfig } from '../../../hw/vta/config';
import { FunctionalSimulator } from '../../../sim/fsim';
import { generate } from '../../../sw/compiler/codegen/network';
import { constValue, runInt8, runInt8Node } from '../../../sw/compiler/exec/int8';
import { Graph, Node } from '../../../sw/compiler/ir';
import { blockGroups, expandGroups } from '../../../sw/compiler/passes/block-groups';
import { spreadInputChannels } from '../../../sw/compiler/passes/pack';
import { runPipeline } from '../../../sw/compiler/pipeline';
import { Runtime } from '../../../sw/runtime';
import { Int8Builder, rng } from './int8-builder';

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
  const lowered = p.quantized.nodes.filter((q) => q.op === 'conv2d' && q.attrs.loweredFrom);
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

const lanes = (C: number) => Array.from({ length: C }, (_, c) => c);

test('block groups: the coarsest split into whole channel blocks that keeps every group inside one', () => {
  // depthwise, multiplier 1: one group per channel block (block-diagonal), padded last block included
  expect(blockGroups(lanes(32), 32, 32, 16, 16)).toEqual({ groups: 2, inChannels: 16, outChannels: 16 });
  expect(blockGroups(lanes(24), 24, 24, 16, 16)).toEqual({ groups: 2, inChannels: 16, outChannels: 16 });
  expect(blockGroups(lanes(8), 8, 8, 16, 16)).toEqual({ groups: 1, inChannels: 8, outChannels: 8 });
  // depth multiplier 2: one input block against two output blocks
  expect(blockGroups(lanes(48), 96, 48, 16, 16)).toEqual({ groups: 3, inChannels: 16, outChannels: 32 });
  // groups of 32 channels stay as they are; groups of 4 merge into blocks of 16
  expect(blockGroups(lanes(64), 64, 2, 16, 16)).toEqual({ groups: 2, inChannels: 32, outChannels: 32 });
  expect(blockGroups(lanes(64), 64, 16, 16, 16)).toEqual({ groups: 4, inChannels: 16, outChannels: 16 });
  // BLOCK_IN 16, BLOCK_OUT 32: depthwise groups span two input blocks
  expect(blockGroups(lanes(64), 64, 64, 16, 32)).toEqual({ groups: 2, inChannels: 32, outChannels: 32 });
  // channels in a padded concat: 3 + 2 channels at lanes 0-2 and 4-5 (blocks of 4), depthwise
  expect(blockGroups([0, 1, 2, 4, 5], 5, 5, 4, 4)).toEqual({ groups: 1, inChannels: 6, outChannels: 5 });
});

test('expandGroups places each filter at its channel lane inside its block group, zeros elsewhere', () => {
  // depthwise of 3 channels, 1x2 filters, blocks of 2 lanes: block-diagonal over [2 | 1 (+ pad)] channels
  const w = Int8Array.from([1, 2, 3, 4, 5, 6]);
  const bg = blockGroups(lanes(3), 3, 3, 2, 2);
  expect(bg).toEqual({ groups: 2, inChannels: 2, outChannels: 2 });
  const { data, shape } = expandGroups(w, [3, 1, 1, 2], lanes(3), 3, bg);
  expect(shape).toEqual([3, 2, 1, 2]);
  expect(Array.from(data)).toEqual([1, 2, 0, 0, 0, 0, 3, 4, 5, 6, 0, 0]);
  // depth multiplier 2 over 2 channels (one block of 4 lanes): outputs 0,1 read channel 0, outputs 2,3 channel 1
  const m2 = expandGroups(Int8Array.from([1, 2, 3, 4]), [4, 1, 1, 1], lanes(2), 2, blockGroups(lanes(2), 4, 2, 4, 4));
  expect(m2.shape).toEqual([4, 2, 1, 1]);
  expect(Array.from(m2.data)).toEqual([1, 0, 2, 0, 0, 3, 0, 4]);
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

test.each(SEEDS)('grouped convs: depth multiplier 2-3, groups of 2-8 channels, odd counts, on VTA (seed %i)', async (seed) => {
  const r = rng(150 + seed);
  const b = new Int8Builder(r);
  const C = r.pick([2, 4, 6, 8, 16, 24]);
  const x = b.input([1, C, r.int(4, 11), r.int(4, 11)]);
  // depthwise with a depth multiplier, then a grouped conv whose groups are not whole blocks
  const m = r.int(2, 3);
  const d = b.conv(x, C * m, r.pick([1, 3]), r.int(1, 2), r.next() < 0.7, false, undefined, C);
  const G = r.pick([2, C * m >= 8 ? 4 : 2]);
  const y = b.conv(d, G * r.int(1, 5), 3, 1, true, false, undefined, G);
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
