// Folds an inference BatchNormalization into the convolution or dense layer before it: per output
// channel c, w'[c] = w[c] * g[c] / sqrt(var[c] + eps) and b'[c] = (b[c] - mean[c]) * g[c] / sqrt(var[c] + eps) + beta[c].
// A batch norm after anything else (or after a layer whose output has other uses) stays.

import { cloneGraph, Graph, pruneTensors, tensorOf } from '../ir';
import { freshName, replaceUses, useCount } from './util';

export function foldBatchNorm(input: Graph): Graph {
  const g = cloneGraph(input);
  const byOutput = new Map(g.nodes.map((n) => [n.outputs[0], n]));
  const drop = new Set<string>();
  for (const bn of g.nodes) {
    if (bn.op !== 'batch_norm') continue;
    const prev = byOutput.get(bn.inputs[0]);
    if (!prev || (prev.op !== 'conv2d' && prev.op !== 'dense') || useCount(g, prev.outputs[0]) !== 1) continue;
    if ((prev.attrs.activation as { kind: string } | undefined)?.kind !== 'none') continue;
    const consts = bn.inputs.slice(1).map((i) => tensorOf(g, i).data as Float32Array | undefined);
    const w = tensorOf(g, prev.inputs[1]);
    if (consts.some((c) => !(c instanceof Float32Array)) || !(w.data instanceof Float32Array)) continue;
    const [gamma, beta, mean, variance] = consts as Float32Array[];
    const O = w.shape[0];
    const per = w.data.length / O;
    const eps = bn.attrs.epsilon as number;
    const oldBias = prev.inputs[2] ? (tensorOf(g, prev.inputs[2]).data as Float32Array) : null;
    const wd = new Float32Array(w.data.length);
    const bd = new Float32Array(O);
    for (let c = 0; c < O; c++) {
      const k = gamma[c] / Math.sqrt(variance[c] + eps);
      for (let i = 0; i < per; i++) wd[c * per + i] = w.data[c * per + i] * k;
      bd[c] = ((oldBias ? oldBias[c] : 0) - mean[c]) * k + beta[c];
    }
    const wName = freshName(g, `${prev.name}.weight_bn`);
    const bName = freshName(g, `${prev.name}.bias_bn`);
    g.tensors[wName] = { name: wName, dtype: 'float32', shape: [...w.shape], data: wd };
    g.tensors[bName] = { name: bName, dtype: 'float32', shape: [O], data: bd };
    prev.inputs = [prev.inputs[0], wName, bName];
    replaceUses(g, bn.outputs[0], prev.outputs[0]);
    drop.add(bn.name);
    bn.inputs = []; // no longer a use of anything
  }
  g.nodes = g.nodes.filter((n) => !drop.has(n.name));
  return pruneTensors(g);
}
