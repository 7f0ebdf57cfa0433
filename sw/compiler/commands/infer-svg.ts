// `vta infer --svg`: where the host time of one image goes, a bar per layer (milliseconds per image, blue on
// VTA, grey on the CPU) labelled with its cycles and utilization.

import type { InferReport } from './infer-report';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function inferSvg(r: InferReport): string {
  const rows = r.layers;
  const barH = 20;
  const gap = 8;
  const left = 20 + Math.ceil(6.5 * Math.max(...rows.map((l) => l.node.length)));
  const plotW = 420;
  const top = 48;
  const W = left + plotW + 220;
  const H = top + rows.length * (barH + gap) + 40;
  const max = Math.max(...rows.map((l) => l.seconds), 1e-9);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="10" y="18" font-size="14">${esc(`${r.model}: ms per image by layer (${r.target}, ${r.images} images)`)}</text>`);
  const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
  out.push(
    `<text x="10" y="36">${esc(`top-1 float ${pct(r.top1?.float ?? null)}, int8 ${pct(r.top1?.int8 ?? null)}, device ${pct(r.top1?.device ?? null)}, agreement ${pct(r.agreement)} — host ms per image; blue: VTA, grey: CPU`)}</text>`,
  );
  rows.forEach((l, i) => {
    const y = top + i * (barH + gap);
    const w = (plotW * l.seconds) / max;
    const cycles = l.cycles ?? l.estCycles;
    const label = `${(l.seconds * 1e3).toFixed(3)} ms${cycles ? `, ${Math.round(cycles)}${l.cycles === null ? '~' : ''} cycles` : ''}${l.utilization !== null ? `, util ${(100 * l.utilization).toFixed(1)}%` : ''}`;
    out.push(`<text x="${left - 8}" y="${y + barH / 2 + 4}" text-anchor="end">${esc(l.node)}</text>`);
    out.push(
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${l.target === 'vta' ? '#3a7bd5' : '#999'}"><title>${esc(`${l.node} (${l.op})`)}</title></rect>`,
    );
    out.push(`<text x="${left + w + 6}" y="${y + barH / 2 + 4}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
