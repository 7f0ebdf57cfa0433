// Exploration's own parts: design spaces (the shipped ones expand to valid configurations; bad spaces are
// one-line errors naming file, field or point), the Pareto front, and the offline HTML page.

import { join } from 'path';
import { boardByName } from '../../hw/boards/boards';
import { paretoFront } from '../../scripts/explore/pareto';
import { expandSpace, loadSpace, parseSpace } from '../../scripts/explore/space';
import { exploreHtml, scatterSvg } from '../../scripts/explore/html';
import { explorePoints, formatExploreTable } from '../../scripts/explore/explore';
import type { ExplorePoint, ExploreReport } from '../../scripts/explore/explore';
import type { PointResult } from '../../scripts/explore/point-task';

const SPACES = join(__dirname, '..', '..', 'scripts', 'explore', 'spaces');

test("the shipped spaces expand to distinct valid configurations named by VTA's string", () => {
  for (const [file, board] of [
    ['pynq-z1.json', 'pynq-z1'],
    ['zcu104.json', 'zcu104'],
  ]) {
    const s = loadSpace(join(SPACES, file));
    expect(boardByName(s.board!).name).toBe(board);
    const { points: pts } = expandSpace(s);
    expect(pts.length).toBeGreaterThan(2);
    expect(new Set(pts.map((p) => p.name)).size).toBe(pts.length);
    for (const p of pts) expect(p.name).toMatch(/^\d+x\d+(x\d+)?_i\d+w\d+a\d+_\d+_\d+_\d+_\d+(\+[a-z0-9-]+)*$/);
  }
  const pynq = expandSpace(loadSpace(join(SPACES, 'pynq-z1.json')));
  expect(pynq.points.map((p) => p.name)).toEqual([
    '1x16_i8w8a32_15_15_18_17',
    '1x16_i8w8a32_15_15_18_17+aluii2+dsp2',
    '1x16_i8w8a32_15_15_17_17+dsp2',
    '1x8_i8w8a32_15_14_16_16',
  ]);
  expect(pynq.invalid).toEqual([]);
});

test('bad spaces: one line naming the file and what is wrong', () => {
  expect(() => parseSpace('{', 's.json')).toThrow(/^s\.json: not JSON/);
  expect(() => parseSpace('{"knobs": {}}', 's.json')).toThrow('s.json: "knobs" must be an object mapping knob names to arrays of values');
  expect(() => parseSpace('{"knobs": {"gemm": []}}', 's.json')).toThrow('s.json: knobs.gemm must be a non-empty array of values');
  expect(() => parseSpace('{"knobs": {"gemm": ["1x16x16"]}, "boards": 1}', 's.json')).toThrow('s.json: unknown field "boards"');
  // impossible combinations are listed with the reason; a space with none valid is an error
  const mixed = expandSpace(parseSpace('{"knobs": {"gemm": ["1x16x16", "1x8x8"]}}', 's.json'));
  expect(mixed.points.map((p) => p.cfg.name)).toEqual(['1x16_i8w8a32_15_15_18_17']);
  expect(mixed.invalid).toEqual([{ knobs: { gemm: '1x8x8' }, reason: expect.stringMatching(/micro-op does not fit in 32 bits/) }]);
  expect(() => expandSpace(parseSpace('{"knobs": {"LOG_WGT_BUFF_SIZE": [3]}}', 's.json'))).toThrow(
    /^s\.json: no valid configuration among 1 points \(first: .*LOG_WGT_BUFF_SIZE/,
  );
  expect(() => expandSpace(parseSpace('{"knobs": {"gemm": ["3x16x16"]}}', 's.json'))).toThrow(/power of two/);
});

test('Pareto front: more GOPS, fewer DSP/BRAM/LUT', () => {
  const pts = [
    { gops: 10, dsp: 100, bram36: 50, lut: 1000 },
    { gops: 20, dsp: 200, bram36: 50, lut: 1000 },
    { gops: 9, dsp: 120, bram36: 60, lut: 1100 }, // dominated by the first
    { gops: 5, dsp: 10, bram36: 70, lut: 900 },
  ];
  expect(paretoFront(pts)).toEqual([1, 0, 3]);
});

function point(name: string, gops: number | null, dspPct: number, ok: boolean): ExplorePoint {
  const dsp = Math.round(dspPct * 2.2);
  return {
    name,
    config: name,
    configHash: 'h',
    knobs: {},
    frequencyMhz: 100,
    estimatedFmaxMHz: 130,
    effectiveMhz: 100,
    resources: { dsp, bram36: 40, lut: 20000 },
    fit: { ok, dsp: { used: dsp, budget: 220, pct: dspPct, unit: 'DSP48E1' }, bram36: { used: 40, budget: 140, pct: 28.57, unit: 'RAMB36' } },
    cycles: gops ? 1e6 : null,
    gops,
    gopsPerDsp: gops ? gops / dsp : null,
    gopsPerBram: gops ? gops / 40 : null,
    layers: [],
  };
}

test('HTML: self-contained, escaped, the scatter marks the front and the points that do not fit', () => {
  const r: ExploreReport = {
    generator: 'vta-ts test',
    board: 'pynq-z1',
    workload: 'resnet18 <&>',
    target: 'tsim',
    macs: 1e9,
    points: [
      point('1x16_i8w8a32_15_15_18_17', 40, 60, true),
      point('1x8_i8w8a32_15_15_18_17', 12, 20, true),
      point('1x32_i8w8a32_15_15_18_17', null, 240, false),
    ],
    pareto: ['1x16_i8w8a32_15_15_18_17', '1x8_i8w8a32_15_15_18_17'],
    invalid: [],
  };
  const html = exploreHtml(r);
  expect(html).toMatch(/^<!DOCTYPE html>/);
  expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  expect(html).toContain('resnet18 &lt;&amp;&gt;');
  const svg = scatterSvg(r);
  expect(svg.match(/<circle [^>]*r="6"/g)).toHaveLength(2 + 1); // two front points + the legend
  expect(svg).toContain('1x32_i8w8a32_15_15_18_17: does not fit; dsp 240%');
  expect(svg).toMatch(/<polyline [^>]*points="[\d.]+,[\d.]+ [\d.]+,[\d.]+"/);
});

test('vta explore: usage errors are one line, before any synthesis', async () => {
  const { exploreCommand } = await import('../../scripts/explore/command');
  const io = { stdout: () => undefined, stderr: () => undefined };
  await expect(exploreCommand.run([], io)).rejects.toThrow('--space FILE.json is required (examples in scripts/explore/spaces/)');
  await expect(exploreCommand.run(['--space', 'nope.json'], io)).rejects.toThrow('--space nope.json: no such file');
  await expect(exploreCommand.run(['--space', join(SPACES, 'pynq-z1.json'), '--board', 'vc707'], io)).rejects.toThrow(
    /--board: unknown board "vc707"; known boards: pynq-z1/,
  );
  await expect(exploreCommand.run(['--space', join(SPACES, 'pynq-z1.json'), '--target', 'fpga'], io)).rejects.toThrow('--target fpga: expected tsim or fsim');
  await expect(exploreCommand.run(['--space', join(SPACES, 'pynq-z1.json'), '--workload', 'vgg'], io)).rejects.toThrow(/--workload vgg: unknown/);
});

test('GOPS at the lower of the target clock and the clock estimate; both shown', () => {
  const [p] = expandSpace(parseSpace('{"knobs": {"gemm": ["1x16x16"]}}', 's.json')).points;
  const r: PointResult = {
    name: p.cfg.name,
    hash: p.cfg.hash,
    resources: { dsp: 128, bram36: 100, lut: 20000 },
    fit: { ok: true },
    estimatedFmaxMHz: 120,
    synthSeconds: 1,
    cycles: 1_000_000,
    macs: 500_000_000,
    layers: [],
    records: [],
  };
  const rows = explorePoints(p, r, [100, 150]);
  expect(rows.map((x) => [x.name.replace(/^.*@/, ''), x.effectiveMhz, x.gops])).toEqual([
    ['100', 100, 100],
    ['150', 120, 120],
  ]);
  const table = formatExploreTable({ generator: 'g', board: 'pynq-z1', workload: 'w', target: 'tsim', macs: r.macs, points: rows, pareto: [], invalid: [] });
  expect(table).toMatch(/@150\s+150\s+120\*\s+yes/);
  expect(table).toMatch(/@100\s+100\s+120\s+yes/);
  // without an estimate the target clock stands
  expect(explorePoints(p, { ...r, estimatedFmaxMHz: null }, [150])[0]).toMatchObject({ effectiveMhz: 150, gops: 150 });
});
