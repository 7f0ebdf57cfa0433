// The simulated DRAM: one byte array; every port (instructions, micro-ops, data) sees it from address 0.

import { MemoryAccessError } from '../device';

export class Dram {
  readonly bytes: Uint8Array;

  /** A zeroed DRAM of `size` bytes, or a view of existing bytes (another backend's DRAM, for checks). */
  constructor(
    readonly size: number,
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ?? new Uint8Array(size);
  }

  /** One past the highest byte written (host writes, STOREs) since the last `takeWrittenEnd`. */
  private writtenEnd = 0;

  noteWrite(end: number): void {
    if (end > this.writtenEnd) this.writtenEnd = end;
  }

  /** The high-water mark of writes since the last call; restarts it. */
  takeWrittenEnd(): number {
    const end = this.writtenEnd;
    this.writtenEnd = 0;
    return end;
  }

  /** Throws unless [start, end) lies inside DRAM; `describe` builds the error for a given message. */
  check(start: number, end: number, what: string, fail: (detail: string) => MemoryAccessError): void {
    if (start < 0 || end > this.size) {
      throw fail(`${what} DRAM bytes ${start}..${end - 1} (0x${start.toString(16)}..0x${(end - 1).toString(16)}) ` + `are outside DRAM [0, ${this.size})`);
    }
  }
}
