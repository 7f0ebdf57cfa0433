// Progress of a batch: a bar with done/total and an ETA, and below it one line per running job (what a
// worker reports: "yosys 2 min of about 4 min"). On a terminal the block is redrawn in place every second;
// in a log a line at most every `everyMs`, with the jobs' states folded into it.

import { formatDuration as duration } from '../util/status';

export interface ProgressOptions {
  /** What a task is, for the bar ("points"). */
  unit?: string;
  /** Tasks run at once (for the ETA before the first one finishes). */
  jobs?: number;
  /** Seconds one task is expected to take, when known: the ETA before any task has finished. */
  expectedTaskSeconds?: number;
  /** A log's line interval (default 5 s). */
  everyMs?: number;
}

export function progressBar(done: number, total: number, failed: number, t0: number, o: ProgressOptions = {}): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const secs = (Date.now() - t0) / 1000;
  const left = total - done;
  let eta: string;
  if (left === 0) eta = 'done';
  else if (done > 0) eta = `ETA ${duration((secs / done) * left)}`;
  else if (o.expectedTaskSeconds) eta = `ETA ~${duration(Math.max(o.expectedTaskSeconds * Math.ceil(left / (o.jobs ?? 1)) - secs, 0))} (estimated)`;
  else eta = 'ETA after the first finishes';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}${o.unit ? ` ${o.unit}` : ''} done, failed ${failed}, ${duration(secs)}, ${eta}`;
}

export class Progress {
  private done = 0;
  private failed = 0;
  private lastLine = 0;
  private readonly t0 = Date.now();
  private readonly jobLines = new Map<number, string>();
  /** Lines of the block now on the terminal. */
  private drawn = 0;
  private readonly timer: NodeJS.Timeout | null;

  constructor(
    private readonly total: number,
    private readonly log: (line: string) => void,
    private readonly tty: boolean,
    private readonly options: ProgressOptions = {},
    private readonly write: (text: string) => void = (t) => void process.stderr.write(t),
  ) {
    // the elapsed time and the ETA move even while no task finishes (in a log only when asked for an interval)
    const period = tty ? 1000 : options.everyMs;
    this.timer = total > 0 && period ? setInterval(() => this.refresh(), period) : null;
    this.timer?.unref();
  }

  private get every(): number {
    return this.options.everyMs ?? 5000;
  }

  private bar(): string {
    return progressBar(this.done, this.total, this.failed, this.t0, this.options);
  }

  private erase(): void {
    for (let i = 0; i < this.drawn; i++) this.write(`\r\x1b[K${i < this.drawn - 1 ? '\x1b[1A' : ''}`);
    this.drawn = 0;
  }

  private draw(): void {
    const lines = [this.bar(), ...[...this.jobLines.values()].map((l) => `  ${l}`)];
    this.write(lines.join('\n'));
    this.drawn = lines.length;
  }

  private refresh(force = false): void {
    if (this.tty) {
      this.erase();
      this.draw();
    } else if (force || Date.now() - this.lastLine >= this.every) {
      this.lastLine = Date.now();
      const jobs = [...this.jobLines.values()];
      this.log(`${this.bar()}${jobs.length ? `; running: ${jobs.join('; ')}` : ''}`);
    }
  }

  /** A message above the bar (a failure, a finished task). */
  note(line: string): void {
    if (this.tty) this.erase();
    this.log(line);
    if (this.tty && this.done < this.total) this.draw();
  }

  /** What job `slot` is doing now (null: nothing); shown under the bar. */
  status(slot: number, line: string | null): void {
    if (line === null) this.jobLines.delete(slot);
    else this.jobLines.set(slot, line);
    if (this.tty) this.refresh();
  }

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    this.refresh(this.done === this.total);
  }

  end(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty && this.drawn) {
      this.erase();
      this.write(`${this.bar()}\n`);
    }
  }
}
