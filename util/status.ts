// One progress line for a slow step: redrawn in place on a terminal; in a log (not a terminal) written at
// most every `everyMs`, so a long run leaves a few lines, not one per update.

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 90) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 90 ? `${m} min ${String(s % 60).padStart(2, '0')} s` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export class StatusLine {
  private last = '';
  private lastWritten = 0;
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly everyMs = 30_000,
  ) {}

  /** The current state; replaces the previous one. */
  update(line: string): void {
    this.last = line;
    if (this.tty) {
      this.write(`\r\x1b[K${line}`);
      this.shown = true;
    } else if (Date.now() - this.lastWritten >= this.everyMs) {
      this.lastWritten = Date.now();
      this.write(`${line}\n`);
    }
  }

  /** A line that stays (an announcement, a result), above the status line. */
  note(line: string): void {
    this.write(`${this.tty && this.shown ? '\r\x1b[K' : ''}${line}\n`);
    if (this.tty && this.shown) this.write(this.last);
  }

  /** The step is over: a terminal's status line is cleared. */
  done(): void {
    if (this.tty && this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }
}
