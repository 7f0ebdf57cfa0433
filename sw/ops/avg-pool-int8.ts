// Average pool of an int8 activation whose padding does not count (TFLite's SAME average pool), exact on a core
// with the requantization stage. Border windows hold fewer values than the others, so it is not one depthwise
// GEMM: the input rows are copied into ACC as w times the values (one GEMM micro-op a vector against w times an
// identity block; the load unit's pads are 0 and add nothing), the tensor ALU adds each window up, and one ALU
// REQ per rectangle of output positions whose windows hold the same number of values divides by that number
// with the Q31 rule given for it (the compiler's fixed-point.ts exactAverages: checked on every window sum).

import { MEM_TYPE_REQ, RequantParam } from '../../hw/vta/requant';
import type { DeviceBuffer, Runtime } from '../runtime';
import { addGemmIssue, scaledIdentities } from './add-gemm';
import { checkPool, emitPoolWindows, PoolGeometry, poolTiles } from './alu';
import { int8PoolPipeline } from './pool-int8';
import { stageParamTable } from './epilogue';
import { OperatorError } from './errors';

/** The weight every value is copied with, and the Q31 rule dividing a window sum by each count. */
export interface AverageRules {
  weight: number;
  byCount: ReadonlyMap<number, { multiplier: number; exponent: number }>;
}

/** How many of the K window positions starting at o*s - p fall inside [0, len), for each output index o. */
export function windowCounts(n: number, len: number, K: number, s: number, p: number): number[] {
  return Array.from({ length: n }, (_, o) => {
    const lo = Math.max(0, o * s - p);
    const hi = Math.min(len, o * s - p + K);
    return Math.max(0, hi - lo);
  });
}

/** Runs of equal values: [start, length, value]. */
function runs(v: readonly number[]): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let i = 0; i < v.length; i++) {
    if (out.length && out[out.length - 1][2] === v[i]) out[out.length - 1][1]++;
    else out.push([i, 1, v[i]]);
  }
  return out;
}

export async function avgPoolInt8(
  rt: Runtime,
  input: DeviceBuffer,
  out: DeviceBuffer,
  g: PoolGeometry,
  rules: AverageRules,
  name = 'avg_pool2d',
): Promise<void> {
  const cfg = rt.config;
  if (!cfg.requant) throw new OperatorError(`${name}: the average pool divides in the requantization stage; this configuration has REQUANT_BUFF_DEPTH 0`);
  const issue = addGemmIssue(cfg);
  if (issue) throw new OperatorError(`${name}: ${issue}`);
  const { kernel: K, stride: s, pad: p } = g;
  const vec = cfg.tensor.out.elemBytes;
  const { OH, OW } = checkPool(name, g, input, out, vec, vec);
  const cy = windowCounts(OH, g.H, K, s, p);
  const cx = windowCounts(OW, g.W, K, s, p);
  const counts = [...new Set(cy.flatMap((a) => cx.map((b) => a * b)))].sort((a, b) => a - b);
  if (counts.includes(0)) throw new OperatorError(`${name}: a window holds no value of the ${g.H}x${g.W} input`);
  if (counts.length > cfg.requant.depth)
    throw new OperatorError(`${name}: ${counts.length} window sizes need more parameter entries than the stage's ${cfg.requant.depth}`);
  if (!Number.isInteger(rules.weight) || rules.weight === 0 || Math.abs(rules.weight) > 127)
    throw new OperatorError(`${name}: weight ${rules.weight} is not a non-zero int8`);
  const entry = new Map(counts.map((c, i) => [c, i]));
  const table = new Uint8Array(counts.length * cfg.requant.elemBytes);
  counts.forEach((c, i) => {
    const r = rules.byCount.get(c);
    if (!r) throw new OperatorError(`${name}: no rule for windows of ${c} values`);
    const param: RequantParam = { mode: 'q31', multiplier: r.multiplier, exponent: r.exponent, zeroPoint: 0, min: -128, max: 127 };
    table.set(stageParamTable(cfg, Array<RequantParam>(cfg.blockOut).fill(param), cfg.blockOut, name), i * cfg.requant!.elemBytes);
  });

  const inpSlot = cfg.tensor.inp.depth >> 1;
  const accSlot = cfg.tensor.acc.depth >> 1;
  const inCols = (OW - 1) * s + K;
  const tiles = poolTiles(name, g, OH, OW, (th, inRows) => inRows * inCols <= inpSlot && inRows * inCols + th * OW <= accSlot, 'INP and ACC buffers');
  const wgt = scaledIdentities(rt, [rules.weight]);
  const req = rt.alloc(table.byteLength);
  rt.copyToDevice(req, table);

  try {
    await int8PoolPipeline(
      rt,
      name,
      { input, out, W: g.W, OH, OW, inCols },
      tiles,
      { buf: wgt, entries: 1 },
      {
        // w times the values into ACC, the window sums, one REQ per rectangle of equal counts
        beforeCopy: ({ t }) => {
          if (t === 0) rt.loadBuffer2D(req, 0, MEM_TYPE_REQ, 0, 1, counts.length, counts.length);
        },
        windows: ({ outBase, inBase, tile: { oh0, th } }) => {
          emitPoolWindows(rt, outBase, inBase, th, OW, K, s, inCols, { combine: 'ADD' });
          for (const [r0, nr, a] of runs(cy.slice(oh0, oh0 + th))) {
            for (const [c0, nc, b] of runs(cx)) {
              const e = entry.get(a * b)!;
              const at = outBase + r0 * OW + c0;
              rt.pushRequant(rt.kernel(`avg-req:a${at}:p${e}:${nr}x${nc}:w${OW}`, (k) => k.loop(nr, OW, 0).loop(nc, 1, 0).push(at, e)));
            }
          }
        },
      },
    );
  } finally {
    rt.free(wgt);
    rt.free(req);
  }
}
