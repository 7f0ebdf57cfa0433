// Input zero points for conv2d (TFLite's semantics: the sum runs over (x - z) * w for the taps inside the
// image; padding contributes nothing). The device multiplies raw x and pads with 0, so
//   sum_inside (x - z) w = sum_all x_pad w - z * sum_inside w.
// -z * (sum of all of a channel's weights) goes into the bias; at the border some taps fall outside and the
// device must add back z * (sum of the weights of those taps). That amount depends only on which kernel rows
// and columns fall outside, so output rows and columns fall into a few classes (by the bitmask of their
// outside kernel rows/columns) and each (row class, column class) pair off the interior gets one per-channel
// correction vector, added by the ALU over that rectangle of every tile: a handful of micro-ops per tile.

import type { VtaConfig } from '../../hw/vta/config';
import { Conv2dGeometry, outputSize } from './geometry';

export interface BorderClass {
  /** Output rows (absolute) of this class. */
  rows: number[];
  /** Runs [start, length) of output columns (absolute) of this class. */
  cols: [number, number][];
  /** Correction per (padded) output channel: z * sum of the weights of the outside taps. */
  values: Int32Array;
}

export interface ZeroPointPlan {
  /** -z * sum of each channel's weights (padded channels: 0). */
  biasDelta: Int32Array;
  borders: BorderClass[];
}

/** Bitmask of the kernel offsets (0..K-1) that fall outside [0, size) for output position `o`. */
function outsideMask(o: number, stride: number, padBefore: number, K: number, size: number): number {
  let m = 0;
  for (let k = 0; k < K; k++) {
    const i = o * stride - padBefore + k;
    if (i < 0 || i >= size) m |= 1 << k;
  }
  return m;
}

/** Plans the zero-point corrections from the packed weights [O/BO][ICg/BI][KH][KW][BO][BI]. */
export function planZeroPoint(cfg: VtaConfig, g: Conv2dGeometry, packedWeights: Int8Array, z: number): ZeroPointPlan {
  const BO = cfg.blockOut;
  const BI = cfg.blockIn;
  const ICBg = g.C / g.groups / BI;
  const KK = g.KH * g.KW;
  // tap[o][ky*KW+kx] = sum over the input channels of w[o, i, ky, kx]
  const tap = new Float64Array(g.O * KK);
  for (let ob = 0; ob < g.O / BO; ob++) {
    for (let ib = 0; ib < ICBg; ib++) {
      for (let t = 0; t < KK; t++) {
        const base = ((ob * ICBg + ib) * KK + t) * BO * BI;
        for (let oi = 0; oi < BO; oi++) {
          let s = 0;
          for (let ii = 0; ii < BI; ii++) s += packedWeights[base + oi * BI + ii];
          tap[(ob * BO + oi) * KK + t] += s;
        }
      }
    }
  }
  const biasDelta = new Int32Array(g.O);
  for (let o = 0; o < g.O; o++) {
    let s = 0;
    for (let t = 0; t < KK; t++) s += tap[o * KK + t];
    biasDelta[o] = -z * s;
  }
  const borders: BorderClass[] = [];
  for (const { rm, cm, rows, cols } of borderClasses(g)) {
    const values = new Int32Array(g.O);
    for (let o = 0; o < g.O; o++) {
      let s = 0;
      for (let ky = 0; ky < g.KH; ky++) {
        for (let kx = 0; kx < g.KW; kx++) if ((rm >> ky) & 1 || (cm >> kx) & 1) s += tap[o * KK + ky * g.KW + kx];
      }
      values[o] = z * s;
    }
    borders.push({ rows, cols, values });
  }
  return { biasDelta, borders };
}

/** The output's border classes: (outside kernel rows mask, outside kernel columns mask) off the interior. */
export function borderClasses(g: Conv2dGeometry): { rm: number; cm: number; rows: number[]; cols: [number, number][] }[] {
  const { OH, OW } = outputSize(g);
  const rowClasses = new Map<number, number[]>();
  for (let y = 0; y < OH; y++) {
    const m = outsideMask(y, g.strideH, g.padTop, g.KH, g.H);
    rowClasses.set(m, [...(rowClasses.get(m) ?? []), y]);
  }
  const colClasses = new Map<number, [number, number][]>();
  for (let x = 0; x < OW; x++) {
    const m = outsideMask(x, g.strideW, g.padLeft, g.KW, g.W);
    const runs = colClasses.get(m) ?? [];
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === x) last[1]++;
    else runs.push([x, 1]);
    colClasses.set(m, runs);
  }
  const out: { rm: number; cm: number; rows: number[]; cols: [number, number][] }[] = [];
  for (const [rm, rows] of rowClasses) for (const [cm, cols] of colClasses) if (rm || cm) out.push({ rm, cm, rows, cols });
  return out;
}
