/** Counters (Chisel `Counter`). */
import { UInt as UIntShape } from '../shape';
import { Bool, UInt, log2Ceil, mux } from '../value';
import { reg } from '../decl';
import { when } from '../control';

export interface CounterHandle {
  /** Current count, 0 .. n-1. */
  value: UInt;
  /** High when the counter is at n-1 and counting (it wraps to 0 on this edge). */
  wrap: Bool;
}

/** A register counting 0..n-1 while `inc` is high (always, if omitted), wrapping to 0; reset to 0. */
export function counter(name: string, n: number, inc?: Bool): CounterHandle {
  const value = reg(name, UIntShape(log2Ceil(n)), { init: 0 });
  const last = value.eq(n - 1);
  const next = (n & (n - 1)) === 0 ? value.add(1) : mux(last, 0, value.add(1));
  if (inc) when(inc, () => value.set(next));
  else value.set(next);
  return { value, wrap: inc ? inc.and(last) : last };
}
