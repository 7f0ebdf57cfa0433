/**
 * checkDrivers: every assigned signal has exactly one driver, and every
 * combinational signal (wire, output port, instance input) is assigned on
 * every path, so no latch can be inferred.
 */
import { HdlError, Loc } from '../errors';
import type { Expr, Module, Stmt } from '../ir';
import { exprRefs } from '../ir';
import { isCombTarget, signalTable, SignalInfo } from './signals';

const roleText: Record<string, string> = {
  input: 'an input port (driven by the parent)',
  'inst-out': 'an instance output (driven by the instance)',
  memdata: 'memory read data (driven by the memory)',
};

/** Is `name` assigned on every path through `stmts`? */
export function definitelyAssigned(stmts: readonly Stmt[], name: string): boolean {
  return stmts.some((s) => {
    switch (s.kind) {
      case 'connect':
        return s.target === name;
      case 'when':
        return definitelyAssigned(s.then, name) && definitelyAssigned(s.else, name);
      case 'switch': {
        const full = s.default !== undefined || s.cases.reduce((n, c) => n + c.values.length, 0) >= 2 ** s.sel.width;
        return full && s.cases.every((c) => definitelyAssigned(c.body, name)) && (s.default === undefined || definitelyAssigned(s.default, name));
      }
      case 'memwrite':
        return false;
    }
  });
}

function everAssigned(stmts: readonly Stmt[], name: string): Loc | undefined | false {
  for (const s of stmts) {
    if (s.kind === 'connect' && s.target === name) return s.loc;
    if (s.kind === 'when') {
      const r = everAssigned(s.then, name);
      if (r !== false) return r;
      const e = everAssigned(s.else, name);
      if (e !== false) return e;
    }
    if (s.kind === 'switch') {
      for (const body of [...s.cases.map((c) => c.body), ...(s.default ? [s.default] : [])]) {
        const r = everAssigned(body, name);
        if (r !== false) return r;
      }
    }
  }
  return false;
}

/** The first when/switch that assigns `name` in some branch but not in all of them. */
function findGap(stmts: readonly Stmt[], name: string): Stmt | undefined {
  for (const s of stmts) {
    if (s.kind === 'when' || s.kind === 'switch') {
      if (everAssigned([s], name) !== false && !definitelyAssigned([s], name)) {
        const bodies = s.kind === 'when' ? [s.then, s.else] : [...s.cases.map((c) => c.body), ...(s.default ? [s.default] : [])];
        for (const b of bodies) {
          const inner = findGap(b, name);
          if (inner && !definitelyAssigned(b, name) && everAssigned(b, name) !== false) return inner;
        }
        return s;
      }
    }
  }
  return undefined;
}

function kindText(sig: SignalInfo): string {
  return sig.role === 'output' ? 'output port' : sig.role === 'inst-in' ? 'instance input' : 'wire';
}

export function checkDrivers(m: Module): void {
  const t = signalTable(m);
  const err = (msg: string, loc?: Loc): never => {
    throw new HdlError(`${msg} [module ${m.name}]`, loc);
  };
  const checkExpr = (e: Expr, loc?: Loc): void => {
    for (const r of exprRefs(e)) if (!t.has(r)) err(`reference to undeclared signal '${r}'`, loc);
  };
  const walk = (stmts: readonly Stmt[]): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'connect': {
          const sig = t.get(s.target);
          if (!sig) err(`assignment to undeclared signal '${s.target}'`, s.loc);
          else if (!isCombTarget(sig.role) && sig.role !== 'reg')
            err(`double driver: '${s.target}' is ${roleText[sig.role]} and cannot also be assigned here`, s.loc);
          else if (sig.width !== s.value.width) err(`width mismatch: '${s.target}' is ${sig.width} bits, value is ${s.value.width} bits`, s.loc);
          checkExpr(s.value, s.loc);
          break;
        }
        case 'when':
          checkExpr(s.cond, s.loc);
          walk(s.then);
          walk(s.else);
          break;
        case 'switch':
          checkExpr(s.sel, s.loc);
          s.cases.forEach((c) => walk(c.body));
          if (s.default) walk(s.default);
          break;
        case 'memwrite':
          if (!m.decls.some((d) => d.kind === 'mem' && d.name === s.mem)) err(`write to undeclared memory '${s.mem}'`, s.loc);
          [s.addr, s.data, s.en, ...(s.mask ? [s.mask] : [])].forEach((e) => checkExpr(e, s.loc));
          break;
      }
    }
  };
  walk(m.body);
  for (const d of m.decls) {
    if (d.kind === 'reg' && d.init) checkExpr(d.init, d.loc);
    if (d.kind === 'mem')
      for (const r of d.readPorts) {
        checkExpr(r.addr, r.loc);
        if (r.en) checkExpr(r.en, r.loc);
      }
  }
  for (const sig of t.values()) {
    if (isCombTarget(sig.role)) {
      if (everAssigned(m.body, sig.name) === false) {
        err(`${kindText(sig)} '${sig.name}' is never assigned`, sig.loc);
      }
      if (!definitelyAssigned(m.body, sig.name)) {
        const gap = findGap(m.body, sig.name);
        const where = gap ? ` (the ${gap.kind} at ${gap.loc ?? '?'} has a branch that does not assign it)` : '';
        err(
          `${kindText(sig)} '${sig.name}' is not assigned on every path${where}; give it a default or assign it in every branch (latches are not allowed)`,
          sig.loc,
        );
      }
    }
    if (sig.role === 'reg') {
      const decl = m.decls.find((d) => d.kind === 'reg' && d.name === sig.name);
      if (decl && decl.kind === 'reg' && !decl.init && everAssigned(m.body, sig.name) === false) {
        err(`reg '${sig.name}' is never assigned and has no init`, sig.loc);
      }
    }
  }
}
