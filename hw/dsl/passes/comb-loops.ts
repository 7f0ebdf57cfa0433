/**
 * checkCombLoops: no combinational cycle through wires, outputs and instance
 * ports (children's input->output paths come from their summaries). Returns
 * this module's summary: for each output port, the input ports it depends on
 * combinationally.
 */
import { HdlError } from '../errors';
import type { Expr, Module, Stmt } from '../ir';
import { exprRefs } from '../ir';
import { signalTable } from './signals';

export type CombSummary = Record<string, string[]>;

export function combDeps(m: Module, childSummary: (module: string) => CombSummary): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  const add = (target: string, refs: Iterable<string>): void => {
    let s = deps.get(target);
    if (!s) deps.set(target, (s = new Set()));
    for (const r of refs) s.add(r);
  };
  const walk = (stmts: readonly Stmt[], conds: Expr[]): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'connect': {
          const refs = exprRefs(s.value);
          for (const c of conds) exprRefs(c, refs);
          add(s.target, refs);
          break;
        }
        case 'when':
          walk(s.then, [...conds, s.cond]);
          walk(s.else, [...conds, s.cond]);
          break;
        case 'switch':
          s.cases.forEach((c) => walk(c.body, [...conds, s.sel]));
          if (s.default) walk(s.default, [...conds, s.sel]);
          break;
        case 'memwrite':
          break;
      }
    }
  };
  walk(m.body, []);
  for (const d of m.decls) {
    if (d.kind === 'instance') {
      const sum = childSummary(d.module);
      for (const p of d.ports) {
        if (p.dir === 'output')
          add(
            p.signal,
            (sum[p.port] ?? []).map((i) => `${d.name}_${i}`),
          );
      }
    }
    if (d.kind === 'mem') for (const r of d.readPorts) if (r.kind === 'async') add(r.name, exprRefs(r.addr));
  }
  return deps;
}

export function checkCombLoops(m: Module, childSummary: (module: string) => CombSummary): CombSummary {
  const t = signalTable(m);
  const deps = combDeps(m, childSummary);
  const isComb = (n: string): boolean => {
    const r = t.get(n)?.role;
    return r === 'wire' || r === 'output' || r === 'inst-in' || r === 'inst-out';
  };
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      if (!isComb(d)) continue;
      if (state.get(d) === 1) {
        // stack from d to n: each depends on the next; data flows the other way.
        let cyc = stack.slice(stack.indexOf(d)).reverse();
        // Start the report at the first-declared wire of the loop (user-named), if any.
        const order = [...t.keys()];
        const wires = cyc.filter((n) => t.get(n)?.role === 'wire').sort((a, b) => order.indexOf(a) - order.indexOf(b));
        if (wires.length) {
          const k = cyc.indexOf(wires[0]);
          cyc = [...cyc.slice(k), ...cyc.slice(0, k)];
        }
        const flow = [...cyc, cyc[0]];
        const firstLoc = (name: string): string | undefined => t.get(name)?.loc;
        throw new HdlError(`combinational loop: ${flow.join(' -> ')} (each signal feeds the next) [module ${m.name}]`, firstLoc(cyc[0]));
      }
      if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of [...deps.keys()].sort()) if (!state.has(n)) visit(n);

  // Summary: output port -> input ports reached combinationally.
  const summary: CombSummary = {};
  const reach = (n: string, seen: Set<string>, out: Set<string>): void => {
    for (const d of deps.get(n) ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      const r = t.get(d)?.role;
      if (r === 'input' && d !== 'clock' && d !== 'reset') out.add(d);
      else if (isComb(d)) reach(d, seen, out);
    }
  };
  for (const p of m.ports) {
    if (p.dir !== 'output') continue;
    const out = new Set<string>();
    reach(p.name, new Set(), out);
    summary[p.name] = [...out].sort();
  }
  return summary;
}
