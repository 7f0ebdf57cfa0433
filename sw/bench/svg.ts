// A small SVG writer for the roofline plot of `vta bench conv2d`: log-log axes with 1-2-5 ticks, the
// memory roof, the compute roof, the ridge as a dashed vertical line labelled along it (so the label
// never sits on the points), and one colour and marker shape per layer: open for the bound, filled for
// the achieved utilization where cycles exist.

export interface RooflinePoint {
  name: string;
  /** MACs per DRAM byte. */
  intensity: number;
  /** Fraction of peak the roofline allows. */
  bound: number;
  /** Achieved fraction of peak, or null without cycles. */
  utilization: number | null;
}

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Okabe–Ito and Tableau colours that stay apart for colour-blind readers and in greyscale pairs. */
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#8C564B', '#7F3C8D', '#B8860B'];

type Shape = 'circle' | 'square' | 'triangle' | 'diamond';
const SHAPES: readonly Shape[] = ['circle', 'square', 'triangle', 'diamond'];

/** A marker of `shape` centred on (x, y); `fill` 'none' draws it open. */
function marker(shape: Shape, x: number, y: number, r: number, colour: string, filled: boolean, title: string): string {
  const paint = filled ? `fill="${colour}"` : `fill="white" stroke="${colour}" stroke-width="2"`;
  const t = `<title>${esc(title)}</title>`;
  const f = (v: number) => v.toFixed(1);
  switch (shape) {
    case 'circle':
      return `<circle cx="${f(x)}" cy="${f(y)}" r="${r}" ${paint}>${t}</circle>`;
    case 'square':
      return `<rect x="${f(x - r)}" y="${f(y - r)}" width="${2 * r}" height="${2 * r}" ${paint}>${t}</rect>`;
    case 'triangle':
      return `<polygon points="${f(x)},${f(y - r * 1.2)} ${f(x + r * 1.1)},${f(y + r * 0.8)} ${f(x - r * 1.1)},${f(y + r * 0.8)}" ${paint}>${t}</polygon>`;
    case 'diamond':
      return `<polygon points="${f(x)},${f(y - r * 1.3)} ${f(x + r * 1.1)},${f(y)} ${f(x)},${f(y + r * 1.3)} ${f(x - r * 1.1)},${f(y)}" ${paint}>${t}</polygon>`;
  }
}

/** Tick values 1, 2, 5 x 10^k within [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

const tickText = (v: number): string => (v >= 1 ? String(Math.round(v * 100) / 100) : String(Number(v.toPrecision(1))));

export function rooflineSvg(points: readonly RooflinePoint[], bytesPerCycle: number, peakMacs: number, title: string): string {
  const W = 760;
  const H = 480;
  const L = 72;
  const R = 200;
  const T = 44;
  const Bm = 56;
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
  out.push(`<text x="${(L + W - R) / 2}" y="22" text-anchor="middle" font-size="14">${esc(title)}</text>`);
  for (const v of logTicks(xMin, xMax)) {
    const x = px(v);
    const major = Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${T}" x2="${x.toFixed(1)}" y2="${H - Bm}" stroke="${major ? '#ccc' : '#eee'}"/><text x="${x.toFixed(1)}" y="${H - Bm + 15}" text-anchor="middle">${tickText(v)}</text>`,
    );
  }
  for (const v of logTicks(yMin, yMax)) {
    const y = py(v);
    const major = Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
    out.push(
      `<line x1="${L}" y1="${y.toFixed(1)}" x2="${W - R}" y2="${y.toFixed(1)}" stroke="${major ? '#ccc' : '#eee'}"/><text x="${L - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${tickText(v)}</text>`,
    );
  }
  out.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - Bm}" fill="none" stroke="black"/>`);
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 16}" text-anchor="middle">arithmetic intensity (MACs per DRAM byte, log scale)</text>`);
  out.push(`<text transform="translate(18 ${(T + H - Bm) / 2}) rotate(-90)" text-anchor="middle">fraction of peak, ${peakMacs} MACs/cycle (log scale)</text>`);
  // Roofs: min(1, ai * bw / peak); the ridge where they meet, labelled along a vertical line.
  const xr = Math.min(ridge, xMax);
  out.push(
    `<polyline fill="none" stroke="#B22222" stroke-width="2" points="${px(xMin).toFixed(1)},${py(Math.max(yMin, (xMin * bytesPerCycle) / peakMacs)).toFixed(1)} ${px(xr).toFixed(1)},${py(Math.min(1, (xr * bytesPerCycle) / peakMacs)).toFixed(1)} ${px(xMax).toFixed(1)},${py(1).toFixed(1)}"/>`,
  );
  out.push(`<line x1="${px(xr).toFixed(1)}" y1="${py(1).toFixed(1)}" x2="${px(xr).toFixed(1)}" y2="${H - Bm}" stroke="#B22222" stroke-dasharray="4 3"/>`);
  out.push(
    `<text transform="translate(${(px(xr) - 5).toFixed(1)} ${H - Bm - 6}) rotate(-90)" fill="#B22222">ridge ${ridge.toFixed(0)} MAC/B (${bytesPerCycle} B/cycle)</text>`,
  );
  points.forEach((p, i) => {
    const c = SERIES_COLOURS[i % SERIES_COLOURS.length];
    const shape = SHAPES[i % SHAPES.length];
    out.push(marker(shape, px(p.intensity), py(p.bound), 5, c, false, `${p.name}: bound ${p.bound.toFixed(3)}`));
    if (p.utilization !== null && p.utilization > 0) {
      out.push(marker(shape, px(p.intensity), py(Math.max(yMin, p.utilization)), 4, c, true, `${p.name}: achieved ${p.utilization.toFixed(3)}`));
    }
    out.push(marker(shape, W - R + 18, T + 10 + i * 16, 4, c, true, p.name) + `<text x="${W - R + 28}" y="${T + 14 + i * 16}">${esc(p.name)}</text>`);
  });
  const k = T + 16 + points.length * 16;
  out.push(`<text x="${W - R + 10}" y="${k + 8}">open marker: roofline bound</text>`);
  out.push(`<text x="${W - R + 10}" y="${k + 24}">filled marker: achieved</text>`);
  out.push(
    `<line x1="${W - R + 10}" y1="${k + 36}" x2="${W - R + 30}" y2="${k + 36}" stroke="#B22222" stroke-width="2"/><text x="${W - R + 34}" y="${k + 40}">roofs: memory, compute</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}
