// The three stages (load, compute, store), each running its own instructions in program order, and the
// four dependency-token queues between them (SEMANTICS.md "Dependencies and completion"; flag meaning per
// stage as in the conformance README "Queues and dependence tokens"). Pops happen before an instruction
// starts and block; pushes happen after it completes and never lose a token (an instruction whose push
// would overflow a queue waits to start). The run ends when FINISH completes; no progress before that is
// a deadlock, reported per stage.

import { formatInsn } from '../../hw/vta/disasm';
import { Insn, stageOf } from '../../hw/vta/isa';
import { DeadlockError, StageName, StageWait, TokenCounts, TokenQueue } from '../device';
import type { FsimState } from './state';

const QUEUES: readonly TokenQueue[] = ['l2g', 'g2l', 'g2s', 's2g'];
const L2G = 0;
const G2L = 1;
const G2S = 2;
const S2G = 3;
const STAGES: readonly StageName[] = ['load', 'compute', 'store'];

interface Planned {
  index: number;
  insn: Insn;
  /** Queue ids popped before start / pushed after completion. */
  pops: number[];
  pushes: number[];
}

/** The queues an instruction of `stage` pops before it starts and pushes after it completes. */
export function tokensOf(insn: Insn, stage: StageName): { pops: number[]; pushes: number[] } {
  const pops: number[] = [];
  const pushes: number[] = [];
  if (stage === 'load') {
    if (insn.popNext) pops.push(G2L);
    if (insn.pushNext) pushes.push(L2G);
  } else if (stage === 'compute') {
    if (insn.popPrev) pops.push(L2G);
    if (insn.popNext) pops.push(S2G);
    if (insn.pushPrev) pushes.push(G2L);
    if (insn.pushNext) pushes.push(G2S);
  } else {
    if (insn.popPrev) pops.push(G2S);
    if (insn.pushPrev) pushes.push(S2G);
  }
  return { pops, pushes };
}

export interface ScheduleResult {
  leftoverTokens: TokenCounts;
  warnings: string[];
}

/**
 * Runs `insns` (the whole fetched program) through the three stages. `execute(planned)` performs one
 * instruction; `st.index`/`st.insn` are set before it is called.
 */
export function schedule(st: FsimState, insns: readonly Insn[], capacity: number, execute: (insn: Insn, stage: StageName) => void): ScheduleResult {
  // Dispatch in program order up to and including the first FINISH: nothing after it executes.
  const queues: Planned[][] = [[], [], []];
  let finishAt = -1;
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i];
    const stage = stageOf(insn);
    queues[STAGES.indexOf(stage)].push({ index: i, insn, ...tokensOf(insn, stage) });
    if (insn.op === 'FINISH') {
      finishAt = i;
      break;
    }
  }
  const tokens = new Int32Array(4);
  const pc = [0, 0, 0];
  let finished = false;

  const blocker = (p: Planned): string | null => {
    for (const q of p.pops) if (tokens[q] === 0) return `token in ${QUEUES[q]}`;
    for (const q of p.pushes) if (tokens[q] >= capacity) return `room in ${QUEUES[q]} (full at ${capacity})`;
    return null;
  };

  // Among the three stage heads that can start, run the earliest in program order. Any schedule that
  // honours the tokens is legal; this one is deterministic and runs a token-free program in program order.
  while (!finished) {
    let pick = -1;
    let pickIndex = Infinity;
    for (let s = 0; s < 3; s++) {
      const p = queues[s][pc[s]];
      if (p !== undefined && p.index < pickIndex && blocker(p) === null) {
        pick = s;
        pickIndex = p.index;
      }
    }
    if (pick < 0) {
      const waits: StageWait[] = STAGES.map((stage, s) => {
        const p = queues[s][pc[s]];
        if (!p) return { stage, index: null, waitsFor: null, insn: null };
        return { stage, index: p.index, waitsFor: blocker(p), insn: formatInsn(st.cfg, p.insn) };
      });
      const counts = countsOf(tokens);
      if (finishAt < 0 && waits.every((w) => w.index === null)) {
        throw new DeadlockError(waits, counts, `no FINISH: all ${insns.length} instructions ran and none was FINISH`);
      }
      throw new DeadlockError(waits, counts);
    }
    const p = queues[pick][pc[pick]];
    for (const t of p.pops) tokens[t]--;
    st.index = p.index;
    st.insn = p.insn;
    execute(p.insn, STAGES[pick]);
    for (const t of p.pushes) tokens[t]++;
    pc[pick]++;
    if (p.insn.op === 'FINISH') finished = true;
  }

  const leftoverTokens = countsOf(tokens);
  const warnings: string[] = [];
  const leftWarning = leftoverTokenWarning(leftoverTokens);
  if (leftWarning) warnings.push(leftWarning);
  const pending = STAGES.map((stage, s) => [stage, queues[s].length - pc[s]] as const).filter(([, n]) => n > 0);
  if (pending.length) {
    warnings.push(`instructions before FINISH that never ran: ${pending.map(([stage, n]) => `${stage} ${n}`).join(', ')}`);
  }
  if (finishAt >= 0 && finishAt < insns.length - 1) {
    warnings.push(`${insns.length - 1 - finishAt} instruction(s) after FINISH (index ${finishAt}) were not executed`);
  }
  return { leftoverTokens, warnings };
}

function countsOf(tokens: Int32Array): TokenCounts {
  return { l2g: tokens[L2G], g2l: tokens[G2L], g2s: tokens[G2S], s2g: tokens[S2G] };
}

/** The warning both targets give for tokens left queued when FINISH completed, or null. */
export function leftoverTokenWarning(tokens: TokenCounts): string | null {
  const left = QUEUES.filter((q) => tokens[q] !== 0);
  return left.length ? `tokens left in queues after FINISH: ${left.map((q) => `${q}=${tokens[q]}`).join(', ')}` : null;
}
