// `vta bench network --svg` on TSIM: every VTA layer's cycles split into GEMM, ALU, other compute, token waits
// and idle from the core's stage counters, adding up to the layer's cycles; the SVG draws them, and with
// --before an earlier report beside them.
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { benchCommand } from '../../cli/bench';
import type { NetworkBenchReport } from '../../sw/bench/network-report';

jest.setTimeout(600_000);

function io() {
  const out: string[] = [];
  return { out, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s) } };
}

test('ResNet-18 at 32x32: per-layer cycle breakdown adds up, is drawn, and an earlier report is drawn beside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vta-net-breakdown-'));
  const [json, svg, svg2] = ['n.json', 'n.svg', 'n2.svg'].map((f) => join(dir, f));
  const a = io();
  expect(await benchCommand.run(['network', '--size', '32', '--target', 'tsim', '--skip-check', '--json', json, '--svg', svg], a.io)).toBe(0);
  const rep = JSON.parse(readFileSync(json, 'utf8')) as NetworkBenchReport;
  const vta = rep.layers.filter((l) => l.target === 'vta');
  expect(vta.length).toBeGreaterThan(20);
  // the residual adds run inside a conv2d of their block: no cycles of their own
  const fused = vta.filter((l) => l.fusedInto);
  expect(fused.map((l) => l.op)).toEqual(new Array(8).fill('add'));
  for (const l of fused) expect({ node: l.node, cycles: l.cycles, breakdown: l.breakdown }).toEqual({ node: l.node, cycles: 0, breakdown: null });
  const drawnLayers = vta.filter((x) => !x.fusedInto);
  for (const l of drawnLayers) {
    const b = l.breakdown!;
    expect({ node: l.node, hasBreakdown: b !== null }).toEqual({ node: l.node, hasBreakdown: true });
    expect(Object.values(b).every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(b.gemm + b.alu + b.computeOther + b.tokenWait + b.idle).toBe(l.cycles);
  }
  // a convolution issues GEMMs, the adds and pools mostly ALU or GEMM copies: both parts appear
  expect(drawnLayers.filter((l) => l.op === 'conv2d').every((l) => l.breakdown!.gemm > 0)).toBe(true);
  const drawn = readFileSync(svg, 'utf8');
  expect(drawn.startsWith('<svg')).toBe(true);
  expect((drawn.match(/<rect [^>]*fill-opacity/g) ?? []).length).toBe(0);
  for (const l of drawnLayers) expect(drawn).toContain(`${l.node}: GEMM micro-ops ${l.breakdown!.gemm} cycles`);

  // the same run drawn against itself as "before": two bars per layer, the earlier one faded
  const b = io();
  expect(await benchCommand.run(['network', '--size', '32', '--target', 'tsim', '--skip-check', '--svg', svg2, '--before', json], b.io)).toBe(0);
  const twice = readFileSync(svg2, 'utf8');
  for (const l of drawnLayers) expect(twice).toContain(`${l.node} (before): GEMM micro-ops ${l.breakdown!.gemm} cycles`);
  expect((twice.match(/fill-opacity="0.45"/g) ?? []).length).toBe((drawn.match(/<rect [^>]*><title>/g) ?? []).length);

  // bad --before input: one line naming the file and what is wrong
  const notReport = join(dir, 'other.json');
  writeFileSync(notReport, JSON.stringify({ layers: [{ node: 'x' }], offloadedCycles: 1, vtaScopeCycles: 1 }));
  await expect(benchCommand.run(['network', '--size', '32', '--svg', svg2, '--before', notReport], b.io)).rejects.toThrow(
    /--before report .*other\.json: layers\[0\] has no "node" or "target"; expected the JSON that vta bench network --json writes/,
  );
  await expect(benchCommand.run(['network', '--size', '32', '--before', json], b.io)).rejects.toThrow('--before needs --svg');
});
