// DMA memory from u-dma-buf (github.com/ikwzm/udmabuf): a kernel module that reserves a physically
// contiguous CMA buffer at load time and exposes it as /dev/<name> (mmap) with its physical address and
// cache maintenance in sysfs. Chosen over PYNQ's xlnk/libcma because it works the same on all four boards
// (Zynq-7000, Zynq UltraScale+, Cyclone V), needs no Python stack and no PYNQ image, and gives explicit
// sync_for_device/sync_for_cpu for ports that do not snoop the caches (HPC0 without CCI coherency).

import { existsSync, readFileSync, writeFileSync } from 'fs';
import { DeviceError } from '../device';
import type { DmaWindow } from '../driver/register-device';
import { loadLibc, MAP_SHARED, O_RDWR, PROT_READ, PROT_WRITE } from './libc';

const SYSFS_DIRS = ['/sys/class/u-dma-buf', '/sys/class/udmabuf'];
/** sync_direction values (the kernel's DMA directions). */
const TO_DEVICE = 1;
const FROM_DEVICE = 2;

export function udmabufSysfs(name: string): string | null {
  for (const d of SYSFS_DIRS) if (existsSync(`${d}/${name}/phys_addr`)) return `${d}/${name}`;
  return null;
}

/**
 * Opens /dev/<name>. `busOffset` is added to the physical address to get the accelerator's address (the
 * DE10's ACP window); with `coherent` no cache maintenance is done.
 */
export function openUdmabuf(name: string, busOffset: number, coherent: boolean): DmaWindow {
  const sys = udmabufSysfs(name);
  if (!sys || !existsSync(`/dev/${name}`)) {
    throw new DeviceError(`no u-dma-buf /dev/${name}: load the module first, e.g. sudo insmod u-dma-buf.ko ${name}=67108864`);
  }
  const phys = Number(BigInt(readFileSync(`${sys}/phys_addr`, 'utf8').trim()));
  const size = Number(readFileSync(`${sys}/size`, 'utf8').trim());
  if (!Number.isSafeInteger(phys) || !Number.isSafeInteger(size) || size <= 0) throw new DeviceError(`${sys}: unreadable phys_addr/size`);
  if (phys + busOffset + size > 2 ** 32)
    throw new DeviceError(`/dev/${name} at 0x${phys.toString(16)} (+0x${busOffset.toString(16)}) lies above the core's 32-bit address space`);
  const libc = loadLibc();
  const fd = libc.open(`/dev/${name}`, O_RDWR);
  if (fd < 0) throw new DeviceError(`cannot open /dev/${name}: ${libc.lastError()}`);
  const addr = libc.mmap(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (libc.isMapFailed(addr)) {
    const why = libc.lastError();
    libc.close(fd);
    throw new DeviceError(`cannot map /dev/${name} (${size} bytes): ${why}`);
  }
  const sync = (kind: 'sync_for_device' | 'sync_for_cpu', dir: number, offset: number, len: number) => {
    if (coherent || len === 0) return;
    // Cache lines are at most 64 bytes on these CPUs; widen to whole lines.
    const lo = Math.floor(offset / 64) * 64;
    const hi = Math.min(size, Math.ceil((offset + len) / 64) * 64);
    writeFileSync(`${sys}/sync_offset`, String(lo));
    writeFileSync(`${sys}/sync_size`, String(hi - lo));
    writeFileSync(`${sys}/sync_direction`, String(dir));
    writeFileSync(`${sys}/${kind}`, '1');
  };
  let open = true;
  return {
    size,
    busBase: phys + busOffset,
    bytes: new Uint8Array(libc.view(addr, size)),
    syncForDevice: (off, len) => sync('sync_for_device', TO_DEVICE, off, len),
    syncForCpu: (off, len) => sync('sync_for_cpu', FROM_DEVICE, off, len),
    close: () => {
      if (!open) return;
      open = false;
      libc.munmap(addr, size);
      libc.close(fd);
    },
  };
}
