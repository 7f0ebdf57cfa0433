// `vta bench network --svg`: one horizontal stacked bar per VTA layer showing where its cycles go
// (cycle-breakdown.ts), on one linear scale, with the total at the bar's end. With an earlier report
// (`--before FILE`, that run's --json), each layer gets two bars, before (faded) above after, so a change's
// effect is visible per layer. A layer without stage counters is one grey bar of its cycles.

import { BREAKDOWN_PARTS, CycleBreakdown } from './cycle-breakdown';
import type { NetworkBenchReport, NetworkLayer } from './network-report';
import { esc } from './svg';
import { INPUT_LIMITS, InputFileError, readInputText } from '../../util/input-file';
import { parseJsonStrict } from '../../util/json';

interface Bar {
  cycles: number;
  breakdown: CycleBreakdown | null;
  faded: boolean;
  label: string;
}

const kilo = (c: number) => (c >= 1e6 ? `${(c / 1e6).toFixed(2)} M` : `${Math.round(c / 1e3)} k`);

/** The least of 1, 2, 5 x 10^k that is at least `min`. */
function niceStep(min: number): number {
  const e = 10 ** Math.floor(Math.log10(Math.max(min, 1)));
  return [1, 2, 5, 10].map((m) => m * e).find((v) => v >= min) ?? 10 * e;
}

function layerCycles(l: NetworkLayer): number {
  return l.cycles ?? l.estCycles ?? 0;
}

/** The bars of one layer: the earlier run's (when it has the layer) and this run's. */
function barsOf(l: NetworkLayer, before: Map<string, NetworkLayer> | null, tags: [string, string]): Bar[] {
  const bars: Bar[] = [];
  const b = before?.get(l.node);
  if (b && b.target === 'vta') bars.push({ cycles: layerCycles(b), breakdown: b.breakdown, faded: true, label: tags[0] });
  bars.push({ cycles: layerCycles(l), breakdown: l.breakdown, faded: false, label: before ? tags[1] : '' });
  return bars;
}

export function networkBreakdownSvg(after: NetworkBenchReport, before: NetworkBenchReport | null = null): string {
  // a fused layer's cycles are its host's (its row would be empty)
  const layers = after.layers.filter((l) => l.target === 'vta' && !l.fusedInto);
  const beforeMap = before ? new Map(before.layers.map((l) => [l.node, l])) : null;
  const tags: [string, string] = ['before', 'after'];
  const rows = layers.map((l) => ({ name: l.node, op: l.op, bars: barsOf(l, beforeMap, tags) }));
  const maxCycles = Math.max(1, ...rows.flatMap((r) => r.bars.map((b) => b.cycles)));
  const W = 900;
  const L = 190;
  const R = 80;
  const barH = 11;
  const gap = 5;
  const legendH = 18 * Math.ceil(BREAKDOWN_PARTS.length / 2) + 8;
  const T = 46 + legendH;
  const rowH = (n: number) => n * (barH + 1) + gap;
  const H = T + rows.reduce((a, r) => a + rowH(r.bars.length), 0) + 34;
  const scale = (W - L - R) / maxCycles;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  const title = `${after.workload} on ${after.target} (${after.config}): where each VTA layer's cycles go`;
  out.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13">${esc(title)}</text>`);
  const totals =
    `offloaded ${kilo(after.offloadedCycles)}, VTA's scope ${kilo(after.vtaScopeCycles)}` +
    (before ? ` (before: ${kilo(before.offloadedCycles)}, ${kilo(before.vtaScopeCycles)}; ${before.config})` : '');
  out.push(`<text x="${W / 2}" y="34" text-anchor="middle" fill="#444">${esc(totals)}</text>`);
  BREAKDOWN_PARTS.forEach((p, i) => {
    const x = L + (i % 2) * 330;
    const y = 46 + Math.floor(i / 2) * 18;
    out.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${p.colour}"/><text x="${x + 17}" y="${y + 10}">${esc(p.label)}</text>`);
  });
  // vertical grid on round cycle counts
  const step = niceStep(maxCycles / 8);
  for (let v = 0; v <= maxCycles; v += step) {
    const x = L + v * scale;
    out.push(`<line x1="${x.toFixed(1)}" y1="${T - 4}" x2="${x.toFixed(1)}" y2="${H - 30}" stroke="#eee"/>`);
    out.push(`<text x="${x.toFixed(1)}" y="${H - 18}" text-anchor="middle" fill="#666">${kilo(v)}</text>`);
  }
  out.push(`<text x="${L + (W - L - R) / 2}" y="${H - 5}" text-anchor="middle" fill="#666">cycles</text>`);
  let y = T;
  for (const r of rows) {
    const mid = y + (r.bars.length * (barH + 1)) / 2 + 3;
    out.push(`<text x="${L - 6}" y="${mid.toFixed(1)}" text-anchor="end">${esc(r.name)} <tspan fill="#888">${esc(r.op)}</tspan></text>`);
    for (const b of r.bars) {
      const opacity = b.faded ? ' fill-opacity="0.45"' : '';
      let x = L;
      const parts = b.breakdown
        ? BREAKDOWN_PARTS.map((p) => ({ p, v: b.breakdown![p.key] }))
        : [{ p: { label: 'cycles (no stage counters)', colour: '#999999' }, v: b.cycles }];
      for (const { p, v } of parts) {
        if (v <= 0) continue;
        const w = v * scale;
        out.push(
          `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(2)}" height="${barH}" fill="${p.colour}"${opacity}><title>${esc(`${r.name}${b.label ? ` (${b.label})` : ''}: ${p.label} ${v} cycles (${((100 * v) / b.cycles).toFixed(1)}%)`)}</title></rect>`,
        );
        x += w;
      }
      const tag = b.label ? `${b.label} ` : '';
      out.push(
        `<text x="${(L + b.cycles * scale + 4).toFixed(1)}" y="${y + barH - 2}" fill="${b.faded ? '#888' : '#222'}">${esc(tag + kilo(b.cycles))}</text>`,
      );
      y += barH + 1;
    }
    y += gap;
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** An earlier `vta bench network --json` report (for --before), checked enough to draw it. */
export function readNetworkReport(file: string): NetworkBenchReport {
  const what = '--before report';
  const v = parseJsonStrict(readInputText(file, { maxBytes: INPUT_LIMITS.reportBytes, what }), file, what) as Partial<NetworkBenchReport> | null;
  const bad = (why: string) => new InputFileError(`${what} ${file}: ${why}; expected the JSON that vta bench network --json writes`);
  if (!v || typeof v !== 'object' || !Array.isArray(v.layers)) throw bad('no "layers" array');
  for (const k of ['offloadedCycles', 'vtaScopeCycles'] as const) if (typeof v[k] !== 'number') throw bad(`"${k}" is not a number`);
  v.layers.forEach((l, i) => {
    if (!l || typeof l.node !== 'string' || typeof l.target !== 'string') throw bad(`layers[${i}] has no "node" or "target"`);
    if (l.cycles !== null && typeof l.cycles !== 'number') throw bad(`layers[${i}] (${l.node}): "cycles" is not a number or null`);
    l.breakdown ??= null;
    l.estCycles ??= null;
  });
  return v as NetworkBenchReport;
}
