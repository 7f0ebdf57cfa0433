// The shape of one operator's entry in the operator table (table.ts): everything the compiler knows
// about an operator besides its importers and graph rewrites, keyed by the IR's op name.

import type { VtaConfig } from '../../../hw/vta/config';
import type { EmitContext, Emitted } from '../codegen/context';
import type { Graph, Node, NodeOf, OpType, Tensor } from '../ir';

/** A value on the host: float32, int8, or int32 accumulators. */
export type Value = Float32Array | Int8Array | Int32Array;

/** A node's inputs and output as the CPU references see them. */
export interface RunContext<V> {
  g: Graph;
  /** The value of a tensor (an earlier node's output, a graph input or a constant). */
  get(name: string): V;
  inShape(i: number): number[];
  out: Tensor;
  /** Elements of the (first) output. */
  size: number;
}

export interface OperatorDef<O extends OpType> {
  /** Output shapes (in the order of n.outputs) from the input shapes; without it, the first input's shape. */
  inferShape?(n: NodeOf<O>, inShape: (i: number) => number[], need: (cond: boolean, what: string) => void): number[][];
  /** The float reference (ONNX semantics). */
  runFloat?(n: NodeOf<O>, c: RunContext<Float32Array>): Float32Array;
  /** The integer reference, bit-exact with the device (a node with a float output runs runFloat instead). */
  runInt8?(n: NodeOf<O>, c: RunContext<Value>): Value;
  /** Host work only (conversions, layout for the host's input), in words: the partition keeps it on the CPU. */
  hostWork?: string;
  /**
   * Why VTA cannot run this int8 node (null when it can; absent: VTA has no such operator): the partition's reason. One
   * placed in context (placeInContext) answers for the node alone.
   */
  deviceSupport?(n: NodeOf<O>, g: Graph, cfg: VtaConfig): string | null;
  /** Placed by the partition from its neighbours' targets (a free flatten or concat), after every other node. */
  placeInContext?(n: NodeOf<O>, c: PlacementContext): ContextPlacement;
  /** Its device code writes its output where EmitContext.outputBuf says, so it can fill a VTA concat's slice. */
  writesSlices?: boolean;
  /** Before any code: device buffers a VTA node lays out for its inputs (a concat's slices). */
  planBuffers?(n: NodeOf<O>, c: EmitContext): void;
  /** Device code for a VTA node through the operator library (sw/ops), recorded into the runtime's streams. */
  emit?(n: NodeOf<O>, c: EmitContext): Promise<Emitted>;
  /** The quantize pass (power-of-two scales) gives its int8 output its input's scale (pools, reshapes, concat...). */
  keepsScale?: boolean;
  /** Multiply-accumulates per run, whatever the target (0 when absent). */
  macs?(n: NodeOf<O>, g: Graph): number;
}

/** What the partition tells an operator placed in context (operators/layout.ts). */
export interface PlacementContext {
  g: Graph;
  cfg: VtaConfig;
  producer(t: string): Node | undefined;
  consumers(t: string): Node[];
  /** The node's operator writes its output into a buffer slice on VTA (its entry's writesSlices). */
  writesSlices(n: Node): boolean;
  /** Tensors a VTA concat already writes into one of its slices (by that concat's name). */
  slicedBy: Map<string, string>;
}

export interface ContextPlacement {
  /** VTA can run it here. */
  ok: boolean;
  /** The reason on VTA, on the CPU, and the condition a --vta request needs ("runs on VTA only ..."). */
  free: string;
  host: string;
  onlyWhen: string;
  /** Bookkeeping once it is placed on VTA. */
  onVta?(): void;
}

/** One entry per IR operator. */
export type OperatorTable = { [O in OpType]: OperatorDef<O> };
