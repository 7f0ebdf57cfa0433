// Named workloads: the tunable layers of a network, batch 1, int8.

import { LayerSpec, squareConv } from './layers';

/** The ten distinct conv2d layers of ResNet-18 (224x224 input; the 7x7 stem is not among them). */
export const RESNET18: readonly LayerSpec[] = [
  [56, 64, 64, 3, 1, 1],
  [56, 64, 128, 3, 1, 2],
  [56, 64, 128, 1, 0, 2],
  [28, 128, 128, 3, 1, 1],
  [28, 128, 256, 3, 1, 2],
  [28, 128, 256, 1, 0, 2],
  [14, 256, 256, 3, 1, 1],
  [14, 256, 512, 3, 1, 2],
  [14, 256, 512, 1, 0, 2],
  [7, 512, 512, 3, 1, 1],
].map(([H, C, O, K, pad, stride], i) => squareConv(`resnet18.c${i + 1}`, H, C, O, K, pad, stride));

/**
 * The layers of ../shared/models/mnist-lenet-bn (its README's architecture table): three 3x3 convolutions
 * (1->16 stride 1, 16->32 and 32->64 stride 2, padding 1) and the 3136->10 classifier.
 */
export const MNIST_LENET_BN: readonly LayerSpec[] = [
  squareConv('mnist.conv1', 28, 1, 16, 3, 1, 1),
  squareConv('mnist.conv2', 28, 16, 32, 3, 1, 2),
  squareConv('mnist.conv3', 14, 32, 64, 3, 1, 2),
  { op: 'dense', name: 'mnist.fc', M: 1, K: 3136, N: 10 },
];

export const NETWORKS: Record<string, readonly LayerSpec[]> = { resnet18: RESNET18, 'mnist-lenet-bn': MNIST_LENET_BN };
