// The exploration as one offline HTML page: an SVG scatter of GOPS against the binding resource (the
// largest share of the board any resource takes), the Pareto front joined and labelled, points that do not
// fit marked at the bottom, and the table of every point. No scripts, fonts or files from elsewhere.

import type { ExplorePoint, ExploreReport } from './explore';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The largest utilization (percent) over the fit report's resources, and which resource it is. */
export function bindingResource(p: ExplorePoint): { resource: string; pct: number } | null {
  if (!p.fit) return null;
  let best: { resource: string; pct: number } | null = null;
  for (const [k, v] of Object.entries(p.fit)) {
    if (k === 'ok' || !v || typeof v !== 'object' || v.pct === null) continue;
    if (!best || v.pct > best.pct) best = { resource: k, pct: v.pct };
  }
  return best;
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

export function scatterSvg(r: ExploreReport): string {
  const W = 760,
    H = 460,
    L = 70,
    R = 30,
    T = 60,
    B = 60;
  const pw = W - L - R,
    ph = H - T - B;
  const pts = r.points.map((p) => ({ p, b: bindingResource(p) })).filter((x) => x.b);
  const xMax = Math.max(100, niceMax(Math.max(...pts.map((x) => x.b!.pct), 1)));
  const yMax = niceMax(Math.max(...pts.map((x) => x.p.gops ?? 0), 0.1) * 1.1);
  const X = (v: number) => L + (v / xMax) * pw;
  const Y = (v: number) => T + ph - (v / yMax) * ph;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(`${r.workload} on ${r.board}: GOPS vs binding resource (${r.target} cycles)`)}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const xv = (xMax * i) / 5,
      yv = (yMax * i) / 5;
    out.push(
      `<line x1="${X(xv)}" y1="${T}" x2="${X(xv)}" y2="${T + ph}" stroke="#eee"/><text x="${X(xv)}" y="${T + ph + 16}" text-anchor="middle">${xv.toFixed(0)}%</text>`,
    );
    out.push(
      `<line x1="${L}" y1="${Y(yv)}" x2="${L + pw}" y2="${Y(yv)}" stroke="#eee"/><text x="${L - 6}" y="${Y(yv) + 4}" text-anchor="end">${yv.toFixed(yMax < 10 ? 1 : 0)}</text>`,
    );
  }
  out.push(
    `<line x1="${X(100)}" y1="${T}" x2="${X(100)}" y2="${T + ph}" stroke="#c33" stroke-dasharray="4 3"/><text x="${X(100) - 4}" y="${T + ph - 6}" text-anchor="end" fill="#c33">board limit</text>`,
  );
  out.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  out.push(`<text x="${L + pw / 2}" y="${H - 18}" text-anchor="middle">largest share of the board's resources (the binding one), %</text>`);
  out.push(`<text transform="translate(18 ${T + ph / 2}) rotate(-90)" text-anchor="middle">GOPS (2 ops per MAC)</text>`);
  const front = r.pareto
    .map((n) => pts.find((x) => x.p.name === n)!)
    .filter(Boolean)
    .sort((a, b) => a.b!.pct - b.b!.pct);
  if (front.length > 1)
    out.push(
      `<polyline fill="none" stroke="#1a6" stroke-width="1.5" points="${front.map((x) => `${X(x.b!.pct).toFixed(1)},${Y(x.p.gops!).toFixed(1)}`).join(' ')}"/>`,
    );
  for (const { p, b } of pts) {
    const title = `<title>${esc(`${p.name}: ${p.fit?.ok ? 'fits' : 'does not fit'}; ${b!.resource} ${b!.pct}%; ${p.gops === null ? 'no GOPS' : `${p.gops.toFixed(2)} GOPS`}`)}</title>`;
    const cx = X(b!.pct).toFixed(1);
    if (p.gops === null) {
      const cy = Y(0);
      out.push(
        `<g stroke="#c33" stroke-width="2">${title}<line x1="${+cx - 5}" y1="${cy - 5}" x2="${+cx + 5}" y2="${cy + 5}"/><line x1="${+cx - 5}" y1="${cy + 5}" x2="${+cx + 5}" y2="${cy - 5}"/></g>`,
      );
      continue;
    }
    const onFront = r.pareto.includes(p.name);
    out.push(`<circle cx="${cx}" cy="${Y(p.gops).toFixed(1)}" r="${onFront ? 6 : 4}" fill="${onFront ? '#1a6' : '#8ab'}" stroke="#234">${title}</circle>`);
    if (onFront) out.push(`<text x="${+cx + 8}" y="${(Y(p.gops) - 8).toFixed(1)}">${esc(p.name)}</text>`);
  }
  out.push(
    `<g transform="translate(${L} 32)"><circle cx="6" cy="6" r="6" fill="#1a6"/><text x="18" y="10">Pareto front</text><circle cx="116" cy="6" r="4" fill="#8ab"/><text x="126" y="10">fits</text><g stroke="#c33" stroke-width="2"><line x1="170" y1="1" x2="180" y2="11"/><line x1="170" y1="11" x2="180" y2="1"/></g><text x="186" y="10">does not fit</text></g>`,
  );
  out.push('</svg>');
  return out.join('\n');
}

/** The points a lower bound ruled out before synthesis, with the reason. */
function pruned(r: ExploreReport): string {
  const ps = r.points.filter((p) => p.pruned);
  if (!ps.length) return '';
  return `<p>${esc(`Not synthesized (a lower bound from the buffers and GEMM multipliers shows they cannot fit):`)}</p>\n<ul>${ps.map((p) => `<li>${esc(`${p.name}: ${p.pruned}`)}</li>`).join('')}</ul>\n`;
}

export function exploreHtml(r: ExploreReport): string {
  const rows = r.points.map((p) => {
    const b = bindingResource(p);
    const cells = [
      p.name,
      String(p.frequencyMhz),
      p.estimatedFmaxMHz === null ? '-' : p.estimatedFmaxMHz.toFixed(0),
      p.pruned ? 'no (lower bound)' : p.unfinished ? 'not finished' : p.fit ? (p.fit.ok ? 'yes' : 'no') : p.error ? 'error' : '-',
      ...(['dsp', 'bram36', 'lut'] as const).map((k) => (p.resources[k] === undefined ? '-' : `${p.pruned ? '≥' : ''}${p.resources[k]}`)),
      b ? `${b.resource} ${b.pct}%` : '-',
      p.cycles === null ? '-' : String(p.cycles),
      p.gops === null ? '-' : p.gops.toFixed(2),
      p.gopsPerDsp === null ? '-' : p.gopsPerDsp.toFixed(3),
      p.gopsPerBram === null ? '-' : p.gopsPerBram.toFixed(3),
      r.pareto.includes(p.name) ? 'yes' : '',
    ];
    return `<tr${r.pareto.includes(p.name) ? ' class="front"' : ''}>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  });
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(`vta explore: ${r.workload} on ${r.board}`)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}p.partial{background:#fff3cd;border:1px solid #e0c060;padding:6px 10px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}tr.front{background:#e6f6ec}</style>
</head><body>
<h1>${esc(`Design-space exploration: ${r.workload} on ${r.board}`)}</h1>
<p>${esc(`${r.points.length} points, ${r.points.filter((p) => p.fit?.ok).length} fit, ${r.pareto.length} on the Pareto front (more GOPS; fewer DSPs, BRAMs, LUTs). Workload ${(r.macs / 1e6).toFixed(1)} M MACs; cycles with tuned schedules measured on ${r.target}; GOPS at the lower of the target clock and vta synth's clock estimate (est. MHz). ${r.generator}.`)}</p>
${r.interrupted ? `<p class="partial">${esc(`Partial: the run was stopped (Ctrl-C) with ${r.interrupted.done} of ${r.interrupted.total} points to synthesize finished; run the same command again to resume (finished syntheses are cached).`)}</p>\n` : ''}${pruned(r)}${scatterSvg(r)}
<table><thead><tr>${['point', 'MHz', 'est. MHz', 'fits', 'DSP', 'BRAM36', 'LUT', 'binding', 'cycles', 'GOPS', 'GOPS/DSP', 'GOPS/BRAM', 'Pareto'].map((h) => `<th>${h}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
</body></html>
`;
}
