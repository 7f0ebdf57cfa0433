/**
 * Verilog-2005 backend: one deterministic file per module, lint-clean under
 * `verilator --lint-only -Wall`.
 *
 *  - source names are kept; aggregates are already flattened (`io_in_bits`);
 *  - `assign` for signals whose last top-level assignment is unconditional;
 *  - `always @(*)` with the (default-first) statement tree for the others,
 *    one block per group of signals assigned by the same statements;
 *  - one `always @(posedge clock)` per register group, `if (reset)` first;
 *  - memories from fixed templates (see mem.ts), one block per port;
 *  - FSM states as `localparam`s;
 *  - declarations and blocks built inside `section(label, ...)` grouped under a `// label` comment;
 *  - with `sourceLines`, each block followed by the TypeScript line(s) that built it;
 *  - `verilator lint_off` only around declarations whose bits are (partly)
 *    unread, each with a comment saying why.
 *
 * Expressions obey the IR invariant that operands have the result's width, so
 * no Verilog context ever widens an operand; signedness is explicit
 * (`$signed(...)` for signed compare/multiply/arithmetic shift) and signals are
 * declared unsigned.
 */
import type { Circuit, Decl, Expr, Module, Stmt } from '../ir';
import { exprRefs } from '../ir';
import { elaborate } from '../elaborate';
import { Module as DslModule } from '../module';
import { isCombTarget, signalTable } from '../passes/signals';

export interface VerilogOptions {
  header?: { generator?: string; configHash?: string };
  /** Annotate each assign/always/instance with the TypeScript source line(s) it came from. */
  sourceLines?: boolean;
}

export interface VerilogOutput {
  /** File name (`<module>.v`) -> text. */
  files: Map<string, string>;
  /** Compile order, children first. */
  order: string[];
  top: string;
}

export const DEFAULT_GENERATOR = 'vta-ts hw/dsl 0.1.0';

/** Elaborate (if given a Module) and print every module. */
export function emitVerilog(top: DslModule | Circuit, opts: VerilogOptions = {}): VerilogOutput {
  const c: Circuit = top instanceof DslModule ? elaborate(top) : top;
  const files = new Map<string, string>();
  const order: string[] = [];
  for (const m of c.modules) {
    const f = `${m.name}.v`;
    files.set(f, emitModule(m, opts));
    order.push(f);
  }
  return { files, order, top: c.top };
}

const range = (w: number): string => (w === 1 ? '' : `[${w - 1}:0] `);

function litText(value: string, width: number): string {
  const v = BigInt(value);
  return v < 1n << 32n ? `${width}'d${v}` : `${width}'h${v.toString(16)}`;
}

const atomic = (s: string): boolean =>
  /^[A-Za-z_][A-Za-z0-9_]*(\[[0-9:]+\])?$/.test(s) || /^\d+'[dh][0-9a-f]+$/.test(s) || (/^[{$(]/.test(s) && balancedWhole(s));

/** True if s is one bracketed/parenthesized/call unit, e.g. `{a, b}` or `$signed(x)`. */
function balancedWhole(s: string): boolean {
  let depth = 0;
  const start = s.startsWith('$') ? s.indexOf('(') : 0;
  for (let i = start; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(' || ch === '{' || ch === '[') depth++;
    else if (ch === ')' || ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && i !== s.length - 1) return false;
    }
  }
  return depth === 0;
}
const paren = (s: string): string => (atomic(s) ? s : `(${s})`);

class ModulePrinter {
  private readonly sigs;
  /** name -> per-bit read flags (for UNUSED waivers). */
  private readonly readBits = new Map<string, boolean[]>();
  private readonly temps: { name: string; width: number; text: string; section?: string }[] = [];
  private readonly tempCount = new Map<string, number>();
  private readonly usedSyms = new Set<string>();
  private readonly alwaysAssigned = new Set<string>();
  private consumer = 'tmp';
  /** The section of the statement being printed: temporaries it needs are declared in it. */
  private consumerSection: string | undefined;

  constructor(
    private readonly m: Module,
    private readonly sourceLines = false,
  ) {
    this.sigs = signalTable(m);
  }

  // ---- read tracking ----
  private markRead(name: string, hi?: number, lo?: number): void {
    const w = this.sigs.get(name)?.width ?? this.temps.find((t) => t.name === name)?.width;
    if (w === undefined) return;
    let bits = this.readBits.get(name);
    if (!bits) this.readBits.set(name, (bits = new Array<boolean>(w).fill(false)));
    for (let i = lo ?? 0; i <= (hi ?? w - 1); i++) bits[i] = true;
  }
  private unread(name: string, width: number): string | undefined {
    const bits = this.readBits.get(name) ?? new Array<boolean>(width).fill(false);
    if (bits.every((b) => b)) return undefined;
    if (bits.every((b) => !b)) return 'not read';
    const spans: string[] = [];
    for (let i = 0; i < width;) {
      if (bits[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < width && !bits[j + 1]) j++;
      spans.push(i === j ? `${i}` : `${j}:${i}`);
      i = j + 1;
    }
    return `bits [${spans.join(', ')}] not read`;
  }

  // ---- expressions ----
  private hoist(e: Expr, hi?: number, lo?: number): string {
    const n = (this.tempCount.get(this.consumer) ?? 0) + 1;
    this.tempCount.set(this.consumer, n);
    const name = `_${this.consumer}_${n}`;
    const text = this.ex(e, true);
    this.temps.push({ name, width: e.width, text, section: this.consumerSection });
    this.markRead(name, hi, lo);
    return name;
  }

  /** A name that can be bit-selected, hoisting e into a temporary if needed. */
  private indexable(e: Expr, hi?: number, lo?: number): string {
    if (e.kind === 'ref') {
      this.markRead(e.name, hi, lo);
      return e.name;
    }
    if (e.kind === 'memread') {
      this.markRead(e.port, hi, lo);
      return e.port;
    }
    return this.hoist(e, hi, lo);
  }

  ex(e: Expr, top = false): string {
    const wrap = (s: string): string => (top ? s : paren(s));
    switch (e.kind) {
      case 'ref':
        this.markRead(e.name);
        return e.name;
      case 'lit':
        if (e.sym) {
          this.usedSyms.add(e.sym);
          return e.sym;
        }
        return litText(e.value, e.width);
      case 'memread':
        this.markRead(e.port);
        return e.port;
      case 'slice': {
        if (e.arg.width === 1) return this.ex(e.arg, top);
        const n = this.indexable(e.arg, e.hi, e.lo);
        return e.hi === e.lo ? `${n}[${e.hi}]` : `${n}[${e.hi}:${e.lo}]`;
      }
      case 'cat':
        return `{${e.args.map((a) => this.ex(a, true)).join(', ')}}`;
      case 'mux':
        return wrap(`${paren(this.ex(e.cond))} ? ${this.ex(e.a)} : ${this.ex(e.b)}`);
      case 'op':
        return this.op(e, top);
    }
  }

  private op(e: Expr & { kind: 'op' }, top: boolean): string {
    const wrap = (s: string): string => (top ? s : paren(s));
    const [a, b] = e.args;
    const x = (i: number): string => this.ex(e.args[i]);
    const sgn = (i: number): string => `$signed(${this.ex(e.args[i], true)})`;
    const infix: Record<string, string> = { add: '+', sub: '-', and: '&', or: '|', xor: '^', eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
    switch (e.op) {
      case 'add':
      case 'sub':
      case 'and':
      case 'or':
      case 'xor':
      case 'eq':
      case 'ne':
        return wrap(`${x(0)} ${infix[e.op]} ${x(1)}`);
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge':
        return a.signed ? wrap(`${sgn(0)} ${infix[e.op]} ${sgn(1)}`) : wrap(`${x(0)} ${infix[e.op]} ${x(1)}`);
      case 'mul':
        return e.signed ? wrap(`${sgn(0)} * ${sgn(1)}`) : wrap(`${x(0)} * ${x(1)}`);
      case 'not':
        return `~${x(0)}`;
      case 'andr':
        return `&${x(0)}`;
      case 'orr':
        return `|${x(0)}`;
      case 'xorr':
        return `^${x(0)}`;
      case 'shl':
      case 'shr': {
        const amt = e.shift !== undefined ? String(e.shift) : this.ex(b);
        if (e.shift !== undefined && e.shift >= e.width) return litText('0', e.width);
        return wrap(`${x(0)} ${e.op === 'shl' ? '<<' : '>>'} ${amt}`);
      }
      case 'sshr': {
        const amt = e.shift !== undefined ? String(Math.min(e.shift, e.width - 1)) : this.ex(b);
        return `$unsigned(${sgn(0)} >>> ${amt})`;
      }
      case 'zext':
        return `{${litText('0', e.width - a.width)}, ${this.ex(a, true)}}`;
      case 'sext': {
        const n = e.width - a.width;
        // The sign bit of a slice of a named signal is a bit of that signal: no temporary.
        const named = a.kind === 'slice' && (a.arg.kind === 'ref' || a.arg.kind === 'memread');
        const s = named ? this.ex(a, true) : this.indexable(a);
        const msb = named
          ? `${this.indexable((a as Expr & { kind: 'slice' }).arg)}[${(a as Expr & { kind: 'slice' }).hi}]`
          : a.width === 1
            ? s
            : `${s}[${a.width - 1}]`;
        if (a.width === 1) return `{${e.width}{${s}}}`;
        return n === 1 ? `{${msb}, ${s}}` : `{{${n}{${msb}}}, ${s}}`;
      }
    }
  }

  // ---- statements ----
  private stmts(ss: readonly Stmt[], ind: string, blocking: boolean, out: string[]): void {
    const asg = blocking ? '=' : '<=';
    for (const s of ss) {
      switch (s.kind) {
        case 'connect':
          out.push(`${ind}${s.target} ${asg} ${this.ex(s.value, true)};`);
          break;
        case 'when':
          this.when(s, ind, blocking, out, false);
          break;
        case 'switch': {
          out.push(`${ind}case (${this.ex(s.sel, true)})`);
          for (const c of s.cases) {
            out.push(`${ind}  ${c.values.map((v) => this.ex(v, true)).join(', ')}: begin`);
            this.stmts(c.body, ind + '    ', blocking, out);
            out.push(`${ind}  end`);
          }
          const full = s.cases.reduce((n, c) => n + c.values.length, 0) >= 2 ** s.sel.width;
          if (s.default) {
            out.push(`${ind}  default: begin`);
            this.stmts(s.default, ind + '    ', blocking, out);
            out.push(`${ind}  end`);
          } else if (!full) {
            out.push(`${ind}  default: begin`, `${ind}  end`);
          }
          out.push(`${ind}endcase`);
          break;
        }
        case 'memwrite':
          this.memWrite(s, ind, out);
          break;
      }
    }
  }

  private when(s: Stmt & { kind: 'when' }, ind: string, blocking: boolean, out: string[], isElse: boolean): void {
    const head = isElse ? `${ind}end else if` : `${ind}if`;
    if (s.then.length === 0 && !isElse) {
      // Negate without printing `!(~x)`: the negation of a `not` is its operand.
      const neg = s.cond.kind === 'op' && s.cond.op === 'not' ? this.ex(s.cond.args[0], true) : `!${paren(this.ex(s.cond, true))}`;
      out.push(`${head} (${neg}) begin`);
      this.stmts(s.else, ind + '  ', blocking, out);
      out.push(`${ind}end`);
      return;
    }
    out.push(`${head} (${this.ex(s.cond, true)}) begin`);
    this.stmts(s.then, ind + '  ', blocking, out);
    if (s.else.length === 1 && s.else[0].kind === 'when') {
      this.when(s.else[0], ind, blocking, out, true);
      return;
    }
    if (s.else.length > 0) {
      out.push(`${ind}end else begin`);
      this.stmts(s.else, ind + '  ', blocking, out);
    }
    out.push(`${ind}end`);
  }

  private memWrite(s: Stmt & { kind: 'memwrite' }, ind: string, out: string[]): void {
    const addr = this.ex(s.addr, true);
    const en = s.en.kind === 'lit' && s.en.value === '1' ? undefined : this.ex(s.en, true);
    const inner = en ? ind + '  ' : ind;
    if (en) out.push(`${ind}if (${en}) begin`);
    if (!s.mask) {
      out.push(`${inner}${s.mem}[${addr}] <= ${this.ex(s.data, true)};`);
    } else {
      const lw = s.laneWidth!;
      for (let i = 0; i * lw < s.data.width; i++) {
        const hi = i * lw + lw - 1;
        const lo = i * lw;
        const mb = this.ex(sliceOf(s.mask, i, i), true);
        const db = this.ex(sliceOf(s.data, hi, lo), true);
        out.push(`${inner}if (${mb}) ${s.mem}[${addr}][${hi}:${lo}] <= ${db};`);
      }
    }
    if (en) out.push(`${ind}end`);
  }

  // ---- processes ----
  emit(header: VerilogOptions['header']): string {
    const m = this.m;
    const body = m.body;
    // Which top-level statements touch which targets.
    const touch = new Map<string, number[]>();
    const writes: { stmt: Stmt & { kind: 'memwrite' }; idx: number }[] = [];
    const visit = (s: Stmt, idx: number): void => {
      if (s.kind === 'connect') {
        const l = touch.get(s.target) ?? [];
        if (l[l.length - 1] !== idx) l.push(idx);
        touch.set(s.target, l);
      } else if (s.kind === 'when') {
        s.then.forEach((c) => visit(c, idx));
        s.else.forEach((c) => visit(c, idx));
      } else if (s.kind === 'switch') {
        s.cases.forEach((c) => c.body.forEach((x) => visit(x, idx)));
        s.default?.forEach((x) => visit(x, idx));
      } else writes.push({ stmt: s, idx });
    };
    body.forEach(visit);

    const assigns: { idx: number; text: string; section?: string }[] = [];
    const combGroups = new Map<string, string[]>();
    const regGroups = new Map<string, string[]>();
    const regInit = new Map<string, Expr>();
    for (const d of m.decls) if (d.kind === 'reg' && d.init) regInit.set(d.name, d.init);

    for (const [name, idxs] of touch) {
      const role = this.sigs.get(name)!.role;
      if (isCombTarget(role)) {
        const last = body[idxs[idxs.length - 1]];
        if (last.kind === 'connect') {
          this.consumer = name;
          this.consumerSection = last.section;
          const from = this.sourceLines && last.loc ? ` // ${last.loc}` : '';
          assigns.push({ idx: idxs[idxs.length - 1], text: `  assign ${name} = ${this.ex(last.value, true)};${from}`, section: last.section });
          continue;
        }
        const key = idxs.join(',');
        combGroups.set(key, [...(combGroups.get(key) ?? []), name]);
      } else {
        const key = `${idxs.join(',')}${regInit.has(name) ? '+r' : ''}`;
        regGroups.set(key, [...(regGroups.get(key) ?? []), name]);
      }
    }
    // Registers with an init but no assignment still need their reset block.
    for (const [name] of regInit) if (!touch.has(name)) regGroups.set(`init:${name}`, [name]);

    const processes: { idx: number; lines: string[]; section?: string }[] = [];
    // Combinational groups, split so that no block reads a signal it assigns.
    const combBlocks: string[][] = [];
    for (const group of combGroups.values()) {
      let rest = [...group];
      while (rest.length) {
        const set = new Set(rest);
        const reads = new Set<string>();
        const f = filterStmts(body, (s) => s.kind === 'connect' && set.has(s.target));
        collectReads(f, reads);
        const self = rest.filter((n) => reads.has(n));
        if (self.length === 0 || rest.length === 1) {
          combBlocks.push(rest);
          break;
        }
        combBlocks.push([self[0]]);
        rest = rest.filter((n) => n !== self[0]);
      }
    }
    for (const names of combBlocks) {
      const set = new Set(names);
      names.forEach((n) => this.alwaysAssigned.add(n));
      const f = filterStmts(body, (s) => s.kind === 'connect' && set.has(s.target));
      this.consumer = names[0];
      const idx = touch.get(names[0])![0];
      this.consumerSection = body[idx].section;
      const lines = [...this.fromLines(f), '  always @(*) begin'];
      this.stmts(f, '    ', true, lines);
      lines.push('  end');
      processes.push({ idx, lines, section: body[idx].section });
    }
    for (const [key, names] of regGroups) {
      const set = new Set(names);
      const f = filterStmts(body, (s) => s.kind === 'connect' && set.has(s.target));
      this.consumer = names[0];
      const idx = key.startsWith('init:') ? -1 : touch.get(names[0])![0];
      const section = idx >= 0 ? body[idx].section : m.decls.find((d) => d.name === names[0])?.section;
      this.consumerSection = section;
      this.markRead('clock');
      const lines = [...this.fromLines(f), '  always @(posedge clock) begin'];
      const inits = names.filter((n) => regInit.has(n));
      if (inits.length) {
        this.markRead('reset');
        lines.push('    if (reset) begin');
        for (const n of inits) lines.push(`      ${n} <= ${this.ex(regInit.get(n)!, true)};`);
        if (f.length) {
          lines.push('    end else begin');
          this.stmts(f, '      ', false, lines);
        }
        lines.push('    end');
      } else {
        this.stmts(f, '    ', false, lines);
      }
      lines.push('  end');
      processes.push({ idx, lines, section });
    }

    // Memory ports.
    const memLines: string[] = [];
    const memAssigns: string[] = [];
    for (const d of m.decls) {
      if (d.kind !== 'mem') continue;
      for (const r of d.readPorts) {
        this.consumer = r.name;
        this.consumerSection = d.section;
        if (r.kind === 'async') {
          memAssigns.push(`  assign ${r.name} = ${d.name}[${this.ex(r.addr, true)}];`);
          continue;
        }
        this.markRead('clock');
        const en = r.en && !(r.en.kind === 'lit' && r.en.value === '1') ? this.ex(r.en, true) : undefined;
        const addr = this.ex(r.addr, true);
        const tgt = d.policy === 'new' ? `${r.name}_addr` : r.name;
        const val = d.policy === 'new' ? addr : `${d.name}[${addr}]`;
        memLines.push(
          `  // ${d.name}: sync read port, read-under-write '${d.policy}' (${d.policy === 'new' ? 'registered address' : 'registered data'})${this.sourceLines && r.loc ? `, from ${r.loc}` : ''}`,
        );
        memLines.push('  always @(posedge clock) begin');
        if (en) memLines.push(`    if (${en}) begin`, `      ${tgt} <= ${val};`, '    end');
        else memLines.push(`    ${tgt} <= ${val};`);
        memLines.push('  end');
        if (d.policy === 'new') memAssigns.push(`  assign ${r.name} = ${d.name}[${r.name}_addr];`);
      }
    }
    for (const w of writes) {
      this.consumer = w.stmt.mem;
      this.consumerSection = body[w.idx].section;
      this.markRead('clock');
      const f = filterStmts(body, (s) => s === w.stmt);
      memLines.push(`  // ${w.stmt.mem}: write port${this.sourceLines && w.stmt.loc ? `, from ${w.stmt.loc}` : ''}`);
      memLines.push('  always @(posedge clock) begin');
      this.stmts(f, '    ', false, memLines);
      memLines.push('  end');
    }

    // Instances.
    const instLines: string[] = [];
    for (const d of m.decls) {
      if (d.kind !== 'instance') continue;
      this.markRead('clock');
      this.markRead('reset');
      const conns = ['.clock(clock)', '.reset(reset)', ...d.ports.map((p) => `.${p.port}(${p.signal})`)];
      for (const p of d.ports) if (p.dir === 'input') this.markRead(p.signal);
      if (this.sourceLines && d.loc) instLines.push(`  // from ${d.loc}`);
      instLines.push(`  ${d.module} ${d.name} (`);
      conns.forEach((c, i) => instLines.push(`    ${c}${i === conns.length - 1 ? '' : ','}`));
      instLines.push('  );');
    }

    // ---- assemble ----
    const out: string[] = [];
    const h = header ?? {};
    out.push(`// Generated by ${h.generator ?? DEFAULT_GENERATOR}. Do not edit.`);
    if (h.configHash) out.push(`// Config hash: ${h.configHash}`);
    out.push(`// Module: ${m.name}`, '', '`default_nettype none', '');
    out.push(`module ${m.name} (`);
    const portLines: string[] = [];
    m.ports.forEach((p, i) => {
      const kw = p.dir === 'input' ? 'input  wire' : this.alwaysAssigned.has(p.name) ? 'output reg ' : 'output wire';
      const comma = i === m.ports.length - 1 ? '' : ',';
      const why = p.dir === 'input' ? this.unread(p.name, p.width) : undefined;
      const decl = `  ${kw} ${range(p.width)}${p.name}${comma}${p.signed ? ' // SInt' : ''}`;
      portLines.push(...this.waive(why, decl, '  ', p.name === 'clock' || p.name === 'reset' ? 'present on every module' : 'input'));
    });
    out.push(...portLines, ');');

    // Declarations grouped by section (first appearance order; unlabelled ones first).
    const declGroups = new Map<string, string[]>([['', []]]);
    const addDecl = (section: string | undefined, lines: string[]): void => {
      const key = section ?? '';
      declGroups.set(key, [...(declGroups.get(key) ?? []), ...lines]);
    };
    for (const p of m.params) {
      const line = `  localparam ${range(p.width)}${p.name} = ${litText(p.value, p.width)};`;
      addDecl(
        undefined,
        this.usedSyms.has(p.name)
          ? [line]
          : ['  /* verilator lint_off UNUSEDPARAM */ // state listed for readability', line, '  /* verilator lint_on UNUSEDPARAM */'],
      );
    }
    for (const d of m.decls) addDecl(d.section, this.declLines(d));
    for (const t of this.temps) {
      addDecl(t.section, this.waive(this.unread(t.name, t.width), `  wire ${range(t.width)}${t.name} = ${t.text};`, '  ', 'temporary'));
    }
    const decls: string[] = [];
    for (const [key, lines] of declGroups) if (lines.length) decls.push(...(key ? [sectionComment(key)] : []), ...lines);

    const sections: string[][] = [];
    if (decls.length) sections.push(decls);
    if (instLines.length) sections.push(instLines);
    const asg: string[] = [];
    let lastSection: string | undefined;
    for (const a of assigns.sort((x, y) => x.idx - y.idx)) {
      if (a.section !== undefined && a.section !== lastSection) asg.push(sectionComment(a.section));
      lastSection = a.section;
      asg.push(a.text);
    }
    asg.push(...memAssigns);
    if (asg.length) sections.push(asg);
    lastSection = undefined;
    for (const p of processes.sort((a, b) => a.idx - b.idx)) {
      const head = p.section !== undefined && p.section !== lastSection ? [sectionComment(p.section)] : [];
      lastSection = p.section;
      sections.push([...head, ...p.lines]);
    }
    if (memLines.length) sections.push(memLines);
    for (const s of sections) out.push('', ...s);
    out.push('', 'endmodule', '', '`default_nettype wire', '');
    return out.join('\n');
  }

  /** With `sourceLines`: a comment naming the TypeScript lines that built these statements. */
  private fromLines(ss: readonly Stmt[]): string[] {
    if (!this.sourceLines) return [];
    const locs = new Set<string>();
    const visit = (x: Stmt): void => {
      if (x.kind === 'connect' || x.kind === 'memwrite') {
        if (x.loc) locs.add(x.loc);
        return;
      }
      if (x.kind === 'when') {
        x.then.forEach(visit);
        x.else.forEach(visit);
        return;
      }
      x.cases.forEach((c) => c.body.forEach(visit));
      x.default?.forEach(visit);
    };
    ss.forEach(visit);
    if (locs.size === 0) return [];
    // `a.ts:1, 5, 9; b.ts:3`: each file once, at most six lines in all.
    const byFile = new Map<string, string[]>();
    for (const loc of [...locs].slice(0, 6)) {
      const i = loc.lastIndexOf(':');
      byFile.set(loc.slice(0, i), [...(byFile.get(loc.slice(0, i)) ?? []), loc.slice(i + 1)]);
    }
    const shown = [...byFile].map(([f, ls]) => `${f}:${ls.join(', ')}`).join('; ');
    return [`  // from ${shown}${locs.size > 6 ? ` and ${locs.size - 6} more` : ''}`];
  }

  private waive(why: string | undefined, line: string, ind: string, what: string): string[] {
    if (!why) return [line];
    return [`${ind}/* verilator lint_off UNUSEDSIGNAL */ // ${what}: ${why}`, line, `${ind}/* verilator lint_on UNUSEDSIGNAL */`];
  }

  private declLines(d: Decl): string[] {
    switch (d.kind) {
      case 'wire': {
        const kw = this.alwaysAssigned.has(d.name) ? 'reg ' : 'wire';
        return this.waive(this.unread(d.name, d.width), `  ${kw} ${range(d.width)}${d.name};${d.signed ? ' // SInt' : ''}`, '  ', 'wire');
      }
      case 'reg':
        return this.waive(this.unread(d.name, d.width), `  reg  ${range(d.width)}${d.name};${d.signed ? ' // SInt' : ''}`, '  ', 'register');
      case 'mem': {
        const lines = [`  reg  ${range(d.width)}${d.name} [0:${d.depth - 1}];`];
        for (const r of d.readPorts) {
          if (r.kind === 'async') {
            lines.push(...this.waive(this.unread(r.name, d.width), `  wire ${range(d.width)}${r.name};`, '  ', 'read data'));
          } else if (d.policy === 'new') {
            lines.push(`  reg  ${range(d.addrWidth)}${r.name}_addr;`);
            lines.push(...this.waive(this.unread(r.name, d.width), `  wire ${range(d.width)}${r.name};`, '  ', 'read data'));
          } else {
            lines.push(...this.waive(this.unread(r.name, d.width), `  reg  ${range(d.width)}${r.name};`, '  ', 'read data'));
          }
        }
        return lines;
      }
      case 'instance':
        return d.ports
          .map((p) => {
            const kw = this.alwaysAssigned.has(p.signal) ? 'reg ' : 'wire';
            const line = `  ${kw} ${range(p.width)}${p.signal};`;
            return p.dir === 'output' ? this.waive(this.unread(p.signal, p.width), line, '  ', `output of ${d.name}`) : [line];
          })
          .flat();
    }
  }
}

function sliceOf(e: Expr, hi: number, lo: number): Expr {
  if (e.kind === 'cat') {
    let off = e.width;
    for (const a of e.args) {
      off -= a.width;
      if (lo >= off && hi < off + a.width) return sliceOf(a, hi - off, lo - off);
    }
  }
  if (lo === 0 && hi === e.width - 1) return e;
  if (e.kind === 'lit')
    return { kind: 'lit', value: String((BigInt(e.value) >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n)), width: hi - lo + 1, signed: false };
  return { kind: 'slice', arg: e, hi, lo, width: hi - lo + 1, signed: false };
}

/** Keep only leaf statements matching `keep`, and the control structure around them. */
export function filterStmts(ss: readonly Stmt[], keep: (s: Stmt) => boolean): Stmt[] {
  const out: Stmt[] = [];
  for (const s of ss) {
    if (s.kind === 'connect' || s.kind === 'memwrite') {
      if (keep(s)) out.push(s);
    } else if (s.kind === 'when') {
      const t = filterStmts(s.then, keep);
      const e = filterStmts(s.else, keep);
      if (t.length || e.length) out.push({ ...s, then: t, else: e });
    } else {
      const cases = s.cases.map((c) => ({ values: c.values, body: filterStmts(c.body, keep) }));
      const def = s.default ? filterStmts(s.default, keep) : undefined;
      if (!cases.some((c) => c.body.length) && !(def && def.length)) continue;
      // Empty cases can go when nothing else (a default) would then catch them.
      const hasDefault = def !== undefined && def.length > 0;
      out.push({ ...s, cases: hasDefault ? cases : cases.filter((c) => c.body.length), default: hasDefault ? def : undefined });
    }
  }
  return out;
}

function collectReads(ss: readonly Stmt[], out: Set<string>): void {
  for (const s of ss) {
    switch (s.kind) {
      case 'connect':
        exprRefs(s.value, out);
        break;
      case 'when':
        exprRefs(s.cond, out);
        collectReads(s.then, out);
        collectReads(s.else, out);
        break;
      case 'switch':
        exprRefs(s.sel, out);
        s.cases.forEach((c) => collectReads(c.body, out));
        if (s.default) collectReads(s.default, out);
        break;
      case 'memwrite':
        break;
    }
  }
}

const sectionComment = (label: string): string => `  // ---- ${label} ----`;

export function emitModule(m: Module, opts: VerilogOptions = {}): string {
  return new ModulePrinter(m, opts.sourceLines ?? false).emit(opts.header);
}
