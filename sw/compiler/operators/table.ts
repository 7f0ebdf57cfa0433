// The operator table: one entry per IR operator (ir.ts AttrsOf) with its shape function, float and integer
// references, VTA placement rule and code generation. The shape inference, both executors, the partition
// and the code generator look operators up here; adding an operator is one entry (and its kernel in sw/ops).

import type { Node, OpType } from '../ir';
import { add, batchNorm, clip, identity, relu } from './elementwise';
import { conv2d, dense } from './gemm';
import { dequantize, quantize, softmax } from './host';
import { concat, flatten, im2col, reshape } from './layout';
import { avgPool, globalAvgPool, maxPool } from './pool';
import type { OperatorDef, OperatorTable } from './types';

export const OPERATORS: OperatorTable = {
  conv2d,
  dense,
  batch_norm: batchNorm,
  relu,
  clip,
  identity,
  add,
  max_pool: maxPool,
  avg_pool: avgPool,
  global_avg_pool: globalAvgPool,
  flatten,
  reshape,
  softmax,
  concat,
  quantize,
  dequantize,
  im2col,
};

/** The entry of a node's operator, typed for any node (each entry's functions take nodes of their own op). */
export function operatorOf(n: Node): OperatorDef<OpType> {
  return OPERATORS[n.op];
}
