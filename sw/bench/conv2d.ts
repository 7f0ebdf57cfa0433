// `vta bench conv2d --workload resnet18`: the ten ResNet-18 conv2d layers (batch 1, int8) through the
// runtime and operator library on any Device, each checked against the integer reference, with cycles,
// GEMM utilization, the roofline bound of the default TSIM memory model and DRAM bytes. The bound uses the
// bytes of the instruction stream the runtime emitted (every LOAD/STORE's rows x elements x element bytes,
// pads excluded, plus the instructions): exact and the same on every target. The device's own byte
// counters are reported next to them (`counterBytes`; null where the device does not count loads).

import type { VtaConfig } from '../../hw/vta/config';
import type { Device } from '../../sim/device';
import type { Conv2dPlan } from '../ops';
import { Runtime } from '../runtime';
import { LayerSpec, layerMacs, layerShape, runLayer } from '../workloads/layers';
import { NETWORKS } from '../workloads/networks';
import { RooflinePoint, rooflineSvg } from './svg';

export { RESNET18 } from '../workloads/networks';
export const WORKLOADS: Record<string, readonly LayerSpec[]> = NETWORKS;

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
  plan: { tOC: number; tIC: number; tH: number; tW: number; weightsResident: boolean; ocThreads: number; hThreads: number };
  /** Where the plan came from: the planner, or a schedule database record. */
  schedule: 'planner' | 'tuned';
  /** With a database record: the planner's cycles on the same device (null on fsim), for comparison. */
  plannerCycles: number | null;
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

/** A schedule database lookup: the tuned plan of a layer, if there is one. */
export type ScheduleLookup = (layer: LayerSpec) => Conv2dPlan | undefined;

export async function runConvBench(
  device: Device,
  workload: readonly LayerSpec[],
  opts: { workloadName: string; target: string; deviceName: string; log?: (s: string) => void; schedules?: ScheduleLookup },
): Promise<ConvBenchReport> {
  const cfg: VtaConfig = device.config;
  const peak = cfg.batch * cfg.blockIn * cfg.blockOut;
  const bpc = DEFAULT_BYTES_PER_CYCLE;
  const layers: LayerResult[] = [];
  // every run starts from a cold micro-op cache (a fresh Runtime), as the tuner measures: cycles compare
  for (const [li, l] of workload.entries()) {
    const t0 = Date.now();
    const tuned = opts.schedules?.(l);
    let plannerCycles: number | null = null;
    if (tuned) {
      // the planner's run first, for the comparison column
      const prt = new Runtime(device);
      await runLayer(prt, l, 1000 + li);
      plannerCycles = prt.stats.cycles;
    }
    const rt = new Runtime(device);
    const got = await runLayer(rt, l, 1000 + li, tuned);
    const c = rt.stats.counters;
    const macs = layerMacs(l);
    const byKind = { ...rt.stats.streamBytes };
    const dramBytes = byKind.inp + byKind.wgt + byKind.acc + byKind.uop + byKind.out + byKind.insn;
    const counterBytesByKind = { inp: c.inpLoadBytes, wgt: c.wgtLoadBytes, acc: c.accLoadBytes, uop: c.uopLoadBytes, out: c.outStoreBytes };
    const countsLoads = counterBytesByKind.inp + counterBytesByKind.wgt + counterBytesByKind.acc + counterBytesByKind.uop > 0;
    const counterBytes = countsLoads ? Object.values(counterBytesByKind).reduce((a, b) => a + b, 0) : null;
    const intensity = macs / dramBytes;
    const cycles = rt.stats.cycles;
    const bound = Math.min(1, (intensity * bpc) / peak);
    const p = got.plan;
    const r: LayerResult = {
      name: l.name,
      shape: layerShape(l),
      macs,
      cycles,
      utilization: cycles ? macs / cycles / peak : null,
      bound,
      utilizationOverBound: cycles ? macs / cycles / peak / bound : null,
      correct: got.correct,
      mismatches: got.mismatches,
      dramBytes,
      dramBytesByKind: byKind,
      counterBytes,
      counterBytesByKind,
      intensity,
      insns: rt.stats.insns,
      plan: { tOC: p.tOC, tIC: p.tIC, tH: p.tH, tW: p.tW, weightsResident: p.weightsResident, ocThreads: p.ocThreads ?? 2, hThreads: p.hThreads ?? 1 },
      schedule: tuned ? 'tuned' : 'planner',
      plannerCycles: tuned ? plannerCycles : cycles,
      wallSeconds: (Date.now() - t0) / 1000,
    };
    layers.push(r);
    opts.log?.(
      `${r.name} ${r.shape}: ${r.correct ? 'correct' : `${r.mismatches} MISMATCHES`}, ${dramBytes} DRAM bytes, bound ${r.bound.toFixed(3)}${tuned ? `, tuned schedule (planner ${plannerCycles ?? '-'} cycles, tuned ${cycles ?? '-'})` : ''} (${r.wallSeconds.toFixed(1)} s)`,
    );
  }
  return {
    workload: opts.workloadName,
    target: opts.target,
    device: opts.deviceName,
    config: cfg.name,
    peakMacsPerCycle: peak,
    bytesPerCycle: bpc,
    layers,
    allCorrect: layers.every((l) => l.correct),
  };
}

export function formatConvTable(rep: ConvBenchReport): string {
  const head = [
    'layer',
    'shape',
    'MMACs',
    'ok',
    'planner cyc',
    'cycles',
    'tuned/plan',
    'util',
    'bound',
    'util/bound',
    'DRAM B',
    'counted B',
    'MAC/B',
    'insns',
    'tile oc/ic/h/w thr',
  ];
  const rows = rep.layers.map((l) => [
    l.name,
    l.shape,
    (l.macs / 1e6).toFixed(1),
    l.correct ? 'yes' : 'NO',
    l.plannerCycles === null ? '-' : String(l.plannerCycles),
    l.cycles === null ? '-' : `${l.cycles}${l.schedule === 'tuned' ? ' T' : ''}`,
    l.schedule === 'tuned' && l.cycles !== null && l.plannerCycles ? (l.cycles / l.plannerCycles).toFixed(3) : '-',
    l.utilization === null ? '-' : l.utilization.toFixed(3),
    l.bound.toFixed(3),
    l.utilization === null ? '-' : (l.utilization / l.bound).toFixed(3),
    String(l.dramBytes),
    l.counterBytes === null ? '-' : String(l.counterBytes),
    l.intensity.toFixed(1),
    String(l.insns),
    `${l.plan.tOC}/${l.plan.tIC}/${l.plan.tH}/${l.plan.tW} ${l.plan.ocThreads}x${l.plan.hThreads}${l.plan.weightsResident ? ' W' : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return (
    [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') +
    `\npeak ${rep.peakMacsPerCycle} MACs/cycle, memory ${rep.bytesPerCycle} B/cycle; bound = min(1, MAC/B x ${rep.bytesPerCycle} / ${rep.peakMacsPerCycle});\n` +
    'DRAM B = bytes of the emitted instruction stream (LOAD/STORE data, pads excluded, + instructions), used by the bound; ' +
    "counted B = the device counters' data bytes (- where the device does not count loads); T = a tuned schedule from the database " +
    "(planner cyc: the planner's tiling on the same device); thr = virtual threads oc x h; W = weights resident"
  );
}

export function convBenchSvg(rep: ConvBenchReport): string {
  const pts: RooflinePoint[] = rep.layers.map((l) => ({ name: l.name, intensity: l.intensity, bound: l.bound, utilization: l.utilization }));
  return rooflineSvg(pts, rep.bytesPerCycle, rep.peakMacsPerCycle, `${rep.workload} conv2d on ${rep.target} (${rep.config})`);
}
