/** Finite-state machines with named states, printed as localparams. */
import { captureLoc, fail } from './errors';
import { current } from './context';
import type { Expr } from './ir';
import { reg } from './decl';
import { UInt as UIntShape } from './shape';
import { Bool, UInt, log2Ceil, groundExpr } from './value';

export class Fsm<N extends string> {
  constructor(
    /** The state register. */
    readonly state: UInt,
    private readonly codes: ReadonlyMap<N, Expr>,
  ) {}
  /** The encoding of a state as a UInt constant (printed as its localparam). */
  lit(s: N): UInt {
    const e = this.codes.get(s);
    if (!e) fail(`unknown state '${s}' (states: ${[...this.codes.keys()].join(', ')})`);
    return groundExpr('uint', e) as UInt;
  }
  /** True while in state `s`. */
  is(s: N): Bool {
    return this.state.eq(this.lit(s));
  }
  /** Next state is `s` (a register assignment: last one wins). */
  goto(s: N): void {
    this.state.set(this.lit(s));
  }
}

/** `fsm('state', ['IDLE', 'RUN'] as const)`: a binary-encoded state register reset to `init` (default: the first state). */
export function fsm<const N extends string>(name: string, states: readonly N[], opts: { init?: N } = {}): Fsm<N> {
  const b = current();
  const loc = captureLoc();
  if (states.length === 0) fail(`fsm '${name}' has no states`, loc);
  if (new Set(states).size !== states.length) fail(`fsm '${name}' has duplicate state names`, loc);
  const width = log2Ceil(states.length);
  const codes = new Map<N, Expr>();
  states.forEach((s, i) => {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(s)) fail(`fsm state name '${s}' is not an identifier`, loc);
    const sym = `${name.toUpperCase()}_${s.toUpperCase()}`;
    b.claim(sym, loc);
    b.params.push({ name: sym, width, value: String(i) });
    codes.set(s, { kind: 'lit', value: String(i), width, signed: false, sym });
  });
  const init = opts.init ?? states[0];
  if (!codes.has(init)) fail(`fsm '${name}': init state '${init}' is not a state`, loc);
  const state = reg(name, UIntShape(width), { init: groundExpr('uint', codes.get(init)!) as UInt });
  return new Fsm<N>(state, codes);
}
