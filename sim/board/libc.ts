// The few libc calls the board runtime needs (open, close, mmap64, munmap), bound with koffi, the FFI the
// project already uses for TSIM: Node has no mmap of its own. Loaded on first use, on the board only.

import koffi from 'koffi';

export const O_RDWR = 0o2;
/** O_SYNC on Linux (ARM and AArch64): an uncached mapping of /dev/mem and u-dma-buf. */
export const O_SYNC = 0o4010000;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_SHARED = 1;

export interface Libc {
  open(path: string, flags: number): number;
  close(fd: number): number;
  /** mmap64: a 64-bit file offset on 32-bit ARM too (the DE10's register window is at 0xFF220000). */
  mmap(length: number, prot: number, flags: number, fd: number, offset: number): unknown;
  munmap(addr: unknown, length: number): number;
  /** errno of the last failing call, as text. */
  lastError(): string;
  /** A JavaScript view of `length` bytes at a mapped address. */
  view(addr: unknown, length: number): ArrayBuffer;
  isMapFailed(addr: unknown): boolean;
}

let cached: Libc | null = null;

export function loadLibc(): Libc {
  if (cached) return cached;
  const lib = koffi.load('libc.so.6');
  const open = lib.func('int open(const char *path, int flags)');
  const close = lib.func('int close(int fd)');
  const mmap = lib.func('void *mmap64(void *addr, size_t length, int prot, int flags, int fd, int64_t offset)');
  const munmap = lib.func('int munmap(void *addr, size_t length)');
  const errnoLocation = lib.func('int *__errno_location()');
  const strerror = lib.func('const char *strerror(int errnum)');
  cached = {
    open: (p, f) => open(p, f) as number,
    close: (fd) => close(fd) as number,
    mmap: (len, prot, flags, fd, off) => mmap(null, len, prot, flags, fd, off),
    munmap: (addr, len) => munmap(addr, len) as number,
    lastError: () => strerror(koffi.decode(errnoLocation(), 'int')) as string,
    view: (addr, len) => koffi.view(addr, len),
    isMapFailed: (addr) => addr === null || koffi.address(addr) === BigInt.asUintN(64, -1n) || koffi.address(addr) === 0xffffffffn,
  };
  return cached;
}
