/** Bulk connection of aggregates, and stream helpers. */
import { fail } from './errors';
import { HWAny, leavesOf, shapeOf } from './hw';
import { shapeEquals } from './shape';
import type { Bits } from './value';
import type { Bool } from './value';

/**
 * `connect(sink, source)`: leaf-wise, unflipped leaves flow source -> sink and
 * flipped leaves (e.g. `ready`) flow sink -> source (Chisel `<>`). Shapes must
 * match; each assignment is direction-checked (driving an input port of this
 * module or an output of an instance is an error naming the signal).
 */
export function connect(sink: HWAny, source: HWAny): void {
  const ss = shapeOf(sink);
  const so = shapeOf(source);
  if (!shapeEquals(ss, so)) fail(`connect: shapes differ (${JSON.stringify(ss)} vs ${JSON.stringify(so)})`);
  const a = leavesOf(sink, ss);
  const b = leavesOf(source, so);
  a.forEach((l, i) => {
    const x = l.v as Bits;
    const y = b[i].v as Bits;
    if (l.flipped) y.set(x as never);
    else x.set(y as never);
  });
}

/** `valid && ready` of a Decoupled bundle. */
export function fire(d: { readonly valid: Bool; readonly ready: Bool }): Bool {
  return d.valid.and(d.ready);
}
