// The register window of a board: /dev/mem at the board's register base, or a UIO device (map 0), mapped
// uncached and seen as 32-bit words. The result is a RegisterPort for the shared driver (sim/driver).

import { DeviceError } from '../device';
import type { RegisterPort } from '../driver/registers';
import { loadLibc, MAP_SHARED, O_RDWR, O_SYNC, PROT_READ, PROT_WRITE } from './libc';

export interface MappedRegisters extends RegisterPort {
  readonly source: string;
  close(): void;
}

/** Maps `range` bytes of registers: from `/dev/uioN` (offset 0 = map 0) or from /dev/mem at `base`. */
export function mapRegisters(base: number, range: number, uio?: string): MappedRegisters {
  const libc = loadLibc();
  const path = uio ?? '/dev/mem';
  const fd = libc.open(path, O_RDWR | O_SYNC);
  if (fd < 0) throw new DeviceError(`cannot open ${path} for the registers: ${libc.lastError()} (run as root, or give access to ${path})`);
  const offset = uio ? 0 : base;
  const addr = libc.mmap(range, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
  if (libc.isMapFailed(addr)) {
    const why = libc.lastError();
    libc.close(fd);
    throw new DeviceError(`cannot map ${range} bytes of ${path} at 0x${offset.toString(16)}: ${why}`);
  }
  const words = new Uint32Array(libc.view(addr, range));
  const check = (off: number) => {
    if (!Number.isInteger(off) || off < 0 || off + 4 > range || off % 4 !== 0) throw new DeviceError(`register offset 0x${off.toString(16)} is outside the ${range}-byte window or unaligned`);
    return off >>> 2;
  };
  let open = true;
  return {
    source: uio ? uio : `/dev/mem at 0x${base.toString(16)}`,
    read32: (off) => words[check(off)],
    write32: (off, v) => { words[check(off)] = v >>> 0; },
    close: () => {
      if (!open) return;
      open = false;
      libc.munmap(addr, range);
      libc.close(fd);
    },
  };
}
