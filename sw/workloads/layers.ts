// Tunable layers: one operator instance (conv2d, dense, transposed conv2d) with its shapes, the packed
// conv2d geometry it runs as, its workload key for the schedule database, and a seeded run through the
// operator library checked against the integer reference (what `vta bench conv2d` and `vta tune` measure).

import type { VtaConfig } from '../../hw/vta/config';
import { conv2d, conv2dTranspose, conv2dTransposeAsConv2d, Conv2dGeometry, Conv2dPlan, dense, denseAsConv2d, packedConv2dGeometry, planConv2d } from '../ops';
import { conv2dAccRef, conv2dTransposeRef, denseRef, requantize } from '../ops/reference';
import type { Runtime } from '../runtime';

export type LayerSpec =
  | {
      op: 'conv2d';
      name: string;
      N: number;
      C: number;
      H: number;
      W: number;
      O: number;
      KH: number;
      KW: number;
      stride: [number, number];
      padding: [number, number, number, number];
      groups: number;
    }
  | { op: 'dense'; name: string; M: number; K: number; N: number }
  | {
      op: 'conv2d_transpose';
      name: string;
      N: number;
      C: number;
      H: number;
      W: number;
      O: number;
      KH: number;
      KW: number;
      stride: number;
      padding: number;
      outputPadding: number;
    };

export type LayerOp = LayerSpec['op'];

/** A square conv2d of batch 1 (ResNet-style): H x H input, C -> O channels, K x K kernel. */
export function squareConv(name: string, H: number, C: number, O: number, K: number, pad: number, stride: number, groups = 1): LayerSpec {
  return { op: 'conv2d', name, N: 1, C, H, W: H, O, KH: K, KW: K, stride: [stride, stride], padding: [pad, pad, pad, pad], groups };
}

/** The conv2d `l` runs as: its NCHW input and OIHW weight shapes and options. */
function asConv2d(cfg: VtaConfig, l: LayerSpec) {
  switch (l.op) {
    case 'conv2d':
      return {
        xShape: [l.N, l.C, l.H, l.W] as const,
        wShape: [l.O, l.C / l.groups, l.KH, l.KW] as const,
        stride: l.stride,
        padding: l.padding,
        groups: l.groups,
      };
    case 'dense': {
      const d = denseAsConv2d(cfg, l.M, l.K, l.N);
      return { ...d, stride: [1, 1] as [number, number], padding: [0, 0, 0, 0] as [number, number, number, number], groups: 1 };
    }
    case 'conv2d_transpose': {
      const t = conv2dTransposeAsConv2d([l.N, l.C, l.H, l.W], [l.C, l.O, l.KH, l.KW], l.stride, l.padding, l.outputPadding);
      return { ...t, stride: [1, 1] as [number, number], groups: 1 };
    }
  }
}

/** The packed conv2d geometry the layer runs as on `cfg`. */
export function layerGeometry(cfg: VtaConfig, l: LayerSpec): Conv2dGeometry {
  const c = asConv2d(cfg, l);
  return packedConv2dGeometry(cfg, c.xShape, c.wShape, c);
}

export function layerMacs(l: LayerSpec): number {
  switch (l.op) {
    case 'dense':
      return l.M * l.K * l.N;
    case 'conv2d': {
      const OH = Math.floor((l.H + l.padding[0] + l.padding[1] - l.KH) / l.stride[0]) + 1;
      const OW = Math.floor((l.W + l.padding[2] + l.padding[3] - l.KW) / l.stride[1]) + 1;
      return l.N * l.O * OH * OW * (l.C / l.groups) * l.KH * l.KW;
    }
    case 'conv2d_transpose':
      return l.N * l.C * l.H * l.W * l.O * l.KH * l.KW;
  }
}

export function layerShape(l: LayerSpec): string {
  switch (l.op) {
    case 'dense':
      return `dense ${l.M}x${l.K} -> ${l.N}`;
    case 'conv2d':
      return `${l.H}x${l.W} ${l.C}->${l.O} ${l.KH}x${l.KW} p${l.padding[0]} s${l.stride[0]}${l.groups > 1 ? ` g${l.groups}` : ''}`;
    case 'conv2d_transpose':
      return `T ${l.H}x${l.W} ${l.C}->${l.O} ${l.KH}x${l.KW} p${l.padding} s${l.stride}`;
  }
}

/**
 * The workload the schedule database keys: the VTA operator every layer runs as (a packed conv2d; dense
 * and transposed conv2d map onto it), its shapes, strides, padding and groups, layouts and data types.
 * Layers that run as the same packed conv2d share schedules, whatever their name or source operator, so
 * the graph compiler, which sees only the packed geometry, finds them too.
 */
export function geometryKey(cfg: VtaConfig, g: Conv2dGeometry): Record<string, unknown> {
  const layout = { input: `NCHW${cfg.batch}n${cfg.blockIn}c`, weight: `OIHW${cfg.blockOut}o${cfg.blockIn}i`, output: `NCHW${cfg.batch}n${cfg.blockOut}c` };
  const dtype = { input: `int${cfg.inpBits}`, weight: `int${cfg.wgtBits}`, accumulator: `int${cfg.accBits}`, output: `int${cfg.outBits}` };
  return {
    operator: 'vta.conv2d',
    input: [g.N, g.C, g.H, g.W],
    weight: [g.O, g.C / g.groups, g.KH, g.KW],
    strides: [g.strideH, g.strideW],
    padding: [g.padTop, g.padBottom, g.padLeft, g.padRight],
    groups: g.groups,
    layout,
    dtype,
  };
}

export function workloadKey(cfg: VtaConfig, l: LayerSpec): Record<string, unknown> {
  return geometryKey(cfg, layerGeometry(cfg, l));
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

export interface LayerRun {
  correct: boolean;
  mismatches: number;
  plan: Conv2dPlan;
  /** NCHW output shape. */
  outShape: readonly number[];
}

/**
 * Runs the layer once on `rt`'s device with seeded int8 data, int32 biases and a ReLU epilogue (a shift that
 * keeps outputs mostly inside int8), with `plan` or the planner's tiling, and checks every output value
 * against the integer reference. Cycles and bytes are in `rt.stats` afterwards.
 */
export async function runLayer(rt: Runtime, l: LayerSpec, seed: number, chosen?: Conv2dPlan): Promise<LayerRun> {
  const rnd = lcg(seed);
  const plan = chosen ?? planConv2d(rt.config, layerGeometry(rt.config, l), true, l.name);
  const c = asConv2d(rt.config, l);
  const [O, Ig, KH, KW] = l.op === 'dense' ? [l.N, l.K, 1, 1] : [l.O, l.C / (l.op === 'conv2d' ? l.groups : 1), l.KH, l.KW];
  const taps = Ig * KH * KW;
  const shift = Math.max(0, Math.round(Math.log2(Math.sqrt(taps) * 128)));
  const r = { shift, relu: true };
  const bias = Int32Array.from({ length: O }, () => (rnd() - 128) * 64);
  switch (l.op) {
    case 'conv2d': {
      const x = Int8Array.from({ length: l.N * l.C * l.H * l.W }, () => rnd() - 128);
      const w = Int8Array.from({ length: O * Ig * KH * KW }, () => rnd() - 128);
      const got = await conv2d(rt, x, c.xShape, w, c.wShape, bias, { stride: l.stride, padding: l.padding, groups: l.groups, ...r, plan, name: l.name });
      const { acc } = conv2dAccRef(x, c.xShape, w, c.wShape, bias, { stride: l.stride, padding: l.padding, groups: l.groups });
      let mismatches = 0;
      for (let i = 0; i < acc.length; i++) if (requantize(acc[i], r) !== got.out[i]) mismatches++;
      return { correct: mismatches === 0, mismatches, plan: got.plan, outShape: got.shape };
    }
    case 'dense': {
      const x = Int8Array.from({ length: l.M * l.K }, () => rnd() - 128);
      const w = Int8Array.from({ length: l.N * l.K }, () => rnd() - 128);
      const got = await dense(rt, x, l.M, l.K, w, l.N, bias, { ...r, plan, name: l.name });
      const want = denseRef(x, l.M, l.K, w, l.N, bias, r);
      let mismatches = 0;
      for (let i = 0; i < want.out.length; i++) if (want.out[i] !== got.out[i]) mismatches++;
      return { correct: mismatches === 0, mismatches, plan, outShape: [l.M, l.N] };
    }
    case 'conv2d_transpose': {
      const x = Int8Array.from({ length: l.N * l.C * l.H * l.W }, () => rnd() - 128);
      const w = Int8Array.from({ length: l.C * O * KH * KW }, () => rnd() - 128);
      const got = await conv2dTranspose(rt, x, [l.N, l.C, l.H, l.W], w, [l.C, l.O, l.KH, l.KW], bias, {
        stride: l.stride,
        padding: l.padding,
        outputPadding: l.outputPadding,
        ...r,
        plan,
        name: l.name,
      });
      const want = conv2dTransposeRef(x, [l.N, l.C, l.H, l.W], w, [l.C, l.O, l.KH, l.KW], bias, l.stride, l.padding, l.outputPadding, r);
      let mismatches = 0;
      for (let i = 0; i < want.out.length; i++) if (want.out[i] !== got.out[i]) mismatches++;
      return { correct: mismatches === 0, mismatches, plan, outShape: got.shape };
    }
  }
}
