// A dependency-token queue (SEMANTICS.md "Dependencies"): a bounded counter of tokens. A push is taken only
// when `canPush` (count < capacity), a pop only when `canPop` (count > 0); both in one cycle keep the count.
// A producer whose push target is full waits, so no token is ever lost.

import { Bool, Bundle, Flip, Module, UInt, log2Ceil, when } from '../../dsl';
import type { VtaConfig } from '../config';

export class TokenQueue extends Module {
  readonly io;
  readonly depth: number;
  constructor(cfg: Pick<VtaConfig, 'depQueueDepth'>) {
    super();
    this.depth = cfg.depQueueDepth;
    this.io = this.port(
      Bundle({
        push: Flip(Bool()),
        pop: Flip(Bool()),
        canPush: Bool(),
        canPop: Bool(),
        count: UInt(log2Ceil(this.depth + 1)),
      }),
    );
  }
  get name(): string {
    return `TokenQueue_${this.depth}`;
  }
  build(): void {
    const w = this.io.count.width;
    const count = this.reg('count', UInt(w), { init: 0 });
    const canPush = count.lt(this.depth);
    const canPop = count.ne(0);
    const doPush = this.io.push.and(canPush);
    const doPop = this.io.pop.and(canPop);
    when(doPush.and(doPop.not()), () => count.set(count.add(1))).elsewhen(doPop.and(doPush.not()), () => count.set(count.sub(1)));
    this.io.canPush.set(canPush);
    this.io.canPop.set(canPop);
    this.io.count.set(count);
  }
}
