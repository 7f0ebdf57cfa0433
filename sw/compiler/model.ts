// A model compiled onto a device, as one object: import (ONNX/TFLite), the passes, code generation into
// the device's DRAM, and `run(input)` that feeds one input and gives the output as floats. `vta infer`
// and the package API (`compileModel`) both build on it.

import type { VtaConfig } from '../../hw/vta/config';
import { defaultConfig } from '../../hw/vta/config';
import { openDevice, OpenedDevice } from '../../sim/targets';
import { Runtime, RuntimeStats } from '../runtime';
import { snapshotStats, statsSince } from '../runtime/stats';
import { loadSchedules } from '../tune/schedules';
import { CompiledNetwork, generate, LayerRun } from './codegen/network';
import type { ScheduleProvider } from './codegen/schedule';
import { importModel } from './import';
import { CompileError, elementCount, Graph, Tensor } from './ir';
import type { Placement } from './passes/partition';
import { isQuantized, PipelineOptions, PipelineResult, runPipeline } from './pipeline';
import { loadHostMatmul } from './exec/wasm-matmul';

export interface CompileModelOptions {
  /** The device, by its `--target` name (default fsim). */
  target?: string;
  /** The configuration (default VTA's default, 1x16x16). */
  config?: VtaConfig;
  /**
   * Float inputs (each the model input's values, row-major) to calibrate the activation scales per layer;
   * without them TVM's global scale is used. An int8 model (TFLite) keeps its own quantization.
   */
  calibration?: readonly ArrayLike<number>[];
  /** TVM's global_scale when there is no calibration (default 8). */
  globalScale?: number;
  /** Node names forced onto the CPU / onto VTA. */
  cpu?: string[];
  vta?: string[];
  /** Tilings: default the shipped schedule database's, else the planner's. */
  schedules?: ScheduleProvider;
  /** Device DRAM (default: enough for the model's tensors twice, at least 16 MiB). */
  dramBytes?: number;
  /** Progress lines (a first TSIM build). */
  log?: (line: string) => void;
}

/** One run: the output as floats, and per layer its target, cycles, MACs and time. */
export interface ModelRun {
  output: Float32Array;
  /** The graph output as the network computed it (int8 when the model ends quantized). */
  raw: ArrayLike<number>;
  layers: LayerRun[];
  /** What the device did for this run alone. */
  stats: RuntimeStats;
}

/** DRAM for a graph's tensors: everything twice plus 16 MiB of room, rounded to MiB. */
export function dramFor(g: Graph): number {
  let bytes = 0;
  for (const t of Object.values(g.tensors)) bytes += elementCount(t.shape) * (t.data ? 2 : 8);
  return Math.max(16 << 20, Math.ceil((bytes * 2 + (16 << 20)) / (1 << 20)) << 20);
}

/** An int8 output with quantization parameters back to real values; floats as they are. */
export function asFloats(t: Tensor, v: ArrayLike<number>): Float32Array {
  if (v instanceof Float32Array) return v;
  const q = t.quant;
  if (!q || q.scale.length !== 1) return Float32Array.from(v);
  return Float32Array.from(v, (x) => q.scale[0] * (x - q.zeroPoint[0]));
}

export class CompiledModel {
  private closed = false;

  constructor(
    /** The graph as imported. */
    readonly imported: Graph,
    /** The float, integer and device forms of the graph, and the partition. */
    readonly pipeline: PipelineResult,
    readonly network: CompiledNetwork,
    readonly device: OpenedDevice,
    readonly compileSeconds: number,
  ) {}

  get inputName(): string {
    return this.imported.inputs[0];
  }

  get inputShape(): readonly number[] {
    return this.imported.tensors[this.inputName].shape;
  }

  get outputName(): string {
    return this.imported.outputs[0];
  }

  get outputShape(): readonly number[] {
    return this.imported.tensors[this.outputName].shape;
  }

  /** The network's output (int8 when the model ends quantized) as real values. */
  outputAsFloats(raw: ArrayLike<number>): Float32Array {
    return asFloats(this.pipeline.device.tensors[this.outputName] ?? this.imported.tensors[this.outputName], raw);
  }

  /** An autoencoder: the output has the input's shape (a reconstruction, not classes). */
  get reconstructs(): boolean {
    const a = this.inputShape;
    const b = this.outputShape;
    return a.length === b.length && a.every((d, i) => d === b[i]);
  }

  /** Where each node runs and why. */
  get placements(): readonly Placement[] {
    return this.pipeline.placements;
  }

  /** The model input's values (row-major, the input's shape) in, the first output as floats out. */
  async run(input: ArrayLike<number>): Promise<Float32Array> {
    return (await this.runDetailed(input)).output;
  }

  /** Like run, with the per-layer figures and this run's device statistics. */
  async runDetailed(input: ArrayLike<number>): Promise<ModelRun> {
    if (this.closed) throw new CompileError('the compiled model was closed');
    const want = elementCount(this.inputShape);
    if (input.length !== want) {
      throw new CompileError(`input ${this.inputName}: ${input.length} values, the model takes [${this.inputShape.join(', ')}] = ${want}`);
    }
    const x = input instanceof Float32Array ? input : Float32Array.from(input);
    const rt = this.network.rt;
    const before = snapshotStats(rt.stats);
    const r = await this.network.run({ [this.inputName]: x });
    const raw = r.values.get(this.outputName) as ArrayLike<number>;
    return { output: this.outputAsFloats(raw), raw, layers: r.layers, stats: statsSince(rt.stats, before) };
  }

  /** Frees the network's device buffers and closes the device; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.network.release();
    this.device.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** The compile step of `compileModel` for a graph already imported; `calibration` in the graph's input form. */
export async function compileGraph(
  imported: Graph,
  calibration: Record<string, Float32Array>[],
  o: CompileModelOptions & { /** The CLI's quantization and partition choice (instead of the options above). */ pipeline?: PipelineOptions } = {},
): Promise<CompiledModel> {
  const t0 = performance.now();
  const cfg = o.config ?? defaultConfig();
  const calibrated = calibration.length > 0 && !isQuantized(imported);
  const p = runPipeline(
    imported,
    cfg,
    calibration,
    o.pipeline ?? {
      quantize: calibrated ? { scheme: 'calibrated' } : { scheme: 'global', globalScale: o.globalScale ?? 8 },
      partition: { cpu: o.cpu ?? [], vta: o.vta ?? [] },
    },
  );
  const device = await openDevice(o.target ?? 'fsim', cfg, { dramBytes: o.dramBytes ?? dramFor(p.device), log: o.log });
  try {
    const net = await generate(new Runtime(device), p.device, { schedules: o.schedules ?? loadSchedules() });
    return new CompiledModel(imported, p, net, device, (performance.now() - t0) / 1e3);
  } catch (e) {
    device.close();
    throw e;
  }
}

/**
 * Compiles a model file (.onnx, .tflite) or an imported graph onto a device: `run(input)` then feeds one
 * input and returns the first output as floats (e.g. the logits). Close it when done.
 */
export async function compileModel(model: string | Graph, options: CompileModelOptions = {}): Promise<CompiledModel> {
  await loadHostMatmul(); // the CPU executors' convolutions (calibration, references, CPU layers) in WebAssembly
  const imported = typeof model === 'string' ? importModel(model) : model;
  const input = imported.inputs[0];
  const want = elementCount(imported.tensors[input].shape);
  const calibration = (options.calibration ?? []).map((x, i) => {
    if (x.length !== want) throw new CompileError(`calibration[${i}]: ${x.length} values, the model input ${input} takes ${want}`);
    return { [input]: x instanceof Float32Array ? x : Float32Array.from(x) };
  });
  return compileGraph(imported, calibration, options);
}
