// The synthesis report: its fixed JSON schema (documented in scripts/synth/REPORT.md) and how it is built
// from yosys' `stat -json` output, the list of mapped memory cells, the memories declared in the Verilog,
// and the clock estimate of the mapped netlist (timing.ts).

import type { Board, FamilyName, ResourceName } from '../../hw/boards/boards';
import { RESOURCE_NAMES } from '../../hw/boards/boards';
import { Family, Resources } from './families';
import type { PathReport, TimingReport } from './timing';

export const REPORT_SCHEMA = 'vta-synth-report/2';

/** The design's clock estimate as the report carries it (per-module paths go on perModule). */
export type TimingSummary = Omit<TimingReport, 'perModule'>;

/** One memory array of the design and what synthesis made of it. */
export interface MemoryReport {
  /** The module declaring it and the array's name there. */
  readonly module: string;
  readonly name: string;
  readonly depth: number;
  readonly width: number;
  /** depth · width, per instance. */
  readonly bits: number;
  readonly readPorts: number;
  readonly writePorts: number;
  /** How many instances of `module` the design holds. */
  readonly instances: number;
  /** Mapped primitive cells per instance, by cell type; empty when it became flip-flops and logic. */
  readonly mappedTo: Readonly<Record<string, number>>;
  /** Copies yosys made to give every read port its own RAM port (1 = none). */
  readonly replicas: number;
}

export interface ModuleReport {
  readonly module: string;
  /** Instances in the design (the top counts once). */
  readonly instances: number;
  /** Resources of one instance, its own cells only. */
  readonly self: Resources;
  /** Resources of one instance including everything it instantiates. */
  readonly total: Resources;
  /** The worst path ending inside this module's instances; null without an estimate. */
  readonly timing: PathReport | null;
}

export interface FitEntry {
  readonly used: number;
  readonly budget: number;
  /** used / budget, in percent, two decimals; null when the device has none (budget 0). */
  readonly pct: number | null;
  readonly unit: string;
}

export type FitReport = { readonly ok: boolean } & Readonly<Partial<Record<ResourceName, FitEntry>>>;

export interface SynthReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly config: Readonly<Record<string, unknown>>;
  readonly configName: string;
  readonly configHash: string;
  readonly top: string;
  readonly family: FamilyName;
  readonly board: string | null;
  readonly part: string | null;
  readonly yosysVersion: string;
  /** The yosys script that produced the numbers. */
  readonly script: string;
  /** Wall-clock seconds of the yosys run (of the original run when served from the cache). */
  readonly seconds: number;
  readonly cached: boolean;
  /** The kept yosys log. */
  readonly logPath: string;
  /** The unit of each resource in this family (bram36 is M10K on Cyclone V, DP16KD on ECP5). */
  readonly units: Readonly<Record<ResourceName, string>>;
  readonly resources: Resources;
  readonly memories: readonly MemoryReport[];
  readonly perModule: readonly ModuleReport[];
  /** The clock estimate before place and route; null for a family without a delay model (ecp5). */
  readonly timing: TimingSummary | null;
  /** Against the board's budgets; null without a board. */
  readonly fit: FitReport | null;
}

/** A memory array found in the generated Verilog. */
export interface DeclaredMemory {
  readonly module: string;
  readonly name: string;
  readonly depth: number;
  readonly width: number;
  readonly readPorts: number;
  readonly writePorts: number;
}

/** Memory arrays (`reg [W-1:0] name [0:D-1];`) of each module, with their read and write ports. */
export function declaredMemories(files: readonly { text: string }[]): DeclaredMemory[] {
  const out: DeclaredMemory[] = [];
  for (const { text } of files) {
    for (const mod of text.split(/^\s*module\s+/m).slice(1)) {
      const modName = /^([A-Za-z_][A-Za-z0-9_$]*)/.exec(mod)?.[1];
      if (!modName) continue;
      const body = mod.split(/^\s*endmodule\b/m)[0];
      for (const m of body.matchAll(/^\s*reg\s+(?:signed\s+)?\[(\d+):0\]\s+([A-Za-z_][A-Za-z0-9_$]*)\s*\[0:(\d+)\]\s*;/gm)) {
        const name = m[2];
        const esc = name.replace(/\$/g, '\\$');
        out.push({
          module: modName,
          name,
          width: Number(m[1]) + 1,
          depth: Number(m[3]) + 1,
          readPorts: (body.match(new RegExp(`=\\s*${esc}\\[`, 'g')) ?? []).length,
          writePorts: (body.match(new RegExp(`\\b${esc}\\[[^\\n;]*?\\]\\s*<=`, 'g')) ?? []).length,
        });
      }
    }
  }
  return out;
}

interface StatModule {
  num_cells_by_type?: Record<string, number>;
  estimated_num_lc?: number;
}
interface StatJson {
  modules?: Record<string, StatModule>;
  design?: StatModule;
}

/** Thrown when yosys' output cannot be read; names the file and what is wrong. */
export class ReportParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportParseError';
  }
}

const stripEscape = (name: string): string => (name.startsWith('\\') ? name.slice(1) : name);

/** Parses `stat -json` text: cells per module (escapes removed) and the design's totals. */
export function parseStat(text: string, where = 'stat.json'): { modules: Map<string, StatModule>; design: StatModule } {
  let json: StatJson;
  try {
    json = JSON.parse(text) as StatJson;
  } catch (e) {
    throw new ReportParseError(`${where}: not JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || typeof json.modules !== 'object' || json.modules === null) {
    throw new ReportParseError(`${where}: no "modules" object (was it written by yosys stat -json?)`);
  }
  if (typeof json.design !== 'object' || json.design === null) {
    throw new ReportParseError(`${where}: no "design" totals (stat must be run with -top)`);
  }
  const modules = new Map<string, StatModule>();
  for (const [name, m] of Object.entries(json.modules)) {
    if (typeof m !== 'object' || m === null || typeof (m.num_cells_by_type ?? {}) !== 'object') {
      throw new ReportParseError(`${where}: module ${name} has no num_cells_by_type object`);
    }
    const cells: Record<string, number> = {};
    for (const [type, n] of Object.entries(m.num_cells_by_type ?? {})) cells[stripEscape(type)] = Number(n);
    modules.set(stripEscape(name), { num_cells_by_type: cells, estimated_num_lc: m.estimated_num_lc });
  }
  return { modules, design: json.design };
}

/** Parses `select -list` output lines `Module/cell` into (module, cell) pairs. */
export function parseCellList(text: string): { module: string; cell: string }[] {
  const out: { module: string; cell: string }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const slash = line.indexOf('/');
    if (slash <= 0) continue;
    out.push({ module: stripEscape(line.slice(0, slash)), cell: stripEscape(line.slice(slash + 1)) });
  }
  return out;
}

const addInto = (a: Resources, b: Resources, k = 1): void => {
  for (const r of RESOURCE_NAMES) a[r] += b[r] * k;
};

export interface ReportInputs {
  readonly family: Family;
  readonly top: string;
  readonly statText: string;
  /** `select -list` output per memory cell type pattern. */
  readonly memoryCellLists: Readonly<Record<string, string>>;
  readonly declared: readonly DeclaredMemory[];
}

/** Resources (design totals), per-module costs and the memory table from yosys' outputs. */
export function analyse(inp: ReportInputs): Pick<SynthReport, 'resources' | 'perModule' | 'memories'> {
  const { family, top } = inp;
  const { modules, design } = parseStat(inp.statText);
  if (!modules.has(top)) throw new ReportParseError(`stat.json: the top module ${top} is missing`);
  const designCells: Record<string, number> = {};
  for (const [type, n] of Object.entries(design.num_cells_by_type ?? {})) designCells[stripEscape(type)] = Number(n);
  const resources = family.tally(designCells, design.estimated_num_lc);

  // Hierarchy: instances of each module, and per-instance totals including children.
  const self = new Map<string, Resources>();
  const children = new Map<string, [string, number][]>();
  for (const [name, m] of modules) {
    const cells = m.num_cells_by_type ?? {};
    const own: Record<string, number> = {};
    const kids: [string, number][] = [];
    for (const [type, n] of Object.entries(cells)) {
      if (modules.has(type)) kids.push([type, n]);
      else own[type] = n;
    }
    self.set(name, family.tally(own, m.estimated_num_lc));
    children.set(name, kids);
  }
  const totals = new Map<string, Resources>();
  const totalOf = (name: string, depth = 0): Resources => {
    const have = totals.get(name);
    if (have) return have;
    if (depth > 64) throw new ReportParseError(`stat.json: the module hierarchy under ${name} is cyclic`);
    const t = { ...self.get(name)! };
    for (const [kid, n] of children.get(name)!) addInto(t, totalOf(kid, depth + 1), n);
    totals.set(name, t);
    return t;
  };
  const instances = new Map<string, number>();
  const visit = (name: string, n: number): void => {
    instances.set(name, (instances.get(name) ?? 0) + n);
    for (const [kid, k] of children.get(name)!) visit(kid, n * k);
  };
  visit(top, 1);
  const perModule: ModuleReport[] = [...instances.entries()]
    .map(([module, count]) => ({ module, instances: count, self: self.get(module)!, total: totalOf(module), timing: null }))
    .sort((a, b) => b.total.lut * b.instances - a.total.lut * a.instances || a.module.localeCompare(b.module));

  // Memories: mapped cells are named `<memory>.<replica>.<piece>` inside the declaring module.
  const mapped = new Map<string, { types: Record<string, number>; replicas: Set<string> }>();
  for (const [type, text] of Object.entries(inp.memoryCellLists)) {
    for (const { module, cell } of parseCellList(text)) {
      const [mem, replica] = cell.split('.');
      const key = `${module}/${mem}`;
      const entry = mapped.get(key) ?? { types: {}, replicas: new Set<string>() };
      entry.types[type] = (entry.types[type] ?? 0) + 1;
      if (replica !== undefined) entry.replicas.add(replica);
      mapped.set(key, entry);
    }
  }
  const memories: MemoryReport[] = inp.declared
    .filter((d) => instances.has(d.module))
    .map((d) => {
      const m = mapped.get(`${d.module}/${d.name}`);
      return {
        module: d.module,
        name: d.name,
        depth: d.depth,
        width: d.width,
        bits: d.depth * d.width,
        readPorts: d.readPorts,
        writePorts: d.writePorts,
        instances: instances.get(d.module)!,
        mappedTo: m?.types ?? {},
        replicas: m ? Math.max(1, m.replicas.size) : 1,
      };
    })
    .sort((a, b) => b.bits * b.instances - a.bits * a.instances);
  return { resources, perModule, memories };
}

/** The report's parts with the clock estimate: the design's summary, and each module's worst path. */
export function withModuleTiming(
  parts: Pick<SynthReport, 'resources' | 'perModule' | 'memories'>,
  timing: TimingReport | null,
): Pick<SynthReport, 'resources' | 'perModule' | 'memories' | 'timing'> {
  if (!timing) return { ...parts, timing: null };
  const { perModule, ...summary } = timing;
  return { ...parts, perModule: parts.perModule.map((m) => ({ ...m, timing: perModule[m.module] ?? null })), timing: summary };
}

/** Fit against a board: every budgeted resource's use; ok only if each is within its budget. */
export function fitReport(resources: Resources, board: Board | null): FitReport | null {
  if (!board) return null;
  const entries: Partial<Record<ResourceName, FitEntry>> = {};
  let ok = true;
  for (const r of RESOURCE_NAMES) {
    const b = board.budgets[r];
    if (!b) continue;
    const used = resources[r];
    if (b.amount === 0 && used === 0) continue; // a resource the device lacks and the design does not use
    const pct = b.amount === 0 ? null : Math.round((used / b.amount) * 10000) / 100;
    if (used > b.amount) ok = false;
    entries[r] = { used, budget: b.amount, pct, unit: b.unit };
  }
  return { ok, ...entries };
}
