// Pooling: max_pool (on VTA by the ALU's MAX over int8 copied into ACC by GEMMs, or int32 uploads), avg_pool
// and global_avg_pool (on VTA as the depthwise convolutions lower-gemm.ts makes of them; an avg_pool that does
// not count its pads, on a core with the requantization stage, by avg-pool-int8.ts).

import type { VtaConfig } from '../../../hw/vta/config';
import { maxPoolPacked, PoolGeometry } from '../../ops/alu';
import { AverageRules, avgPoolInt8, windowCounts } from '../../ops/avg-pool-int8';
import { addGemmIssue } from '../../ops/add-gemm';
import { roundUp } from '../../ops/layout';
import { maxPoolInt8 } from '../../ops/pool-int8';
import { pool } from '../exec/kernels';
import { exactAverages, tfliteAverage } from '../fixed-point';
import { CompileError, elementCount, Graph, NodeOf } from '../ir';
import { convOutHW, lowerBound, zeroPointOf } from './common';
import type { OperatorDef, RunContext, Value } from './types';

type WindowPool = NodeOf<'max_pool'> | NodeOf<'avg_pool'>;

function poolShape(n: WindowPool, s: (i: number) => number[], need: (cond: boolean, what: string) => void): number[][] {
  const [N, C, H, W] = s(0);
  const [kh, kw] = n.attrs.kernel;
  const [OH, OW] = convOutHW(H, W, kh, kw, n.attrs.strides, n.attrs.pads);
  need(OH >= 1 && OW >= 1, `the ${kh}x${kw} window does not fit the padded ${H}x${W} input`);
  return [[N, C, OH, OW]];
}

function poolFloat(n: WindowPool, { get, inShape, out: o, size }: RunContext<Float32Array>): Float32Array {
  const x = get(n.inputs[0]);
  const out = new Float32Array(size);
  const [, , OH, OW] = o.shape;
  const max = n.op === 'max_pool';
  const incl = n.attrs.countIncludePad;
  pool(x, inShape(0), n.attrs.kernel, n.attrs.strides, n.attrs.pads, OH, OW, out, (v, padded) =>
    max ? Math.max(...v) : v.reduce((a, b) => a + b, 0) / (incl ? padded : v.length),
  );
  return out;
}

function poolInt8(n: WindowPool, { g, get, inShape, out: o, size }: RunContext<Value>): Value {
  const x = get(n.inputs[0]);
  const out = new Int8Array(size);
  const z = zeroPointOf(g, n.inputs[0]);
  const incl = n.attrs.countIncludePad;
  // Max: over the values inside the image (TFLite and ONNX leave pads out). Average: TFLite's int8 rule,
  // the raw int8 values summed and divided rounding half away from zero (around 0, not the zero point)
  pool(
    x,
    inShape(0),
    n.attrs.kernel,
    n.attrs.strides,
    n.attrs.pads,
    o.shape[2],
    o.shape[3],
    out,
    n.op === 'max_pool'
      ? (v) => Math.max(...v)
      : (v, padded) => tfliteAverage(v.reduce((a, c) => a + c, 0) + (incl ? (padded - v.length) * z : 0), incl ? padded : v.length),
  );
  return out;
}

/** Why VTA's pool kernels cannot take this window (they take one square window, stride and pad), or null. */
function windowIssue(n: WindowPool): string | null {
  const [kh, kw] = n.attrs.kernel;
  const [sh, sw] = n.attrs.strides;
  const p = n.attrs.pads;
  if (kh !== kw || sh !== sw || p.some((x) => x !== p[0])) return 'only square windows, equal strides and equal pads';
  if (p[0] >= kh || p[0] > 15) return `pad ${p[0]} must be below the window (${kh}) and at most 15`;
  return null;
}

/** The window and packed planes the pool kernels take (sw/ops alu.ts PoolGeometry). */
function poolWindow(cfg: VtaConfig, g: Graph, n: WindowPool): PoolGeometry {
  const [N, C, H, W] = g.tensors[n.inputs[0]].shape;
  const { kernel, strides, pads } = n.attrs;
  return { NB: roundUp(N, cfg.batch) / cfg.batch, CB: roundUp(C, cfg.blockOut) / cfg.blockOut, H, W, kernel: kernel[0], stride: strides[0], pad: pads[0] };
}

/** A zero pad could be the maximum of some padded window: the pool has pads and its input can be below 0. */
function zeroPadsWin(g: Graph, n: NodeOf<'max_pool'>): boolean {
  return n.attrs.pads.some((x) => x > 0) && !(lowerBound(g, n.inputs[0]) >= 0);
}

export const maxPool: OperatorDef<'max_pool'> = {
  keepsScale: true,
  inferShape: poolShape,
  runFloat: poolFloat,
  runInt8: poolInt8,
  deviceSupport(n, g, cfg) {
    const window = windowIssue(n);
    if (window) return window;
    // the frameworks leave pads out of the max (a zero point changes nothing else: the max is monotone); the
    // int8 kernel keeps VTA's zero pads out exactly, the int32 one only where no value is below 0
    if (zeroPadsWin(g, n) && addGemmIssue(cfg) !== null)
      return `its padded windows may hold only negative values, where the zero pads VTA loads would win (the frameworks leave pads out; the int8 max-pool that keeps them out needs this: ${addGemmIssue(cfg)})`;
    return null;
  },
  async emit(n, c) {
    const { cfg } = c;
    const output = c.outputBuf(n.outputs[0]);
    const window = poolWindow(cfg, c.g, n);
    // int8 input where it is, copied into ACC by GEMMs; else as int32 through the host
    if (addGemmIssue(cfg) === null) await maxPoolInt8(c.rt, c.inpOperand(n.inputs[0]), output, window, {}, n.name, { excludePads: zeroPadsWin(c.g, n) });
    else await maxPoolPacked(c.rt, c.upload(n.inputs[0], 'acc'), output, window, {}, n.name);
    c.place(n.outputs[0], { buf: output, form: 'act' });
    return { macs: 0 };
  },
  writesSlices: true,
};

/**
 * An average pool that does not count its pads (TFLite's SAME) on VTA: the window sizes of its output positions
 * and their exact rules (avg-pool-int8.ts), or why it cannot run there. Others were rewritten by lower-gemm.ts.
 */
function excludedPadAverage(g: Graph, n: NodeOf<'avg_pool'>, cfg: VtaConfig): { window: PoolGeometry; rules: AverageRules } | string {
  const p = n.attrs.pads;
  if (!(p.some((x) => x !== 0) && !n.attrs.countIncludePad)) return 'its rescaling has no GEMM form here (a multiplier that rounds to 0)';
  const why = 'its padded border windows divide by fewer values than the others (the pads are not counted)';
  if (!cfg.requant) return `${why}, which VTA divides exactly only in the requantization stage (REQUANT_BUFF_DEPTH 0 here)`;
  const issue = addGemmIssue(cfg);
  if (issue) return `${why}; the int8 average pool that handles them needs this: ${issue}`;
  const shape = windowIssue(n);
  if (shape) return `${why}; on VTA ${shape}`;
  const x = g.tensors[n.inputs[0]];
  const y = g.tensors[n.outputs[0]];
  if (x.quant?.scale[0] !== y.quant?.scale[0] || zeroPointOf(g, n.inputs[0]) !== zeroPointOf(g, n.outputs[0]))
    return `${why}; on VTA only with the input's scale and zero point kept (TFLite's rule)`;
  const window = poolWindow(cfg, g, n);
  const [, , OH, OW] = y.shape;
  const cy = windowCounts(OH, window.H, window.kernel, window.stride, window.pad);
  const cx = windowCounts(OW, window.W, window.kernel, window.stride, window.pad);
  const counts = [...new Set(cy.flatMap((a) => cx.map((b) => a * b)))];
  if (counts.length > cfg.requant.depth) return `${why}; its ${counts.length} window sizes need more parameter entries than the stage's ${cfg.requant.depth}`;
  const exact = exactAverages(counts);
  if (!exact) return `${why}; no int8 weight gives every window size an exact Q31 rule`;
  return {
    window,
    rules: { weight: exact[0].weight, byCount: new Map(counts.map((c, i) => [c, exact[i]])) },
  };
}

export const avgPool: OperatorDef<'avg_pool'> = {
  keepsScale: true,
  inferShape: poolShape,
  runFloat: poolFloat,
  runInt8: poolInt8,
  deviceSupport(n, g, cfg) {
    const plan = excludedPadAverage(g, n, cfg);
    return typeof plan === 'string' ? plan : null;
  },
  async emit(n, c) {
    const plan = excludedPadAverage(c.g, n, c.cfg);
    if (typeof plan === 'string') throw new CompileError(`codegen: node ${n.name} (avg_pool): ${plan}`);
    const output = c.outputBuf(n.outputs[0]);
    await avgPoolInt8(c.rt, c.inpOperand(n.inputs[0]), output, plan.window, plan.rules, n.name);
    c.place(n.outputs[0], { buf: output, form: 'act' });
    return { macs: 0 };
  },
  writesSlices: true,
};

function roundDiv(s: number, d: number): number {
  return Math.sign(s) * Math.floor((Math.abs(s) + d / 2) / d);
}

export const globalAvgPool: OperatorDef<'global_avg_pool'> = {
  keepsScale: true,
  inferShape(_n, s) {
    const [N, C] = s(0);
    return [[N, C, 1, 1]];
  },
  runFloat(n, { get, inShape, size }) {
    const x = get(n.inputs[0]);
    const out = new Float32Array(size);
    const inner = elementCount(inShape(0).slice(2));
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += x[i * inner + k];
      out[i] = s / inner;
    }
    return out;
  },
  runInt8(n, { g, get, inShape, size }) {
    const x = get(n.inputs[0]);
    const inner = elementCount(inShape(0).slice(2));
    const z = zeroPointOf(g, n.inputs[0]);
    return Int8Array.from({ length: size }, (_, i) => {
      let s = 0;
      for (let k = 0; k < inner; k++) s += x[i * inner + k] - z;
      return z + roundDiv(s, inner);
    });
  },
};
