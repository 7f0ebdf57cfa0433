// Per-call statistics: `rt.stats` sums every run since `resetStats`; an operator reports what its own call
// did as the difference of two snapshots, so a caller never has to reset or subtract by hand.

import type { Counters } from '../../sim/device';
import type { RuntimeStats } from './runtime';

/** A deep copy (the runtime keeps adding to the original). */
export function snapshotStats(s: RuntimeStats): RuntimeStats {
  return { ...s, counters: { ...s.counters, byKind: { ...s.counters.byKind } }, streamBytes: { ...s.streamBytes } };
}

function subtractCounters(now: Counters, before: Counters): Counters {
  const out = { ...now, byKind: { ...now.byKind } };
  for (const k of Object.keys(now) as (keyof Counters)[]) {
    if (k !== 'byKind') (out[k] as number) = (now[k] as number) - ((before[k] as number) ?? 0);
  }
  for (const [kind, n] of Object.entries(before.byKind)) {
    const left = (out.byKind[kind] ?? 0) - n;
    if (left) out.byKind[kind] = left;
    else delete out.byKind[kind];
  }
  return out;
}

/** What the runtime did between the snapshot `before` and `now`. */
export function statsSince(now: RuntimeStats, before: RuntimeStats): RuntimeStats {
  const bytes = { ...now.streamBytes };
  for (const k of Object.keys(bytes) as (keyof typeof bytes)[]) bytes[k] -= before.streamBytes[k];
  return {
    runs: now.runs - before.runs,
    cycles: now.cycles === null || before.cycles === null ? now.cycles : now.cycles - before.cycles,
    counters: subtractCounters(now.counters, before.counters),
    insns: now.insns - before.insns,
    insnBytes: now.insnBytes - before.insnBytes,
    streamBytes: bytes,
    wallSeconds: now.wallSeconds - before.wallSeconds,
  };
}
