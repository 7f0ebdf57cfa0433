// A progress line for batches: redrawn in place on a terminal, else a line every few seconds.

export function progressBar(done: number, total: number, failed: number, t0: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  const secs = (Date.now() - t0) / 1000;
  const eta = done > 0 ? Math.round((secs / done) * (total - done)) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  failed ${failed}  ${secs.toFixed(0)} s, eta ${eta} s`;
}

export class Progress {
  private done = 0;
  private failed = 0;
  private lastLine = 0;
  private readonly t0 = Date.now();
  constructor(private readonly total: number, private readonly log: (line: string) => void, private readonly tty: boolean) {}

  /** A message above the bar (a failure, a finished layer). */
  note(line: string): void {
    this.log(`${this.tty ? '\r\x1b[K' : ''}${line}`);
  }

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.failed++;
    const line = progressBar(this.done, this.total, this.failed, this.t0);
    if (this.tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (Date.now() - this.lastLine > 5000 || this.done === this.total) {
      this.lastLine = Date.now();
      this.log(line);
    }
  }

  end(): void {
    if (this.tty && this.total > 0) process.stderr.write('\n');
  }
}
