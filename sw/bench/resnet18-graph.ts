// ResNet-18 (ImageNet, 224x224, batch 1) as a float graph of the compiler's IR with seeded random weights
// (trained ImageNet weights are not available offline): conv 7x7/2 + BatchNorm + ReLU, max-pool 3x3/2, four
// stages of two basic blocks (64, 128, 256, 512 channels; the first block of stages 2-4 strides by 2 and
// projects its input with a 1x1/2 conv + BatchNorm), global average pool, fully connected 512 -> 1000.
// He-normal weights and BatchNorm statistics near identity keep activations in a sane range, so the
// quantizer's calibration sees realistic distributions.

import { mulberry32 } from '../../sim/testing/prng';
import type { Activation, Graph, Node, Tensor } from '../compiler/ir';

export function resnet18Graph(seed = 18, classes = 1000, size = 224): Graph {
  const rnd = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const tensors: Record<string, Tensor> = {};
  const nodes: Node[] = [];
  const act = (name: string, shape: number[]) => {
    tensors[name] = { name, dtype: 'float32', shape, layout: shape.length === 4 ? 'NCHW' : undefined };
    return name;
  };
  const param = (name: string, shape: number[], f: (i: number) => number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors[name] = { name, dtype: 'float32', shape, data: Float32Array.from({ length: n }, (_, i) => f(i)) };
    return name;
  };
  const none: Activation = { kind: 'none' };
  /** conv (no bias: BatchNorm follows) + BatchNorm (+ ReLU) on an HxH input; the output and its size. */
  const conv = (name: string, x: string, C: number, H: number, O: number, K: number, stride: number, relu: boolean): [string, number] => {
    const p = Math.floor(K / 2);
    const std = Math.sqrt(2 / (C * K * K));
    const w = param(`${name}.w`, [O, C, K, K], () => normal() * std);
    const OH = Math.floor((H + 2 * p - K) / stride) + 1;
    const y = act(`${name}.y`, [1, O, OH, OH]);
    nodes.push({ name, op: 'conv2d', inputs: [x, w], outputs: [y], attrs: { strides: [stride, stride], pads: [p, p, p, p], groups: 1, activation: none } });
    // BatchNorm: gamma near 1 (smaller on a block's last conv, as trained ResNets have), beta/mean near 0, var near 1
    const last = !relu;
    const bn = act(`${name}.bn`, [1, O, OH, OH]);
    nodes.push({
      name: `${name}.bn`,
      op: 'batch_norm',
      outputs: [bn],
      attrs: { epsilon: 1e-5 },
      inputs: [
        y,
        param(`${name}.gamma`, [O], () => (last ? 0.5 : 1) * (0.8 + 0.4 * rnd())),
        param(`${name}.beta`, [O], () => 0.1 * normal()),
        param(`${name}.mean`, [O], () => 0.1 * normal()),
        param(`${name}.var`, [O], () => 0.8 + 0.4 * rnd()),
      ],
    });
    if (!relu) return [bn, OH];
    const r = act(`${name}.relu`, [1, O, OH, OH]);
    nodes.push({ name: `${name}.relu`, op: 'relu', inputs: [bn], outputs: [r], attrs: {} });
    return [r, OH];
  };
  const input = act('input', [1, 3, size, size]);
  const [stem] = conv('conv1', input, 3, size, 64, 7, 2, true);
  let H = Math.floor((Math.floor((size + 6 - 7) / 2) + 1 + 2 - 3) / 2) + 1; // 112 -> 56
  let x = act('pool1', [1, 64, H, H]);
  nodes.push({
    name: 'pool1',
    op: 'max_pool',
    inputs: [stem],
    outputs: [x],
    attrs: { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: false },
  });
  let C = 64;
  for (const [stage, O] of [64, 128, 256, 512].entries()) {
    for (let b = 0; b < 2; b++) {
      const stride = stage > 0 && b === 0 ? 2 : 1;
      const name = `layer${stage + 1}.${b}`;
      const [a, OH] = conv(`${name}.conv1`, x, C, H, O, 3, stride, true);
      const [c2] = conv(`${name}.conv2`, a, O, OH, O, 3, 1, false);
      const [skip] = stride !== 1 || C !== O ? conv(`${name}.downsample`, x, C, H, O, 1, stride, false) : [x];
      const sum = act(`${name}.add`, [1, O, OH, OH]);
      nodes.push({ name: `${name}.add`, op: 'add', inputs: [c2, skip], outputs: [sum], attrs: { activation: { kind: 'relu' } } });
      [x, H, C] = [sum, OH, O];
    }
  }
  const gap = act('gap', [1, C, 1, 1]);
  nodes.push({ name: 'gap', op: 'global_avg_pool', inputs: [x], outputs: [gap], attrs: {} });
  const flat = act('flat', [1, C]);
  nodes.push({ name: 'flatten', op: 'flatten', inputs: [gap], outputs: [flat], attrs: { axis: 1 } });
  const fcw = param('fc.w', [classes, 512], () => normal() * Math.sqrt(1 / 512));
  const fcb = param('fc.b', [classes], () => 0);
  const logits = act('logits', [1, classes]);
  nodes.push({ name: 'fc', op: 'dense', inputs: [flat, fcw, fcb], outputs: [logits], attrs: { activation: none } });
  return { name: 'resnet18', tensors, nodes, inputs: [input], outputs: [logits] };
}
