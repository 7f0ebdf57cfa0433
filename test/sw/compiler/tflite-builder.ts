// Writes small .tflite flatbuffers for tests with the `flatbuffers` Builder (field ids as in schema.fbs).

import { Builder } from 'flatbuffers';

export interface BTensor {
  shape: number[];
  /** TensorType number: 0 FLOAT32, 2 INT32, 9 INT8. */
  type: number;
  data?: Uint8Array;
  scale?: number[];
  zeroPoint?: number[];
  quantizedDimension?: number;
  name?: string;
}

export interface BOperator {
  /** BuiltinOperator code. */
  code: number;
  inputs: number[];
  outputs: number[];
  /** builtin_options union type and its scalar fields as [id, bytes, value] (bytes 1 or 4). */
  optionsType?: number;
  options?: [number, 1 | 4, number][];
}

export function buildTflite(tensors: BTensor[], ops: BOperator[], inputs: number[], outputs: number[], version = 3): Uint8Array {
  const b = new Builder(1024);
  const intVec = (xs: number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]);
    return b.endVector();
  };
  const tableVec = (xs: number[]) => {
    b.startVector(4, xs.length, 4);
    for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]);
    return b.endVector();
  };
  // buffers: 0 is the empty sentinel, tensor i with data gets buffer i + 1
  const bufs = [
    (() => {
      b.startObject(1);
      return b.endObject();
    })(),
  ];
  const tensorBuf: number[] = [];
  for (const t of tensors) {
    if (!t.data) {
      tensorBuf.push(0);
      continue;
    }
    b.startVector(1, t.data.length, 16);
    for (let i = t.data.length - 1; i >= 0; i--) b.addInt8(t.data[i]);
    const data = b.endVector();
    b.startObject(1);
    b.addFieldOffset(0, data, 0);
    tensorBuf.push(bufs.length);
    bufs.push(b.endObject());
  }
  const tOffs = tensors.map((t, i) => {
    const name = b.createString(t.name ?? `t${i}`);
    const shape = intVec(t.shape);
    let quant = 0;
    if (t.scale) {
      b.startVector(4, t.scale.length, 4);
      for (let k = t.scale.length - 1; k >= 0; k--) b.addFloat32(t.scale[k]);
      const sc = b.endVector();
      const zps = t.zeroPoint ?? t.scale.map(() => 0);
      b.startVector(8, zps.length, 8);
      for (let k = zps.length - 1; k >= 0; k--) b.addInt64(BigInt(zps[k]));
      const zp = b.endVector();
      b.startObject(7);
      b.addFieldOffset(2, sc, 0);
      b.addFieldOffset(3, zp, 0);
      b.addFieldInt32(6, t.quantizedDimension ?? 0, 0);
      quant = b.endObject();
    }
    b.startObject(5);
    b.addFieldOffset(0, shape, 0);
    b.addFieldInt8(1, t.type, -1);
    b.addFieldInt32(2, tensorBuf[i], -1);
    b.addFieldOffset(3, name, 0);
    if (quant) b.addFieldOffset(4, quant, 0);
    return b.endObject();
  });
  const codes = [...new Set(ops.map((o) => o.code))];
  const opOffs = ops.map((o) => {
    let opts = 0;
    if (o.optionsType) {
      b.startObject(8);
      for (const [id, bytes, v] of o.options ?? []) {
        if (bytes === 1) b.addFieldInt8(id, v, -1);
        else b.addFieldInt32(id, v, -1);
      }
      opts = b.endObject();
    }
    const ins = intVec(o.inputs);
    const outs = intVec(o.outputs);
    b.startObject(5);
    b.addFieldInt32(0, codes.indexOf(o.code), -1);
    b.addFieldOffset(1, ins, 0);
    b.addFieldOffset(2, outs, 0);
    if (opts) {
      b.addFieldInt8(3, o.optionsType!, -1);
      b.addFieldOffset(4, opts, 0);
    }
    return b.endObject();
  });
  const codeOffs = codes.map((c) => {
    b.startObject(4);
    b.addFieldInt8(0, Math.min(c, 127), -1);
    b.addFieldInt32(3, c, -1);
    return b.endObject();
  });
  const sg = (() => {
    const tv = tableVec(tOffs);
    const ov = tableVec(opOffs);
    const iv = intVec(inputs);
    const outv = intVec(outputs);
    b.startObject(5);
    b.addFieldOffset(0, tv, 0);
    b.addFieldOffset(1, iv, 0);
    b.addFieldOffset(2, outv, 0);
    b.addFieldOffset(3, ov, 0);
    return b.endObject();
  })();
  const codesVec = tableVec(codeOffs);
  const sgVec = tableVec([sg]);
  const bufVec = tableVec(bufs);
  b.startObject(5);
  b.addFieldInt32(0, version, -1);
  b.addFieldOffset(1, codesVec, 0);
  b.addFieldOffset(2, sgVec, 0);
  b.addFieldOffset(4, bufVec, 0);
  b.finish(b.endObject(), 'TFL3');
  return b.asUint8Array().slice();
}
