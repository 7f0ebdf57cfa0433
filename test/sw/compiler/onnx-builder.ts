// Builds small ONNX models in tests with onnx-proto: float initializers, nodes with attributes, one input.
import { onnx } from 'onnx-proto';

export type Attr = number | number[] | string | { floats: number[] } | { float: number };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, Attr>;
}

function attribute(name: string, v: Attr): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: Buffer.from(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.FLOAT, f: v.float };
}

export class OnnxBuilder {
  private nodes: onnx.INodeProto[] = [];
  private inits: onnx.ITensorProto[] = [];

  constructor(
    private input: { name: string; shape: (number | string)[] },
    private opset = 13,
  ) {}

  init(name: string, shape: number[], data: ArrayLike<number>, type: 'float' | 'int64' = 'float'): string {
    const raw =
      type === 'float' ? new Uint8Array(Float32Array.from(data).buffer) : new Uint8Array(BigInt64Array.from(Array.from(data, (v) => BigInt(v))).buffer);
    this.inits.push({ name, dims: shape, dataType: type === 'float' ? 1 : 7, rawData: raw });
    return name;
  }

  node(n: NodeSpec): this {
    this.nodes.push({
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      name: n.name ?? `${n.op}_${this.nodes.length}`,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
    });
    return this;
  }

  bytes(output: string): Uint8Array {
    const dims = (s: (number | string)[]) => s.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
    const m = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'vta-ts test',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: 'test',
        node: this.nodes,
        initializer: this.inits,
        input: [{ name: this.input.name, type: { tensorType: { elemType: 1, shape: { dim: dims(this.input.shape) } } } }],
        output: [{ name: output, type: { tensorType: { elemType: 1 } } }],
      },
    });
    return onnx.ModelProto.encode(m).finish();
  }
}

/** Deterministic pseudo-random floats in [-a, a). */
export function floats(n: number, seed: number, a = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * a;
  });
}
