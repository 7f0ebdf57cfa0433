// A first-fit allocator of DRAM address ranges, shared by every backend. Page 0 is never handed out, so
// no buffer has address 0 (and no dram_base is 0).

import { DeviceArgumentError, PAGE_BYTES } from './device';

export class PageAllocator {
  /** Allocated ranges, sorted by address. */
  private readonly used: { addr: number; end: number }[] = [];

  constructor(readonly totalBytes: number) {}

  alloc(bytes: number, align = PAGE_BYTES): number {
    if (!Number.isSafeInteger(bytes) || bytes <= 0) {
      throw new DeviceArgumentError(`alloc: size must be a positive integer, got ${bytes}`);
    }
    if (!Number.isSafeInteger(align) || align <= 0 || (align & (align - 1)) !== 0) {
      throw new DeviceArgumentError(`alloc: alignment must be a power of two, got ${align}`);
    }
    const a = Math.max(align, PAGE_BYTES);
    const size = Math.ceil(bytes / PAGE_BYTES) * PAGE_BYTES;
    let cursor = PAGE_BYTES;
    for (let i = 0; i <= this.used.length; i++) {
      const start = Math.ceil(cursor / a) * a;
      const limit = i < this.used.length ? this.used[i].addr : this.totalBytes;
      if (start + size <= limit) {
        this.used.splice(i, 0, { addr: start, end: start + size });
        return start;
      }
      if (i < this.used.length) cursor = this.used[i].end;
    }
    const free = this.totalBytes - this.used.reduce((n, r) => n + (r.end - r.addr), 0) - PAGE_BYTES;
    throw new DeviceArgumentError(`alloc: out of device memory: ${bytes} bytes (aligned ${a}) requested, ${free} of ${this.totalBytes} bytes free`);
  }

  free(addr: number): void {
    const i = this.used.findIndex((r) => r.addr === addr);
    if (i < 0) throw new DeviceArgumentError(`free: address ${addr} (0x${addr.toString(16)}) was not returned by alloc or is already free`);
    this.used.splice(i, 1);
  }

  /** Forgets every allocation (after a whole-DRAM image replaces the contents). */
  reset(): void {
    this.used.length = 0;
  }
}
