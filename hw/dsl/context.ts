/**
 * The builder context: while a module's build() runs, a Builder collects its
 * declarations and statements. Values resolve their signal references against
 * the active builder, so a child's port read from the parent becomes the
 * parent-side signal `child_io_x`.
 */
import { fail, Loc } from './errors';
import type { Decl, Expr, Param, Stmt } from './ir';

export type SigKind = 'port' | 'wire' | 'reg' | 'memdata';

/** What a ground value needs to know about the signal it names. */
export interface SigInfo {
  /** The Module object that declares the signal. */
  owner: object;
  /** Flattened name in the owner's namespace. */
  name: string;
  kind: SigKind;
  dir?: 'input' | 'output';
  width: number;
  signed: boolean;
  loc?: Loc;
}

export interface InstanceInfo {
  name: string;
  loc?: Loc;
}

export class Builder {
  readonly decls: Decl[] = [];
  readonly params: Param[] = [];
  readonly body: Stmt[] = [];
  readonly names = new Map<string, Loc | undefined>();
  readonly instances = new Map<object, InstanceInfo>();
  private readonly blocks: Stmt[][] = [this.body];
  /** Conditions of the enclosing when/switch branches (for memory read enables). */
  readonly conds: Expr[] = [];

  constructor(
    readonly module: object,
    readonly moduleName: string,
  ) {}

  /** Reserve a name in the module namespace. */
  claim(name: string, loc: Loc | undefined): void {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`'${name}' is not a valid signal name`, loc);
    if (name === 'clock' || name === 'reset') fail(`'${name}' is reserved for the implicit clock/reset ports`, loc);
    if (this.names.has(name)) fail(`name '${name}' is already used in module ${this.moduleName} (first at ${this.names.get(name) ?? '?'})`, loc);
    this.names.set(name, loc);
  }

  push(s: Stmt): void {
    this.blocks[this.blocks.length - 1].push(s);
  }
  pushRoot(s: Stmt): void {
    this.body.push(s);
  }

  /** Run fn with statements going to `block` and `cond` on the condition stack. */
  inBlock(block: Stmt[], cond: Expr | undefined, fn: () => void): void {
    this.blocks.push(block);
    if (cond) this.conds.push(cond);
    try {
      fn();
    } finally {
      this.blocks.pop();
      if (cond) this.conds.pop();
    }
  }

  /**
   * Run fn and label what it declares and its top-level statements with `label` (an inner section
   * keeps its own label). The Verilog printer groups and comments them by label.
   */
  inSection(label: string, fn: () => void): void {
    const d0 = this.decls.length;
    const s0 = this.body.length;
    fn();
    for (const d of this.decls.slice(d0)) d.section ??= label;
    for (const s of this.body.slice(s0)) s.section ??= label;
  }

  /** The signal name `sig` has in this module, or an error if it is not visible here. */
  nameOf(sig: SigInfo, loc?: Loc): string {
    if (sig.owner === this.module) return sig.name;
    const inst = this.instances.get(sig.owner);
    if (inst && sig.kind === 'port') return `${inst.name}_${sig.name}`;
    return fail(`signal '${sig.name}' belongs to another module and is not visible in ${this.moduleName}`, loc);
  }

  resolve(sig: SigInfo): Expr {
    return { kind: 'ref', name: this.nameOf(sig), width: sig.width, signed: sig.signed };
  }
}

const stack: Builder[] = [];

export function current(): Builder {
  const b = stack[stack.length - 1];
  if (!b) fail("no module is being built: hardware can only be created inside a Module's build()");
  return b;
}
export function maybeCurrent(): Builder | undefined {
  return stack[stack.length - 1];
}
export function pushBuilder(b: Builder): void {
  stack.push(b);
}
export function popBuilder(): void {
  stack.pop();
}
