// TFLite importer: a .tflite flatbuffer (read by tflite-schema.ts) -> the graph IR. Float models and
// fully-integer int8 models (per-channel weight scales, zero points, fused activations, int8 input/output).
// NHWC activations become NCHW and OHWI / [1,KH,KW,C*m] weights become OIHW at import, so every pass sees
// one layout. Int8 nodes get TFLite's requantization (Q31 multiplier + exponent per output channel,
// round-to-nearest; ADD rescales both inputs to a common scale with a left shift of 20 and multipliers),
// computed here from the file's float32 scales exactly as TFLite's kernels prepare them.

import { activationRange, quantizeMultiplier } from '../fixed-point';
import {
  Activation,
  AddAttrs,
  AddRequant,
  AttrsOf,
  CompileError,
  Conv2dAttrs,
  DenseAttrs,
  DType,
  Graph,
  makeNode,
  Node,
  OpType,
  QuantParams,
  Requant,
  Tensor,
  TensorData,
  validateGraph,
} from '../ir';
import { readModelFile } from './read';
import { checkImportedGraph, checkQuantParams, checkShape } from './validate';
import { ACTIVATIONS, readTflite, Table, TfliteFormatError, TfliteModel, TfliteOperator, TfliteTensor } from './tflite-schema';

/** Left shift TFLite applies to both int8 ADD inputs before their multipliers. */
export const TFLITE_ADD_LEFT_SHIFT = 20;

const DTYPES: Record<string, DType> = { FLOAT32: 'float32', INT8: 'int8', UINT8: 'uint8', INT32: 'int32', INT64: 'int64' };

/** Reads and imports a .tflite file; a missing, truncated or non-TFLite file is one CompileError line. */
export function importTfliteFile(path: string): Graph {
  return importTflite(readModelFile(path), path);
}

export function importTflite(bytes: Uint8Array, file = 'model.tflite'): Graph {
  let model: TfliteModel;
  try {
    model = readTflite(bytes, file);
  } catch (e) {
    if (e instanceof TfliteFormatError) throw new CompileError(e.message);
    throw e;
  }
  return new Importer(model).run();
}

function shortName(t: TfliteTensor): string {
  return `t${t.index}:${t.name.split(';')[0]}`;
}

/** True when NHWC and NCHW orders of a tensor coincide (reshapes across them need no transpose). */
const orderFree = (shape: number[]) => shape.length !== 4 || shape[3] === 1 || shape[1] * shape[2] === 1;

class Importer {
  private tensors: Record<string, Tensor> = {};
  private nodes: Node[] = [];
  private names = new Map<string, string>();

  constructor(private readonly m: TfliteModel) {}

  private fail(op: TfliteOperator, what: string): never {
    throw new CompileError(`${this.m.file}: operator ${op.index} (${op.op}): ${what}`);
  }

  run(): Graph {
    const m = this.m;
    // every tensor's numbers before any operator computes from them (requantization multipliers, copies)
    for (const t of m.tensors) {
      checkShape(t.shape, `${m.file}: tensor ${shortName(t)}`);
      if (t.quant) checkQuantParams(t.quant.scale, t.quant.zeroPoint, DTYPES[t.type], `${m.file}: tensor ${shortName(t)}`);
    }
    // an int8 input takes real values through a quantize node, as a TFLite caller quantizes its input
    const inputs = m.inputs.map((i) => {
      const t = m.tensors[i];
      const name = this.activation(t, null);
      if (t.type !== 'INT8') return name;
      const real = `${name}:real`;
      this.tensors[real] = { ...this.tensors[name], name: real, dtype: 'float32', quant: undefined };
      this.nodes.push({ name: `quantize_input_${i}`, op: 'quantize', inputs: [real], outputs: [name], attrs: {} });
      return real;
    });
    for (const op of m.operators) this.operator(op);
    const g: Graph = {
      name: m.file.replace(/^.*[\\/]/, '').replace(/\.tflite$/, ''),
      tensors: this.tensors,
      nodes: this.nodes,
      inputs,
      outputs: m.outputs.map((i) => this.nameOf(m.tensors[i])),
    };
    validateGraph(g);
    checkImportedGraph(g, m.file);
    return g;
  }

  private nameOf(t: TfliteTensor): string {
    const n = this.names.get(`a${t.index}`);
    if (!n) throw new CompileError(`${this.m.file}: tensor ${t.index} (${t.name}) is used before any operator produces it`);
    return n;
  }

  private dtype(t: TfliteTensor, op: TfliteOperator | null): DType {
    const d = DTYPES[t.type];
    if (!d) {
      const where = op ? `operator ${op.index} (${op.op})` : 'graph input';
      throw new CompileError(`${this.m.file}: ${where}: tensor ${t.index} (${t.name}) has type ${t.type}; supported: ${Object.keys(DTYPES).join(', ')}`);
    }
    return d;
  }

  private quant(t: TfliteTensor, axis?: number): QuantParams | undefined {
    if (!t.quant) return undefined;
    const q: QuantParams = { scale: t.quant.scale, zeroPoint: t.quant.zeroPoint };
    if (q.scale.length > 1) q.axis = axis ?? t.quant.quantizedDimension;
    return q;
  }

  /** Registers an activation tensor (NHWC -> NCHW shape). */
  private activation(t: TfliteTensor, op: TfliteOperator | null): string {
    const name = shortName(t);
    const s = t.shape;
    checkShape(s, `${this.m.file}: tensor ${name}`);
    const shape = s.length === 4 ? [s[0], s[3], s[1], s[2]] : [...s];
    if (t.quant && t.quant.scale.length > 1 && op) this.fail(op, `activation tensor ${t.index} (${t.name}) has per-channel quantization; only weights may`);
    this.tensors[name] = { name, dtype: this.dtype(t, op), shape, quant: this.quant(t), layout: s.length === 4 ? 'NCHW' : undefined };
    this.names.set(`a${t.index}`, name);
    return name;
  }

  /** Typed copy of a constant's little-endian bytes (copied: file offsets need not be aligned). */
  private constData(t: TfliteTensor, op: TfliteOperator): TensorData {
    if (!t.data) this.fail(op, `tensor ${t.index} (${t.name}) must be a constant`);
    checkShape(t.shape, `${this.m.file}: tensor ${shortName(t)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    const copy = new Uint8Array(t.data); // a copy: file offsets need not be aligned
    const d = this.dtype(t, op);
    const ctor = { float32: Float32Array, int8: Int8Array, uint8: Uint8Array, int32: Int32Array, int64: BigInt64Array }[d];
    if (copy.byteLength !== count * ctor.BYTES_PER_ELEMENT) {
      this.fail(
        op,
        `tensor ${t.index} (${t.name}) holds ${copy.byteLength} bytes, shape [${t.shape.join(',')}] of ${t.type} needs ${count * ctor.BYTES_PER_ELEMENT}`,
      );
    }
    return new ctor(copy.buffer, 0, count);
  }

  /**
   * A constant, its data permuted from TFLite's layout: `perm[i]` is the source axis of output axis i.
   * Cached per tensor and permutation (a weight shared by two operators is converted once).
   */
  private constant(t: TfliteTensor, op: TfliteOperator, perm: number[] | null, axisMap?: (a: number) => number): string {
    const key = `c${t.index}:${perm?.join(',') ?? ''}`;
    const known = this.names.get(key);
    if (known) return known;
    const src = this.constData(t, op);
    const shape = perm ? perm.map((p) => t.shape[p]) : [...t.shape];
    let data = src;
    if (perm) {
      const n = src.length;
      data = new (src.constructor as { new (n: number): TensorData })(n);
      const srcStride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
      const idx = new Array(shape.length).fill(0);
      for (let o = 0; o < n; o++) {
        let s = 0;
        for (let i = 0; i < shape.length; i++) s += idx[i] * srcStride[perm[i]];
        (data as Float32Array)[o] = (src as Float32Array)[s];
        for (let i = shape.length - 1; i >= 0 && ++idx[i] === shape[i]; i--) idx[i] = 0;
      }
    }
    const name = shortName(t) + (this.tensors[shortName(t)] ? `:${perm?.join('') ?? 'raw'}` : '');
    const axis = t.quant && t.quant.scale.length > 1 ? (axisMap ? axisMap(t.quant.quantizedDimension) : t.quant.quantizedDimension) : undefined;
    this.tensors[name] = { name, dtype: this.dtype(t, op), shape, data, quant: this.quant(t, axis), layout: shape.length === 4 ? 'OIHW' : undefined };
    this.names.set(key, name);
    return name;
  }

  private activationOf(op: TfliteOperator, code: number, option: string): Activation {
    const name = ACTIVATIONS[code] ?? `${code}`;
    if (name === 'NONE') return { kind: 'none' };
    if (name === 'RELU') return { kind: 'relu' };
    if (name === 'RELU6') return { kind: 'clip', min: 0, max: 6 };
    if (name === 'RELU_N1_TO_1') return { kind: 'clip', min: -1, max: 1 };
    this.fail(op, `option ${option} = ${name} is not supported (NONE, RELU, RELU6, RELU_N1_TO_1)`);
  }

  private options(op: TfliteOperator, type: number, table: string): Table {
    if (op.optionsType !== type || !op.options) this.fail(op, `expected builtin options ${table}, the file has union type ${op.optionsType}`);
    return op.options;
  }

  private input(op: TfliteOperator, k: number): TfliteTensor {
    const i = op.inputs[k];
    if (i === undefined || i < 0) this.fail(op, `input ${k} is missing`);
    return this.m.tensors[i];
  }

  private isInt8(op: TfliteOperator, ...ts: TfliteTensor[]): boolean {
    const q = ts.map((t) => t.type === 'INT8');
    if (q.some((x) => x) !== q.every((x) => x))
      this.fail(op, `mixes int8 and ${ts.find((t) => t.type !== 'INT8')!.type} tensors (only fully-integer or float models)`);
    if (q[0]) for (const t of ts) if (!t.quant) this.fail(op, `int8 tensor ${t.index} (${t.name}) has no quantization parameters`);
    return q[0];
  }

  private add<O extends OpType>(op: TfliteOperator, type: O, inputs: string[], attrs: AttrsOf[O], out = op.outputs[0]): void {
    const y = this.m.tensors[out];
    this.nodes.push(makeNode(type, { name: `${type}_${op.index}`, inputs, outputs: [this.activation(y, op)] }, attrs));
  }

  /** TFLite SAME/VALID padding -> the IR's [top, bottom, left, right] (SAME puts the odd pixel at the end). */
  private pads(op: TfliteOperator, padding: number, H: number, W: number, KH: number, KW: number, sh: number, sw: number): number[] {
    if (padding === 1) return [0, 0, 0, 0];
    if (padding !== 0) this.fail(op, `option padding = ${padding} is not SAME (0) or VALID (1)`);
    const total = (n: number, k: number, s: number) => Math.max(0, (Math.ceil(n / s) - 1) * s + k - n);
    const ph = total(H, KH, sh);
    const pw = total(W, KW, sw);
    return [Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2)];
  }

  private requant(op: TfliteOperator, x: TfliteTensor, w: TfliteTensor, y: TfliteTensor, act: Activation, channels: number): Requant {
    const sx = x.quant!.scale[0];
    const sy = y.quant!.scale[0];
    const sw = w.quant!.scale;
    if (sw.length !== 1 && sw.length !== channels) this.fail(op, `weights ${w.index} have ${sw.length} scales for ${channels} output channels`);
    if (w.quant!.zeroPoint.some((z) => z !== 0)) this.fail(op, `weights ${w.index} have a non-zero zero point (TFLite int8 weights are symmetric)`);
    // TFLite's FULLY_CONNECTED with one weight scale multiplies the input and weight scales in float32
    // (GetQuantizedConvolutionMultipler); convolutions and per-channel weights multiply in double
    const floatProduct = op.op === 'FULLY_CONNECTED' && sw.length === 1;
    const qm = sw.map((s) => quantizeMultiplier((floatProduct ? Math.fround(sx * s) : sx * s) / sy));
    const zp = y.quant!.zeroPoint[0];
    return { shift: qm.map((q) => -q.shift), multiplier: qm.map((q) => q.multiplier), rounding: 'nearest', zeroPoint: zp, ...activationRange(act, sy, zp) };
  }

  private operator(op: TfliteOperator): void {
    switch (op.op) {
      case 'CONV_2D':
      case 'DEPTHWISE_CONV_2D':
        return this.conv(op);
      case 'FULLY_CONNECTED':
        return this.dense(op);
      case 'ADD':
        return this.addOp(op);
      case 'AVERAGE_POOL_2D':
      case 'MAX_POOL_2D':
        return this.pool(op);
      case 'RESHAPE':
        return this.reshape(op);
      case 'SOFTMAX': {
        const beta = this.options(op, 9, 'SoftmaxOptions').float(0, 'beta', 0);
        if (beta !== 1) this.fail(op, `option beta = ${beta} is not supported (only 1)`);
        const x = this.input(op, 0);
        if (x.shape.length !== 2 && x.shape.length !== 4) this.fail(op, `input of rank ${x.shape.length}; supported: 2 or 4`);
        return this.add(op, 'softmax', [this.nameOf(x)], { axis: 1 });
      }
      case 'QUANTIZE': {
        const x = this.input(op, 0);
        const y = this.m.tensors[op.outputs[0]];
        if (x.type !== 'FLOAT32' || y.type !== 'INT8' || !y.quant) this.fail(op, `${x.type} -> ${y.type}: only FLOAT32 -> quantized INT8 is supported`);
        return this.add(op, 'quantize', [this.nameOf(x)], {});
      }
      case 'DEQUANTIZE': {
        const x = this.input(op, 0);
        if (x.type !== 'INT8' || !x.quant || x.data)
          this.fail(op, `${x.type}${x.data ? ' constant' : ''} input: only quantized INT8 activations -> FLOAT32 are supported`);
        return this.add(op, 'dequantize', [this.nameOf(x)], {});
      }
      default:
        this.fail(
          op,
          `operator not supported (supported: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE, SOFTMAX, QUANTIZE, DEQUANTIZE)`,
        );
    }
  }

  private conv(op: TfliteOperator): void {
    const depthwise = op.op === 'DEPTHWISE_CONV_2D';
    const o = this.options(op, depthwise ? 2 : 1, depthwise ? 'DepthwiseConv2DOptions' : 'Conv2DOptions');
    // Conv2DOptions: padding 0, stride_w 1, stride_h 2, fused_activation_function 3, dilation_w 4, dilation_h 5.
    // DepthwiseConv2DOptions: padding 0, stride_w 1, stride_h 2, depth_multiplier 3, activation 4, dilation 5, 6.
    const padding = o.int(0, 'padding', 0, 1);
    const sw = o.int(1, 'stride_w');
    const sh = o.int(2, 'stride_h');
    const act = this.activationOf(op, o.int(depthwise ? 4 : 3, 'fused_activation_function', 0, 1), 'fused_activation_function');
    const dw = o.int(depthwise ? 5 : 4, 'dilation_w_factor', 1);
    const dh = o.int(depthwise ? 6 : 5, 'dilation_h_factor', 1);
    if (dw !== 1 || dh !== 1) this.fail(op, `option dilation_w_factor/dilation_h_factor = ${dw}/${dh} is not supported (only 1)`);
    if (sw < 1 || sh < 1) this.fail(op, `option stride_w/stride_h = ${sw}/${sh} must be at least 1`);
    const x = this.input(op, 0);
    const w = this.input(op, 1);
    const b = op.inputs.length > 2 && op.inputs[2] >= 0 ? this.input(op, 2) : null;
    const y = this.m.tensors[op.outputs[0]];
    if (x.shape.length !== 4 || w.shape.length !== 4) this.fail(op, `input [${x.shape}] and weights [${w.shape}] must be 4-D (NHWC, OHWI)`);
    const [, H, W, C] = x.shape;
    let groups: number;
    let wName: string;
    let O: number;
    if (depthwise) {
      // [1, KH, KW, C*m] -> [C*m, 1, KH, KW]; quantized_dimension 3 -> axis 0
      const mult = o.int(3, 'depth_multiplier', 1);
      O = w.shape[3];
      if (w.shape[0] !== 1 || O % C !== 0 || (mult && O !== C * mult))
        this.fail(op, `weights [${w.shape}] do not match ${C} channels x depth_multiplier ${mult}`);
      groups = C;
      wName = this.constant(w, op, [3, 0, 1, 2], (a) => (a === 3 ? 0 : a));
    } else {
      O = w.shape[0];
      const I = w.shape[3];
      if (C % I !== 0) this.fail(op, `weights [${w.shape}] have ${I} input channels, which does not divide the input's ${C}`);
      groups = C / I;
      wName = this.constant(w, op, [0, 3, 1, 2]);
    }
    const KH = w.shape[1];
    const KW = w.shape[2];
    const attrs: Conv2dAttrs = { strides: [sh, sw], pads: this.pads(op, padding, H, W, KH, KW, sh, sw), groups, activation: act };
    const inputs = [this.nameOf(x), wName];
    if (b) inputs.push(this.constant(b, op, null));
    if (this.isInt8(op, x, w, y)) {
      if (b && b.type !== 'INT32') this.fail(op, `int8 convolution with a ${b.type} bias (expected INT32)`);
      attrs.requant = this.requant(op, x, w, y, act, O);
    }
    this.add(op, 'conv2d', inputs, attrs);
  }

  private dense(op: TfliteOperator): void {
    const o = this.options(op, 8, 'FullyConnectedOptions');
    // FullyConnectedOptions: fused_activation_function 0, weights_format 1, keep_num_dims 2
    const act = this.activationOf(op, o.int(0, 'fused_activation_function', 0, 1), 'fused_activation_function');
    const fmt = o.int(1, 'weights_format', 0, 1);
    if (fmt !== 0) this.fail(op, `option weights_format = ${fmt} is not supported (only DEFAULT)`);
    let x = this.input(op, 0);
    const w = this.input(op, 1);
    const b = op.inputs.length > 2 && op.inputs[2] >= 0 ? this.input(op, 2) : null;
    const y = this.m.tensors[op.outputs[0]];
    if (w.shape.length !== 2) this.fail(op, `weights [${w.shape}] must be 2-D [out, in]`);
    const [N, K] = w.shape;
    let xName = this.nameOf(x);
    if (x.shape.length !== 2) {
      // TFLite flattens the input to [-1, K]; do it explicitly
      if (!orderFree(x.shape))
        this.fail(op, `input [${x.shape}] would be flattened in NHWC order; only inputs with 1x1 spatial size or one channel are supported`);
      const M = x.shape.reduce((a, c) => a * c, 1) / K;
      if (!Number.isInteger(M)) this.fail(op, `input [${x.shape}] does not flatten to rows of ${K}`);
      const flat = `${xName}:flat`;
      this.tensors[flat] = { ...this.tensors[xName], name: flat, shape: [M, K], layout: 'NC' };
      this.nodes.push({ name: `reshape_${op.index}`, op: 'reshape', inputs: [xName], outputs: [flat], attrs: { shape: [M, K] } });
      xName = flat;
      x = { ...x, shape: [M, K] };
    }
    if (x.shape[1] !== K) this.fail(op, `input [${x.shape}] does not match weights [${w.shape}]`);
    const attrs: DenseAttrs = { activation: act };
    const inputs = [xName, this.constant(w, op, null)];
    if (b) inputs.push(this.constant(b, op, null));
    if (this.isInt8(op, x, w, y)) attrs.requant = this.requant(op, x, w, y, act, N);
    this.add(op, 'dense', inputs, attrs);
  }

  private addOp(op: TfliteOperator): void {
    const act = this.activationOf(op, this.options(op, 11, 'AddOptions').int(0, 'fused_activation_function', 0, 1), 'fused_activation_function');
    const a = this.input(op, 0);
    const b = this.input(op, 1);
    const y = this.m.tensors[op.outputs[0]];
    if (a.shape.join() !== b.shape.join()) this.fail(op, `inputs [${a.shape}] and [${b.shape}] differ (broadcasting is not supported)`);
    for (const t of [a, b]) if (t.data) this.fail(op, `constant input ${t.index} (${t.name}) is not supported`);
    const attrs: AddAttrs = { activation: act };
    if (this.isInt8(op, a, b, y)) {
      // TFLite's int8 ADD: both inputs to twice the larger input scale, << 20, each by its multiplier (< 1),
      // summed, then by the output multiplier, plus the output zero point, clamped to the activation range
      const [sa, sb, sy] = [a.quant!.scale[0], b.quant!.scale[0], y.quant!.scale[0]];
      const twiceMax = 2 * Math.max(sa, sb);
      const qa = quantizeMultiplier(sa / twiceMax);
      const qb = quantizeMultiplier(sb / twiceMax);
      const qy = quantizeMultiplier(twiceMax / (2 ** TFLITE_ADD_LEFT_SHIFT * sy));
      const zp = y.quant!.zeroPoint[0];
      const add: AddRequant = {
        inputShift: [TFLITE_ADD_LEFT_SHIFT, TFLITE_ADD_LEFT_SHIFT],
        inputMultiplier: [qa.multiplier, qb.multiplier],
        inputPostShift: [-qa.shift, -qb.shift],
        requant: { shift: [-qy.shift], multiplier: [qy.multiplier], rounding: 'nearest', zeroPoint: zp, ...activationRange(act, sy, zp) },
      };
      attrs.requant = add;
    }
    this.add(op, 'add', [this.nameOf(a), this.nameOf(b)], attrs);
  }

  private pool(op: TfliteOperator): void {
    const o = this.options(op, 5, 'Pool2DOptions');
    // Pool2DOptions: padding 0, stride_w 1, stride_h 2, filter_width 3, filter_height 4, fused_activation_function 5
    const padding = o.int(0, 'padding', 0, 1);
    const [sw, sh, fw, fh] = [o.int(1, 'stride_w'), o.int(2, 'stride_h'), o.int(3, 'filter_width'), o.int(4, 'filter_height')];
    if (Math.min(sw, sh, fw, fh) < 1) this.fail(op, `options stride ${sw}x${sh}, filter ${fw}x${fh} must be at least 1`);
    const act = this.activationOf(op, o.int(5, 'fused_activation_function', 0, 1), 'fused_activation_function');
    if (act.kind !== 'none')
      this.fail(op, `option fused_activation_function = ${ACTIVATIONS[o.int(5, 'fused_activation_function', 0, 1)]} on a pool is not supported`);
    const x = this.input(op, 0);
    const y = this.m.tensors[op.outputs[0]];
    if (x.shape.length !== 4) this.fail(op, `input [${x.shape}] must be 4-D NHWC`);
    if (this.isInt8(op, x, y) && (x.quant!.scale[0] !== y.quant!.scale[0] || x.quant!.zeroPoint[0] !== y.quant!.zeroPoint[0])) {
      this.fail(op, 'int8 pool with different input and output quantization (TFLite requires them equal)');
    }
    const [, H, W] = x.shape;
    this.add(op, op.op === 'MAX_POOL_2D' ? 'max_pool' : 'avg_pool', [this.nameOf(x)], {
      kernel: [fh, fw],
      strides: [sh, sw],
      pads: this.pads(op, padding, H, W, fh, fw, sh, sw),
      countIncludePad: false,
    });
  }

  private reshape(op: TfliteOperator): void {
    const x = this.input(op, 0);
    const y = this.m.tensors[op.outputs[0]];
    if (!orderFree(x.shape) || !orderFree(y.shape)) {
      this.fail(
        op,
        `[${x.shape}] -> [${y.shape}] reorders elements between NHWC and NCHW; only reshapes of 1x1-spatial or single-channel tensors are supported`,
      );
    }
    const s = y.shape;
    this.add(op, 'reshape', [this.nameOf(x)], { shape: s.length === 4 ? [s[0], s[3], s[1], s[2]] : [...s] });
  }
}
