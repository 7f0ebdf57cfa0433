/** Signal table of an IR module: every name with its role. */
import type { Loc } from '../errors';
import type { Module } from '../ir';

export type Role = 'input' | 'output' | 'wire' | 'reg' | 'inst-in' | 'inst-out' | 'memdata';

export interface SignalInfo {
  name: string;
  role: Role;
  width: number;
  signed: boolean;
  loc?: Loc;
}

export function signalTable(m: Module): Map<string, SignalInfo> {
  const t = new Map<string, SignalInfo>();
  for (const p of m.ports) t.set(p.name, { name: p.name, role: p.dir, width: p.width, signed: p.signed, loc: p.loc });
  for (const d of m.decls) {
    switch (d.kind) {
      case 'wire':
      case 'reg':
        t.set(d.name, { name: d.name, role: d.kind, width: d.width, signed: d.signed, loc: d.loc });
        break;
      case 'mem':
        for (const r of d.readPorts) t.set(r.name, { name: r.name, role: 'memdata', width: d.width, signed: false, loc: r.loc });
        break;
      case 'instance':
        for (const p of d.ports)
          t.set(p.signal, { name: p.signal, role: p.dir === 'input' ? 'inst-in' : 'inst-out', width: p.width, signed: p.signed, loc: d.loc });
        break;
    }
  }
  return t;
}

/** Combinational signals: driven by the module's comb logic. */
export const isCombTarget = (r: Role): boolean => r === 'wire' || r === 'output' || r === 'inst-in';
