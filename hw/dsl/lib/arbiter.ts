/** Round-robin arbiter over n Decoupled inputs (Chisel `RRArbiter`). */
import { Bundle, Decoupled, Flip, Shape, UInt, Vec, shapeName } from '../shape';
import { Bool as BoolV, UInt as UIntV, U, log2Ceil, mux } from '../value';
import { HWAny, vecAt } from '../hw';
import { Module } from '../module';
import { assignAll, reg } from '../decl';
import { when } from '../control';
import { fire } from '../connect';
import { fail } from '../errors';

export class RRArbiter<T extends Shape> extends Module {
  readonly io;
  constructor(
    readonly elem: T,
    readonly n: number,
  ) {
    super();
    if (!Number.isInteger(n) || n < 2) fail(`RRArbiter: needs at least 2 inputs, got ${n}`);
    this.io = this.port(
      Bundle({
        in: Flip(Vec(n, Decoupled(elem))),
        out: Decoupled(elem),
        chosen: UInt(log2Ceil(n)),
      }),
    );
  }
  get name(): string {
    return `RRArbiter_${shapeName(this.elem)}_${this.n}`;
  }

  build(): void {
    const n = this.n;
    const w = log2Ceil(n);
    const ins = this.io.in;
    const last = reg('last_grant', UInt(w), { init: 0 });
    const valids = ins.map((d) => d.valid as BoolV);
    // Priority: first valid input after the last grant, else first valid input.
    const lowest = (vs: (BoolV | undefined)[]): UIntV => {
      let sel = U(0, w);
      for (let i = n - 1; i >= 0; i--) {
        const v = vs[i];
        if (v) sel = mux(v, U(i, w), sel);
      }
      return sel;
    };
    // Input 0 is never "after" the last grant.
    const after = valids.map((v, i) => (i === 0 ? undefined : v.and(last.lt(i))));
    const anyAfter = after.filter((v): v is BoolV => v !== undefined).reduce((a, b) => a.or(b));
    const chosen = mux(anyAfter, lowest(after), lowest(valids)).named('chosen');
    const anyValid = valids.reduce((a, b) => a.or(b));

    this.io.out.valid.set(anyValid);
    assignAll(
      this.io.out.bits as HWAny,
      vecAt(
        ins.map((d) => d.bits as HWAny),
        chosen,
      ),
    );
    ins.forEach((d, i) => (d.ready as BoolV).set(this.io.out.ready.and(chosen.eq(i))));
    this.io.chosen.set(chosen);
    when(fire(this.io.out), () => last.set(chosen));
  }
}
