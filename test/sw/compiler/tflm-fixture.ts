// TFLite Micro's recorded results (test/fixtures/tflm/<model>/, made by scripts/tflm/) and the comparisons
// the tests make against them: any executor's int8 values, in our NCHW layout, against TFLM's NHWC tensors.

import { existsSync, mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { main } from '../../../cli/dispatch';
import { join } from 'path';
import { NpyArray, readNpy } from '../../../sw/compiler/data/npy';
import { Graph } from '../../../sw/compiler/ir';

export const FIXTURES_DIR = join(__dirname, '..', '..', 'fixtures', 'tflm');
export const TFLM_FIXTURE_MODELS = ['mlperf-tiny-resnet8', 'mlperf-tiny-vww', 'mlperf-tiny-ad', 'ops-edges'];

export interface TflmTensor {
  index: number;
  name: string;
  dtype: string;
  /** TFLM's shape (NHWC for 4-D), without the row axis of its file. */
  shape: number[];
  /** Index of the operator that writes it; -1 for the model input. */
  producer: number;
  scale?: number[];
  zeroPoint?: number[];
  file: string;
}

export interface TflmManifest {
  /** The model file, from the repository root. */
  model: string;
  modelSha256: string;
  tflmCommit: string;
  inputs: number;
  intermediateInputs: number;
  outputs: { tensor: number; file: string }[];
  operators: { index: number; op: string; inputs: number[]; outputs: number[] }[];
  tensors: TflmTensor[];
}

export interface TflmFixture {
  dir: string;
  manifest: TflmManifest;
  /** int8 inputs, one row each, in the model's declared layout (NHWC). */
  inputs: NpyArray;
  outputs: NpyArray;
  /** The recorded rows (the first `intermediateInputs` inputs) of tensor `index`. */
  tensor(index: number): NpyArray;
}

export function loadTflmFixture(model: string, fixturesDir = FIXTURES_DIR): TflmFixture {
  const dir = join(fixturesDir, model);
  if (!existsSync(join(dir, 'manifest.json'))) throw new Error(`${dir}: no TFLM fixture (scripts/tflm/README.md says how to make it)`);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as TflmManifest;
  const byIndex = new Map(manifest.tensors.map((t) => [t.index, t]));
  return {
    dir,
    manifest,
    inputs: readNpy(join(dir, 'inputs.npy')),
    outputs: readNpy(join(dir, manifest.outputs[0].file)),
    tensor: (index) => {
      const t = byIndex.get(index);
      if (!t) throw new Error(`${dir}: tensor ${index} was not recorded`);
      return readNpy(join(dir, t.file));
    },
  };
}

export interface NpyDiff {
  count: number;
  differing: number;
  /** Flat index of the first differing value, -1 when none. */
  first: number;
  maxAbs: number;
}

/** Value-by-value comparison of two equally long arrays (e.g. a device's --save-outputs file and outputs.npy). */
export function compareNpy(a: NpyArray | ArrayLike<number>, b: NpyArray | ArrayLike<number>): NpyDiff {
  const va = 'data' in a ? a.data : a;
  const vb = 'data' in b ? b.data : b;
  if (va.length !== vb.length) throw new Error(`compareNpy: ${va.length} values against ${vb.length}`);
  let differing = 0;
  let first = -1;
  let maxAbs = 0;
  for (let i = 0; i < va.length; i++) {
    const d = Math.abs(va[i] - vb[i]);
    if (d === 0) continue;
    if (first < 0) first = i;
    differing++;
    maxAbs = Math.max(maxAbs, d);
  }
  return { count: va.length, differing, first, maxAbs };
}

export interface SavedOutputsDiff extends NpyDiff {
  rows: number;
  identicalRows: number;
  /** The first input whose output differs, -1 when none. */
  firstDifferingRow: number;
}

/**
 * A `vta infer --data npy:<fixture>/inputs.npy --save-outputs FILE` file against the fixture's outputs (what
 * TFLM computed on those inputs): same shape and dtype required; rows identical and values that differ.
 */
export function compareSavedOutputs(saved: string, model: string): SavedOutputsDiff {
  const f = loadTflmFixture(model);
  const a = readNpy(saved);
  if (a.dtype !== f.outputs.dtype || a.shape.join() !== f.outputs.shape.join()) {
    throw new Error(`${saved}: ${a.dtype} (${a.shape.join(', ')}), the fixture's outputs are ${f.outputs.dtype} (${f.outputs.shape.join(', ')})`);
  }
  const rows = f.outputs.shape[0];
  const per = a.data.length / rows;
  let identicalRows = 0;
  let firstDifferingRow = -1;
  for (let i = 0; i < rows; i++) {
    if (compareNpy(a.data.subarray(i * per, (i + 1) * per), f.outputs.data.subarray(i * per, (i + 1) * per)).differing === 0) identicalRows++;
    else if (firstDifferingRow < 0) firstDifferingRow = i;
  }
  return { ...compareNpy(a, f.outputs), rows, identicalRows, firstDifferingRow };
}

/** Our graph's name for TFLite tensor `t` (the importer's `t<index>:<name before ';'>`). */
export const ourTensorName = (t: { index: number; name: string }) => `t${t.index}:${t.name.split(';')[0]}`;

/** A value of our graph (NCHW for 4-D) in TFLM's layout (NHWC). */
export function toTflmLayout(v: ArrayLike<number>, shape: readonly number[]): number[] {
  if (shape.length !== 4) return Array.from(v);
  const [N, C, H, W] = shape;
  const out = new Array<number>(v.length);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[(n * H * W + p) * C + c] = v[(n * C + c) * H * W + p];
  return out;
}

/** Row `i` of the fixture's inputs as our graph's float input (dequantized, NCHW), for the int8 executors. */
export function graphInput(g: Graph, f: TflmFixture, i: number): Record<string, Float32Array> {
  const name = g.inputs[0];
  const quantize = g.nodes.find((n) => n.op === 'quantize' && n.inputs[0] === name);
  if (!quantize) throw new Error(`${f.dir}: the graph input ${name} is not quantized by the model`);
  const t = g.tensors[quantize.outputs[0]];
  const { scale, zeroPoint } = t.quant!;
  const per = f.inputs.data.length / f.inputs.shape[0];
  const row = f.inputs.data.subarray(i * per, (i + 1) * per);
  const x = new Float32Array(per);
  if (t.shape.length === 4) {
    const [, C, H, W] = t.shape;
    for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) x[c * H * W + p] = scale[0] * (row[p * C + c] - zeroPoint[0]);
  } else {
    for (let k = 0; k < per; k++) x[k] = scale[0] * (row[k] - zeroPoint[0]);
  }
  return { [name]: x };
}

export interface TensorDiff extends NpyDiff {
  index: number;
  name: string;
  /** The TFLite operator writing the tensor, e.g. `CONV_2D #3`. */
  op: string;
}

/**
 * Every recorded tensor our graph also has, in TFLM's operator order, against its value in `values(row)`
 * (our names, our layout) on the recorded rows; `missing` lists recorded tensors our graph lacks.
 */
export function compareTensors(
  g: Graph,
  f: TflmFixture,
  values: (row: number) => ReadonlyMap<string, ArrayLike<number>>,
): { diffs: TensorDiff[]; missing: string[] } {
  const rows = Array.from({ length: f.manifest.intermediateInputs }, (_, i) => values(i));
  const diffs: TensorDiff[] = [];
  const missing: string[] = [];
  const order = [...f.manifest.tensors].sort((a, b) => a.producer - b.producer);
  for (const t of order) {
    const name = ourTensorName(t);
    if (!g.tensors[name] || !rows.every((r) => r.has(name))) {
      missing.push(name);
      continue;
    }
    const theirs = f.tensor(t.index);
    const ours = rows.flatMap((r) => toTflmLayout(r.get(name)!, g.tensors[name].shape));
    const op = t.producer < 0 ? 'input' : `${f.manifest.operators[t.producer].op} #${t.producer}`;
    diffs.push({ index: t.index, name, op, ...compareNpy(ours, theirs) });
  }
  return { diffs, missing };
}

/** One line per tensor that differs, the first first: where our reference and TFLM part ways. */
export function describeDiffs(diffs: readonly TensorDiff[]): string[] {
  return diffs
    .filter((d) => d.differing > 0)
    .map((d) => `${d.name} (${d.op}): ${d.differing} of ${d.count} values differ, max |difference| ${d.maxAbs}, first at flat index ${d.first}`);
}

/** `vta infer` on fixture `fixture`'s inputs with the Pynq-Z1 preset: its saved outputs against the fixture's, and the report. */
export async function inferFixture(
  fixture: string,
  target: string,
): Promise<{ rows: number; identicalRows: number; exact: number; fraction: number; addTargets: string[]; cpuNodes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'vta-tflm-'));
  const [saved, json] = [join(dir, 'out.npy'), join(dir, 'r.json')];
  const inputs = join(FIXTURES_DIR, fixture, 'inputs.npy');
  const model = join(__dirname, '..', '..', '..', loadTflmFixture(fixture).manifest.model);
  const io = { stdout: () => undefined, stderr: () => undefined };
  const args = ['infer', model, '--data', `npy:${inputs}`, '--target', target, '--board', 'pynq-z1', '--save-outputs', saved, '--json', json];
  expect(await main(args, io)).toBe(0);
  const c = compareSavedOutputs(saved, fixture);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  const addTargets = (report.layers as { op: string; target: string }[]).filter((l) => l.op === 'add').map((l) => l.target);
  const cpuNodes = (report.layers as { node: string; target: string }[]).filter((l) => l.target === 'cpu').map((l) => l.node);
  return { rows: c.rows, identicalRows: c.identicalRows, exact: report.exact.identical, fraction: report.deviceMacFraction, addTargets, cpuNodes };
}
