// `vta bench conv2d`: the command runs a small workload end to end; the ResNet-18 list is the issue's;
// `vta bench` without the subcommand keeps its own flags.
import { readFileSync, mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { benchCommand } from '../../cli/bench';
import { defaultConfig } from '../../hw/vta/config';
import { FunctionalSimulator } from '../../sim/fsim';
import { convBenchSvg, formatConvTable, RESNET18, runConvBench } from '../../sw/bench/conv2d';
import { layerShape, squareConv } from '../../sw/workloads/layers';

function io() {
  const out: string[] = [];
  return { out, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s) } };
}

describe('vta bench conv2d', () => {
  test('the ResNet-18 workload list', () => {
    expect(RESNET18.map(layerShape)).toEqual([
      '56x56 64->64 3x3 p1 s1',
      '56x56 64->128 3x3 p1 s2',
      '56x56 64->128 1x1 p0 s2',
      '28x28 128->128 3x3 p1 s1',
      '28x28 128->256 3x3 p1 s2',
      '28x28 128->256 1x1 p0 s2',
      '14x14 256->256 3x3 p1 s1',
      '14x14 256->512 3x3 p1 s2',
      '14x14 256->512 1x1 p0 s2',
      '7x7 512->512 3x3 p1 s1',
    ]);
  });

  test('small layers on fsim: correct, bound, bytes, table and SVG', async () => {
    const small = [RESNET18[9], squareConv('resnet18.c3', 14, 64, 128, 1, 0, 2)];
    const rep = await runConvBench(new FunctionalSimulator(defaultConfig(), { dramBytes: 32 << 20 }), small, {
      workloadName: 't',
      target: 'fsim',
      deviceName: 'fsim',
    });
    expect(rep.allCorrect).toBe(true);
    for (const l of rep.layers) {
      expect(l.cycles).toBeNull();
      expect(l.utilization).toBeNull();
      expect(l.dramBytes).toBeGreaterThan(0);
      expect(l.bound).toBeCloseTo(Math.min(1, ((l.macs / l.dramBytes) * 8) / 256), 9);
      // the stream's bytes are exactly what fsim's counters saw (fsim counts loads)
      const k = l.dramBytesByKind;
      expect(l.counterBytesByKind).toEqual({ inp: k.inp, wgt: k.wgt, acc: k.acc, uop: k.uop, out: k.out });
      expect(l.counterBytes).toBe(l.dramBytes - k.insn);
      expect(k.insn).toBe(l.insns * 16);
    }
    expect(formatConvTable(rep)).toMatch(/resnet18\.c10 .* yes/);
    expect(convBenchSvg(rep)).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  });

  test('the CLI: bad flags are usage errors; help', async () => {
    const a = io();
    await expect(benchCommand.run(['conv2d', '--target', 'fpga'], a.io)).rejects.toThrow(
      '--target fpga: unknown target; targets: fsim, fsim-js, tsim, pynq-z1, ultra96, zcu104, de10-nano',
    );
    await expect(benchCommand.run(['conv2d', '--workload', 'vgg'], a.io)).rejects.toThrow(/unknown; known: resnet18/);
    // The configuration flags of `vta gen`, resolved and checked the same way, on both bench commands.
    await expect(benchCommand.run(['conv2d', '--gemm', '2x8x8'], a.io)).rejects.toThrow(/^--gemm 2x8x8: .*LOG_WGT_BUFF_SIZE|--wgt-buff/);
    await expect(benchCommand.run(['--skip-tsim', '--gemm', '2x8x8'], a.io)).rejects.toThrow(/^--gemm 2x8x8: .*LOG_WGT_BUFF_SIZE|--wgt-buff/);
    const h = io();
    expect(await benchCommand.run(['conv2d', '--help'], h.io)).toBe(0);
    expect(h.out.join('')).toMatch(/--gemm BxIxO[\s\S]*--inp-buff/);
    expect(h.out.join('')).toMatch(/vta bench conv2d/);
    const b = io();
    expect(await benchCommand.run(['--help'], b.io)).toBe(0);
    expect(b.out.join('')).toMatch(/--seconds/);
  });

  test('writes JSON in workload order (full ResNet-18 on fsim)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vta-bench-'));
    const a = io();
    const code = await benchCommand.run(
      ['conv2d', '--workload', 'resnet18', '--target', 'fsim', '--json', join(dir, 'r.json'), '--svg', join(dir, 'r.svg')],
      a.io,
    );
    expect(code).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(rep.layers.map((l: { name: string }) => l.name)).toEqual(RESNET18.map((l) => l.name));
    expect(rep.layers.every((l: { correct: boolean; cycles: null }) => l.correct && l.cycles === null)).toBe(true);
    expect(readFileSync(join(dir, 'r.svg'), 'utf8')).toMatch(/<svg/);
  });

  test('vta bench network: ResNet-18 at 32x32 through the graph compiler on fsim equals the integer reference; flag errors are one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vta-bench-net-'));
    const a = io();
    expect(await benchCommand.run(['network', '--size', '32', '--target', 'fsim', '--json', join(dir, 'n.json')], a.io)).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, 'n.json'), 'utf8'));
    expect(rep).toMatchObject({ workload: 'resnet18 32x32', target: 'fsim', cyclesSource: 'estimate', correct: true });
    const vta = rep.layers.filter((l: { target: string }) => l.target === 'vta');
    // the first convolution (after im2col), the 16 block convolutions, the 3 downsamples, the 8 residual adds and the
    // classifier run on VTA
    expect(vta.filter((l: { op: string }) => l.op === 'conv2d')).toHaveLength(20);
    expect(vta.filter((l: { op: string }) => l.op === 'dense')).toHaveLength(1);
    expect(rep.offloadedCycles).toBeCloseTo(
      vta.reduce((s: number, l: { estCycles: number | null }) => s + (l.estCycles ?? 0), 0),
      6,
    );
    // VTA's scope: layer1-layer4 (the block convolutions, downsamples and residual adds)
    const scope = vta.filter((l: { node: string }) => /^layer[1-4]\./.test(l.node));
    const adds = scope.filter((l: { op: string }) => l.op === 'add');
    expect(adds).toHaveLength(8);
    // each residual add runs inside the conv2d of its block (its second conv, or the downsample emitted after it)
    for (const l of adds) expect(l.fusedInto).toMatch(new RegExp(`^${l.node.replace('.add', '')}\\.(conv2|downsample)$`));
    expect(rep.vtaScopeCycles).toBeCloseTo(
      scope.reduce((s: number, l: { estCycles: number | null }) => s + (l.estCycles ?? 0), 0),
      6,
    );
    expect(a.out.join('')).toMatch(/output equals the integer reference: yes/);
    await expect(benchCommand.run(['network', '--size', '48'], a.io)).rejects.toThrow('--size 48: expected a multiple of 32');
    await expect(benchCommand.run(['network', '--db', join(dir, 'x.jsonl'), '--no-db'], a.io)).rejects.toThrow('--db and --no-db exclude each other');
    await expect(benchCommand.run(['network', '--db', join(dir, 'missing.jsonl')], a.io)).rejects.toThrow(/--db .*missing\.jsonl: no such file/);
  });
});
