// The Pareto front of design points: more GOPS is better, fewer DSPs, BRAMs and LUTs are better.

export interface Objectives {
  gops: number;
  dsp: number;
  bram36: number;
  lut: number;
}

function dominates(a: Objectives, b: Objectives): boolean {
  const noWorse = a.gops >= b.gops && a.dsp <= b.dsp && a.bram36 <= b.bram36 && a.lut <= b.lut;
  const better = a.gops > b.gops || a.dsp < b.dsp || a.bram36 < b.bram36 || a.lut < b.lut;
  return noWorse && better;
}

/** Indices of the points no other point dominates, by GOPS descending. */
export function paretoFront(points: readonly Objectives[]): number[] {
  const front: number[] = [];
  points.forEach((p, i) => {
    if (!points.some((q, j) => j !== i && dominates(q, p))) front.push(i);
  });
  return front.sort((a, b) => points[b].gops - points[a].gops);
}
