// Physical memory windows of a board, mapped uncached and seen as 32-bit words: the accelerator's
// registers (/dev/mem at the board's register base, or a UIO device's map 0) and the processor system's own
// configuration registers. The result is a RegisterPort for the shared driver (sim/driver).

import { DeviceError } from '../device';
import type { RegisterPort } from '../driver/registers';
import { loadLibc, MAP_SHARED, O_RDWR, O_SYNC, PROT_READ, PROT_WRITE } from './libc';

export interface MappedRegisters extends RegisterPort {
  readonly source: string;
  close(): void;
}

/** Maps `range` bytes of `path` at byte `offset` (a multiple of the page size). */
export function mapWindow(path: string, offset: number, range: number, source: string, why = 'the registers'): MappedRegisters {
  const libc = loadLibc();
  const fd = libc.open(path, O_RDWR | O_SYNC);
  if (fd < 0) throw new DeviceError(`cannot open ${path} for ${why}: ${libc.lastError()} (run as root, or give access to ${path})`);
  const addr = libc.mmap(range, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
  if (libc.isMapFailed(addr)) {
    const failure = libc.lastError();
    libc.close(fd);
    throw new DeviceError(`cannot map ${range} bytes of ${path} at 0x${offset.toString(16)} for ${why}: ${failure}`);
  }
  const words = new Uint32Array(libc.view(addr, range));
  const check = (off: number) => {
    if (!Number.isInteger(off) || off < 0 || off + 4 > range || off % 4 !== 0)
      throw new DeviceError(`register offset 0x${off.toString(16)} is outside the ${range}-byte window or unaligned`);
    return off >>> 2;
  };
  let open = true;
  return {
    source,
    read32: (off) => words[check(off)],
    write32: (off, v) => {
      words[check(off)] = v >>> 0;
    },
    close: () => {
      if (!open) return;
      open = false;
      libc.munmap(addr, range);
      libc.close(fd);
    },
  };
}

/** Maps `range` bytes of registers: from `/dev/uioN` (offset 0 = map 0) or from /dev/mem at `base`. */
export function mapRegisters(base: number, range: number, uio?: string): MappedRegisters {
  return uio ? mapWindow(uio, 0, range, uio) : mapWindow('/dev/mem', base, range, `/dev/mem at 0x${base.toString(16)}`);
}
