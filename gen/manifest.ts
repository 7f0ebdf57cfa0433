// manifest.json: what `vta gen` wrote and how to use it — the top's ports grouped by interface, every
// memory of the design (for a reader or a synthesis flow choosing RAM primitives), and each file's role.

import type { IR } from '../hw/dsl';
import type { VtaConfig } from '../hw/vta/config';
import { corePorts, PortGroup } from '../hw/vta/ports';

export interface ManifestPort {
  readonly name: string;
  readonly direction: 'input' | 'output';
  readonly width: number;
  /** A key of the manifest's `interfaces`. */
  readonly interface: string;
  readonly description: string;
}

export interface ManifestMemory {
  /** Instance path from the top, e.g. `compute.uop_mem`. */
  readonly name: string;
  /** The module that declares it. */
  readonly module: string;
  readonly depth: number;
  /** Bits per entry. */
  readonly width: number;
  readonly readPorts: readonly { readonly name: string; readonly kind: 'sync' | 'async' }[];
  readonly writePorts: number;
  /** Present when writes are byte/lane masked: the bits each mask bit covers. */
  readonly writeMaskLane?: number;
  /** What a sync read of an address written in the same cycle returns. */
  readonly readDuringWrite: 'old' | 'new' | 'undefined';
}

/** A state register of an FSM (`fsm(name, states)` in the HDL) and the meaning of its values. */
export interface ManifestFsm {
  /** Instance path of the register from the top, e.g. `compute.state`. */
  readonly name: string;
  readonly module: string;
  readonly width: number;
  readonly states: readonly { readonly name: string; readonly value: number }[];
}

export interface ManifestFile {
  readonly file: string;
  readonly role: string;
}

export const INTERFACES: Readonly<Record<PortGroup, string>> = {
  clock: 'clock and synchronous active-high reset',
  s_axil: 'AXI4-Lite slave: the host control registers (hw/vta/regs.ts)',
  m_axi: 'AXI4 master: DRAM (instructions, micro-ops, tensors)',
  debug: 'debug outputs: progress counter and stage states',
};

export const READ_DURING_WRITE: Readonly<Record<ManifestMemory['readDuringWrite'], string>> = {
  old: 'the old data (read-first)',
  new: 'the new data (write-first)',
  undefined: 'undefined: the design never reads an address in the cycle it writes it',
};

/** The top's ports as the contract of hw/vta/ports.ts describes them; every port must be in the contract. */
export function manifestPorts(cfg: VtaConfig, top: IR.Module): ManifestPort[] {
  const contract = new Map(corePorts(cfg).map((p) => [p.name, p]));
  return top.ports.map((p) => {
    const c = contract.get(p.name);
    if (!c) throw new Error(`top port ${p.name} is not in the core's port contract (hw/vta/ports.ts)`);
    return { name: p.name, direction: p.dir, width: p.width, interface: c.group, description: c.doc };
  });
}

function writesOf(ss: readonly IR.Stmt[], out: (IR.Stmt & { kind: 'memwrite' })[] = []): (IR.Stmt & { kind: 'memwrite' })[] {
  for (const s of ss) {
    if (s.kind === 'memwrite') out.push(s);
    else if (s.kind === 'when') {
      writesOf(s.then, out);
      writesOf(s.else, out);
    } else if (s.kind === 'switch') {
      s.cases.forEach((c) => writesOf(c.body, out));
      if (s.default) writesOf(s.default, out);
    }
  }
  return out;
}

/** Every memory instance in the design, depth-first from the top, named by instance path. */
export function manifestMemories(circuit: IR.Circuit): ManifestMemory[] {
  const byName = new Map(circuit.modules.map((m) => [m.name, m]));
  const out: ManifestMemory[] = [];
  const visit = (m: IR.Module, path: string): void => {
    const writes = writesOf(m.body);
    for (const d of m.decls) {
      if (d.kind === 'mem') {
        const w = writes.filter((s) => s.mem === d.name);
        const lane = w.find((s) => s.mask !== undefined)?.laneWidth;
        out.push({
          name: path ? `${path}.${d.name}` : d.name,
          module: m.name,
          depth: d.depth,
          width: d.width,
          readPorts: d.readPorts.map((r) => ({ name: r.name, kind: r.kind })),
          writePorts: w.length,
          ...(lane !== undefined ? { writeMaskLane: lane } : {}),
          readDuringWrite: d.policy,
        });
      } else if (d.kind === 'instance') {
        visit(byName.get(d.module)!, path ? `${path}.${d.name}` : d.name);
      }
    }
  };
  visit(byName.get(circuit.top)!, '');
  return out;
}

/** Every FSM state register, found by its `<NAME>_<STATE>` localparams, depth-first from the top. */
export function manifestFsms(circuit: IR.Circuit): ManifestFsm[] {
  const byName = new Map(circuit.modules.map((m) => [m.name, m]));
  const out: ManifestFsm[] = [];
  const visit = (m: IR.Module, path: string): void => {
    for (const d of m.decls) {
      if (d.kind === 'reg') {
        const prefix = `${d.name.toUpperCase()}_`;
        const states = m.params
          .filter((p) => p.name.startsWith(prefix) && p.width === d.width)
          .map((p) => ({ name: p.name.slice(prefix.length), value: Number(p.value) }));
        if (states.length > 0) out.push({ name: path ? `${path}.${d.name}` : d.name, module: m.name, width: d.width, states });
      } else if (d.kind === 'instance') {
        visit(byName.get(d.module)!, path ? `${path}.${d.name}` : d.name);
      }
    }
  };
  visit(byName.get(circuit.top)!, '');
  return out;
}

/** What each generated module is, by the prefix of its name (module names carry their parameters). */
const MODULE_ROLES: readonly (readonly [RegExp, string])[] = [
  [/^VtaCore$/, 'the top: the whole accelerator (instantiate this)'],
  [/^Vcr$/, 'host control registers behind the AXI4-Lite slave'],
  [/^Vme_/, 'memory engine: arbitrates the DRAM reads and writes onto the AXI4 master'],
  [/^Fetch_/, 'instruction fetch: reads instructions from DRAM and dispatches them to the load, compute and store queues'],
  [/^Load_/, 'load stage: LOAD of inputs and weights into their scratchpads'],
  [/^TensorLoad_inp_/, 'input tensor loader (DRAM to the input scratchpad, with padding)'],
  [/^TensorLoad_wgt_/, 'weight tensor loader (DRAM to the weight scratchpad)'],
  [/^TensorLoad_uop_/, 'micro-op loader (DRAM to the micro-op cache)'],
  [/^TensorLoad_acc_/, 'accumulator loader (DRAM to the accumulator scratchpad)'],
  [/^Compute_/, 'compute stage: the micro-op loop driving the GEMM core and the tensor ALU'],
  [/^GemmCore_/, 'GEMM core: int8 dot products into int32 accumulators, one tensor operation per cycle (grouped by output lane)'],
  [/^TensorAlu_/, 'tensor ALU: element-wise MIN/MAX/ADD/SHR (and MUL when configured)'],
  [/^Store_/, 'store stage: STORE from the output buffer to DRAM'],
  [/^TokenQueue_/, 'dependency-token queue between two stages'],
  [/^Queue_/, 'FIFO queue'],
  [/^RRArbiter_/, 'round-robin arbiter'],
];

export function moduleRole(moduleName: string): string {
  return MODULE_ROLES.find(([re]) => re.test(moduleName))?.[1] ?? 'submodule';
}

/** Roles of every file `vta gen` writes: the Verilog (one module per file) and the side files. */
export function manifestFiles(top: string, verilog: readonly string[], side: readonly ManifestFile[]): ManifestFile[] {
  const role = (module: string): string => (module === top ? 'the top: the whole accelerator (instantiate this)' : moduleRole(module));
  return [...verilog.map((file) => ({ file, role: `Verilog module ${file.replace(/\.s?v$/, '')}: ${role(file.replace(/\.s?v$/, ''))}` })), ...side];
}
