// ONNX importer: a ModelProto (onnx-proto's protobufjs classes) to the graph IR. Float models, opset
// 7..21 for the operators listed in SUPPORTED; anything else is one CompileError naming the node, the
// op type and the attribute. Symbolic dimensions (a dynamic batch) become 1.

import { onnx } from 'onnx-proto';
import { CompileError, DType, Graph, makeNode, Node, Tensor, TensorData } from '../ir';
import { readModelFile } from './read';
import { inferShapes } from '../shapes';
import { checkImportedGraph, checkShape } from './validate';

const DTYPES: Record<number, DType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64' };

export const SUPPORTED_ONNX_OPS = [
  'Conv',
  'BatchNormalization',
  'Relu',
  'Clip',
  'Add',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Flatten',
  'Reshape',
  'Gemm',
  'MatMul',
  'Softmax',
  'Identity',
  'Dropout',
  'Concat',
] as const;

/** ONNX IR versions (ModelProto.ir_version) and default-domain opsets the importer reads. */
export const ONNX_IR_VERSIONS = [3, 11] as const;
export const ONNX_OPSETS = [7, 22] as const;

const toNum = (v: number | Long | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());
type Long = { toNumber(): number };

/** A typed array of an initializer's values. */
export function tensorData(t: onnx.ITensorProto, where: string): { dtype: DType; shape: number[]; data: TensorData } {
  const dtype = DTYPES[t.dataType ?? 0];
  if (!dtype) throw new CompileError(`${where}: initializer ${t.name}: data type ${onnx.TensorProto.DataType[t.dataType ?? 0] ?? t.dataType} is not supported`);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw new CompileError(`${where}: initializer ${t.name}: external data is not supported`);
  const shape = (t.dims ?? []).map(toNum);
  checkShape(shape, `${where}: initializer ${t.name}`);
  const n = shape.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length ? t.rawData : null;
  let data: TensorData;
  const copy = (bytes: number) => {
    if (raw!.length !== n * bytes)
      throw new CompileError(`${where}: initializer ${t.name}: raw_data has ${raw!.length} bytes, shape [${shape.join(',')}] needs ${n * bytes}`);
    return new Uint8Array(raw!).buffer;
  };
  switch (dtype) {
    case 'float32':
      data = raw ? new Float32Array(copy(4)) : Float32Array.from(t.floatData ?? []);
      break;
    case 'int32':
      data = raw ? new Int32Array(copy(4)) : Int32Array.from(t.int32Data ?? []);
      break;
    case 'int8':
      data = raw ? new Int8Array(copy(1)) : Int8Array.from(t.int32Data ?? []);
      break;
    case 'uint8':
      data = raw ? new Uint8Array(copy(1)) : Uint8Array.from(t.int32Data ?? []);
      break;
    default:
      data = raw ? new BigInt64Array(copy(8)) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(toNum(v))));
  }
  if (data.length !== n) throw new CompileError(`${where}: initializer ${t.name}: ${data.length} values, shape [${shape.join(',')}] needs ${n}`);
  return { dtype, shape, data };
}

export function readOnnxModel(bytes: Uint8Array, file: string): onnx.ModelProto {
  let m: onnx.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new CompileError(`${file}: not an ONNX model (${(e as Error).message.split('\n')[0]})`);
  }
  if (!m.graph || !m.graph.node?.length || !m.irVersion) throw new CompileError(`${file}: not an ONNX model (no graph with nodes and no IR version)`);
  const ir = toNum(m.irVersion);
  if (ir < ONNX_IR_VERSIONS[0] || ir > ONNX_IR_VERSIONS[1])
    throw new CompileError(`${file}: ONNX IR version ${ir} is outside what the importer reads (${ONNX_IR_VERSIONS.join('..')})`);
  for (const o of m.opsetImport ?? []) {
    const v = toNum(o.version);
    if ((!o.domain || o.domain === 'ai.onnx') && (v < ONNX_OPSETS[0] || v > ONNX_OPSETS[1])) {
      throw new CompileError(`${file}: opset_import: ai.onnx opset ${v} is outside what the importer supports (${ONNX_OPSETS.join('..')})`);
    }
  }
  return m;
}

/** Reads and imports an .onnx file. */
export function importOnnxFile(path: string): Graph {
  return importOnnx(readOnnxModel(readModelFile(path), path), path);
}

export function importOnnx(m: onnx.IModelProto, file = 'model'): Graph {
  const g0 = m.graph!;
  const opset = toNum((m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 13);
  const g: Graph = { name: g0.name || file, tensors: {}, nodes: [], inputs: [], outputs: [] };
  const consts = new Map<string, { dtype: DType; shape: number[]; data: TensorData }>();
  for (const t of g0.initializer ?? []) {
    const c = tensorData(t, file);
    consts.set(t.name!, c);
    g.tensors[t.name!] = { name: t.name!, ...c };
  }
  for (const vi of g0.input ?? []) {
    if (consts.has(vi.name!)) continue;
    const tt = vi.type?.tensorType;
    const dtype = DTYPES[tt?.elemType ?? 0];
    if (!tt || dtype !== 'float32') throw new CompileError(`${file}: graph input ${vi.name}: only float32 tensors are supported`);
    // a symbolic or unknown dimension (a dynamic batch) becomes 1; a stated one must be >= 1
    const shape = (tt.shape?.dim ?? []).map((d) => (Object.prototype.hasOwnProperty.call(d, 'dimValue') && !d.dimParam ? toNum(d.dimValue) : 1));
    checkShape(shape, `${file}: graph input ${vi.name}`);
    g.tensors[vi.name!] = { name: vi.name!, dtype, shape };
    g.inputs.push(vi.name!);
  }
  if (!g.inputs.length) throw new CompileError(`${file}: the graph has no (non-initializer) input`);
  (g0.node ?? []).forEach((nd, idx) => importNode(g, nd, idx, opset, consts, file));
  for (const vo of g0.output ?? []) {
    if (!g.tensors[vo.name!]) throw new CompileError(`${file}: graph output ${vo.name} is not produced by any node`);
    g.outputs.push(vo.name!);
  }
  checkImportedGraph(g, file);
  checkBatchNormVariances(g, file);
  return g;
}

function importNode(
  g: Graph,
  nd: onnx.INodeProto,
  idx: number,
  opset: number,
  consts: Map<string, { dtype: DType; shape: number[]; data: TensorData }>,
  file: string,
): void {
  const opType = nd.opType ?? '';
  const name = nd.name || `${opType}_${idx}`;
  const where = `${file}: node ${name} (${opType})`;
  const fail = (msg: string): never => {
    throw new CompileError(`${where}: ${msg}`);
  };
  if (nd.domain && nd.domain !== 'ai.onnx') fail(`operator domain ${nd.domain} is not supported`);
  if (!(SUPPORTED_ONNX_OPS as readonly string[]).includes(opType)) fail(`operator ${opType} is not supported (supported: ${SUPPORTED_ONNX_OPS.join(', ')})`);
  const attrs = new Map<string, onnx.IAttributeProto>();
  for (const a of nd.attribute ?? []) attrs.set(a.name!, a);
  const used = new Set<string>();
  const ints = (k: string, def?: number[]): number[] | undefined => {
    used.add(k);
    const a = attrs.get(k);
    return a ? (a.ints ?? []).map(toNum) : def;
  };
  const int = (k: string, def: number): number => {
    used.add(k);
    const a = attrs.get(k);
    return a ? toNum(a.i) : def;
  };
  const float = (k: string, def: number): number => {
    used.add(k);
    const a = attrs.get(k);
    return a ? (a.f ?? 0) : def;
  };
  const str = (k: string, def: string): string => {
    used.add(k);
    const a = attrs.get(k);
    return a?.s ? Buffer.from(a.s).toString() : def;
  };
  const inputs = (nd.input ?? []).map(String);
  const outputs = (nd.output ?? []).map(String);
  for (const i of inputs) if (i && !g.tensors[i]) fail(`input ${i} is not defined before this node`);
  const constOf = (i: number, what: string) => {
    const c = consts.get(inputs[i]);
    if (!c) fail(`${what} (input ${i}, ${inputs[i]}) must be a constant initializer`);
    return c!;
  };
  const floatConst = (i: number, what: string): Float32Array => {
    const c = constOf(i, what);
    if (c.dtype !== 'float32') fail(`${what} must be float32, got ${c.dtype}`);
    return c.data as Float32Array;
  };
  const addConst = (tname: string, shape: number[], data: Float32Array) => {
    g.tensors[tname] = { name: tname, dtype: 'float32', shape, data };
    consts.set(tname, { dtype: 'float32', shape, data });
  };
  const mustBe = (k: string, ok: (a: onnx.IAttributeProto) => boolean, why: string) => {
    used.add(k);
    const a = attrs.get(k);
    if (a && !ok(a)) fail(`attribute ${k}: ${why}`);
  };
  const spatial = (kernel: number[]) => {
    const autoPad = str('auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') fail(`attribute auto_pad: ${autoPad} is not supported (use explicit pads)`);
    mustBe('dilations', (a) => (a.ints ?? []).every((d) => toNum(d) === 1), 'only dilation 1 is supported');
    if (kernel.length !== 2) fail(`attribute kernel_shape: only 2-D kernels are supported, got [${kernel.join(',')}]`);
    const strides = ints('strides', [1, 1])!;
    const p = autoPad === 'VALID' ? [0, 0, 0, 0] : ints('pads', [0, 0, 0, 0])!;
    if (strides.length !== 2 || p.length !== 4) fail('attributes strides/pads: expected 2 strides and 4 pads');
    return { strides, pads: [p[0], p[2], p[1], p[3]] };
  };
  let nodeInputs = inputs;
  const base = () => ({ name, inputs: nodeInputs, outputs: outputs.slice(0, 1) });
  let node: Node;
  switch (opType) {
    case 'Conv': {
      const w = constOf(1, 'weights');
      if (w.shape.length !== 4) fail(`weights must be 4-D OIHW, got [${w.shape.join(',')}]`);
      const kernel = ints('kernel_shape', w.shape.slice(2))!;
      if (kernel[0] !== w.shape[2] || kernel[1] !== w.shape[3])
        fail(`attribute kernel_shape [${kernel.join(',')}] differs from the weights' [${w.shape.slice(2).join(',')}]`);
      const window = spatial(kernel);
      const groups = int('group', 1);
      if (inputs[2]) constOf(2, 'bias');
      nodeInputs = [inputs[0], inputs[1], inputs[2] ?? ''];
      node = makeNode('conv2d', base(), { ...window, groups, activation: { kind: 'none' } });
      break;
    }
    case 'BatchNormalization': {
      const epsilon = float('epsilon', 1e-5);
      float('momentum', 0.9);
      if (int('training_mode', 0) !== 0) fail('attribute training_mode: only inference (0) is supported');
      if (opset < 9 && int('spatial', 1) !== 1) fail('attribute spatial: only 1 is supported');
      if (outputs.length > 1 && outputs.slice(1).some(Boolean)) fail('only the first output (Y) is supported');
      for (let i = 1; i <= 4; i++) floatConst(i, ['', 'scale', 'bias', 'mean', 'var'][i]);
      node = makeNode('batch_norm', base(), { epsilon });
      break;
    }
    case 'Relu':
      node = makeNode('relu', base(), {});
      break;
    case 'Clip': {
      let lo = -Infinity;
      let hi = Infinity;
      if (opset < 11) {
        lo = float('min', -3.4028234663852886e38);
        hi = float('max', 3.4028234663852886e38);
      } else {
        if (inputs[1]) lo = floatConst(1, 'min')[0];
        if (inputs[2]) hi = floatConst(2, 'max')[0];
      }
      nodeInputs = [inputs[0]];
      node = makeNode('clip', base(), { min: lo, max: hi });
      break;
    }
    case 'Add':
      node = makeNode('add', base(), { activation: { kind: 'none' } });
      break;
    case 'MaxPool':
    case 'AveragePool': {
      const kernel = ints('kernel_shape')!;
      if (!kernel) fail('attribute kernel_shape is required');
      const window = { ...spatial(kernel), kernel };
      if (int('ceil_mode', 0) !== 0) fail('attribute ceil_mode: only 0 (floor) is supported');
      if (opType === 'MaxPool') {
        if (int('storage_order', 0) !== 0) fail('attribute storage_order: only 0 is supported');
        if (outputs.length > 1 && outputs[1]) fail('the Indices output is not supported');
        node = makeNode('max_pool', base(), window);
      } else {
        node = makeNode('avg_pool', base(), { ...window, countIncludePad: int('count_include_pad', 0) === 1 });
      }
      break;
    }
    case 'GlobalAveragePool':
      node = makeNode('global_avg_pool', base(), {});
      break;
    case 'Flatten':
      node = makeNode('flatten', base(), { axis: int('axis', 1) });
      break;
    case 'Reshape': {
      const c = constOf(1, 'shape');
      const shape = Array.from(c.data as BigInt64Array, (v) => Number(v));
      if (int('allowzero', 0) !== 0) fail('attribute allowzero: only 0 is supported');
      nodeInputs = [inputs[0]];
      node = makeNode('reshape', base(), { shape });
      break;
    }
    case 'Gemm':
    case 'MatMul': {
      const x = g.tensors[inputs[0]];
      if (x.shape.length !== 2) fail(`input A must be 2-D [M, K], got [${x.shape.join(',')}] (flatten first)`);
      const b = floatConst(1, 'B');
      const bs = constOf(1, 'B').shape;
      if (bs.length !== 2) fail(`B must be 2-D, got [${bs.join(',')}]`);
      let alpha = 1;
      let beta = 1;
      let transB = 0;
      if (opType === 'Gemm') {
        alpha = float('alpha', 1);
        beta = float('beta', 1);
        if (int('transA', 0) !== 0) fail('attribute transA: only 0 is supported');
        transB = int('transB', 0);
      }
      const [N, K] = transB ? bs : [bs[1], bs[0]];
      if (K !== x.shape[1]) fail(`B [${bs.join(',')}] does not match A's ${x.shape[1]} columns`);
      const w = new Float32Array(N * K);
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[n * K + k] = alpha * (transB ? b[n * K + k] : b[k * N + n]);
      addConst(`${name}.weight`, [N, K], w);
      let biasName = '';
      if (opType === 'Gemm' && inputs[2]) {
        const c = floatConst(2, 'C');
        const cs = constOf(2, 'C').shape;
        if (!(c.length === N || c.length === 1) || (cs.length === 2 && cs[0] !== 1)) fail(`C [${cs.join(',')}] must broadcast as a per-output bias of ${N}`);
        biasName = `${name}.bias`;
        addConst(
          biasName,
          [N],
          Float32Array.from({ length: N }, (_, i) => beta * c[c.length === 1 ? 0 : i]),
        );
      }
      nodeInputs = [inputs[0], `${name}.weight`, biasName];
      node = makeNode('dense', base(), { activation: { kind: 'none' } });
      break;
    }
    case 'Softmax': {
      const r = g.tensors[inputs[0]].shape.length;
      const axis = int('axis', opset >= 13 ? -1 : 1);
      if ((axis < 0 ? axis + r : axis) !== r - 1) fail(`attribute axis: only the last axis is supported, got ${axis}`);
      node = makeNode('softmax', base(), { axis: r - 1 });
      break;
    }
    case 'Identity':
      node = makeNode('identity', base(), {});
      break;
    case 'Dropout':
      float('ratio', 0.5);
      int('seed', 0);
      if (outputs.length > 1 && outputs[1]) fail('the mask output is not supported');
      nodeInputs = [inputs[0]];
      node = makeNode('identity', base(), {});
      break;
    case 'Concat':
      node = makeNode('concat', base(), { axis: int('axis', 1) });
      break;
    default:
      return fail(`operator ${opType} is not supported`);
  }
  for (const k of attrs.keys()) if (!used.has(k)) fail(`attribute ${k} is not supported`);
  const x = g.tensors[nodeInputs[0]];
  const shapes = inferShapes(g, node);
  node.outputs.forEach((o, i) => {
    g.tensors[o] = { name: o, dtype: x?.dtype ?? 'float32', shape: shapes[i] } as Tensor;
  });
  g.nodes.push(node);
}

/** A variance below zero has no square root: the folded scale would be NaN. */
function checkBatchNormVariances(g: Graph, file: string): void {
  for (const n of g.nodes) {
    if (n.op !== 'batch_norm') continue;
    const v = g.tensors[n.inputs[4]]?.data;
    if (!v) continue;
    for (let i = 0; i < v.length; i++) {
      if (Number(v[i]) < 0)
        throw new CompileError(`${file}: node ${n.name} (BatchNormalization): input var (${n.inputs[4]}) [${i}] is ${v[i]}; a variance must be >= 0`);
    }
  }
}
