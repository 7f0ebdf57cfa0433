// The graph IR: plain data (JSON-friendly objects and typed arrays), shared by every importer (ONNX,
// TFLite), pass, executor and the code generator. A graph is a list of nodes in topological order over
// named tensors; constants carry their data. Layout is NCHW (activations) / OIHW (weights) unless a
// tensor says otherwise (the packing pass marks NCHWnc / OIHWoi).

import type { RequantScheme } from '../../hw/vta/requant';

export type DType = 'float32' | 'int8' | 'uint8' | 'int32' | 'int64';

export type TensorData = Float32Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

/**
 * Affine quantization: real = scale * (q - zeroPoint). One entry = per-tensor; one per slice along
 * `axis` = per-channel (TFLite's per-output-channel weight scales).
 */
export interface QuantParams {
  scale: number[];
  zeroPoint: number[];
  axis?: number;
}

export type Layout = 'NCHW' | 'NC' | 'OIHW' | 'NCHWnc' | 'OIHWoi' | 'NHWC' | 'OHWI';

export interface Tensor {
  name: string;
  dtype: DType;
  /** Static shape (a symbolic batch is fixed to 1 by the importers). */
  shape: number[];
  /** Present for constants (weights, biases, folded values). */
  data?: TensorData;
  quant?: QuantParams;
  layout?: Layout;
}

/** Fused output activation, in the real domain (the quantizer maps it onto integer clip bounds). */
export type Activation = { kind: 'none' } | { kind: 'relu' } | { kind: 'clip'; min: number; max: number };

/**
 * Integer requantization of an int32 accumulator to the output type:
 *   v = acc (* multiplier[c] as a Q31 fixed-point product, when present) >> shift[c] (with `rounding`),
 *   out = clamp(v + zeroPoint, min, max).
 * VTA's scheme has no multiplier, floor rounding (the ALU's SHR; round-half-up is folded into the bias as
 * + 2^(shift-1)), zero point 0: exactly SHR, MAX, MIN. TFLite's rule uses the multiplier and 'nearest'.
 * `channelScheme` reads one channel as the shared RequantScheme; its evaluator defines the arithmetic.
 */
export interface Requant {
  shift: number[];
  multiplier?: number[];
  /**
   * VTA with the ALU's MUL (ALU_OPS includes MUL), instead of `multiplier`: v = wrap((acc >> preShift[c]) *
   * aluMultiplier[c]), then the shift with `rounding` (the tflite-requant pass's device form).
   */
  aluMultiplier?: number[];
  preShift?: number[];
  rounding: 'floor' | 'nearest';
  zeroPoint: number;
  min: number;
  max: number;
}

/**
 * Channel `c` of an IR requantization as the one scheme type (hw/vta/requant.ts), which every evaluator of
 * it (the int8 reference, fsim's stage, the device lowering) shares. `where` names the node in errors.
 */
export function channelScheme(r: Requant, c: number, where = 'requant'): RequantScheme {
  const at = (a: readonly number[] | undefined, def: number) => (a === undefined ? def : a.length === 1 ? a[0] : a[c]);
  const out = { zeroPoint: r.zeroPoint, min: r.min, max: r.max };
  const shift = at(r.shift, 0);
  const rounding = r.rounding === 'nearest' ? 'half-up' : 'floor';
  if (r.multiplier) {
    if (r.rounding !== 'nearest' || r.aluMultiplier)
      throw new CompileError(`${where}: a Q31 multiplier needs rounding 'nearest' (TFLite's rule) and no aluMultiplier`);
    return { kind: 'q31', multiplier: at(r.multiplier, 0), exponent: -shift, ...out };
  }
  if (r.aluMultiplier) return { kind: 'alu-mul', preShift: at(r.preShift, 0), multiplier: at(r.aluMultiplier, 0), shift, rounding, ...out };
  return { kind: 'shift', shift, rounding, ...out };
}

/**
 * Integer element-wise add: each input is rescaled to a common accumulator scale by a left shift
 * (`inputShift`, VTA: powers of two) or a multiplier (TFLite), summed, then requantized by `requant`.
 */
export interface AddRequant {
  inputShift: [number, number];
  inputMultiplier?: [number, number];
  /** With inputMultiplier: right shift after each input's Q31 product (TFLite's per-input exponent, negated). */
  inputPostShift?: [number, number];
  requant: Requant;
}

/** Spatial window of a convolution, pool or im2col: strides [h, w], pads [top, bottom, left, right]. */
export interface WindowAttrs {
  strides: number[];
  pads: number[];
}

/** conv2d  in: x, w [O, C/groups, KH, KW], bias? */
export interface Conv2dAttrs extends WindowAttrs {
  groups: number;
  activation: Activation;
  requant?: Requant;
  /** Set by lower-gemm: the operator this convolution computes (its MACs are not the model's). */
  loweredFrom?: 'avg_pool' | 'global_avg_pool' | 'add';
}

/** dense  in: x [M, K], w [N, K], bias? */
export interface DenseAttrs {
  activation: Activation;
  requant?: Requant;
}

/** add  in: a, b (same shape, or broadcasting in float); int8: see AddRequant. */
export interface AddAttrs {
  activation: Activation;
  requant?: AddRequant;
}

/** max_pool / avg_pool: a kernel [KH, KW] window; an average counts the pads when countIncludePad. */
export interface PoolAttrs extends WindowAttrs {
  kernel: number[];
  countIncludePad?: boolean;
}

/** im2col (int8, made by lower-gemm): out [N, C*KH*KW, OH, OW], pads hold the input's zero point. */
export interface Im2colAttrs extends WindowAttrs {
  kernel: number[];
}

export interface ConcatAttrs {
  axis: number;
  /** Set by the partition: a VTA concat whose inputs start at channel-block boundaries with padding between. */
  paddedSlices?: boolean;
}

/** An operator without attributes. */
export type NoAttrs = Record<string, never>;

/**
 * Operators and their attributes. Float semantics follow ONNX; an int8 node (int8 inputs) computes in int32
 * with the inputs' zero points subtracted and, when its output is int8, requantizes by `requant`.
 * Each operator's shape, references, placement and code generation are one entry of operators/table.ts.
 *  batch_norm  in: x, scale, bias, mean, var;  clip (min, max) in the real domain
 *  flatten (axis), reshape (shape, 0 = keep, -1 = infer), softmax (axis), concat (axis)
 *  quantize (float -> int, output quant), dequantize (int -> float, input quant)
 */
export interface AttrsOf {
  conv2d: Conv2dAttrs;
  dense: DenseAttrs;
  batch_norm: { epsilon: number };
  relu: NoAttrs;
  clip: { min: number; max: number };
  identity: NoAttrs;
  add: AddAttrs;
  max_pool: PoolAttrs;
  avg_pool: PoolAttrs;
  global_avg_pool: NoAttrs;
  flatten: { axis: number };
  reshape: { shape: number[] };
  softmax: { axis: number };
  concat: ConcatAttrs;
  quantize: NoAttrs;
  dequantize: NoAttrs;
  im2col: Im2colAttrs;
}

export type OpType = keyof AttrsOf;

export type Target = 'cpu' | 'vta';

/**
 * What the pack pass (passes/pack.ts) records on a VTA conv2d or dense: its packed constants and the GEMM
 * they describe, which code generation reads.
 */
export interface PackedGemm {
  /** dense: reads a flattened VTA conv2d output as it is packed (its weight columns permuted into that order). */
  input?: 'flattened';
  /** conv2d over a VTA concat with padded slices: the input channel count of that padded layout. */
  inputChannels?: number;
  /** depthwise conv2d: the groups of the grouped GEMM it runs as (one per channel block, block-diagonal weights). */
  groups?: number;
  /** The OIHWoi weight tensor (a name in graph.tensors). */
  weight: string;
  /** [O, I, KH, KW] of the weights as packed (after the rewrites above), before padding to blocks. */
  weightShape: number[];
  /** The ACC-row bias tensor [O/BLOCK_OUT][BATCH][BLOCK_OUT] (a name in graph.tensors). */
  bias: string;
}

interface NodeBase {
  name: string;
  inputs: string[];
  outputs: string[];
  /** Set by the partition pass. */
  target?: Target;
  /** Set by the pack pass on VTA conv2d/dense nodes. */
  packed?: PackedGemm;
}

/** A node of operator `O`: its attributes are `AttrsOf[O]`. */
export type NodeOf<O extends OpType> = NodeBase & { op: O; attrs: AttrsOf[O] };

/** Any node: a union keyed on `op`, so `n.op === 'conv2d'` gives `n.attrs` the type Conv2dAttrs. */
export type Node = { [O in OpType]: NodeOf<O> }[OpType];

/** The operators that run as a GEMM on VTA (packed by the pack pass). */
export type GemmNode = NodeOf<'conv2d'> | NodeOf<'dense'>;

/** A node of operator `op` (the one place a generic operator and its attributes meet the union). */
export function makeNode<O extends OpType>(op: O, base: NodeBase, attrs: AttrsOf[O]): Node {
  return { ...base, op, attrs } as NodeOf<OpType> as Node;
}

/** The node as operator `op` (for code that dispatched on `n.op` already), or an error naming it. */
export function nodeAs<O extends OpType>(n: Node, op: O): NodeOf<O> {
  if (n.op !== op) throw new CompileError(`node ${n.name}: expected a ${op} node, got ${n.op}`);
  return n as NodeOf<OpType> as NodeOf<O>;
}

/** A conv2d's or dense's requantization (undefined for other operators and float nodes). */
export function gemmRequant(n: Node): Requant | undefined {
  return n.op === 'conv2d' || n.op === 'dense' ? n.attrs.requant : undefined;
}

/** Any node's integer requantization: a conv2d's or dense's Requant, an add's AddRequant. */
export function requantOf(n: Node): Requant | AddRequant | undefined {
  return 'requant' in n.attrs ? n.attrs.requant : undefined;
}

export interface Graph {
  name: string;
  tensors: Record<string, Tensor>;
  nodes: Node[];
  inputs: string[];
  outputs: string[];
}

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function tensorOf(g: Graph, name: string): Tensor {
  const t = g.tensors[name];
  if (!t) throw new CompileError(`graph ${g.name}: tensor ${JSON.stringify(name)} is not defined`);
  return t;
}

export const isConst = (g: Graph, name: string): boolean => g.tensors[name]?.data !== undefined;

/** The node producing each tensor, and the nodes consuming it. */
export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const l = m.get(i) ?? [];
      l.push(n);
      m.set(i, l);
    }
  }
  return m;
}

/** A copy of a node: new input/output lists, attributes and packing record. */
export function cloneNode<N extends Node>(n: N): N {
  const c = makeNode(n.op, { ...n, inputs: [...n.inputs], outputs: [...n.outputs] }, structuredClone(n.attrs)) as N;
  if (n.packed) c.packed = structuredClone(n.packed);
  return c;
}

/** A structural copy: nodes, attributes and tensor records are new objects; constant data is shared (passes never mutate it in place). */
export function cloneGraph(g: Graph): Graph {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(g.tensors)) {
    tensors[k] = { ...t, shape: [...t.shape], quant: t.quant && { ...t.quant, scale: [...t.quant.scale], zeroPoint: [...t.quant.zeroPoint] } };
  }
  return {
    name: g.name,
    tensors,
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    nodes: g.nodes.map(cloneNode),
  };
}

/** Drops tensors no node, input or output refers to. */
export function pruneTensors(g: Graph): Graph {
  const used = new Set<string>([...g.inputs, ...g.outputs]);
  for (const n of g.nodes) for (const t of [...n.inputs, ...n.outputs]) used.add(t);
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(g.tensors)) if (used.has(k)) tensors[k] = t;
  return { ...g, tensors };
}

/** Checks references, topological order and that every non-constant input is produced before use. */
export function validateGraph(g: Graph): void {
  const avail = new Set<string>(g.inputs);
  for (const [k, t] of Object.entries(g.tensors)) if (t.data) avail.add(k);
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      if (!g.tensors[i]) throw new CompileError(`node ${n.name} (${n.op}): input ${i} is not a tensor of the graph`);
      if (!avail.has(i)) throw new CompileError(`node ${n.name} (${n.op}): input ${i} is used before it is produced`);
    }
    for (const o of n.outputs) {
      if (!g.tensors[o]) throw new CompileError(`node ${n.name} (${n.op}): output ${o} is not a tensor of the graph`);
      avail.add(o);
    }
  }
  for (const o of g.outputs) if (!avail.has(o)) throw new CompileError(`graph output ${o} is never produced`);
}
