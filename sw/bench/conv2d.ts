// `vta bench conv2d --workload resnet18`: the ten ResNet-18 conv2d layers (batch 1, int8) through the
// runtime and operator library on any Device, each checked against the integer reference, with cycles,
// GEMM utilization, the roofline bound of the default TSIM memory model and DRAM bytes. The bound uses the
// bytes of the instruction stream the runtime emitted (every LOAD/STORE's rows x elements x element bytes,
// pads excluded, plus the instructions): exact and the same on every target. The device's own byte
// counters are reported next to them (`counterBytes`; null where the device does not count loads).

import type { VtaConfig } from '../../hw/vta/config';
import type { Device } from '../../sim/device';
import { conv2d } from '../ops';
import { conv2dAccRef, requantize } from '../ops/reference';
import { Runtime } from '../runtime';
import { RooflinePoint, rooflineSvg } from './svg';

export interface ConvWorkload {
  name: string;
  H: number; W: number; C: number; O: number; K: number; pad: number; stride: number;
}

export const RESNET18: readonly ConvWorkload[] = [
  [56, 64, 64, 3, 1, 1], [56, 64, 128, 3, 1, 2], [56, 64, 128, 1, 0, 2],
  [28, 128, 128, 3, 1, 1], [28, 128, 256, 3, 1, 2], [28, 128, 256, 1, 0, 2],
  [14, 256, 256, 3, 1, 1], [14, 256, 512, 3, 1, 2], [14, 256, 512, 1, 0, 2],
  [7, 512, 512, 3, 1, 1],
].map(([H, C, O, K, pad, stride], i) => ({ name: `resnet18.c${i + 1}`, H, W: H, C, O, K, pad, stride }));

export const WORKLOADS: Record<string, readonly ConvWorkload[]> = { resnet18: RESNET18 };

/** The default TSIM memory model: a 64-bit bus moving one beat per cycle. */
export const DEFAULT_BYTES_PER_CYCLE = 8;

export interface LayerResult {
  name: string;
  shape: string;
  macs: number;
  cycles: number | null;
  utilization: number | null;
  bound: number;
  /** utilization / bound (null without cycles). */
  utilizationOverBound: number | null;
  correct: boolean;
  mismatches: number;
  /** DRAM bytes of the emitted instruction stream (data + instructions); the bound uses these. */
  dramBytes: number;
  dramBytesByKind: { inp: number; wgt: number; acc: number; uop: number; out: number; insn: number };
  /** DRAM data bytes as the device's counters saw them (LOAD + STORE, no instructions); null when it does not count loads. */
  counterBytes: number | null;
  counterBytesByKind: { inp: number; wgt: number; acc: number; uop: number; out: number };
  intensity: number;
  insns: number;
  plan: { tOC: number; tIC: number; tH: number; tW: number; weightsResident: boolean };
  wallSeconds: number;
}

export interface ConvBenchReport {
  workload: string;
  target: string;
  device: string;
  config: string;
  peakMacsPerCycle: number;
  bytesPerCycle: number;
  layers: LayerResult[];
  allCorrect: boolean;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
}

export async function runConvBench(
  device: Device, workload: readonly ConvWorkload[], opts: { workloadName: string; target: string; deviceName: string; log?: (s: string) => void },
): Promise<ConvBenchReport> {
  const cfg: VtaConfig = device.config;
  const peak = cfg.batch * cfg.blockIn * cfg.blockOut;
  const bpc = DEFAULT_BYTES_PER_CYCLE;
  const rt = new Runtime(device);
  const layers: LayerResult[] = [];
  for (const [li, l] of workload.entries()) {
    const rnd = lcg(1000 + li);
    const x = Int8Array.from({ length: l.C * l.H * l.W }, () => rnd() - 128);
    const w = Int8Array.from({ length: l.O * l.C * l.K * l.K }, () => rnd() - 128);
    const bias = Int32Array.from({ length: l.O }, () => (rnd() - 128) * 64);
    // a shift that keeps outputs inside int8 most of the time: log2 of sqrt(C*K*K) * 128 * 128 / 128
    const shift = Math.max(0, Math.round(Math.log2(Math.sqrt(l.C * l.K * l.K) * 128)));
    rt.resetStats();
    const t0 = Date.now();
    const got = await conv2d(rt, x, [1, l.C, l.H, l.W], w, [l.O, l.C, l.K, l.K], bias,
      { stride: l.stride, padding: l.pad, shift, relu: true, name: l.name });
    const { acc } = conv2dAccRef(x, [1, l.C, l.H, l.W], w, [l.O, l.C, l.K, l.K], bias, { stride: l.stride, padding: l.pad });
    let mismatches = 0;
    for (let i = 0; i < acc.length; i++) if (requantize(acc[i], { shift, relu: true }) !== got.out[i]) mismatches++;
    const c = rt.stats.counters;
    const OH = got.shape[2];
    const OW = got.shape[3];
    const macs = OH * OW * l.O * l.C * l.K * l.K;
    const byKind = { ...rt.stats.streamBytes };
    const dramBytes = byKind.inp + byKind.wgt + byKind.acc + byKind.uop + byKind.out + byKind.insn;
    const counterBytesByKind = { inp: c.inpLoadBytes, wgt: c.wgtLoadBytes, acc: c.accLoadBytes, uop: c.uopLoadBytes, out: c.outStoreBytes };
    const countsLoads = counterBytesByKind.inp + counterBytesByKind.wgt + counterBytesByKind.acc + counterBytesByKind.uop > 0;
    const counterBytes = countsLoads ? Object.values(counterBytesByKind).reduce((a, b) => a + b, 0) : null;
    const intensity = macs / dramBytes;
    const cycles = rt.stats.cycles;
    const bound = Math.min(1, (intensity * bpc) / peak);
    const r: LayerResult = {
      name: l.name,
      shape: `${l.H}x${l.W} ${l.C}->${l.O} ${l.K}x${l.K} p${l.pad} s${l.stride}`,
      macs, cycles,
      utilization: cycles ? macs / cycles / peak : null,
      bound,
      utilizationOverBound: cycles ? macs / cycles / peak / bound : null,
      correct: mismatches === 0,
      mismatches, dramBytes, dramBytesByKind: byKind, counterBytes, counterBytesByKind, intensity,
      insns: rt.stats.insns,
      plan: { tOC: got.plan.tOC, tIC: got.plan.tIC, tH: got.plan.tH, tW: got.plan.tW, weightsResident: got.plan.weightsResident },
      wallSeconds: (Date.now() - t0) / 1000,
    };
    layers.push(r);
    opts.log?.(`${r.name} ${r.shape}: ${r.correct ? 'correct' : `${mismatches} MISMATCHES`}, ${dramBytes} DRAM bytes, bound ${r.bound.toFixed(3)} (${r.wallSeconds.toFixed(1)} s)`);
  }
  return {
    workload: opts.workloadName, target: opts.target, device: opts.deviceName, config: cfg.name,
    peakMacsPerCycle: peak, bytesPerCycle: bpc, layers, allCorrect: layers.every((l) => l.correct),
  };
}

export function formatConvTable(rep: ConvBenchReport): string {
  const head = ['layer', 'shape', 'MMACs', 'ok', 'cycles', 'util', 'bound', 'util/bound', 'DRAM B', 'counted B', 'MAC/B', 'insns', 'tile oc/ic/h/w'];
  const rows = rep.layers.map((l) => [
    l.name, l.shape, (l.macs / 1e6).toFixed(1), l.correct ? 'yes' : 'NO', l.cycles === null ? '-' : String(l.cycles),
    l.utilization === null ? '-' : l.utilization.toFixed(3), l.bound.toFixed(3),
    l.utilization === null ? '-' : (l.utilization / l.bound).toFixed(3), String(l.dramBytes), l.counterBytes === null ? '-' : String(l.counterBytes),
    l.intensity.toFixed(1), String(l.insns), `${l.plan.tOC}/${l.plan.tIC}/${l.plan.tH}/${l.plan.tW}${l.plan.weightsResident ? ' W' : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') +
    `\npeak ${rep.peakMacsPerCycle} MACs/cycle, memory ${rep.bytesPerCycle} B/cycle; bound = min(1, MAC/B x ${rep.bytesPerCycle} / ${rep.peakMacsPerCycle});\n` +
    'DRAM B = bytes of the emitted instruction stream (LOAD/STORE data, pads excluded, + instructions), used by the bound; ' +
    'counted B = the device counters\' data bytes (- where the device does not count loads); W = weights resident';
}

export function convBenchSvg(rep: ConvBenchReport): string {
  const pts: RooflinePoint[] = rep.layers.map((l) => ({ name: l.name, intensity: l.intensity, bound: l.bound, utilization: l.utilization }));
  return rooflineSvg(pts, rep.bytesPerCycle, rep.peakMacsPerCycle, `${rep.workload} conv2d on ${rep.target} (${rep.config})`);
}
