// The clock estimate before place and route: the mapped netlist yosys writes (netlist.ts, one module per
// definition) is flattened here, every net bit gets its latest arrival from the registers, block RAMs,
// DSPs and ports that launch paths, through the cells' delays (timing-model.ts) plus a routing delay per
// connection, and the worst arrival at a capturing pin (plus its setup and the clock margin) is the period.
// The critical path is kept cell by cell: its logic levels (LUTs, muxes, carry cells, LUT-RAM reads), its
// DSP and block-RAM stages, its start and end by hierarchical name. The same is done for the paths that
// end inside each module's instances (the module's own worst path, what pipelining it would buy).

import { CONSTANT_NETS, Netlist, NetlistParseError, NetId } from './netlist';
import { CellTiming, StageKind, TimingModel } from './timing-model';

/** The critical path of the design or of one module. */
export interface PathReport {
  /** Estimated maximum clock frequency, MHz (one decimal): the calibrated model (timing-model.ts). */
  readonly fmaxMHz: number;
  /** The period it stands for, ns (three decimals): (launch + cells + routing + setup + clock margin) x calibration. */
  readonly periodNs: number;
  /** Logic levels on the path: LUTs, wide muxes, carry cells and LUT-RAM reads, as vendor timing counts them. */
  readonly levels: number;
  /** Cells on the path by stage kind (lut, mux, carry, lutram, dsp, bram), the launching and capturing ones included. */
  readonly stages: Readonly<Partial<Record<StageKind, number>>>;
  /** Where the path starts and ends: hierarchical register, memory or port names. */
  readonly from: string;
  readonly to: string;
}

export interface TimingReport extends PathReport {
  /** Where the delays come from (timing-model.ts). */
  readonly model: string;
  /** The estimate with the routing assumption at 1.4x and 0.6x: [slow, fast] MHz. */
  readonly fmaxRangeMHz: readonly [number, number];
  /** The model without the calibration: yosys' netlist as mapped, MHz. */
  readonly uncalibratedFmaxMHz: number;
  /** The critical path's cells in order: hierarchical name, cell type, arrival at its output (ns). */
  readonly path: readonly { readonly cell: string; readonly type: string; readonly arrivalNs: number }[];
  /** Cell types the model does not know, counted (treated as wires). */
  readonly unknownCells: Readonly<Record<string, number>>;
  /** Per module: the worst path ending inside its instances. */
  readonly perModule: Readonly<Record<string, PathReport>>;
}

/** A leaf cell of the flattened design. */
interface Leaf {
  name: string;
  type: string;
  timing: CellTiming | null;
  /** Global net id per port bit (-1: a constant). */
  inputs: Record<string, number[]>;
  outputs: Record<string, number[]>;
  /** Module types of the instances it lies in, top first. */
  owners: readonly string[];
}

/** A wire the netlist writes as a cell (BLIF's `.names a b` / `1 1`). */
const BUFFER: CellTiming = { kind: 'absorbed', arcs: [{ from: 'A', to: 'Y', delay: 0 }] };

/** Flattens `top`: leaf cells with global net ids, the top's port bits, and a name for every named net bit. */
function flatten(modules: Netlist, top: string, model: TimingModel) {
  const leaves: Leaf[] = [];
  const netNames = new Map<number, string>();
  const unknown: Record<string, number> = {};
  let nextNet = 0;
  const CONST = -1;
  const timingCache = new Map<string, CellTiming | null>();
  /** The global id of net `n` in a module instance's `ids`, made on first use; constants are CONST. */
  const globalId = (ids: Map<NetId, number>, n: NetId | undefined): number => {
    if (n === undefined || CONSTANT_NETS.has(n)) return CONST;
    let g = ids.get(n);
    if (g === undefined) {
      g = nextNet++;
      ids.set(n, g);
    }
    return g;
  };
  const visit = (modName: string, path: string, owners: readonly string[], bind: Map<NetId, number>, depth: number): void => {
    if (depth > 64) throw new NetlistParseError(`netlist: the hierarchy under ${modName} is too deep or cyclic`);
    const mod = modules.get(modName)!;
    const local = new Map<NetId, number>(bind);
    const id = (n: NetId | undefined) => globalId(local, n);
    for (const [n, name] of mod.names) {
      const g = id(n);
      if (g !== CONST && !netNames.has(g)) netNames.set(g, `${path}${name}`);
    }
    for (const cell of mod.cells) {
      const name = `${path}${cell.name}`;
      const sub = modules.get(cell.type);
      if (sub) {
        const childBind = new Map<NetId, number>();
        for (const port of sub.ports) {
          const actual = cell.pins[port.name] ?? [];
          port.nets.forEach((formal, i) => {
            const g = id(actual[i]);
            if (g !== CONST && formal !== undefined) childBind.set(formal, g);
          });
        }
        visit(cell.type, `${name}/`, [...owners, cell.type], childBind, depth + 1);
        continue;
      }
      const key = `${cell.type}|${JSON.stringify(cell.params)}`;
      let timing = timingCache.get(key);
      if (timing === undefined) {
        timing = cell.type === '$buf' ? BUFFER : model.cell(cell.type, cell.params);
        timingCache.set(key, timing);
      }
      if (!timing) unknown[cell.type] = (unknown[cell.type] ?? 0) + 1;
      const inputs: Record<string, number[]> = {};
      const outputs: Record<string, number[]> = {};
      for (const [pin, nets] of Object.entries(cell.pins)) {
        (cell.outputs.has(pin) ? outputs : inputs)[pin] = Array.from(nets, (n) => id(n));
      }
      leaves.push({ name, type: cell.type, timing, inputs, outputs, owners });
    }
  };
  const topMod = modules.get(top);
  if (!topMod) throw new NetlistParseError(`netlist: the top module ${top} is missing`);
  const topBind = new Map<NetId, number>();
  const ports: { name: string; dir: 'input' | 'output'; nets: number[] }[] = [];
  for (const p of topMod.ports) {
    ports.push({ name: p.name, dir: p.dir, nets: Array.from(p.nets, (n) => globalId(topBind, n)) });
  }
  visit(top, '', [top], topBind, 0);
  return { leaves, ports, netCount: nextNet, netNames, unknown };
}

/** Where a net bit's latest signal comes from: the cell that drives it and the input net it came through. */
interface Pred {
  leaf: number;
  /** The critical input net, or -1 where the path starts (a launching output, a port). */
  from: number;
}

interface Endpoint {
  /** Period needed, ps, without the clock margin. */
  required: number;
  net: number;
  leaf: number;
  port: string;
}

export function analyseTiming(netlist: Netlist, top: string, model: TimingModel, netScale = 1): TimingReport {
  const flat = flatten(netlist, top, model);
  const main = propagate(flat, model, netScale);
  const slow = propagate(flat, model, netScale * 1.4).worst;
  const fast = propagate(flat, model, netScale * 0.6).worst;
  const mhz = (required: number) => Math.round((1e6 / ((required + model.clockMarginPs) * model.calibration)) * 10) / 10;
  const perModule: Record<string, PathReport> = {};
  for (const [mod, ep] of main.worstByModule) perModule[mod] = main.describe(ep).report;
  const described = main.describe(main.worst);
  return {
    ...described.report,
    model: model.source,
    fmaxRangeMHz: [slow ? mhz(slow.required) : described.report.fmaxMHz, fast ? mhz(fast.required) : described.report.fmaxMHz],
    uncalibratedFmaxMHz: Math.round((1e6 / ((main.worst?.required ?? 0) + model.clockMarginPs)) * 10) / 10,
    path: described.cells,
    unknownCells: flat.unknown,
    perModule,
  };
}

type Flat = ReturnType<typeof flatten>;

function propagate(flat: Flat, model: TimingModel, netScale: number) {
  const { leaves, ports, netCount, netNames } = flat;
  const arrival = new Float64Array(netCount).fill(-Infinity);
  const pred: (Pred | undefined)[] = new Array(netCount);
  const fanout = new Uint32Array(netCount);
  const driver = new Int32Array(netCount).fill(-1);
  const driverPort: string[] = new Array(netCount);
  for (let i = 0; i < leaves.length; i++) {
    for (const nets of Object.values(leaves[i].inputs)) for (const n of nets) if (n >= 0) fanout[n]++;
    for (const [port, nets] of Object.entries(leaves[i].outputs))
      for (const n of nets)
        if (n >= 0) {
          driver[n] = i;
          driverPort[n] = port;
        }
  }
  for (const p of ports) if (p.dir === 'output') for (const n of p.nets) if (n >= 0) fanout[n]++;
  /** Routing from net `n`'s driver to a sink: none on dedicated wiring. */
  const net = (n: number, sink?: Leaf, sinkPort?: string) => {
    const d = driver[n];
    if (sink && sinkPort && d >= 0 && model.dedicated(leaves[d].type, driverPort[n], sink.type, sinkPort, fanout[n])) return 0;
    return model.netDelay(fanout[n], netScale);
  };
  // Launch points: top inputs and clocked outputs.
  for (const p of ports) {
    if (p.dir !== 'input') continue;
    for (const n of p.nets)
      if (n >= 0) {
        arrival[n] = model.portLaunchPs;
        pred[n] = { leaf: -1, from: -1 };
      }
  }
  // Which input bits each cell waits for (the inputs of its arcs), and which cells read each net.
  const waitsOn: number[][] = leaves.map((l) => {
    const t = l.timing;
    if (!t)
      return Object.values(l.inputs)
        .flat()
        .filter((n) => n >= 0);
    if (t.lut) return t.lut.inputs.flatMap((p) => l.inputs[p] ?? []).filter((n) => n >= 0);
    const ports = new Set((t.arcs ?? []).map((a) => a.from));
    return [...ports].flatMap((p) => l.inputs[p] ?? []).filter((n) => n >= 0);
  });
  const readers: number[][] = Array.from({ length: netCount }, () => []);
  const pending = new Int32Array(leaves.length);
  waitsOn.forEach((nets, i) => {
    const uniq = [...new Set(nets)];
    pending[i] = uniq.length;
    for (const n of uniq) readers[n].push(i);
  });
  for (let i = 0; i < leaves.length; i++) {
    const t = leaves[i].timing;
    for (const [port, delay] of Object.entries(t?.launch ?? {})) {
      for (const n of leaves[i].outputs[port] ?? [])
        if (n >= 0 && delay > arrival[n]) {
          arrival[n] = delay;
          pred[n] = { leaf: i, from: -1 };
        }
    }
  }
  // Nets that no cell drives (ports, constants, launch outputs) are ready at once.
  const ready: number[] = [];
  const resolved = new Uint8Array(netCount);
  const resolve = (n: number) => {
    if (resolved[n]) return;
    resolved[n] = 1;
    for (const r of readers[n]) if (--pending[r] === 0) ready.push(r);
  };
  const evaluated = new Uint8Array(leaves.length);
  const evaluate = (i: number) => {
    evaluated[i] = 1;
    const l = leaves[i];
    const t = l.timing;
    const at = (n: number, port?: string) => (n >= 0 && arrival[n] > -Infinity ? arrival[n] + net(n, l, port) : -Infinity);
    const set = (out: number, value: number, from: number) => {
      if (out >= 0 && value > arrival[out]) {
        arrival[out] = value;
        pred[out] = { leaf: i, from };
      }
    };
    if (t?.lut) {
      // The router puts the latest input on the fastest pin: sort inputs late to early, pins fast to slow.
      const ins = t.lut.inputs
        .flatMap((p) => l.inputs[p] ?? [])
        .filter((n) => n >= 0)
        .sort((a, b) => at(b) - at(a));
      const pins = [...t.lut.pinDelays].sort((a, b) => a - b);
      for (const out of l.outputs[t.lut.output] ?? []) ins.forEach((n, k) => set(out, at(n) + pins[Math.min(k, pins.length - 1)], n));
    } else if (t) {
      for (const a of t.arcs ?? []) {
        const from = l.inputs[a.from] ?? [];
        const to = l.outputs[a.to] ?? [];
        const fromBits = a.fromBit === undefined ? from : from[a.fromBit] === undefined ? [] : [from[a.fromBit]];
        const toBits = a.toBit === undefined ? to : to[a.toBit] === undefined ? [] : [to[a.toBit]];
        for (const n of fromBits) for (const o of toBits) set(o, at(n, a.from) + a.delay, n);
      }
    } else {
      // Unknown cell: a wire from every input to every output.
      for (const nets of Object.values(l.inputs)) for (const n of nets) for (const outs of Object.values(l.outputs)) for (const o of outs) set(o, at(n), n);
    }
    for (const outs of Object.values(l.outputs)) for (const o of outs) if (o >= 0) resolve(o);
  };
  for (let n = 0; n < netCount; n++) if (driver[n] < 0) resolve(n);
  for (let i = 0; i < leaves.length; i++) if (pending[i] === 0) ready.push(i);
  let head = 0;
  let scan = 0;
  for (;;) {
    while (head < ready.length) {
      const i = ready[head++];
      if (!evaluated[i]) evaluate(i);
    }
    // A combinational loop leaves cells waiting: release the first one and carry on.
    while (scan < leaves.length && evaluated[scan]) scan++;
    if (scan === leaves.length) break;
    ready.push(scan);
  }
  // Endpoints: capturing inputs of cells and the top's outputs.
  let worst: Endpoint | null = null;
  const worstByModule = new Map<string, Endpoint>();
  const consider = (ep: Endpoint, owners: readonly string[]) => {
    if (!worst || ep.required > worst.required) worst = ep;
    for (const o of owners) {
      const w = worstByModule.get(o);
      if (!w || ep.required > w.required) worstByModule.set(o, ep);
    }
  };
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i];
    for (const [port, setup] of Object.entries(l.timing?.capture ?? {})) {
      for (const n of l.inputs[port] ?? []) {
        if (n < 0 || arrival[n] === -Infinity) continue;
        consider({ required: arrival[n] + net(n, l, port) + setup, net: n, leaf: i, port }, l.owners);
      }
    }
  }
  const topOwner = leaves[0]?.owners[0];
  for (const p of ports) {
    if (p.dir !== 'output') continue;
    for (const n of p.nets) {
      if (n < 0 || arrival[n] === -Infinity) continue;
      consider({ required: arrival[n] + net(n) + model.portSetupPs, net: n, leaf: -1, port: p.name }, topOwner ? [topOwner] : []);
    }
  }

  const nameOfNet = (n: number) => netNames.get(n) ?? `net ${n}`;
  /** The register, memory or port a path starts at. */
  const startName = (n: number): string => {
    const p = pred[n];
    if (!p || p.leaf < 0) return ports.find((x) => x.nets.includes(n))?.name ?? nameOfNet(n);
    const l = leaves[p.leaf];
    if (l.timing?.kind === 'ff') return nameOfNet(n);
    return `${l.name} (${l.type} ${Object.entries(l.outputs).find(([, nets]) => nets.includes(n))?.[0] ?? ''})`.replace(' )', ')');
  };
  const describe = (ep: Endpoint | null) => {
    const cells: { cell: string; type: string; kind: StageKind; arrivalNs: number }[] = [];
    const stages: Partial<Record<StageKind, number>> = {};
    let levels = 0;
    let from = ep ? '' : 'no path';
    if (ep) {
      let n = ep.net;
      const seen = new Set<number>();
      while (n >= 0 && !seen.has(n)) {
        seen.add(n);
        const p = pred[n];
        if (!p) break;
        if (p.leaf < 0 || p.from < 0) {
          from = startName(n);
          if (p.leaf >= 0) cells.unshift(cellEntry(p.leaf, n));
          break;
        }
        if (seen.has(p.from)) {
          from = nameOfNet(p.from);
          break;
        }
        cells.unshift(cellEntry(p.leaf, n));
        n = p.from;
      }
      for (const c of cells) {
        const kind = c.kind;
        if (kind === 'lut' || kind === 'mux' || kind === 'carry' || (kind === 'lutram' && c !== cells[0])) levels++;
        if (kind !== 'absorbed' && kind !== 'ff') stages[kind] = (stages[kind] ?? 0) + 1;
      }
    }
    const end =
      ep === null
        ? 'no path'
        : ep.leaf < 0
          ? ep.port
          : leaves[ep.leaf].timing?.kind === 'ff'
            ? nameOfNet((leaves[ep.leaf].outputs.Q ?? [-1])[0])
            : `${leaves[ep.leaf].name} (${leaves[ep.leaf].type} ${ep.port})`;
    if (ep && ep.leaf >= 0 && leaves[ep.leaf].timing?.kind !== 'ff') {
      const k = leaves[ep.leaf].timing?.kind;
      if (k && k !== 'absorbed') stages[k] = (stages[k] ?? 0) + 1;
    }
    const required = ep ? ep.required : 0;
    const period = (required + model.clockMarginPs) * model.calibration;
    const report: PathReport = {
      fmaxMHz: Math.round((1e6 / period) * 10) / 10,
      periodNs: Math.round(period) / 1000,
      levels,
      stages,
      from,
      to: end,
    };
    return { report, cells: cells.map(({ cell, type, arrivalNs }) => ({ cell, type, arrivalNs })) };
  };
  const cellEntry = (leaf: number, out: number) => ({
    cell: leaves[leaf].name,
    type: leaves[leaf].type,
    kind: leaves[leaf].timing?.kind ?? ('absorbed' as StageKind),
    arrivalNs: Math.round(arrival[out]) / 1000,
  });
  return { worst: worst as Endpoint | null, worstByModule, describe };
}
