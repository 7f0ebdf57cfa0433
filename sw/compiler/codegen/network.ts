// Code generation for a partitioned, packed graph: VTA nodes are emitted once through the operator
// library into recorded instruction streams (Runtime.startRecording) over buffers at fixed DRAM
// addresses; CPU nodes run through the integer reference. A run per input then only copies the input
// in, replays the streams and runs the CPU steps, with per-layer cycles, counters and times.

import type { VtaConfig } from '../../../hw/vta/config';
import { Counters, emptyCounters } from '../../../sim/device';
import type { Conv2dPlan } from '../../ops/conv2d';
import { packActivations, roundUp, unpackActivations } from '../../ops/layout';
import type { DeviceBuffer, RecordedProgram, Recording, Runtime } from '../../runtime';
import { runInt8Node, constValue, Value, Values } from '../exec/int8';
import { CompileError, Graph, Node } from '../ir';
import { operatorOf } from '../operators/table';
import type { EmitContext, Residency, UploadForm } from './context';
import { plannerSchedules, ScheduleProvider } from './schedule';

export { nodeGeometry } from './geometry';

/** A node's multiply-accumulates per run, whatever its target (its operator's `macs`: convolutions of any grouping, dense layers); 0 for the rest. */
export function nodeMacs(g: Graph, n: Node): number {
  return operatorOf(n).macs?.(n, g) ?? 0;
}

export type Step =
  | { kind: 'cpu'; node: Node }
  | { kind: 'upload'; tensor: string; buf: DeviceBuffer; as: UploadForm }
  | { kind: 'device'; node: Node; programs: RecordedProgram[]; plan?: Conv2dPlan; macs: number }
  /** A node whose work another node's device step does (a residual add fused into its conv2d). */
  | { kind: 'fused'; node: Node; into: string }
  | { kind: 'download'; tensor: string; from: Residency };

export interface LayerRun {
  node: string;
  op: string;
  target: 'cpu' | 'vta';
  /** Device cycles (null on backends without timing); the planner's estimate beside it. */
  cycles: number | null;
  estCycles: number | null;
  macs: number;
  counters: Counters | null;
  /** The stage cycle counters (STAGE_COUNTERS) summed over the layer's programs, where the device has them (TSIM, boards). */
  stages: StageCycles | null;
  /** Seconds: device run (replay) or CPU work (the node, plus packing/copies charged to it). */
  seconds: number;
  /** The node whose device step does this one's work (its cycles are that node's; here 0). */
  fusedInto?: string;
}

/** Cycle counters of the three stages (hw/vta/regs.ts): busy executing, and waiting for a dependency token. */
export const STAGE_COUNTERS = ['COMPUTE_BUSY', 'COMPUTE_TOKEN_STALL', 'LOAD_BUSY', 'LOAD_TOKEN_STALL', 'STORE_BUSY', 'STORE_TOKEN_STALL'] as const;
export type StageCycles = Record<(typeof STAGE_COUNTERS)[number], number>;

export interface NetworkRun {
  values: Values;
  layers: LayerRun[];
}

const asInt8 = (u: Uint8Array) => new Int8Array(u.buffer, u.byteOffset, u.byteLength);

function addCounters(a: Counters, b: Counters): void {
  for (const k of Object.keys(b) as (keyof Counters)[]) {
    if (k === 'byKind') for (const [kind, n] of Object.entries(b.byKind)) a.byKind[kind] = (a.byKind[kind] ?? 0) + n;
    else (a[k] as number) += b[k] as number;
  }
}

export class CompiledNetwork {
  private released = false;

  constructor(
    readonly rt: Runtime,
    readonly graph: Graph,
    readonly steps: Step[],
    readonly recording: Recording,
    /** Buffers the network owns: packed constants, activations, inputs. */
    readonly buffers: { name: string; buf: DeviceBuffer }[],
  ) {}

  get config(): VtaConfig {
    return this.rt.config;
  }

  /** Runs the network on one set of float inputs. */
  async run(inputs: Record<string, Float32Array>): Promise<NetworkRun> {
    if (this.released) throw new CompileError('the compiled network was released');
    const g = this.graph;
    const cfg = this.config;
    const vals: Values = new Map();
    for (const i of g.inputs) vals.set(i, inputs[i]);
    const get = (name: string): Value => {
      const v = vals.get(name) ?? constValue(g, name);
      if (!v) throw new CompileError(`tensor ${name} has no value on the host`);
      return v;
    };
    const layers = new Map<string, LayerRun>();
    const layer = (n: Node): LayerRun => {
      let l = layers.get(n.name);
      if (!l) {
        l = {
          node: n.name,
          op: (n.op === 'conv2d' && n.attrs.loweredFrom) || n.op,
          target: n.target ?? 'cpu',
          cycles: null,
          estCycles: null,
          macs: 0,
          counters: null,
          stages: null,
          seconds: 0,
        };
        layers.set(n.name, l);
      }
      return l;
    };
    const owner = new Map<string, Node>();
    for (const s of this.steps) if (s.kind === 'cpu' || s.kind === 'device') owner.set(s.node.outputs[0], s.node);
    const consumerOf = (t: string) =>
      this.steps.find((s) => (s.kind === 'cpu' || s.kind === 'device') && s.node.inputs.includes(t)) as { node: Node } | undefined;
    for (const s of this.steps) {
      const t0 = performance.now();
      switch (s.kind) {
        case 'cpu':
          vals.set(s.node.outputs[0], runInt8Node(g, s.node, get));
          layer(s.node).macs = nodeMacs(g, s.node);
          layer(s.node).seconds += (performance.now() - t0) / 1e3;
          break;
        case 'fused': {
          const l = layer(s.node);
          l.fusedInto = s.into;
          l.cycles = 0;
          l.estCycles = 0;
          break;
        }
        case 'upload': {
          const v = get(s.tensor);
          const shape = g.tensors[s.tensor].shape;
          this.rt.copyToDevice(s.buf, hostToPacked(cfg, v as Int8Array, shape, s.as));
          const c = consumerOf(s.tensor);
          if (c) layer(c.node).seconds += (performance.now() - t0) / 1e3;
          break;
        }
        case 'device': {
          const l = layer(s.node);
          l.macs = s.macs;
          l.estCycles = s.plan?.estCycles ?? null;
          l.counters = emptyCounters();
          let cycles: number | null = 0;
          let stages: StageCycles | null = Object.fromEntries(STAGE_COUNTERS.map((k) => [k, 0])) as StageCycles;
          for (const p of s.programs) {
            const r = await this.rt.replay(p);
            cycles = cycles === null || r.cycles === null ? null : cycles + r.cycles;
            addCounters(l.counters, r.counters);
            const regs = r.registers;
            if (stages && regs && STAGE_COUNTERS.every((k) => regs[k] !== undefined)) for (const k of STAGE_COUNTERS) stages[k] += regs[k];
            else stages = null;
          }
          l.stages = stages;
          l.cycles = cycles;
          l.seconds += (performance.now() - t0) / 1e3;
          break;
        }
        case 'download': {
          const shape = g.tensors[s.tensor].shape;
          vals.set(s.tensor, packedToHost(cfg, asInt8(this.rt.copyFromDevice(s.from.buf)), shape, s.from.form));
          const o = owner.get(s.tensor);
          if (o) layer(o).seconds += (performance.now() - t0) / 1e3;
          break;
        }
      }
    }
    return { values: vals, layers: [...layers.values()] };
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.rt.releaseRecording(this.recording);
    for (const b of this.buffers) this.rt.free(b.buf);
  }
}

/** Host NCHW (or [M, K] for 'dense') int8 -> the packed DRAM image. */
export function hostToPacked(cfg: VtaConfig, v: Int8Array, shape: number[], as: 'inp' | 'acc' | 'dense'): Uint8Array {
  if (as === 'dense') {
    const [M, K] = shape;
    const B = cfg.batch;
    const MB = Math.ceil(M / B);
    const x4 = new Int8Array(B * K * MB);
    for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) x4[((m % B) * K + k) * MB + Math.floor(m / B)] = v[m * K + k];
    const p = packActivations(cfg, x4, [B, K, 1, MB], 'inp');
    return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  }
  const s4 = [shape[0], shape[1], shape[2], shape[3]] as const;
  if (as === 'acc') {
    const p = packActivations(cfg, Int32Array.from(v), s4, 'acc');
    return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
  }
  const p = packActivations(cfg, v, s4, 'inp');
  return new Uint8Array(p.buffer, p.byteOffset, p.byteLength);
}

/** The packed OUT image of a device tensor -> host NCHW int8 (or [M, N] for a dense output). */
export function packedToHost(cfg: VtaConfig, packed: Int8Array, shape: number[], form: 'act' | 'dense'): Int8Array {
  if (form === 'dense') {
    const [M, N] = shape;
    const B = cfg.batch;
    const MB = Math.ceil(M / B);
    const Np = roundUp(N, cfg.blockOut);
    const full = unpackActivations(cfg, packed, [B, Np, 1, MB], 'out');
    const y = new Int8Array(M * N);
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) y[m * N + n] = full[((m % B) * Np + n) * MB + Math.floor(m / B)];
    return y;
  }
  const [N, C, H, W] = shape;
  const Np = roundUp(N, cfg.batch);
  const Cp = roundUp(C, cfg.blockOut);
  const full = unpackActivations(cfg, packed.subarray(0, Np * Cp * H * W), [Np, Cp, H, W], 'out');
  if (Np === N && Cp === C) return full;
  const out = new Int8Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) out.set(full.subarray((n * Cp + c) * H * W, (n * Cp + c + 1) * H * W), (n * C + c) * H * W);
  return out;
}

export interface CodegenOptions {
  schedules?: ScheduleProvider;
}

/** Emits the VTA part of a partitioned, packed graph and plans the host steps around it. */
export async function generate(rt: Runtime, g: Graph, opts: CodegenOptions = {}): Promise<CompiledNetwork> {
  const cfg = rt.config;
  const schedules = opts.schedules ?? plannerSchedules;
  const owned: { name: string; buf: DeviceBuffer }[] = [];
  const alloc = (name: string, bytes: number) => {
    const buf = rt.alloc(Math.max(1, bytes));
    owned.push({ name, buf });
    return buf;
  };
  const where = new Map<string, Residency>();
  const onHost = new Set<string>(g.inputs);
  const steps: Step[] = [];
  const B = cfg.batch;
  const BI = cfg.blockIn;
  const BO = cfg.blockOut;
  const outBytes = (s: number[]) => roundUp(s[0], B) * roundUp(s[1], BO) * s[2] * s[3];

  const toHost = (t: string) => {
    if (onHost.has(t) || g.tensors[t].data) return;
    const r = where.get(t);
    if (!r) throw new CompileError(`codegen: tensor ${t} is neither on the host nor on the device`);
    steps.push({ kind: 'download', tensor: t, from: r });
    onHost.add(t);
  };
  const upload = (t: string, as: UploadForm): DeviceBuffer => {
    toHost(t);
    const shape = g.tensors[t].shape;
    const bytes =
      as === 'dense'
        ? B * roundUp(shape[1], BI) * Math.ceil(shape[0] / B)
        : roundUp(shape[0], B) * roundUp(shape[1], as === 'inp' ? BI : BO) * shape[2] * shape[3] * (as === 'acc' ? 4 : 1);
    const buf = alloc(`${t}:${as}`, bytes);
    steps.push({ kind: 'upload', tensor: t, buf, as });
    return buf;
  };
  const slices = new Map<string, DeviceBuffer>();
  const fused = new Map<string, string>();
  const ctx: EmitContext = {
    rt,
    cfg,
    g,
    schedules,
    alloc,
    outBytes,
    upload,
    inpOperand: (t) => {
      const r = where.get(t);
      return r && r.form === 'act' && BI === BO ? r.buf : upload(t, 'inp');
    },
    outputBuf: (t) => slices.get(t) ?? alloc(t, outBytes(g.tensors[t].shape)),
    constBuf: (name, data) => {
      const d = data ?? (g.tensors[name].data as Int8Array | Int32Array);
      const buf = alloc(name, d.byteLength);
      rt.copyToDevice(buf, d);
      return buf;
    },
    residency: (t) => where.get(t),
    place: (t, r) => where.set(t, r),
    setSlice: (t, buf) => slices.set(t, buf),
    fuse: (node, into) => fused.set(node, into),
    fusedInto: (node) => fused.get(node),
  };

  // buffers VTA nodes lay out for their inputs before any code (a concat's channel slices)
  for (const n of g.nodes) if (n.target === 'vta') operatorOf(n).planBuffers?.(n, ctx);

  rt.startRecording();
  try {
    for (const n of g.nodes) {
      if (n.target !== 'vta') {
        for (const i of n.inputs) if (i) toHost(i);
        steps.push({ kind: 'cpu', node: n });
        onHost.add(n.outputs[0]);
        continue;
      }
      const emit = operatorOf(n).emit;
      if (!emit) throw new CompileError(`codegen: node ${n.name}: no VTA code for ${n.op}`);
      const programsBefore = rt.recordedPrograms.length;
      const done = await emit(n, ctx);
      if (done) steps.push({ kind: 'device', node: n, programs: rt.recordedPrograms.slice(programsBefore), plan: done.plan, macs: done.macs });
      const into = ctx.fusedInto(n.name);
      if (into) steps.push({ kind: 'fused', node: n, into });
    }
    for (const t of g.outputs) toHost(t);
  } catch (e) {
    rt.abortRecording();
    for (const b of owned) rt.free(b.buf);
    throw e;
  }
  const recording = rt.stopRecording();
  return new CompiledNetwork(rt, g, steps, recording, owned);
}
