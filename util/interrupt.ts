// Ctrl-C for long jobs (inference over a data set, tuning, regressions, explorations): the first SIGINT
// aborts a signal the job watches, so it stops starting work, writes a partial report of what finished and
// exits with status 130 (128 + SIGINT, as a shell reports it); a second SIGINT quits at once.

/** Exit status of a job stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/** Thrown (or checked for) where a job notices its signal was aborted. */
export class InterruptedError extends Error {
  constructor(what = 'interrupted') {
    super(what);
    this.name = 'InterruptedError';
  }
}

export interface InterruptWatch {
  readonly signal: AbortSignal;
  /** Removes the handler (the process's default Ctrl-C behaviour comes back). */
  dispose(): void;
}

/**
 * Watches SIGINT (and SIGTERM) for the duration of a job. `log` gets one line when the first signal
 * arrives; the job then has until its own next check to stop.
 */
export function watchInterrupts(log: (line: string) => void, what = 'the job'): InterruptWatch {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    log(`\n${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopping ${what} and writing what finished (press Ctrl-C again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
