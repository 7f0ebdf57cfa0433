// Search spaces of the VTA operator templates, as TVM defines them: conv2d (plain, grouped, transposed)
// splits batch, output rows and columns, input and output channel blocks (tile_b/h/w/ci/co) and has the
// virtual-thread knobs oc_nthread and h_nthread in {1, 2}; dense splits batch rows, input and output
// channel blocks (tile_b/ci/co) with oc_nthread. Knob values here are tile sizes (the inner split): rows,
// columns and channel blocks per tile. Every point is checked before it runs; illegal ones are pruned
// with the reason (a buffer slot overflows, a loop extent or the micro-op budget is exceeded).

import type { VtaConfig } from '../../hw/vta/config';
import { conv2dPlanIssue, Conv2dPlan, estimateConv2dPlan, outputSize } from '../ops';
import { LayerSpec, layerGeometry } from '../workloads/layers';

export interface Knobs {
  tile_b: number;
  tile_ci: number;
  tile_co: number;
  oc_nthread: number;
  /** conv2d only */
  tile_h?: number;
  tile_w?: number;
  h_nthread?: number;
}

export interface Candidate {
  knobs: Knobs;
  /** The operator's plan, with the cost model's cycles (estCycles). */
  plan: Conv2dPlan;
}

export interface SearchSpace {
  /** Points of the template's space. */
  size: number;
  legal: Candidate[];
  pruned: { knobs: Knobs; reason: string }[];
}

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

/** The distinct tile sizes that split `n` into k = 1..n tiles (edge tiles may be smaller). */
function splits(n: number): number[] {
  const s = new Set<number>();
  for (let k = 1; k <= n; k++) s.add(Math.ceil(n / k));
  return [...s].sort((a, b) => a - b);
}

/** The operator plan a point of the space means (the dense template runs as a 1 x rows conv2d). */
export function knobsToPlan(op: LayerSpec['op'], k: Knobs): Pick<Conv2dPlan, 'tOC' | 'tIC' | 'tH' | 'tW' | 'ocThreads' | 'hThreads'> {
  if (op === 'dense') return { tOC: k.tile_co, tIC: k.tile_ci, tH: 1, tW: k.tile_b, ocThreads: k.oc_nthread, hThreads: 1 };
  return { tOC: k.tile_co, tIC: k.tile_ci, tH: k.tile_h ?? 1, tW: k.tile_w ?? 1, ocThreads: k.oc_nthread, hThreads: k.h_nthread ?? 1 };
}

export function planToKnobs(l: LayerSpec, p: Conv2dPlan): Knobs {
  if (l.op === 'dense') return { tile_b: p.tW, tile_ci: p.tIC, tile_co: p.tOC, oc_nthread: p.ocThreads ?? 2 };
  return { tile_b: 1, tile_h: p.tH, tile_w: p.tW, tile_ci: p.tIC, tile_co: p.tOC, oc_nthread: p.ocThreads ?? 2, h_nthread: p.hThreads ?? 1 };
}

/** Why a point cannot run (null when it can); also used for records read from a database. */
export function knobsIssue(cfg: VtaConfig, l: LayerSpec, k: Knobs): string | null {
  const g = layerGeometry(cfg, l);
  if (l.op !== 'dense' && k.tile_b !== 1) return `tile_b ${k.tile_b}: the operator tiles one batch block at a time`;
  return conv2dPlanIssue(cfg, g, true, knobsToPlan(l.op, k));
}

export function searchSpace(cfg: VtaConfig, l: LayerSpec): SearchSpace {
  const g = layerGeometry(cfg, l);
  const { OH, OW } = outputSize(g);
  const ci = divisors(g.C / g.groups / cfg.blockIn);
  const co = divisors(g.O / g.groups / cfg.blockOut);
  const points: Knobs[] = [];
  if (l.op === 'dense') {
    for (const tile_b of splits(OW))
      for (const tile_ci of ci)
        for (const tile_co of co)
          for (const oc_nthread of [1, 2]) {
            points.push({ tile_b, tile_ci, tile_co, oc_nthread });
          }
  } else {
    for (const tile_b of divisors(g.N / cfg.batch))
      for (const tile_h of splits(OH))
        for (const tile_w of splits(OW)) {
          for (const tile_ci of ci)
            for (const tile_co of co)
              for (const oc_nthread of [1, 2])
                for (const h_nthread of [1, 2]) {
                  points.push({ tile_b, tile_h, tile_w, tile_ci, tile_co, oc_nthread, h_nthread });
                }
        }
  }
  const legal: Candidate[] = [];
  const pruned: SearchSpace['pruned'] = [];
  for (const knobs of points) {
    const reason = knobsIssue(cfg, l, knobs);
    if (reason) pruned.push({ knobs, reason });
    else legal.push({ knobs, plan: estimateConv2dPlan(cfg, g, knobsToPlan(l.op, knobs)) });
  }
  return { size: points.length, legal, pruned };
}

export function formatKnobs(k: Knobs): string {
  return Object.entries(k)
    .filter(([, v]) => v !== undefined)
    .map(([n, v]) => `${n}=${v}`)
    .join(' ');
}
