// The mapped netlist yosys writes, read into one form for the clock estimate: modules with their ports,
// cells (type, parameters, pin connections, which pins are outputs) and net names. Two writers are read:
// BLIF (`write_blif -param -cname`, what `vta synth` uses: yosys writes it several times faster than JSON),
// with the library cells' output pins listed apart (`select -list =t:* %M =o:* %i`), and JSON
// (`write_json`, which carries pin directions itself).

/** A net within its module; constants are CONSTANT_NETS. */
export type NetId = string;
export const CONSTANT_NETS: ReadonlySet<NetId> = new Set(['0', '1', 'x', 'z', '$false', '$true', '$undef']);

export interface NetlistCell {
  readonly name: string;
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
  /** Pin (port) name -> its nets, bit 0 first. */
  readonly pins: Readonly<Record<string, readonly NetId[]>>;
  /** The pins that are outputs. */
  readonly outputs: ReadonlySet<string>;
}

export interface NetlistModule {
  readonly ports: readonly { readonly name: string; readonly dir: 'input' | 'output'; readonly nets: readonly NetId[] }[];
  readonly cells: readonly NetlistCell[];
  /** A readable name of a net (public names only). */
  readonly names: ReadonlyMap<NetId, string>;
}

export type Netlist = ReadonlyMap<string, NetlistModule>;

export class NetlistParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetlistParseError';
  }
}

const stripEscape = (n: string) => (n.startsWith('\\') ? n.slice(1) : n);
const isPublic = (n: string) => !n.startsWith('$');

/** `name[3]` -> ['name', 3]; `name` -> ['name', 0]. */
function splitBit(pin: string): [string, number] {
  const m = /^(.*)\[(\d+)\]$/.exec(pin);
  return m ? [m[1], Number(m[2])] : [pin, 0];
}

/**
 * Reads `write_blif -param -cname` output. `libraryOutputs` lists `Type/pin` for every output pin of the
 * library cells used (yosys' `select -list =t:* %M =o:* %i`); a pin not listed is an input.
 */
export function parseBlif(text: string, libraryOutputs: string, where = 'netlist.blif'): Netlist {
  const outputsOf = new Map<string, Set<string>>();
  for (const line of libraryOutputs.split('\n')) {
    const slash = line.trim().indexOf('/');
    if (slash <= 0) continue;
    const type = stripEscape(line.trim().slice(0, slash));
    const pin = stripEscape(line.trim().slice(slash + 1));
    if (!outputsOf.has(type)) outputsOf.set(type, new Set());
    outputsOf.get(type)!.add(pin);
  }
  // Join continuation lines, drop comments.
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '');
  const modules = new Map<string, NetlistModule>();
  let current: { name: string; ports: NetlistModule['ports'][number][]; cells: NetlistCell[]; names: Map<NetId, string> } | null = null;
  let last: { name: string; type: string; params: Record<string, string>; pins: Record<string, NetId[]>; outputs: Set<string> } | null = null;
  let namesOf: string[] | null = null;
  // A `.names` with inputs is a logic function; after techmap only buffers (`1 1`) remain: two names of one net.
  let aliases: [NetId, NetId][] = [];
  const flushNames = () => {
    if (namesOf && namesOf.length === 2) aliases.push([namesOf[0], namesOf[1]]);
    namesOf = null;
  };
  const pushCell = () => {
    if (last && current) current.cells.push(last);
    last = null;
  };
  lines.forEach((line, i) => {
    const words = line.split(/\s+/);
    const kw = words[0];
    if (kw === '.model') {
      current = { name: words[1], ports: [], cells: [], names: new Map() };
      return;
    }
    if (!current) throw new NetlistParseError(`${where}: line ${i + 1}: ${kw} outside a .model`);
    if (kw !== '.param' && kw !== '.cname' && kw !== '.attr') pushCell();
    if (!kw.startsWith('.')) return; // a cover line of .names
    flushNames();
    if (kw === '.inputs' || kw === '.outputs') {
      const dir = kw === '.inputs' ? 'input' : 'output';
      const byPort = new Map<string, NetId[]>();
      for (const w of words.slice(1)) {
        const [base, bit] = splitBit(w);
        if (!byPort.has(base)) byPort.set(base, []);
        byPort.get(base)![bit] = w;
        if (isPublic(w)) current.names.set(w, w);
      }
      for (const [name, nets] of byPort) current.ports.push({ name, dir, nets });
    } else if (kw === '.names') {
      namesOf = words.slice(1);
    } else if (kw === '.subckt') {
      const type = stripEscape(words[1]);
      const pins: Record<string, NetId[]> = {};
      for (const w of words.slice(2)) {
        const eq = w.indexOf('=');
        if (eq <= 0) throw new NetlistParseError(`${where}: line ${i + 1}: malformed pin ${JSON.stringify(w)}`);
        const [base, bit] = splitBit(w.slice(0, eq));
        const net = w.slice(eq + 1);
        (pins[base] ??= [])[bit] = net;
        if (isPublic(net) && !current.names.has(net)) current.names.set(net, net);
      }
      last = { name: `$cell$${current.cells.length}`, type, params: {}, pins, outputs: outputsOf.get(type) ?? new Set() };
    } else if (kw === '.cname') {
      if (last) last.name = stripEscape(words.slice(1).join(' '));
    } else if (kw === '.param') {
      if (last) last.params[words[1]] = words.slice(2).join(' ');
    } else if (kw === '.end') {
      modules.set(stripEscape(current.name), mergeAliases(current, aliases));
      aliases = [];
      current = null;
    }
  });
  pushCell();
  flushNames();
  if (modules.size === 0) throw new NetlistParseError(`${where}: no .model (was it written by yosys write_blif?)`);
  // Instances of modules of the netlist: their pins' directions come from the module's ports.
  for (const mod of modules.values()) {
    for (const cell of mod.cells) {
      const sub = modules.get(cell.type);
      if (!sub) continue;
      for (const p of sub.ports) if (p.dir === 'output') (cell.outputs as Set<string>).add(p.name);
    }
  }
  return modules;
}

/** One net per set of names joined by buffers: a constant wins, then a public name. */
function mergeAliases(
  mod: { ports: NetlistModule['ports'][number][]; cells: NetlistCell[]; names: Map<NetId, string> },
  aliases: readonly [NetId, NetId][],
): NetlistModule {
  if (aliases.length === 0) return mod;
  const parent = new Map<NetId, NetId>();
  const find = (n: NetId): NetId => {
    let r = n;
    while (parent.has(r)) r = parent.get(r)!;
    let x = n;
    while (parent.has(x)) {
      const next = parent.get(x)!;
      parent.set(x, r);
      x = next;
    }
    return r;
  };
  const rank = (n: NetId) => (CONSTANT_NETS.has(n) ? 0 : isPublic(n) ? 1 : 2);
  for (const [a, b] of aliases) {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    if (rank(rb) < rank(ra)) parent.set(ra, rb);
    else parent.set(rb, ra);
  }
  const map = (n: NetId) => (n === undefined ? n : find(n));
  const names = new Map<NetId, string>();
  for (const [n, name] of mod.names) if (!names.has(find(n))) names.set(find(n), name);
  return {
    ports: mod.ports.map((p) => ({ ...p, nets: Array.from(p.nets, map) })),
    cells: mod.cells.map((c) => ({ ...c, pins: Object.fromEntries(Object.entries(c.pins).map(([p, nets]) => [p, Array.from(nets, map)])) })),
    names,
  };
}

type JsonBit = number | string;
interface JsonModule {
  attributes?: Record<string, string>;
  ports?: Record<string, { direction: string; bits: JsonBit[] }>;
  cells?: Record<
    string,
    { type: string; parameters?: Record<string, string>; port_directions?: Record<string, string>; connections: Record<string, JsonBit[]> }
  >;
  netnames?: Record<string, { hide_name?: number; bits: JsonBit[] }>;
}

/** Reads `write_json` output; library cells (blackbox modules) stay leaves. */
export function parseYosysJson(text: string, where = 'netlist.json'): Netlist {
  let json: { modules?: Record<string, JsonModule> };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new NetlistParseError(`${where}: not JSON (${(e as Error).message})`);
  }
  if (!json.modules || typeof json.modules !== 'object') throw new NetlistParseError(`${where}: no "modules" object (was it written by yosys write_json?)`);
  const net = (b: JsonBit): NetId => (typeof b === 'number' ? `n${b}` : b);
  const modules = new Map<string, NetlistModule>();
  for (const [name, m] of Object.entries(json.modules)) {
    if (m.attributes?.blackbox) continue;
    const names = new Map<NetId, string>();
    for (const [n, info] of Object.entries(m.netnames ?? {})) {
      if (info.hide_name) continue;
      info.bits.forEach((b, i) => {
        const id = net(b);
        if (!names.has(id)) names.set(id, `${stripEscape(n)}${info.bits.length > 1 ? `[${i}]` : ''}`);
      });
    }
    modules.set(stripEscape(name), {
      ports: Object.entries(m.ports ?? {}).map(([p, info]) => ({
        name: stripEscape(p),
        dir: info.direction === 'output' ? 'output' : 'input',
        nets: info.bits.map(net),
      })),
      cells: Object.entries(m.cells ?? {}).map(([c, info]) => ({
        name: stripEscape(c),
        type: stripEscape(info.type),
        params: info.parameters ?? {},
        pins: Object.fromEntries(Object.entries(info.connections).map(([p, bits]) => [p, bits.map(net)])),
        outputs: new Set(
          Object.entries(info.port_directions ?? {})
            .filter(([, d]) => d === 'output')
            .map(([p]) => p),
        ),
      })),
      names,
    });
  }
  return modules;
}
