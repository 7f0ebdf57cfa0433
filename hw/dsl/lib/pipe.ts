/** Pipeline registers. */
import { fail } from '../errors';
import { current } from '../context';
import { Bool as BoolShape } from '../shape';
import { Bits, Bool } from '../value';
import { HWAny } from '../hw';
import { regEnable, regNext, reg } from '../decl';

function baseName(x: HWAny, name: string | undefined): string {
  if (name) return name;
  if (x instanceof Bits && x._sig) return x._sig.name;
  const b = current();
  let n = '_pipe';
  for (let i = 1; b.names.has(`${n}_d1`); i++) n = `_pipe${i}`;
  return n;
}

/** `x` delayed by n cycles through registers `${name}_d1` .. `${name}_d<n>` (no reset). */
export function pipe<T extends HWAny>(x: T, n: number, name?: string): T {
  if (!Number.isInteger(n) || n < 0) fail(`pipe: stage count must be a non-negative integer, got ${n}`);
  const base = baseName(x, name);
  let v = x;
  for (let i = 1; i <= n; i++) v = regNext(v, { name: `${base}_d${i}` });
  return v;
}

/** Alias of pipe (Chisel `ShiftRegister`). */
export const shiftReg = pipe;

/**
 * A valid/data pipeline of n stages: `valid` registers are reset to 0, data
 * registers load only when the incoming valid is high (saves toggling).
 */
export function pipeValid<T extends HWAny>(valid: Bool, bits: T, n: number, name: string): { valid: Bool; bits: T } {
  if (!Number.isInteger(n) || n < 0) fail(`pipeValid: stage count must be a non-negative integer, got ${n}`);
  let v = valid;
  let d = bits;
  for (let i = 1; i <= n; i++) {
    const nv = reg(`${name}_valid_d${i}`, BoolShape(), { init: false });
    nv.set(v);
    d = regEnable(d, v, { name: `${name}_bits_d${i}` });
    v = nv;
  }
  return { valid: v, bits: d };
}
