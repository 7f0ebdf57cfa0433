// A small SVG writer for the roofline plot of `vta bench conv2d`: log-log axes, the memory roof, the
// compute roof, and one point per layer (the bound, and the achieved utilization where cycles exist).

export interface RooflinePoint {
  name: string;
  /** MACs per DRAM byte. */
  intensity: number;
  /** Fraction of peak the roofline allows. */
  bound: number;
  /** Achieved fraction of peak, or null without cycles. */
  utilization: number | null;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function rooflineSvg(points: readonly RooflinePoint[], bytesPerCycle: number, peakMacs: number, title: string): string {
  const W = 720;
  const H = 460;
  const L = 70;
  const R = 180;
  const T = 40;
  const Bm = 50;
  const ai = points.map((p) => p.intensity).filter((v) => v > 0);
  const ridge = peakMacs / bytesPerCycle;
  const xMin = 10 ** Math.floor(Math.log10(Math.min(ridge, ...ai) / 2));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(ridge, ...ai) * 2));
  const yMin = 10 ** Math.floor(Math.log10(Math.min(1, ...points.map((p) => Math.min(p.bound, p.utilization ?? 1))) / 2));
  const yMax = 2;
  const px = (v: number) => L + ((Math.log10(v) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * (W - L - R);
  const py = (v: number) => T + (1 - (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - Bm);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2 - R / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  for (let e = Math.log10(xMin); e <= Math.log10(xMax) + 1e-9; e++) {
    const x = px(10 ** e);
    out.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${H - Bm}" stroke="#ddd"/><text x="${x}" y="${H - Bm + 15}" text-anchor="middle">${10 ** e >= 1 ? 10 ** e : (10 ** e).toPrecision(1)}</text>`);
  }
  for (let e = Math.log10(yMin); e <= Math.log10(yMax) + 1e-9; e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${L}" y1="${y}" x2="${W - R}" y2="${y}" stroke="#ddd"/><text x="${L - 6}" y="${y + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toPrecision(1)}</text>`);
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - Bm}" fill="none" stroke="black"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">arithmetic intensity (MACs per DRAM byte)</text>`);
  out.push(`<text transform="translate(16 ${(T + H - Bm) / 2}) rotate(-90)" text-anchor="middle">fraction of peak (${peakMacs} MACs/cycle)</text>`);
  // roofs: min(1, ai * bw / peak)
  const xr = Math.min(ridge, xMax);
  out.push(`<polyline fill="none" stroke="#c33" stroke-width="2" points="${px(xMin)},${py(Math.max(yMin, (xMin * bytesPerCycle) / peakMacs))} ${px(xr)},${py(Math.min(1, (xr * bytesPerCycle) / peakMacs))} ${px(xMax)},${py(1)}"/>`);
  out.push(`<text x="${px(xr)}" y="${py(1) - 6}" fill="#c33">ridge ${ridge.toFixed(0)} MAC/B (${bytesPerCycle} B/cycle)</text>`);
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  points.forEach((p, i) => {
    const c = colors[i % colors.length];
    out.push(`<circle cx="${px(p.intensity)}" cy="${py(p.bound)}" r="5" fill="none" stroke="${c}" stroke-width="2"><title>${esc(p.name)} bound ${p.bound.toFixed(3)}</title></circle>`);
    if (p.utilization !== null && p.utilization > 0) {
      out.push(`<circle cx="${px(p.intensity)}" cy="${py(Math.max(yMin, p.utilization))}" r="4" fill="${c}"><title>${esc(p.name)} achieved ${p.utilization.toFixed(3)}</title></circle>`);
    }
    out.push(`<circle cx="${W - R + 16}" cy="${T + 10 + i * 16}" r="4" fill="${c}"/><text x="${W - R + 26}" y="${T + 14 + i * 16}">${esc(p.name)}</text>`);
  });
  out.push(`<text x="${W - R + 10}" y="${T + 24 + points.length * 16}">open: roofline bound</text>`);
  out.push(`<text x="${W - R + 10}" y="${T + 40 + points.length * 16}">filled: achieved</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
