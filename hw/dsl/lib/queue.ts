/** FIFO queue with Decoupled enqueue/dequeue ports (Chisel `Queue`). */
import { Bool, Bundle, Decoupled, Flip, Shape, UInt, UIntT, shapeName } from '../shape';
import { U, UInt as UIntV, log2Ceil, mux } from '../value';
import { HW, HWAny, shapeOf } from '../hw';
import { Module, instance } from '../module';
import { assignAll, reg } from '../decl';
import { mem } from '../mem';
import { when } from '../control';
import { connect, fire } from '../connect';
import { fail } from '../errors';

export class Queue<T extends Shape> extends Module {
  readonly io;
  constructor(
    readonly elem: T,
    readonly entries: number,
  ) {
    super();
    if (!Number.isInteger(entries) || entries < 2) fail(`Queue: entries must be an integer >= 2, got ${entries}`);
    this.io = this.port(
      Bundle({
        enq: Flip(Decoupled(elem)),
        deq: Decoupled(elem),
        count: UInt(log2Ceil(entries + 1)),
      }),
    );
  }
  get name(): string {
    return `Queue_${shapeName(this.elem)}_${this.entries}`;
  }

  build(): void {
    const n = this.entries;
    const pw = log2Ceil(n);
    const pow2 = (n & (n - 1)) === 0;
    // Typed as a UInt memory only to keep TS from expanding HW<T> for a generic T; data is handled untyped.
    const ram = mem('ram', { depth: n, elem: this.elem as unknown as UIntT, readUnderWrite: 'undefined' });
    const enqPtr = reg('enq_ptr', UInt(pw), { init: 0 });
    const deqPtr = reg('deq_ptr', UInt(pw), { init: 0 });
    const maybeFull = reg('maybe_full', Bool(), { init: false });
    const ptrMatch = enqPtr.eq(deqPtr);
    const empty = ptrMatch.and(maybeFull.not());
    const full = ptrMatch.and(maybeFull);
    const doEnq = fire(this.io.enq);
    const doDeq = fire(this.io.deq);
    const inc = (p: UIntV): UIntV => (pow2 ? p.add(1) : mux(p.eq(n - 1), 0, p.add(1)));

    when(doEnq, () => {
      ram.write(enqPtr, this.io.enq.bits as never);
      enqPtr.set(inc(enqPtr));
    });
    when(doDeq, () => deqPtr.set(inc(deqPtr)));
    when(doEnq.ne(doDeq), () => maybeFull.set(doEnq));

    this.io.deq.valid.set(empty.not());
    this.io.enq.ready.set(full.not());
    assignAll(this.io.deq.bits as HWAny, ram.readAsync(deqPtr) as HWAny);

    const cw = this.io.count.width;
    const diff = pow2 ? enqPtr.sub(deqPtr).zext(cw) : mux(deqPtr.gt(enqPtr), enqPtr.zext(cw).add(n).sub(deqPtr.zext(cw)), enqPtr.zext(cw).sub(deqPtr.zext(cw)));
    this.io.count.set(mux(ptrMatch, mux(maybeFull, U(n, cw), U(0, cw)), diff));
  }
}

/** Put a queue of `entries` between `enq` and the returned dequeue side (Chisel `Queue(enq, n)`). */
export function queue<S extends Shape>(name: string, enq: HW<ReturnType<typeof Decoupled<S>>>, entries: number): Queue<S>['io']['deq'] {
  const shape = shapeOf(enq as unknown as HWAny) as ReturnType<typeof Decoupled<S>>;
  const q = instance(name, new Queue(shape.fields.bits as S, entries));
  connect(q.io.enq as unknown as HWAny, enq as unknown as HWAny);
  return q.io.deq;
}
