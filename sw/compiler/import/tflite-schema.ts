// A small hand-written reader for the parts of TFLite's flatbuffer schema (tensorflow/lite/schema/schema.fbs,
// file identifier "TFL3") the importer needs, on top of the `flatbuffers` package's ByteBuffer.
//
// Why hand-written instead of flatc-generated accessors: we read about ten tables and a dozen fields, the
// generated TypeScript for the whole schema is ~20k lines, and flatc itself is not an npm package. Field
// numbers (vtable slots) and enum values are facts of the public schema; a union occupies two slots (its
// type, then its table). Every offset is bounds-checked here, because ByteBuffer does not check and a
// truncated file would otherwise read zeros or throw a RangeError deep inside.

import { ByteBuffer } from 'flatbuffers';

export class TfliteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TfliteFormatError';
  }
}

/** TensorType (schema enum, byte). */
export const TENSOR_TYPES: Record<number, string> = {
  0: 'FLOAT32',
  1: 'FLOAT16',
  2: 'INT32',
  3: 'UINT8',
  4: 'INT64',
  5: 'STRING',
  6: 'BOOL',
  7: 'INT16',
  8: 'COMPLEX64',
  9: 'INT8',
  10: 'FLOAT64',
  11: 'COMPLEX128',
  12: 'UINT64',
  13: 'RESOURCE',
  14: 'VARIANT',
  15: 'UINT32',
  16: 'UINT16',
  17: 'INT4',
};

/** BuiltinOperator codes the importer knows by name (others are reported by number). */
export const BUILTIN_OPS: Record<number, string> = {
  0: 'ADD',
  1: 'AVERAGE_POOL_2D',
  2: 'CONCATENATION',
  3: 'CONV_2D',
  4: 'DEPTHWISE_CONV_2D',
  5: 'DEPTH_TO_SPACE',
  6: 'DEQUANTIZE',
  7: 'EMBEDDING_LOOKUP',
  8: 'FLOOR',
  9: 'FULLY_CONNECTED',
  10: 'HASHTABLE_LOOKUP',
  11: 'L2_NORMALIZATION',
  12: 'L2_POOL_2D',
  13: 'LOCAL_RESPONSE_NORMALIZATION',
  14: 'LOGISTIC',
  15: 'LSH_PROJECTION',
  16: 'LSTM',
  17: 'MAX_POOL_2D',
  18: 'MUL',
  19: 'RELU',
  20: 'RELU_N1_TO_1',
  21: 'RELU6',
  22: 'RESHAPE',
  23: 'RESIZE_BILINEAR',
  24: 'RNN',
  25: 'SOFTMAX',
  26: 'SPACE_TO_DEPTH',
  27: 'SVDF',
  28: 'TANH',
  32: 'CUSTOM',
  34: 'PAD',
  39: 'TRANSPOSE',
  40: 'MEAN',
  41: 'SUB',
  42: 'DIV',
  43: 'SQUEEZE',
  45: 'STRIDED_SLICE',
  47: 'EXP',
  53: 'CAST',
  54: 'PRELU',
  55: 'MAXIMUM',
  57: 'MINIMUM',
  60: 'PADV2',
  67: 'TRANSPOSE_CONV',
  83: 'PACK',
  97: 'RESIZE_NEAREST_NEIGHBOR',
  98: 'LEAKY_RELU',
  114: 'QUANTIZE',
  117: 'HARD_SWISH',
};

/** ActivationFunctionType (schema enum). */
export const ACTIVATIONS: Record<number, string> = { 0: 'NONE', 1: 'RELU', 2: 'RELU_N1_TO_1', 3: 'RELU6', 4: 'TANH', 5: 'SIGN_BIT' };

/** Bounds-checked access to one flatbuffer. */
export class FlatFile {
  readonly bb: ByteBuffer;
  readonly size: number;

  readonly bytes: Uint8Array;

  constructor(
    bytes: Uint8Array,
    readonly file: string,
  ) {
    // a plain Uint8Array view: Node's Buffer.slice would not copy
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bb = new ByteBuffer(this.bytes);
    this.size = bytes.length;
  }

  fail(what: string): never {
    throw new TfliteFormatError(`${this.file}: ${what}`);
  }

  need(pos: number, bytes: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || pos + bytes > this.size) {
      this.fail(`truncated or corrupt (${what} at byte ${pos} runs past the end of the ${this.size}-byte file)`);
    }
  }

  root(): Table {
    if (this.size < 8) this.fail(`not a TFLite model (${this.size} bytes; a flatbuffer needs at least 8)`);
    const ident = String.fromCharCode(...this.bytes.subarray(4, 8));
    if (ident !== 'TFL3') this.fail(`not a TFLite model (file identifier ${JSON.stringify(ident)}, expected "TFL3")`);
    return this.table(this.bb.readUint32(0), 'Model');
  }

  table(pos: number, what: string): Table {
    this.need(pos, 4, what);
    const vt = pos - this.bb.readInt32(pos);
    this.need(vt, 4, `${what} vtable`);
    const vtSize = this.bb.readUint16(vt);
    const objSize = this.bb.readUint16(vt + 2);
    if (vtSize < 4 || vtSize % 2) this.fail(`corrupt ${what} vtable at byte ${vt} (size ${vtSize})`);
    this.need(vt, vtSize, `${what} vtable`);
    this.need(pos, objSize, what);
    return new Table(this, pos, vt, vtSize, what);
  }
}

/** One table: fields by their id (0-based declaration order in the schema). */
export class Table {
  constructor(
    readonly f: FlatFile,
    readonly pos: number,
    private readonly vt: number,
    private readonly vtSize: number,
    readonly what: string,
  ) {}

  /** Absolute position of field `id`, or 0 when absent (default value). */
  private field(id: number, bytes: number, name: string): number {
    const slot = 4 + 2 * id;
    if (slot >= this.vtSize) return 0;
    const off = this.f.bb.readUint16(this.vt + slot);
    if (!off) return 0;
    this.f.need(this.pos + off, bytes, `${this.what}.${name}`);
    return this.pos + off;
  }

  int(id: number, name: string, dflt = 0, bytes: 1 | 2 | 4 = 4, signed = true): number {
    const p = this.field(id, bytes, name);
    if (!p) return dflt;
    const bb = this.f.bb;
    if (bytes === 1) return signed ? bb.readInt8(p) : bb.readUint8(p);
    if (bytes === 2) return signed ? bb.readInt16(p) : bb.readUint16(p);
    return signed ? bb.readInt32(p) : bb.readUint32(p);
  }

  float(id: number, name: string, dflt = 0): number {
    const p = this.field(id, 4, name);
    return p ? this.f.bb.readFloat32(p) : dflt;
  }

  bool(id: number, name: string, dflt = false): boolean {
    const p = this.field(id, 1, name);
    return p ? this.f.bb.readUint8(p) !== 0 : dflt;
  }

  /** Position and length of a vector field's elements, or null when absent. */
  private vector(id: number, elemBytes: number, name: string): { start: number; length: number } | null {
    const p = this.field(id, 4, name);
    if (!p) return null;
    const v = p + this.f.bb.readUint32(p);
    this.f.need(v, 4, `${this.what}.${name} length`);
    const length = this.f.bb.readUint32(v);
    this.f.need(v + 4, length * elemBytes, `${this.what}.${name} (${length} elements)`);
    return { start: v + 4, length };
  }

  ints(id: number, name: string): number[] | null {
    const v = this.vector(id, 4, name);
    if (!v) return null;
    return Array.from({ length: v.length }, (_, i) => this.f.bb.readInt32(v.start + 4 * i));
  }

  floats(id: number, name: string): number[] | null {
    const v = this.vector(id, 4, name);
    if (!v) return null;
    return Array.from({ length: v.length }, (_, i) => this.f.bb.readFloat32(v.start + 4 * i));
  }

  /** A vector of int64 read as numbers (zero points; they are small). */
  longs(id: number, name: string): number[] | null {
    const v = this.vector(id, 8, name);
    if (!v) return null;
    return Array.from({ length: v.length }, (_, i) => Number(this.f.bb.readInt64(v.start + 8 * i)));
  }

  /** A [ubyte] vector as a view of the file (no copy). */
  bytes(id: number, name: string): Uint8Array | null {
    const v = this.vector(id, 1, name);
    return v ? this.f.bytes.subarray(v.start, v.start + v.length) : null;
  }

  string(id: number, name: string): string | null {
    const v = this.vector(id, 1, name);
    return v ? new TextDecoder().decode(this.f.bytes.subarray(v.start, v.start + v.length)) : null;
  }

  table(id: number, name: string): Table | null {
    const p = this.field(id, 4, name);
    return p ? this.f.table(p + this.f.bb.readUint32(p), `${this.what}.${name}`) : null;
  }

  tables(id: number, name: string): Table[] {
    const v = this.vector(id, 4, name);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const p = v.start + 4 * i;
      return this.f.table(p + this.f.bb.readUint32(p), `${this.what}.${name}[${i}]`);
    });
  }
}

// ---------------------------------------------------------------- the schema's tables, as plain data

export interface TfliteQuant {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  type: string;
  /** Constant data (a view of the file), or null for activations. */
  data: Uint8Array | null;
  quant: TfliteQuant | null;
}

export interface TfliteOperator {
  index: number;
  /** BuiltinOperator name, or `BUILTIN_<n>` / `CUSTOM:<code>` for ones the table above does not name. */
  op: string;
  inputs: number[];
  outputs: number[];
  /** builtin_options union: its type number and table (null when NONE). */
  optionsType: number;
  options: Table | null;
}

export interface TfliteModel {
  file: string;
  version: number;
  description: string;
  tensors: TfliteTensor[];
  operators: TfliteOperator[];
  inputs: number[];
  outputs: number[];
}

/** Reads the model's first subgraph (the main one). */
export function readTflite(bytes: Uint8Array, file: string): TfliteModel {
  const f = new FlatFile(bytes, file);
  const model = f.root();
  const version = model.int(0, 'version', 0, 4, false);
  if (version !== 3) f.fail(`unsupported TFLite schema version ${version} (expected 3)`);
  // OperatorCode: deprecated_builtin_code (byte, id 0), custom_code (1), version (2), builtin_code (int, 3).
  // Writers since the int32 code put min(code, 127) in the old field, so the larger of the two is the code.
  const opNames = model.tables(1, 'operator_codes').map((oc) => {
    const code = Math.max(oc.int(0, 'deprecated_builtin_code', 0, 1), oc.int(3, 'builtin_code', 0));
    if (code === 32) return `CUSTOM:${oc.string(1, 'custom_code') ?? '?'}`;
    return BUILTIN_OPS[code] ?? `BUILTIN_${code}`;
  });
  const buffers = model.tables(4, 'buffers').map((b, i) => {
    // Buffer: data (id 0); offset/size (ids 1, 2) point outside the flatbuffer for >2 GB models
    if (b.int(1, 'offset', 0) !== 0) f.fail(`buffer ${i} keeps its data outside the flatbuffer (offset/size); not supported`);
    return b.bytes(0, 'data');
  });
  const subgraphs = model.tables(2, 'subgraphs');
  if (subgraphs.length === 0) f.fail('the model has no subgraph');
  const sg = subgraphs[0];
  const tensors = sg.tables(0, 'tensors').map((t, index): TfliteTensor => {
    const typeNum = t.int(1, 'type', 0, 1);
    const buf = t.int(2, 'buffer', 0, 4, false);
    if (buf >= buffers.length && buf !== 0) f.fail(`tensor ${index} refers to buffer ${buf}, but the model has ${buffers.length}`);
    const data = buffers[buf];
    const q = t.table(4, 'quantization');
    let quant: TfliteQuant | null = null;
    if (q) {
      if (q.int(4, 'details_type', 0, 1) !== 0) f.fail(`tensor ${index}: custom quantization details are not supported`);
      const scale = q.floats(2, 'scale') ?? [];
      const zeroPoint = q.longs(3, 'zero_point') ?? [];
      if (scale.length) quant = { scale, zeroPoint: zeroPoint.length ? zeroPoint : scale.map(() => 0), quantizedDimension: q.int(6, 'quantized_dimension', 0) };
    }
    return {
      index,
      name: t.string(3, 'name') ?? `tensor${index}`,
      shape: t.ints(0, 'shape') ?? [],
      type: TENSOR_TYPES[typeNum] ?? `TYPE_${typeNum}`,
      data: data && data.length ? data : null,
      quant,
    };
  });
  const checkIdx = (list: number[], where: string) => {
    for (const i of list) if (i !== -1 && (i < 0 || i >= tensors.length)) f.fail(`${where} refers to tensor ${i}, but the subgraph has ${tensors.length}`);
    return list;
  };
  const operators = sg.tables(3, 'operators').map((o, index): TfliteOperator => {
    const opc = o.int(0, 'opcode_index', 0, 4, false);
    if (opc >= opNames.length) f.fail(`operator ${index}: opcode_index ${opc} but the model has ${opNames.length} operator codes`);
    const optionsType = o.int(3, 'builtin_options_type', 0, 1, false);
    return {
      index,
      op: opNames[opc],
      inputs: checkIdx(o.ints(1, 'inputs') ?? [], `operator ${index} inputs`),
      outputs: checkIdx(o.ints(2, 'outputs') ?? [], `operator ${index} outputs`),
      optionsType,
      options: optionsType ? o.table(4, 'builtin_options') : null,
    };
  });
  return {
    file,
    version,
    description: model.string(3, 'description') ?? '',
    tensors,
    operators,
    inputs: checkIdx(sg.ints(1, 'inputs') ?? [], 'subgraph inputs'),
    outputs: checkIdx(sg.ints(2, 'outputs') ?? [], 'subgraph outputs'),
  };
}
