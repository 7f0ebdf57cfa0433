/**
 * Elaboration: run build() of the top module and (recursively) of every
 * instance, check each module, and dedup modules by name, asserting that equal
 * names mean equal hardware (IR hashes without source locations).
 */
import { createHash } from 'crypto';
import { captureLoc, fail, Loc } from './errors';
import { Builder, popBuilder, pushBuilder } from './context';
import type { Circuit, Module as ModuleIR, Port } from './ir';
import { stripLocs } from './ir';
import { checkDrivers } from './passes/check-drivers';
import { checkCombLoops, CombSummary } from './passes/comb-loops';

/** What the elaborator needs of a module object (module.ts's Module satisfies it; named here so the two files do not import each other). */
export interface Elaboratable {
  readonly name: string;
  readonly _ports: readonly Port[];
  readonly _loc: Loc | undefined;
  build(): void;
}
type Module = Elaboratable;

interface Session {
  byName: Map<string, { ir: ModuleIR; hash: string; summary: CombSummary; loc?: Loc }>;
  byObject: WeakMap<Module, ModuleIR>;
  order: string[];
}

let session: Session | undefined;

/** Elaborate `top` and all its descendants into a Circuit (modules children first). */
export function elaborate(top: Module): Circuit {
  const outer = session;
  session = { byName: new Map(), byObject: new WeakMap(), order: [] };
  try {
    const ir = elabModule(top, captureLoc());
    const s = session;
    return { top: ir.name, modules: s.order.map((n) => s.byName.get(n)!.ir) };
  } finally {
    session = outer;
  }
}

export function hashModule(m: ModuleIR): string {
  return createHash('sha256')
    .update(JSON.stringify(stripLocs(m)))
    .digest('hex');
}

/** @internal Elaborate one module object within the current session. */
export function elabModule(m: Module, loc?: Loc): ModuleIR {
  const s = session;
  if (!s) return fail('instance() is only possible during elaborate()', loc);
  const cached = s.byObject.get(m);
  if (cached) return cached;
  const name = m.name;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`module name '${name}' is not a Verilog identifier`, m._loc ?? loc);
  const b = new Builder(m, name);
  for (const p of m._ports) b.claim(p.name, p.loc);
  pushBuilder(b);
  try {
    m.build();
  } finally {
    popBuilder();
  }
  const ir: ModuleIR = {
    name,
    ports: [{ name: 'clock', dir: 'input', width: 1, signed: false }, { name: 'reset', dir: 'input', width: 1, signed: false }, ...m._ports],
    params: b.params,
    decls: b.decls,
    body: b.body,
    loc: m._loc,
  };
  checkDrivers(ir);
  const summary = checkCombLoops(ir, (child) => s.byName.get(child)?.summary ?? {});
  const hash = hashModule(ir);
  const prev = s.byName.get(name);
  if (prev) {
    if (prev.hash !== hash) {
      fail(
        `module name '${name}' is used for two different designs (first built from ${prev.loc ?? '?'}, again from ${m._loc ?? '?'}); derive distinct names from the parameters in 'get name()'`,
        loc ?? m._loc,
      );
    }
    s.byObject.set(m, prev.ir);
    return prev.ir;
  }
  s.byName.set(name, { ir, hash, summary, loc: m._loc });
  s.order.push(name);
  s.byObject.set(m, ir);
  return ir;
}
