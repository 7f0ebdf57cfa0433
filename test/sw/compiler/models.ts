// Test models built with onnx-proto: one that uses every supported operator family in shapes the compiler
// must handle generally (first conv with 3 channels, grouped conv, Clip, MaxPool, residual Add, Concat,
// AveragePool, GlobalAveragePool, Reshape, MatMul, Dropout, Identity, Gemm without transB, Softmax).
import { floats, OnnxBuilder } from './onnx-builder';

export function mixedModel(): Uint8Array {
  const b = new OnnxBuilder({ name: 'x', shape: ['N', 3, 12, 12] });
  let seed = 1;
  const w = (name: string, shape: number[], a: number) =>
    b.init(
      name,
      shape,
      floats(
        shape.reduce((p, q) => p * q, 1),
        seed++,
        a,
      ),
      'float',
    );
  const pos = (name: string, n: number) =>
    b.init(
      name,
      [n],
      Float32Array.from(floats(n, seed++, 0.5), (v) => 1 + v),
      'float',
    );
  b.node({
    op: 'Conv',
    inputs: ['x', w('c1.w', [16, 3, 3, 3], 0.5), w('c1.b', [16], 0.2)],
    outputs: ['c1'],
    attrs: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] },
  });
  b.node({
    op: 'BatchNormalization',
    inputs: ['c1', pos('bn.g', 16), w('bn.b', [16], 0.3), w('bn.m', [16], 0.2), pos('bn.v', 16)],
    outputs: ['bn'],
    attrs: { epsilon: { float: 1e-5 } },
  });
  b.node({ op: 'Relu', inputs: ['bn'], outputs: ['r1'] });
  b.node({ op: 'Conv', inputs: ['r1', w('c2.w', [32, 16, 3, 3], 0.15), w('c2.b', [32], 0.1)], outputs: ['c2'], attrs: { pads: [1, 1, 1, 1] } });
  b.init('six', [], [6]);
  b.init('zero', [], [0]);
  b.node({ op: 'Clip', inputs: ['c2', 'zero', 'six'], outputs: ['r2'] });
  b.node({ op: 'MaxPool', inputs: ['r2'], outputs: ['p1'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } });
  b.node({ op: 'Conv', inputs: ['p1', w('c3.w', [32, 16, 3, 3], 0.15)], outputs: ['c3'], attrs: { pads: [1, 1, 1, 1], group: 2 } });
  b.node({ op: 'Relu', inputs: ['c3'], outputs: ['r3'] });
  b.node({ op: 'Conv', inputs: ['r3', w('c4.w', [32, 32, 1, 1], 0.2), w('c4.b', [32], 0.1)], outputs: ['c4'] });
  b.node({ op: 'Add', inputs: ['c4', 'p1'], outputs: ['a1'] });
  b.node({ op: 'Relu', inputs: ['a1'], outputs: ['r4'] });
  b.node({ op: 'Conv', inputs: ['r4', w('c5.w', [16, 32, 1, 1], 0.2)], outputs: ['c5'] });
  b.node({ op: 'Relu', inputs: ['c5'], outputs: ['r5'] });
  b.node({ op: 'Concat', inputs: ['r4', 'r5'], outputs: ['cat'], attrs: { axis: 1 } });
  b.node({ op: 'AveragePool', inputs: ['cat'], outputs: ['ap'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } });
  b.node({ op: 'Identity', inputs: ['ap'], outputs: ['id'] });
  b.node({ op: 'GlobalAveragePool', inputs: ['id'], outputs: ['gap'] });
  b.node({ op: 'Reshape', inputs: ['gap', b.init('shape', [2], [1, -1], 'int64')], outputs: ['flat'] });
  b.node({ op: 'MatMul', inputs: ['flat', w('m.w', [48, 24], 0.3)], outputs: ['mm'] });
  b.node({ op: 'Relu', inputs: ['mm'], outputs: ['r6'] });
  b.node({ op: 'Dropout', inputs: ['r6'], outputs: ['d'] });
  b.node({ op: 'Gemm', inputs: ['d', w('g.w', [24, 10], 0.4), w('g.b', [10], 0.1)], outputs: ['logits'], attrs: { alpha: { float: 0.9 } } });
  b.node({ op: 'Softmax', inputs: ['logits'], outputs: ['prob'], attrs: { axis: 1 } });
  return b.bytes('prob');
}
