// What the stages share (DESIGN.md "Interfaces"): the instruction queue entry, the stage status bundle, and
// the stage control of a stage with one token side (Load: pop g2l / push l2g; Store: pop g2s / push s2g).

import { Bool, Bundle, UInt, fsm, mux, regEnable, when } from '../../dsl';
import type { Bool as BoolV, HW, UInt as UIntV } from '../../dsl';

/** An instruction queue entry. */
export const InsnEntry = () => Bundle({ insn: UInt(128), index: UInt(32) });

/** Stage status (DESIGN.md "Stage status"). */
export const StageStatus = () => Bundle({ busy: Bool(), tokenStall: Bool(), retired: Bool(), pc: UInt(32) });

/** A stage's ports for its one token side: `pop`/`push` out, `canPop`/`canPush` in. */
export interface TokenSide {
  pop: BoolV;
  push: BoolV;
  canPop: BoolV;
  canPush: BoolV;
}

/**
 * Stage control, FSM `stage`: IDLE takes the queue head once its pop can be taken (it pops then) → RUN until
 * `done` (or straight to PUSH when `skip`, sampled with the head) → PUSH until the push can be taken (it
 * pushes then) and retires. `popNeeded`/`pushNeeded` are the head's pop/push flags. Drives `insn.ready`, the
 * token side and `status`; returns `can_start`, high in the cycle the head is taken.
 */
export function tokenStage(
  insn: { valid: BoolV; ready: BoolV; bits: { index: UIntV } },
  tokens: TokenSide,
  status: HW<ReturnType<typeof StageStatus>>,
  opts: { popNeeded: BoolV; pushNeeded: BoolV; done: BoolV; skip?: BoolV },
): BoolV {
  const st = fsm('stage', ['IDLE', 'RUN', 'PUSH'] as const);
  const { popNeeded, done, skip } = opts;
  const canStart = st.is('IDLE').and(insn.valid).and(popNeeded.not().or(tokens.canPop)).named('can_start');
  insn.ready.set(canStart);
  tokens.pop.set(canStart.and(popNeeded));
  const pushNeeded = regEnable(opts.pushNeeded, canStart, { name: 'push_needed' });
  const pcReg = regEnable(insn.bits.index, canStart, { name: 'pc_reg', init: 0 });
  when(canStart, () => {
    if (skip) when(skip, () => st.goto('PUSH')).otherwise(() => st.goto('RUN'));
    else st.goto('RUN');
  });
  when(st.is('RUN').and(done), () => st.goto('PUSH'));
  const pushOk = st.is('PUSH').and(pushNeeded.not().or(tokens.canPush)).named('push_ok');
  tokens.push.set(pushOk.and(pushNeeded));
  when(pushOk, () => st.goto('IDLE'));
  status.busy.set(st.is('IDLE').not());
  status.tokenStall.set(st.is('IDLE').and(insn.valid).and(popNeeded).and(tokens.canPop.not()));
  status.retired.set(pushOk);
  status.pc.set(mux(st.is('IDLE').and(insn.valid), insn.bits.index, pcReg));
  return canStart;
}
