// conv2d and dense: the operators VTA runs as GEMMs (dense as a 1x1 convolution over an image of BATCH
// rows), on packed weights and biases (passes/pack.ts) through sw/ops/conv2d.ts, with the requantization
// as the epilogue (device-requant.ts) and the input's zero point on the device (sw/ops/zero-point.ts).

import { Conv2dPlan, conv2dPacked, conv2dVectorCount, residualPlanIssue } from '../../ops/conv2d';
import { roundUp } from '../../ops/layout';
import type { DeviceBuffer } from '../../runtime';
import type { EmitContext, Emitted } from '../codegen/context';
import { addPerChannel, nodeGeometry } from '../codegen/geometry';
import { deviceRequant } from '../device-requant';
import { applyActivation, convSums, denseSums } from '../exec/kernels';
import { requantizeSums, wrap } from '../exec/requant-sums';
import { CompileError, elementCount, GemmNode, Graph, NodeOf } from '../ir';
import type { VtaConfig } from '../../../hw/vta/config';
import { convOutHW, convRequant, weightZeroPoint, zeroPointOf } from './common';
import { fusableResidual } from './residual';
import type { OperatorDef, RunContext, Value } from './types';

/** The int32 sums of a conv2d or dense (input and weight zero points subtracted), requantized when it has a requant. */
function runInt8Gemm(n: GemmNode, c: RunContext<Value>): Value {
  const { g, get, inShape } = c;
  const outShape = c.out.shape;
  const x = get(n.inputs[0]);
  const w = get(n.inputs[1]);
  const bias = n.inputs[2] ? get(n.inputs[2]) : null;
  const wz = zeroPointOf(g, n.inputs[1]);
  const wv = wz ? Int32Array.from(w, (v) => v - wz) : w;
  const sums =
    n.op === 'conv2d'
      ? convSums(x, inShape(0), wv, inShape(1), bias, n.attrs, outShape[2], outShape[3], zeroPointOf(g, n.inputs[0]))
      : denseSums(x, inShape(0)[0], inShape(0)[1], wv, outShape[1], bias, zeroPointOf(g, n.inputs[0]));
  // int32 accumulators with wrap: the exact double sums modulo 2^32
  const r = n.attrs.requant;
  if (!r) return Int32Array.from(sums, wrap);
  const out = new Int8Array(c.size);
  requantizeSums(sums, r, outShape[1], n.op === 'conv2d' ? outShape[2] * outShape[3] : 1, out);
  return out;
}

/** The packed GEMM of a VTA conv2d or dense: its input where it is, the epilogue, the schedule, the packed constants. */
async function emitGemm(n: GemmNode, c: EmitContext): Promise<Emitted> {
  const { cfg, g } = c;
  const r = n.attrs.requant;
  if (!r || !n.packed) throw new CompileError(`codegen: node ${n.name} (${n.op}) is not a packed int8 GEMM`);
  const packed = n.packed;
  const O = packed.weightShape[0];
  let input: DeviceBuffer;
  if (n.op === 'conv2d') {
    input = c.inpOperand(n.inputs[0]);
  } else if (packed.input === 'flattened') {
    input = c.residency(n.inputs[0])!.buf;
  } else {
    input = c.upload(n.inputs[0], 'dense');
  }
  const geo = nodeGeometry(cfg, g, n);
  const macs = gemmMacs(n, g);
  // the requantization as an epilogue (per-channel shifts, the ALU-MUL form, zero points), the input's zero point
  const d = deviceRequant(r, O, n.name, cfg);
  const epi = { shift: d.shift, relu: false, ...d.epilogue };
  const inputZeroPoint = g.tensors[n.inputs[0]].quant?.zeroPoint[0] ?? 0;
  const plan: Conv2dPlan | undefined = c.schedules.conv2d(cfg, geo, conv2dVectorCount(geo, epi, true, inputZeroPoint), n.name);
  const biasName = packed.bias;
  const bias = d.biasAdd ? c.constBuf(biasName, addPerChannel(cfg, g.tensors[biasName].data as Int32Array, d.biasAdd)) : c.constBuf(biasName);
  // a residual add after it, in VTA's scheme, runs inside this conv2d and writes the add's output (operators/residual.ts)
  const candidate = n.op === 'conv2d' ? fusableResidual(n, c) : null;
  const fused = candidate && plan && !residualPlanIssue(cfg, geo, plan) ? candidate : null;
  const written = fused ? fused.add.outputs[0] : n.outputs[0];
  const output = n.op === 'conv2d' ? c.outputBuf(written) : c.alloc(written, cfg.batch * roundUp(O, cfg.blockOut) * geo.W);
  const residual = fused ? { input: c.inpOperand(fused.other), shift: fused.shift, min: fused.min, max: fused.max, range: fused.range } : undefined;
  await conv2dPacked(c.rt, { input, weight: c.constBuf(packed.weight), bias, output }, geo, epi, { plan, name: n.name, inputZeroPoint, residual });
  c.place(written, { buf: output, form: n.op === 'conv2d' ? 'act' : 'dense' });
  if (fused) c.fuse(fused.add.name, n.name);
  return { plan, macs };
}

/** MACs of a convolution (any grouping) or dense layer; 0 for a GEMM that lowers another operator (lower-gemm.ts). */
function gemmMacs(n: GemmNode, g: Graph): number {
  if (n.op === 'conv2d' && n.attrs.loweredFrom) return 0;
  const x = g.tensors[n.inputs[0]].shape;
  const out = elementCount(g.tensors[n.outputs[0]].shape);
  if (n.op === 'dense') return out * (elementCount(x) / x[0]);
  const w = g.tensors[n.inputs[1]].shape; // OIHW, I = input channels per group
  return out * (elementCount(w) / w[0]);
}

export const conv2d: OperatorDef<'conv2d'> = {
  inferShape(n, s, need) {
    const [N, C, H, W] = s(0);
    const [O, I, KH, KW] = s(1);
    need(s(0).length === 4, `input must be 4-D NCHW, got [${s(0).join(',')}]`);
    need(I * n.attrs.groups === C, `weights [${s(1).join(',')}] need ${C} input channels / ${n.attrs.groups} groups`);
    const [OH, OW] = convOutHW(H, W, KH, KW, n.attrs.strides, n.attrs.pads);
    need(OH >= 1 && OW >= 1, `the ${KH}x${KW} kernel does not fit the padded ${H}x${W} input`);
    return [[N, O, OH, OW]];
  },
  runFloat(n, { get, inShape, out: o, size }) {
    const [, , OH, OW] = o.shape;
    const out = new Float32Array(size);
    out.set(convSums(get(n.inputs[0]), inShape(0), get(n.inputs[1]), inShape(1), n.inputs[2] ? get(n.inputs[2]) : null, n.attrs, OH, OW));
    applyActivation(out, n.attrs.activation);
    return out;
  },
  runInt8: runInt8Gemm,
  deviceSupport(n, g, cfg) {
    // any groups: the pack pass merges them into whole channel blocks (passes/block-groups.ts)
    const [, , KH, KW] = g.tensors[n.inputs[1]].shape;
    if (weightZeroPoint(g, n)) return "its weights have a non-zero zero point; VTA's GEMM takes plain int8 weights";
    const why = convRequant(n.attrs.requant, cfg);
    if (why) return why;
    const pads = n.attrs.pads;
    if (pads.some((p, i) => p > 15 || p >= (i < 2 ? KH : KW))) return `pads [${pads.join(',')}] exceed the load unit's padding (< kernel, <= 15)`;
    return null;
  },
  emit: emitGemm,
  writesSlices: true,
  macs: gemmMacs,
};

export const dense: OperatorDef<'dense'> = {
  inferShape(n, s, need) {
    const x = s(0);
    const [N, K] = s(1);
    need(x.length === 2 && x[1] === K, `input [${x.join(',')}] does not match weights [${N},${K}]`);
    return [[x[0], N]];
  },
  runFloat(n, { get, inShape, out: o, size }) {
    const [M, K] = inShape(0);
    const out = new Float32Array(size);
    out.set(denseSums(get(n.inputs[0]), M, K, get(n.inputs[1]), o.shape[1], n.inputs[2] ? get(n.inputs[2]) : null));
    applyActivation(out, n.attrs.activation);
    return out;
  },
  runInt8: runInt8Gemm,
  deviceSupport(n: NodeOf<'dense'>, g: Graph, cfg: VtaConfig) {
    if (weightZeroPoint(g, n)) return "its weights have a non-zero zero point; VTA's GEMM takes plain int8 weights";
    return convRequant(n.attrs.requant, cfg);
  },
  emit: emitGemm,
  macs: gemmMacs,
};
