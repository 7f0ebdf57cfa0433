// The image loop of `vta infer`: a range of images through the float reference, the int8 references and
// the compiled network, counted into a Tally. Tallies of separate ranges merge, so `--jobs N` runs ranges
// in worker processes (infer-task.ts) and adds them up; the report is made from the merged tally.

import type { CompiledModel } from '../model';
import type { LabelledImages } from '../data/idx';
import { runFloat } from '../exec/float';
import { runInt8 } from '../exec/int8';
import { gemmRequant, Graph } from '../ir';
import type { VtaConfig } from '../../../hw/vta/config';
import type { InferReport, LayerReport } from './infer-report';
import { imageInput, Normalization } from './common';
import { loadHostMatmul } from '../exec/wasm-matmul';

/** A range of images of a `vta infer` command line, for a worker process (infer-task.ts). */
export interface InferTask {
  /** The command line (model and flags). */
  argv: string[];
  start: number;
  end: number;
}

export interface LayerTally {
  node: string;
  op: string;
  target: LayerReport['target'];
  /** Sum over the images; null once an image had no measured cycles. */
  cycles: number | null;
  estCycles: number | null;
  macs: number;
  seconds: number;
  bytes: number;
  counted: boolean;
}

/** Counts over a set of images (JSON: it crosses process boundaries). */
export interface Tally {
  images: number;
  top: { float: number; int8: number; device: number; tflite: number };
  agree: number;
  floatAgree: number;
  exact: { identical: number; top1: number };
  /** Milliseconds. */
  time: { device: number; cpu: number; float: number; int8: number };
  layers: LayerTally[];
  /** An autoencoder: sums over the images of the mean squared error of the output against the input. */
  reconstructionSquaredError: number;
  /** The largest |device - float reference| over every output value (real values). */
  floatMaxError: number;
  /** The device's outputs (the network's raw values), one row per image, by the first image of their range. */
  outputs: { start: number; rows: number[][] }[];
}

export function emptyTally(): Tally {
  return {
    images: 0,
    top: { float: 0, int8: 0, device: 0, tflite: 0 },
    agree: 0,
    floatAgree: 0,
    exact: { identical: 0, top1: 0 },
    time: { device: 0, cpu: 0, float: 0, int8: 0 },
    layers: [],
    reconstructionSquaredError: 0,
    floatMaxError: 0,
    outputs: [],
  };
}

export function mergeTallies(a: Tally, b: Tally): Tally {
  const add = <T extends Record<string, number>>(x: T, y: T): T => Object.fromEntries(Object.keys(x).map((k) => [k, x[k] + y[k]])) as T;
  const layers = a.layers.map((l) => ({ ...l }));
  for (const l of b.layers) {
    const have = layers.find((m) => m.node === l.node);
    if (!have) layers.push({ ...l });
    else {
      have.cycles = have.cycles === null || l.cycles === null ? null : have.cycles + l.cycles;
      have.seconds += l.seconds;
      have.bytes += l.bytes;
      have.counted ||= l.counted;
    }
  }
  return {
    images: a.images + b.images,
    top: add(a.top, b.top),
    agree: a.agree + b.agree,
    floatAgree: a.floatAgree + b.floatAgree,
    exact: add(a.exact, b.exact),
    time: add(a.time, b.time),
    layers,
    reconstructionSquaredError: a.reconstructionSquaredError + b.reconstructionSquaredError,
    floatMaxError: Math.max(a.floatMaxError, b.floatMaxError),
    outputs: [...a.outputs, ...b.outputs].sort((x, y) => x.start - y.start),
  };
}

const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let k = 1; k < v.length; k++) if (v[k] > v[b]) b = k;
  return b;
};

const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.prototype.every.call(a, (v: number, k: number) => Object.is(v, b[k]));

export interface TallyContext {
  data: LabelledImages;
  norm: Normalization;
  floatGraph: Graph | null;
  skipInt8: boolean;
  /** Keep the device's output rows (--save-outputs). */
  keepOutputs?: boolean;
  /** Ctrl-C: stop before the next image (the tally holds those that finished). */
  signal?: AbortSignal;
  /** After each image, with the running tally. */
  onImage?: (t: Tally) => void;
}

/** Images [start, end) of the data set through every executor; stops early when the signal aborts. */
export async function tallyImages(compiled: CompiledModel, c: TallyContext, start: number, end: number): Promise<Tally> {
  await loadHostMatmul();
  const { data, floatGraph } = c;
  const p = compiled.pipeline;
  const imported = compiled.imported;
  const exactGraph = c.skipInt8 ? undefined : p.exact;
  const out = compiled.outputName;
  const t: Tally = emptyTally();
  const rows: number[][] = [];
  if (c.keepOutputs) t.outputs.push({ start, rows });
  const classes = !compiled.reconstructs;
  const layers = new Map<string, LayerTally>();
  let lastYield = performance.now();
  for (let i = start; i < end; i++) {
    if (performance.now() - lastYield > 100) {
      await new Promise((r) => setImmediate(r)); // lets Ctrl-C's handler run between images
      lastYield = performance.now();
    }
    if (c.signal?.aborted) break;
    const x = imageInput(imported, data, i, c.norm);
    let t0 = performance.now();
    const yf = floatGraph ? runFloat(floatGraph, { [floatGraph.inputs[0]]: x[imported.inputs[0]] }).get(floatGraph.outputs[0])! : null;
    t.time.float += performance.now() - t0;
    t0 = performance.now();
    const yi = c.skipInt8 ? null : runInt8(p.quantized, x).get(out)!;
    const ye = exactGraph ? runInt8(exactGraph, x).get(out)! : null;
    t.time.int8 += performance.now() - t0;
    const run = await compiled.network.run(x);
    const yd = run.values.get(out)!;
    if (c.keepOutputs) rows.push(Array.from(yd));
    const real = compiled.outputAsFloats(yd);
    if (yf) for (let k = 0; k < real.length; k++) t.floatMaxError = Math.max(t.floatMaxError, Math.abs(real[k] - yf[k]));
    if (!classes) {
      const xin = x[imported.inputs[0]];
      let se = 0;
      for (let k = 0; k < real.length; k++) se += (real[k] - xin[k]) ** 2;
      t.reconstructionSquaredError += se / real.length;
    }
    // no labels: the float reference's top-1 labels the image; without one there is no top-1
    const label = !classes ? -1 : !data.unlabelled ? data.labels[i] : yf ? argmax(yf) : -1;
    if (yf && argmax(yf) === label) t.top.float++;
    if (yf && classes && argmax(yf) === argmax(yd)) t.floatAgree++;
    if (yi && argmax(yi) === label) t.top.int8++;
    if (argmax(yd) === label) t.top.device++;
    if (yi && same(yi, yd)) t.agree++;
    if (ye) {
      if (argmax(ye) === label) t.top.tflite++;
      if (same(ye, yd)) t.exact.identical++;
      if (argmax(ye) === argmax(yd)) t.exact.top1++;
    }
    for (const l of run.layers) {
      let a = layers.get(l.node);
      if (!a) {
        a = { node: l.node, op: l.op, target: l.target, cycles: 0, estCycles: l.estCycles, macs: l.macs, seconds: 0, bytes: 0, counted: false };
        layers.set(l.node, a);
        t.layers.push(a);
      }
      a.seconds += l.seconds;
      if (l.target === 'vta') t.time.device += l.seconds * 1e3;
      else t.time.cpu += l.seconds * 1e3;
      a.cycles = a.cycles === null || l.cycles === null ? null : a.cycles + l.cycles;
      if (l.counters) {
        const k = l.counters;
        a.bytes += k.uopLoadBytes + k.inpLoadBytes + k.wgtLoadBytes + k.accLoadBytes + k.outStoreBytes;
        a.counted = true;
      }
    }
    t.images++;
    c.onImage?.(t);
  }
  return t;
}

export interface ReportContext {
  model: string;
  target: string;
  data: LabelledImages;
  floatGraph: Graph | null;
  skipInt8: boolean;
  quantization: string;
  compileSeconds: number;
  /** Wall-clock seconds of the image loop (all workers together). */
  wallSeconds: number;
  interrupted: boolean;
}

/** The report of a (merged) tally; `compiled` gives the configuration and the programs' sizes. */
export function reportFrom(compiled: CompiledModel, t: Tally, c: ReportContext): InferReport {
  const p = compiled.pipeline;
  const cfg = compiled.network.config;
  const images = t.images;
  // top-1 needs classes and labels (the data's, or the float reference's top-1)
  const labelled = !compiled.reconstructs && (!c.data.unlabelled || c.floatGraph !== null);
  const exactGraph = c.skipInt8 ? undefined : p.exact;
  const peak = cfg.batch * cfg.blockIn * cfg.blockOut;
  const insnBytes = new Map<string, number>();
  for (const s of compiled.network.steps)
    if (s.kind === 'device')
      insnBytes.set(
        s.node.name,
        s.programs.reduce((a, pr) => a + pr.insns.length * 16, 0),
      );
  const layerReports: LayerReport[] = t.layers.map(({ bytes, counted, ...l }) => {
    const cycles = l.target === 'vta' && l.cycles !== null ? l.cycles / images : null;
    const basis = cycles ?? l.estCycles;
    return {
      ...l,
      cycles,
      seconds: l.seconds / images,
      utilization: l.target === 'vta' && basis ? l.macs / (basis * peak) : null,
      dramBytes: counted ? Math.round(bytes / images) + (insnBytes.get(l.node) ?? 0) : null,
    } as LayerReport;
  });
  const vta = layerReports.filter((l) => l.target === 'vta');
  const measured = vta.every((l) => l.cycles !== null);
  const cycles = vta.length ? vta.reduce((a, l) => a + ((measured ? l.cycles : l.estCycles) ?? 0), 0) : null;
  const macs = vta.reduce((a, l) => a + l.macs, 0);
  const allMacs = layerReports.reduce((a, l) => a + l.macs, 0);
  const skipped: InferReport['skipped'] = [...(c.floatGraph ? [] : ['float' as const]), ...(c.skipInt8 ? ['int8' as const] : [])];
  return {
    model: c.model,
    data: c.data.source,
    target: c.target,
    config: cfg.name,
    images,
    skipped,
    ...(c.interrupted ? { interrupted: true } : {}),
    quantization: p.exact ? `the model's own int8 quantization; ${importedRule(p.device, cfg)}` : c.quantization,
    top1: !labelled
      ? null
      : {
          float: c.floatGraph ? t.top.float / images : null,
          int8: c.skipInt8 ? null : t.top.int8 / images,
          device: t.top.device / images,
          ...(exactGraph ? { tflite: t.top.tflite / images } : {}),
        },
    agreement: c.skipInt8 ? null : t.agree / images,
    floatAgreement: c.floatGraph && !compiled.reconstructs ? t.floatAgree / images : null,
    floatMaxError: c.floatGraph ? t.floatMaxError : null,
    ...(compiled.reconstructs ? { reconstruction: { meanSquaredError: t.reconstructionSquaredError / images } } : {}),
    ...(exactGraph ? { exact: { identical: t.exact.identical / images, top1: t.exact.top1 / images } } : {}),
    cycles,
    cyclesSource: measured ? 'measured' : 'estimate',
    macs,
    deviceMacFraction: allMacs ? macs / allMacs : null,
    utilization: cycles ? macs / (cycles * peak) : null,
    layers: layerReports,
    time: {
      deviceSeconds: t.time.device / 1e3,
      cpuSeconds: t.time.cpu / 1e3,
      floatReferenceSeconds: c.floatGraph ? t.time.float / 1e3 : null,
      int8ReferenceSeconds: c.skipInt8 ? null : t.time.int8 / 1e3,
      compileSeconds: c.compileSeconds,
      imagesPerSecond: images / c.wallSeconds,
      networkImagesPerSecond: images / ((t.time.device + t.time.cpu) / 1e3),
    },
  };
}

/** Which requantization rule the device runs for an imported int8 model (the report says it beside exactness). */
function importedRule(device: Graph, cfg: VtaConfig): string {
  const vta = device.nodes.filter((n) => n.target === 'vta' && (n.op === 'conv2d' || n.op === 'dense'));
  const staged = vta.filter((n) => gemmRequant(n)?.multiplier).length;
  const cpuAdds = device.nodes.filter((n) => n.target === 'cpu' && n.op === 'add').length;
  const adds = cpuAdds ? `; ${cpuAdds} add${cpuAdds > 1 ? 's' : ''} on the CPU` : '';
  if (cfg.requant && staged === vta.length) return `VTA nodes requantize in the requantization stage with TFLite's Q31 rule (exact)${adds}`;
  const alu = cfg.aluOps.includes('MUL') ? 'with the ALU MUL' : 'by shift, multiplier folded into the weights';
  return `VTA nodes requantize ${alu} (tflite-requant)${staged ? `, ${staged} of ${vta.length} in the requantization stage` : ''}${adds}`;
}
