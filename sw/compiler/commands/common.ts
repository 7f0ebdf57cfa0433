// What `vta compile` and `vta infer` share: the flags for the configuration, quantization and the
// partition, turning labelled images into input tensors, and compiling a model onto a device.

import { existsSync } from 'fs';
import type { FlagSpec, ParsedArgs } from '../../../cli/args';
import { CommandFailure, UsageError } from '../../../cli/errors';
import { CONFIG_FLAGS, configFromArgs } from '../../../gen/gen';
import { OperatorError } from '../../ops/errors';
import { RuntimeError } from '../../runtime';
import { DeviceError } from '../../../sim/device';
import { PartitionRequestError } from '../passes/partition';
import { LabelledImages, loadDataSpec, ModelInput } from '../data/idx';
import { quantRange } from '../data/labelled';
import { CompileError, elementCount, Graph } from '../ir';
import { isQuantized, PipelineOptions } from '../pipeline';
import type { ScheduleProvider } from '../codegen/schedule';
import { SHIPPED_DB } from '../../tune/db';
import { databaseSchedules } from '../../tune/schedules';
import { loadScheduleDb } from '../../tune/command';

export { CONFIG_FLAGS, configFromArgs };

export const COMPILE_FLAGS: readonly FlagSpec[] = [
  { name: 'calibrate', type: 'string', metavar: 'DATA', help: 'calibrate per layer on images of DATA (mnist, mnist-train, idx:IMAGES,LABELS)' },
  { name: 'calibrate-count', type: 'int', metavar: 'N', help: 'calibration images (default 100)' },
  { name: 'scheme', type: 'string', metavar: 'calibrated|global', help: 'activation scales: per layer from calibration, or one global scale' },
  { name: 'global-scale', type: 'string', metavar: 'S', help: "TVM's global_scale for --scheme global (default 8)" },
  {
    name: 'mean',
    type: 'string',
    metavar: 'M',
    help: "input normalization x = (pixel/255 - M) / S (default: 0.1307 for MNIST data, else 0; synthetic and npy pixels: onto an int8 input's range)",
  },
  { name: 'std', type: 'string', metavar: 'S', help: 'see --mean (default: 0.3081 for MNIST data, 1/255 (raw pixels) for synthetic and npy pixels, else 1)' },
  { name: 'cpu', type: 'string', repeatable: true, metavar: 'NODES', help: 'run these nodes (comma-separated names) on the CPU' },
  { name: 'vta', type: 'string', repeatable: true, metavar: 'NODES', help: 'run these nodes on VTA (an error when it cannot)' },
  { name: 'db', type: 'string', metavar: 'FILE', help: "a schedule database (vta tune) merged with the shipped one; tuned tilings replace the planner's" },
];

export function numberFlag(args: ParsedArgs, name: string, def: number): number {
  const s = args.string(name);
  if (s === undefined) return def;
  const v = Number(s);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} ${s}: expected a number`);
  return v;
}

const nodeList = (args: ParsedArgs, name: string) =>
  args
    .strings(name)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export interface Normalization {
  mean: number;
  std: number;
}

/** The graph's input as data is made for it; `modelPath` says whether the file declares NHWC (TFLite). */
export function modelInputOf(g: Graph, modelPath: string): ModelInput {
  const name = g.inputs[0];
  // an int8 TFLite input is the real tensor ahead of the importer's quantize node
  const q = g.nodes.find((n) => n.op === 'quantize' && n.inputs[0] === name);
  const quant = q ? g.tensors[q.outputs[0]].quant : undefined;
  return {
    shape: g.tensors[name].shape,
    quant: quant && quant.scale.length === 1 ? { scale: quant.scale[0], zeroPoint: quant.zeroPoint[0] } : undefined,
    nhwc: /\.tflite$/i.test(modelPath),
  };
}

/**
 * --mean/--std, defaulting to MNIST's statistics for the MNIST data sets; synthetic and npy pixels span an
 * int8 input's real range (0..255 for the MLPerf Tiny ResNet-8, 0..1 for VWW), else feed raw 0..255.
 */
export function normalizationFromArgs(args: ParsedArgs, dataSpec: string | undefined, input?: ModelInput): Normalization {
  const mnist = dataSpec === 'mnist' || dataSpec === 'mnist-train';
  const made = dataSpec?.startsWith('synthetic:') || dataSpec?.startsWith('npy:');
  const [lo, hi] = made && input?.quant ? quantRange(input.quant) : [0, 255];
  const n = {
    mean: numberFlag(args, 'mean', mnist ? 0.1307 : made ? -lo / (hi - lo) : 0),
    std: numberFlag(args, 'std', mnist ? 0.3081 : made ? 1 / (hi - lo) : 1),
  };
  if (n.std === 0) throw new UsageError('--std must not be 0');
  return n;
}

/**
 * Checks that the images of a data set fit the graph's input; `given` names them as the user gave them
 * (`--data synthetic:5`, or the calibration set and the flag it came from).
 */
export function checkImagesFit(g: Graph, d: LabelledImages, given: string, model = 'the model'): void {
  const name = g.inputs[0];
  const shape = g.tensors[name].shape;
  const per = elementCount(d.dims);
  if (imagesFitInput(d.dims, shape)) return;
  const [, C, H, W] = shape;
  const hint = shape.length === 4 && C === 3 && d.unlabelled ? `; synthetic:N:${H}x${W} makes images of that size` : '';
  throw new UsageError(
    `${given}: images of [${d.dims.join(', ')}] (${per} values) do not fit ${model}'s input ${JSON.stringify(name)} [${shape.join(', ')}]${hint}`,
  );
}

/** Image i of a data set as the graph's input tensor (NCHW float). */
const squeeze = (s: readonly number[]) => s.filter((d) => d !== 1);
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Whether images of `dims` (HxW or HxWxC) are the model input `shape` (batch first): the same extents in
 * NCHW or NHWC order, ones aside, or a flat vector input [1, N] (an MLP takes the image flattened). Equal
 * element counts alone are not enough: a 28x28 image in a [1, 1, 14, 56] input would be silently scrambled.
 */
export function imagesFitInput(dims: readonly number[], shape: readonly number[]): boolean {
  if (elementCount(dims) !== elementCount(shape)) return false;
  const input = squeeze(shape.slice(1));
  if (shape.length === 2) return true;
  const hwc = squeeze(dims);
  const chw = squeeze(dims.length === 3 ? [dims[2], dims[0], dims[1]] : dims);
  return sameShape(input, hwc) || sameShape(input, chw);
}

/** Labels must name one of the model's classes (its output's last dimension). */
export function checkLabels(g: Graph, d: LabelledImages): void {
  if (d.unlabelled) return;
  const out = g.tensors[g.outputs[0]].shape;
  const classes = out[out.length - 1];
  const bad = d.labels.findIndex((l) => l >= classes);
  if (bad >= 0)
    throw new CompileError(
      `${d.source}: label ${d.labels[bad]} of image ${bad} is not one of the model's ${classes} classes (output ${g.outputs[0]} [${out.join(', ')}])`,
    );
}

export function imageInput(g: Graph, d: LabelledImages, i: number, norm: Normalization): Record<string, Float32Array> {
  const name = g.inputs[0];
  const shape = g.tensors[name].shape;
  const per = elementCount(d.dims);
  if (!imagesFitInput(d.dims, shape)) {
    throw new CompileError(`${d.source}: images of [${d.dims.join(', ')}] (${per} values) do not fit the model input ${name} [${shape.join(', ')}]`);
  }
  if (d.values) return { [name]: d.values.slice(i * per, (i + 1) * per) }; // real values in the input's order
  const px = d.pixels.subarray(i * per, (i + 1) * per);
  const x = new Float32Array(per);
  if (d.dims.length === 3 && shape.length === 4 && d.dims[2] === shape[1] && shape[1] > 1) {
    // HWC images into NCHW
    const [H, W, C] = d.dims;
    for (let c = 0; c < C; c++)
      for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) x[(c * H + y) * W + xx] = (px[(y * W + xx) * C + c] / 255 - norm.mean) / norm.std;
  } else {
    for (let k = 0; k < per; k++) x[k] = (px[k] / 255 - norm.mean) / norm.std;
  }
  return { [name]: x };
}

export interface CalibrationChoice {
  samples: Record<string, Float32Array>[];
  options: PipelineOptions;
  description: string;
}

/**
 * Quantization and partition options from the flags; `fallback` calibrates when --calibrate is absent
 * (`why` says where it comes from, for messages: "the calibration set of --data mnist"). An int8 model
 * keeps its own quantization and needs no calibration images.
 */
export function pipelineOptionsFromArgs(args: ParsedArgs, g: Graph, fallback?: { spec: string; why: string }): CalibrationChoice {
  const scheme = args.string('scheme');
  if (scheme !== undefined && scheme !== 'calibrated' && scheme !== 'global') throw new UsageError(`--scheme ${scheme}: expected calibrated or global`);
  const partition = { cpu: nodeList(args, 'cpu'), vta: nodeList(args, 'vta') };
  if (isQuantized(g)) {
    const given = ['calibrate', 'calibrate-count', 'scheme', 'global-scale'].find((f) => args.has(f));
    if (given) throw new UsageError(`--${given}: the model is already int8 and keeps its own quantization`);
    return { samples: [], options: { partition }, description: "the model's own int8 quantization" };
  }
  const userSpec = args.string('calibrate');
  const spec = userSpec ?? (scheme === 'global' ? undefined : fallback?.spec);
  const globalScale = numberFlag(args, 'global-scale', 8);
  if (scheme === 'calibrated' && !spec) throw new UsageError('--scheme calibrated needs --calibrate DATA');
  if (!spec) {
    return {
      samples: [],
      options: { quantize: { scheme: 'global', globalScale }, partition },
      description: `global scale ${globalScale} (no calibration data)`,
    };
  }
  const count = args.int('calibrate-count') ?? 100;
  if (count < 1) throw new UsageError('--calibrate-count must be at least 1');
  const input = modelInputOf(g, args.positionals[0] ?? '');
  const data = loadDataSpec(spec, userSpec !== undefined ? '--calibrate' : '--data', input);
  checkImagesFit(g, data, userSpec !== undefined ? `--calibrate ${spec}` : `${spec} (${fallback!.why})`);
  const norm = normalizationFromArgs(args, spec, input);
  const n = Math.min(count, data.count);
  const samples = Array.from({ length: n }, (_, i) => imageInput(g, data, i, norm));
  return { samples, options: { quantize: { scheme: 'calibrated' }, partition }, description: `calibrated per layer on ${n} images of ${data.source}` };
}

/** Runs `body`, turning the compiler's and libraries' errors into one-line command failures. */
export async function asCommandErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof PartitionRequestError) throw new UsageError(e.message);
    if (e instanceof CompileError || e instanceof OperatorError || e instanceof RuntimeError || e instanceof DeviceError)
      throw new CommandFailure(e.message, { cause: e });
    throw e;
  }
}

/** `--db FILE`: the schedule database's tilings (the shipped records too), else the planner's where it has none. */
export function schedulesFromArgs(args: ParsedArgs): ScheduleProvider {
  const file = args.string('db');
  if (file !== undefined && !existsSync(file)) throw new UsageError(`--db ${file}: no such file`);
  return databaseSchedules(loadScheduleDb(file ? [SHIPPED_DB, file] : [SHIPPED_DB]));
}
