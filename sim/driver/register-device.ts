// RegisterDevice: a Device made of a register port, a DMA window and a poll clock, driven by the shared
// register-level driver (registers.ts). A board is one (mmap'd registers, a u-dma-buf window, wall-clock
// polling); TSIM behind a board shell is another (simulated AXI-Lite, the model's DRAM, simulated cycles),
// which is how `npm test` runs the board's driver code against the RTL.

import type { VtaConfig } from '../../hw/vta/config';
import { decodeInsn, INSN_BYTES } from '../../hw/vta/isa';
import { CONTROL_BITS } from '../../hw/vta/regs';
import { PageAllocator } from '../alloc';
import { programAt, programCounters } from '../program-counters';
import { AllocOptions, Device, DeviceArgumentError, RunOptions, RunResult } from '../device';
import { countersFrom, errorFrom, InsnReader, launch, PollClock, readRegisters, RegisterPort, waitForDone } from './registers';

/** A physically contiguous buffer the accelerator reads and writes, mapped into this process. */
export interface DmaWindow {
  /** Bytes of the window. */
  readonly size: number;
  /** The address the accelerator uses for byte 0 of the window (physical address + the board's bus offset). */
  readonly busBase: number;
  /** The CPU mapping of the window. */
  readonly bytes: Uint8Array;
  /** Makes CPU writes in [offset, offset+len) visible to the accelerator (cache clean); a no-op when coherent. */
  syncForDevice(offset: number, len: number): void;
  /** Makes accelerator writes in [offset, offset+len) visible to the CPU (cache invalidate); a no-op when coherent. */
  syncForCpu(offset: number, len: number): void;
  close?(): void;
}

export interface RegisterDeviceOptions {
  /** Names the device in messages (`pynq`, `tsim+board-shell`). */
  name: string;
  port: RegisterPort;
  window: DmaWindow;
  clock: PollClock;
  /** Called by close() after the window, e.g. to unmap the registers or free a model. */
  onClose?: () => void;
}

export interface RegisterRunResult extends RunResult {
  /** Every host register after the run, by name. */
  registers: Record<string, number>;
  /** CONTROL reads until done. */
  polls: number;
}

export class RegisterDevice implements Device {
  readonly dramBytes: number;
  private readonly allocator: PageAllocator;
  private closed = false;

  constructor(
    readonly config: VtaConfig,
    private readonly options: RegisterDeviceOptions,
  ) {
    this.dramBytes = options.window.size;
    this.allocator = new PageAllocator(options.window.size);
  }

  private offset(what: string, addr: number, len: number): number {
    if (this.closed) throw new DeviceArgumentError(`${this.options.name}: the device is closed`);
    const off = addr - this.options.window.busBase;
    if (!Number.isSafeInteger(addr) || !Number.isSafeInteger(len) || len < 0 || off < 0 || off + len > this.dramBytes) {
      const lo = this.options.window.busBase;
      throw new DeviceArgumentError(
        `${what}: bytes 0x${addr.toString(16)}..+${len} are outside the DMA window [0x${lo.toString(16)}, 0x${(lo + this.dramBytes).toString(16)})`,
      );
    }
    return off;
  }

  alloc(bytes: number, options: AllocOptions = {}): number {
    this.offset('alloc', this.options.window.busBase, 0);
    return this.options.window.busBase + this.allocator.alloc(bytes, options.align);
  }

  free(addr: number): void {
    this.allocator.free(this.offset('free', addr, 0));
  }

  write(addr: number, bytes: Uint8Array): void {
    const off = this.offset('write', addr, bytes.length);
    this.options.window.bytes.set(bytes, off);
    this.options.window.syncForDevice(off, bytes.length);
  }

  read(addr: number, len: number): Uint8Array {
    const off = this.offset('read', addr, len);
    this.options.window.syncForCpu(off, len);
    return this.options.window.bytes.slice(off, off + len);
  }

  loadImage(image: Uint8Array): void {
    this.offset('loadImage', this.options.window.busBase, 0);
    if (this.options.window.busBase !== 0) {
      throw new DeviceArgumentError(
        `loadImage: ${this.options.name}'s DMA window starts at bus address 0x${this.options.window.busBase.toString(16)}, ` +
          'so an image with absolute addresses from 0 cannot be placed; allocate buffers with alloc() instead',
      );
    }
    if (image.length > this.dramBytes) {
      throw new DeviceArgumentError(`loadImage: the image has ${image.length} bytes, more than the DMA window (${this.dramBytes})`);
    }
    this.options.window.bytes.set(image);
    this.options.window.bytes.fill(0, image.length);
    this.options.window.syncForDevice(0, this.dramBytes);
    this.allocator.reset();
  }

  private reader(insnAddr: number, insnCount: number): InsnReader {
    return (index) => {
      const at = insnAddr + index * INSN_BYTES;
      const off = at - this.options.window.busBase;
      if (index < 0 || index >= insnCount || off < 0 || off + INSN_BYTES > this.dramBytes) return null;
      return decodeInsn(this.config, this.options.window.bytes, off);
    };
  }

  async run(insnAddr: number, insnCount: number, options: RunOptions = {}): Promise<RegisterRunResult> {
    if (!Number.isSafeInteger(insnCount) || insnCount < 1 || insnCount > 0xffffffff) {
      throw new DeviceArgumentError(`run: insnCount must be a positive 32-bit integer, got ${insnCount}`);
    }
    this.offset('run (the instructions)', insnAddr, insnCount * INSN_BYTES);
    const warnings: string[] = [];
    if (options.trackStores) warnings.push(`trackStores is not supported by ${this.options.name} (the bus does not say which STORE wrote a byte); ignored`);
    const { port, clock } = this.options;
    const reader = this.reader(insnAddr, insnCount);
    const t0 = process.hrtime.bigint();
    launch(port, insnAddr, insnCount);
    let polls = 0;
    const counted: PollClock = {
      ...clock,
      pause: () => {
        polls++;
        return clock.pause();
      },
    };
    const control = await waitForDone(port, counted, this.config, reader);
    const registers = readRegisters(port);
    if (control & CONTROL_BITS.error) throw errorFrom(this.config, registers, insnCount, reader);
    return {
      cycles: registers.CYCLES,
      // Per-kind counts and LOAD element bytes from the program, as on fsim and TSIM (sim/program-counters.ts).
      counters: {
        ...countersFrom(registers, this.config),
        ...programCounters(this.config, programAt(this.config, this.options.window.bytes, insnAddr - this.options.window.busBase, insnCount)),
      },
      wallSeconds: Number(process.hrtime.bigint() - t0) / 1e9,
      leftoverTokens: { l2g: 0, g2l: 0, g2s: 0, s2g: 0 },
      warnings,
      registers,
      polls,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.options.window.close?.();
    this.options.onClose?.();
  }
}
