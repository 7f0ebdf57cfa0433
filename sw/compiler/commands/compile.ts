// `vta compile MODEL`: import, run the passes, generate the VTA code and write the compiled network
// (instruction streams, micro-op kernels, packed weights and a manifest with their DRAM addresses).

import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { defineCommand } from '../../../cli/command';
import { CliIo, EXIT_OK, UsageError } from '../../../cli/errors';
import { prepareOutputDir } from '../../../util/output-dir';
import { formatInsn } from '../../../hw/vta/disasm';
import { FunctionalSimulator } from '../../../sim/fsim';
import { Runtime } from '../../runtime';
import { CompiledNetwork, generate } from '../codegen/network';
import { importModel } from '../import';
import { Graph } from '../ir';
import { formatPlacements } from '../passes/partition';
import { PipelineResult, runPipeline } from '../pipeline';
import { formatGraph, formatTensorType } from '../printer';
import { asCommandErrors, COMPILE_FLAGS, CONFIG_FLAGS, configFromArgs, pipelineOptionsFromArgs, schedulesFromArgs } from './common';

/** DRAM the compiler lays a network out in (fsim's simulated memory). */
export const COMPILE_DRAM_BYTES = 256 << 20;

export function describeNetwork(net: CompiledNetwork): string {
  const lines = ['steps:'];
  for (const s of net.steps) {
    if (s.kind === 'cpu') lines.push(`  cpu       ${s.node.name} (${s.node.op})`);
    else if (s.kind === 'upload') lines.push(`  upload    ${s.tensor} as ${s.as} (${s.buf.bytes} B)`);
    else if (s.kind === 'download') lines.push(`  download  ${s.tensor} (${s.from.buf.bytes} B)`);
    else if (s.kind === 'fused') lines.push(`  vta       ${s.node.name} (${s.node.op}): fused into ${s.into}`);
    else {
      const insns = s.programs.reduce((a, p) => a + p.insns.length, 0);
      const plan = s.plan
        ? `, tiles oc${s.plan.tOC} ic${s.plan.tIC} h${s.plan.tH} w${s.plan.tW}${s.plan.weightsResident ? ' resident weights' : ''}, est ${Math.round(s.plan.estCycles ?? 0)} cycles`
        : '';
      lines.push(`  vta       ${s.node.name} (${s.node.op}): ${insns} instructions${plan}`);
    }
  }
  return lines.join('\n');
}

function writeCompiled(dir: string, model: string, net: CompiledNetwork, p: PipelineResult, quantization: string): string[] {
  const rt = net.rt;
  mkdirSync(join(dir, 'weights'), { recursive: true });
  mkdirSync(join(dir, 'programs'), { recursive: true });
  mkdirSync(join(dir, 'uops'), { recursive: true });
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+/, '');
  const buffers = net.buffers.map((b, i) => {
    const file = `weights/${String(i).padStart(3, '0')}-${safe(b.name)}.bin`;
    const constant = net.graph.tensors[b.name]?.data !== undefined;
    if (constant) writeFileSync(join(dir, file), rt.copyFromDevice(b.buf));
    return { name: b.name, addr: b.buf.addr, bytes: b.buf.bytes, file: constant ? file : null };
  });
  const programs = net.recording.programs.map((pr, i) => {
    const file = `programs/${String(i).padStart(3, '0')}-${safe(pr.name)}.insn`;
    writeFileSync(join(dir, file), rt.copyFromDevice(pr.insnBuf));
    writeFileSync(join(dir, `${file}.txt`), pr.insns.map((x, k) => `${String(k).padStart(5)}  ${formatInsn(rt.config, x)}`).join('\n') + '\n');
    return { name: pr.name, addr: pr.insnBuf.addr, insns: pr.insns.length, file };
  });
  const uops = rt.stagedKernels().map((k, i) => {
    const file = `uops/${String(i).padStart(3, '0')}.uop`;
    writeFileSync(join(dir, file), rt.copyFromDevice(k.buf));
    return { key: k.key, addr: k.buf.addr, uops: k.uops, file };
  });
  const steps = net.steps.map((s) =>
    s.kind === 'fused'
      ? { kind: s.kind, node: s.node.name, op: s.node.op, into: s.into }
      : s.kind === 'cpu' || s.kind === 'device'
        ? {
            kind: s.kind,
            node: s.node.name,
            op: s.node.op,
            ...(s.kind === 'device' ? { programs: s.programs.map((pr) => net.recording.programs.indexOf(pr)), plan: s.plan ?? null, macs: s.macs } : {}),
          }
        : { kind: s.kind, tensor: s.tensor, addr: s.kind === 'upload' ? s.buf.addr : s.from.buf.addr, layout: s.kind === 'upload' ? s.as : s.from.form },
  );
  const io = (names: string[], g: Graph) => names.map((n) => ({ name: n, type: formatTensorType(g.tensors[n]) }));
  const manifest = {
    model,
    config: rt.config.json,
    configName: rt.config.name,
    quantization,
    inputs: io(net.graph.inputs, net.graph),
    outputs: io(net.graph.outputs, net.graph),
    placements: p.placements,
    steps,
    buffers,
    programs,
    uopKernels: uops,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(dir, 'graph.txt'), formatGraph(p.device) + '\n');
  return [
    join(dir, 'manifest.json'),
    `${programs.length} instruction streams`,
    `${uops.length} micro-op kernels`,
    `${buffers.filter((b) => b.file).length} packed constants`,
  ];
}

export const compileCommand = defineCommand({
  name: 'compile',
  summary: 'compile a model (ONNX, TFLite) for VTA: passes, partition, instruction streams',
  description:
    'Imports MODEL, folds batch norms and constants, fuses activations, quantizes to int8 (power-of-two\n' +
    'scales, requantization by shift), partitions between CPU and VTA, packs layouts and generates the\n' +
    'instruction streams through the operator library. Without --calibrate the global scale is used.\n' +
    '--print shows the graph after each pass and the partition; --out writes the compiled network.',
  spec: {
    command: 'vta compile',
    positionals: { metavar: 'MODEL', min: 1, max: 1 },
    flags: [
      ...CONFIG_FLAGS,
      ...COMPILE_FLAGS,
      { name: 'out', type: 'string', metavar: 'DIR', help: 'write manifest.json, programs/, uops/, weights/ and graph.txt here' },
      { name: 'print', type: 'bool', help: 'print the graph before and after each pass, and the partition' },
    ],
  },
  async execute(args, io: CliIo) {
    const model = args.positionals[0];
    if (!model) throw new UsageError('expects a MODEL file');
    const out = args.string('out');
    if (out !== undefined) prepareOutputDir(out, '--out'); // before the compilation, not after it
    return asCommandErrors(async () => {
      const cfg = configFromArgs(args);
      const imported = importModel(model);
      const calib = pipelineOptionsFromArgs(args, imported);
      const print = args.bool('print');
      const p = runPipeline(imported, cfg, calib.samples, {
        ...calib.options,
        onPass: print ? (pass, g) => io.stdout(`== after ${pass}\n${formatGraph(g)}\n\n`) : undefined,
      });
      io.stdout(`${model}: ${imported.nodes.length} nodes imported, ${p.device.nodes.length} after the passes; ${calib.description}; config ${cfg.name}\n`);
      io.stdout(formatPlacements(p.placements) + '\n');
      const device = new FunctionalSimulator(cfg, { dramBytes: COMPILE_DRAM_BYTES });
      const rt = new Runtime(device);
      const net = await generate(rt, p.device, { schedules: schedulesFromArgs(args) });
      io.stdout(describeNetwork(net) + '\n');
      if (out) io.stdout(`wrote ${writeCompiled(out, model, net, p, calib.description).join(', ')}\n`);
      net.release();
      return EXIT_OK;
    });
  },
});
