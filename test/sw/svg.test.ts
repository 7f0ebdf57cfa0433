// The roofline picture of `vta bench conv2d`: 1-2-5 ticks on both log axes, axis titles, the ridge label
// along its own vertical line (never at a point's height), and a distinct colour for each of ten layers.

import { logTicks, rooflineSvg, SERIES_COLOURS } from '../../sw/bench/svg';

test('logTicks gives 1, 2 and 5 per decade within the range', () => {
  expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  expect(logTicks(0.01, 2)).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2]);
});

test('roofline: titles, ticks, a rotated ridge label and ten distinct colours', () => {
  const pts = Array.from({ length: 10 }, (_, i) => ({ name: `layer${i}`, intensity: 20 + 5 * i, bound: Math.min(1, (20 + 5 * i) / 32), utilization: 0.5 }));
  const svg = rooflineSvg(pts, 8, 256, 'resnet18 conv2d on tsim');
  expect(svg).toContain('arithmetic intensity (MACs per DRAM byte, log scale)');
  expect(svg).toContain('fraction of peak, 256 MACs/cycle (log scale)');
  expect(svg).toMatch(/rotate\(-90\)" fill="#B22222">ridge 32 MAC\/B \(8 B\/cycle\)/);
  const xTicks = svg.match(/text-anchor="middle">[0-9.]+<\/text>/g) ?? [];
  expect(xTicks.length).toBeGreaterThanOrEqual(6);
  const legendColours = new Set(pts.map((p) => new RegExp(`fill="(#[0-9A-Fa-f]{6})"><title>${p.name}</title>`).exec(svg)?.[1]));
  expect(legendColours.size).toBe(10);
  expect(new Set(SERIES_COLOURS).size).toBe(SERIES_COLOURS.length);
});
