// `vta bench network --workload resnet18`: a whole network through the graph compiler (the same passes and
// code generation as `vta compile`/`vta infer`) on fsim or TSIM, with the offloaded cycles, MACs and GEMM
// utilization per layer and in total, beside VTA's published figures for ResNet-18.

import { writeFileSync } from 'fs';
import { defineCommand } from '../../cli/command';
import { CliIo, CommandFailure, EXIT_OK, UsageError } from '../../cli/errors';
import { mulberry32 } from '../../sim/testing/prng';
import { checkOutputFile } from '../../util/output-dir';
import { checkTargetPresent, openDevice, targetFlag, targetHelp } from '../../sim/targets';
import { generate } from '../compiler/codegen/network';
import { plannerSchedules, ScheduleProvider } from '../compiler/codegen/schedule';
import { asCommandErrors, CONFIG_FLAGS, configFromArgs, schedulesFromArgs } from '../compiler/commands/common';
import { runInt8 } from '../compiler/exec/int8';
import { Graph } from '../compiler/ir';
import { formatPlacements } from '../compiler/passes/partition';
import { runPipeline } from '../compiler/pipeline';

export { VTA_PUBLISHED };
export type { NetworkBenchReport, NetworkLayer };
import { Runtime } from '../runtime';
import { cycleBreakdown } from './cycle-breakdown';
import { NetworkBenchReport, NetworkLayer, VTA_PUBLISHED } from './network-report';
import { networkBreakdownSvg, readNetworkReport } from './network-svg';
import { resnet18Graph } from './resnet18-graph';

export const NETWORKS: Record<string, (size?: number) => Graph> = { resnet18: (size = 224) => resnet18Graph(18, 1000, size) };

export async function runNetworkBench(
  workload: string,
  target: string,
  io: CliIo,
  args: Parameters<typeof configFromArgs>[0],
  check: boolean,
  size?: number,
  schedules: ScheduleProvider = plannerSchedules,
): Promise<NetworkBenchReport> {
  const cfg = configFromArgs(args);
  const g = NETWORKS[workload](size);
  // TVM's scheme for VTA's ResNet-18: one global activation scale (8.0), no calibration run
  const quantize = { scheme: 'global' as const, globalScale: 8 };
  const log = (s: string) => io.stderr(s + '\n');
  log(`compiling ${workload} (${g.nodes.length} nodes) for ${cfg.name}`);
  const p = runPipeline(g, cfg, [], { quantize: { ...quantize } });
  log(formatPlacements(p.placements));
  const rnd = mulberry32(224);
  const shape = g.tensors[g.inputs[0]].shape;
  const x = {
    [g.inputs[0]]: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd())),
  };
  const device = await openDevice(target, cfg, { dramBytes: 128 << 20, log });
  try {
    const rt = new Runtime(device);
    const net = await generate(rt, p.device, { schedules });
    log(`running on ${target}`);
    const t0 = performance.now();
    const run = await net.run(x);
    log(`ran in ${((performance.now() - t0) / 1e3).toFixed(1)} s`);
    let correct: boolean | null = null;
    if (check) {
      log('checking against the integer reference (CPU)');
      const ref = runInt8(p.quantized, x);
      correct = g.outputs.every((o) => {
        const a = ref.get(o)!;
        const b = run.values.get(o)!;
        return a.length === b.length && a.every((v, i) => v === b[i]);
      });
    }
    net.release();
    const peak = cfg.batch * cfg.blockIn * cfg.blockOut;
    const layers: NetworkLayer[] = run.layers.map((l) => {
      const c = l.cycles ?? l.estCycles;
      return {
        node: l.node,
        op: l.op,
        target: l.target,
        cycles: l.cycles,
        estCycles: l.estCycles,
        macs: l.macs,
        utilization: l.target === 'vta' && c ? l.macs / (c * peak) : null,
        stages: l.stages,
        ...(l.fusedInto ? { fusedInto: l.fusedInto } : {}),
        breakdown: l.cycles !== null && l.counters && l.stages ? cycleBreakdown(l.cycles, l.counters, l.stages) : null,
      };
    });
    const vta = layers.filter((l) => l.target === 'vta');
    const measured = vta.every((l) => l.cycles !== null);
    const cyc = (l: NetworkLayer) => (measured ? l.cycles : l.estCycles) ?? 0;
    const offloadedCycles = vta.reduce((a, l) => a + cyc(l), 0);
    const convCycles = vta.filter((l) => l.op === 'conv2d' || l.op === 'dense').reduce((a, l) => a + cyc(l), 0);
    const vtaScopeCycles = vta.filter((l) => /^layer[1-4]\./.test(l.node)).reduce((a, l) => a + cyc(l), 0);
    const macs = vta.reduce((a, l) => a + l.macs, 0);
    return {
      workload: size && size !== 224 ? `${workload} ${size}x${size}` : workload,
      target,
      config: cfg.name,
      quantization: `global scale ${quantize.globalScale} (TVM's VTA scheme)`,
      offloadedCycles,
      cyclesSource: measured ? 'measured' : 'estimate',
      convCycles,
      vtaScopeCycles,
      macs,
      utilization: offloadedCycles ? macs / (offloadedCycles * peak) : 0,
      idealCycles: macs / peak,
      published: VTA_PUBLISHED,
      correct,
      layers,
    };
  } finally {
    device.close?.();
  }
}

export function formatNetworkReport(r: NetworkBenchReport): string {
  const m = (c: number) => `${(c / 1e6).toFixed(3)} M`;
  const lines = [`${'layer'.padEnd(28)} ${'op'.padEnd(9)} tgt  ${'cycles'.padStart(10)} ${'MMACs'.padStart(8)} ${'util'.padStart(6)}`];
  for (const l of r.layers.filter((x) => x.target === 'vta')) {
    const c = l.cycles ?? l.estCycles;
    if (l.fusedInto) {
      lines.push(`${l.node.padEnd(28)} ${l.op.padEnd(9)} ${l.target}  fused into ${l.fusedInto}`);
      continue;
    }
    lines.push(
      `${l.node.padEnd(28)} ${l.op.padEnd(9)} ${l.target}  ${(c === null ? '-' : `${Math.round(c)}${l.cycles === null ? '~' : ''}`).padStart(10)} ${(l.macs / 1e6).toFixed(1).padStart(8)} ${(l.utilization === null ? '-' : l.utilization.toFixed(3)).padStart(6)}`,
    );
  }
  const est = r.cyclesSource === 'estimate' ? ' (planner estimate; fsim has no timing model)' : '';
  lines.push(
    '',
    `${r.workload} on ${r.target} (${r.config}), ${r.quantization}; CPU: ${r.layers
      .filter((l) => l.target === 'cpu')
      .map((l) => l.node)
      .join(', ')}`,
    `offloaded cycles ${m(r.offloadedCycles)}${est} (convolutions ${m(r.convCycles)}), MACs ${(r.macs / 1e9).toFixed(3)} G, ideal ${m(r.idealCycles)}, utilization ${(100 * r.utilization).toFixed(1)}%`,
    `VTA's scope (layer1-layer4: convolutions and residual adds): ${m(r.vtaScopeCycles)}${est}; VTA published: ${m(r.published.cycles)} cycles for ${(r.published.macs / 1e9).toFixed(3)} G MACs (ideal ${m(r.published.idealCycles)}); goal <= ${m(r.published.goalCycles)}`,
    `output equals the integer reference: ${r.correct === null ? 'not checked' : r.correct ? 'yes' : 'NO'}`,
  );
  return lines.join('\n');
}

export const networkBenchCommand = defineCommand({
  name: 'bench network',
  summary: 'a whole network through the compiler on fsim/TSIM: offloaded cycles, MACs, utilization',
  description:
    'Builds the workload as a graph (resnet18: 224x224, seeded random weights), compiles it through the\n' +
    "graph compiler's passes (BatchNorm folding, TVM's global-scale quantization, fusion, partition, packing)\n" +
    'and code generation, runs one seeded input on the device and reports per VTA layer and in total the\n' +
    "offloaded cycles (TSIM; the planner's estimate on fsim), MACs and GEMM utilization, beside VTA's published\n" +
    'ResNet-18 figures. Checks the output against the integer reference unless --skip-check.',
  spec: {
    command: 'vta bench network',
    flags: [
      ...CONFIG_FLAGS,
      { name: 'workload', type: 'string', metavar: 'NAME', help: `the network: ${Object.keys(NETWORKS).join(', ')} (default resnet18)` },
      { name: 'target', type: 'string', metavar: 'TARGET', help: targetHelp('fsim') },
      { name: 'size', type: 'int', metavar: 'N', help: 'input height and width (default 224; smaller for quick runs, e.g. 32)' },
      { name: 'json', type: 'string', metavar: 'FILE', help: 'write the report as JSON' },
      { name: 'svg', type: 'string', metavar: 'FILE', help: "write where each layer's cycles go (GEMM, ALU, compute otherwise, token waits, idle; TSIM)" },
      { name: 'before', type: 'string', metavar: 'FILE', help: "with --svg: an earlier run's --json report, drawn beside this run per layer" },
      { name: 'skip-check', type: 'bool', help: 'do not compare with the integer reference (saves the CPU reference run)' },
      { name: 'db', type: 'string', metavar: 'FILE', help: 'a schedule database (vta tune) merged with the shipped one' },
      {
        name: 'no-db',
        type: 'bool',
        help: "the planner's schedules only (default: the shipped database's where it has a record for the layer and configuration)",
      },
    ],
  },
  async execute(args, io) {
    const workload = args.string('workload') ?? 'resnet18';
    if (!NETWORKS[workload]) throw new UsageError(`--workload ${workload}: unknown; known: ${Object.keys(NETWORKS).join(', ')}`);
    const target = targetFlag(args.string('target'), 'fsim');
    checkTargetPresent(target);
    const size = args.int('size');
    if (size !== undefined && (size < 32 || size % 32)) throw new UsageError(`--size ${size}: expected a multiple of 32 (ResNet-18 halves it five times)`);
    if (args.bool('no-db') && args.string('db') !== undefined) throw new UsageError('--db and --no-db exclude each other');
    const schedules = args.bool('no-db') ? plannerSchedules : schedulesFromArgs(args);
    const json = args.string('json');
    const svg = args.string('svg');
    const beforeFile = args.string('before');
    if (beforeFile !== undefined && svg === undefined) throw new UsageError('--before needs --svg (it is drawn beside this run)');
    // before the long run, not after
    if (json !== undefined) checkOutputFile(json, '--json');
    if (svg !== undefined) checkOutputFile(svg, '--svg');
    const before = beforeFile === undefined ? null : readNetworkReport(beforeFile);
    const r = await asCommandErrors(() => runNetworkBench(workload, target, io, args, !args.bool('skip-check'), size, schedules));
    io.stdout(formatNetworkReport(r) + '\n');
    if (json) {
      writeFileSync(json, JSON.stringify(r, null, 2) + '\n');
      io.stdout(`wrote ${json}\n`);
    }
    if (svg) {
      writeFileSync(svg, networkBreakdownSvg(r, before));
      const missing = r.layers.some((l) => l.target === 'vta' && !l.fusedInto && !l.breakdown);
      io.stdout(`wrote ${svg}${missing ? ` (no stage counters on ${r.target}: one bar of cycles per layer)` : ''}\n`);
    }
    if (r.correct === false) throw new CommandFailure('the device output differs from the integer reference');
    return EXIT_OK;
  },
});
