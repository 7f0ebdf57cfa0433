// The Device of a real board (`--target pynq-z1|ultra96|zcu104|de10-nano`), running on the board's ARM Linux
// under Node: the shared register-level driver (sim/driver) over the board's mapped registers, a u-dma-buf
// DMA window and wall-clock polling. On any other machine it fails at once, naming what is missing.

import { existsSync, readFileSync } from 'fs';
import { Board, BOARD_RUNTIME_TARGETS, boardByRuntimeTarget } from '../../hw/boards/boards';
import { REGISTER_WINDOW_BYTES } from '../../hw/boards/shell';
import type { VtaConfig } from '../../hw/vta/config';
import { DeviceError } from '../device';
import { RegisterDevice } from '../driver/register-device';
import type { RegisterPort } from '../driver/registers';
import { configHashWord, REG } from '../../hw/vta/regs';
import { mapRegisters } from './mmio';
import { setRuntimePortWidths } from './ps-port-widths';
import { openUdmabuf } from './udmabuf';

export interface BoardOpenOptions {
  /** Bytes the caller needs; the u-dma-buf must be at least this big. */
  dramBytes: number;
  /** Wall-clock limit of one run (default 10 s; VTA_TIMEOUT_MS overrides). */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  /** Where the device tree is (tests point it elsewhere). */
  deviceTree?: string;
  /** The physical-memory device the PS's own registers are set through (tests point it at a file). */
  devMem?: string;
}

/** Throws a one-line DeviceError unless this machine is the board `target` names. */
export function checkOnBoard(target: string, board: Board, deviceTree = '/proc/device-tree/compatible'): void {
  const want = board.processor.compatible;
  let compatible: string;
  try {
    compatible = readFileSync(deviceTree, 'latin1');
  } catch {
    throw new DeviceError(
      `--target ${target}: this machine is not a ${board.title} (no ${deviceTree}); run on the board's Linux, or use --target fsim or tsim`,
    );
  }
  const names = compatible.split('\0').filter((s) => s !== '');
  if (!names.includes(want)) {
    throw new DeviceError(
      `--target ${target}: this machine is not a ${board.title} (${deviceTree} names ${names.join(', ') || 'nothing'}, not ${want}); run on the board's Linux, or use --target fsim or tsim`,
    );
  }
}

/**
 * Throws a one-line DeviceError unless the loaded core was generated from `cfg`: its CONFIG_HASH register
 * (the configuration hash's first 32 bits) against the configuration's. Only reads the core.
 */
export function checkCoreConfig(port: RegisterPort, cfg: VtaConfig, target: string): void {
  const have = port.read32(REG.CONFIG_HASH) >>> 0;
  const want = configHashWord(cfg.hash);
  if (have === want) return;
  const loaded =
    have === 0
      ? 'a core that does not report its configuration (CONFIG_HASH reads 0: a bitstream from an older vta fpga, or no VTA core at the register base)'
      : `a core of configuration hash ${have.toString(16).padStart(8, '0')}...`;
  throw new DeviceError(
    `--target ${target}: the loaded bitstream is ${loaded}, the command's configuration is ${cfg.name} (hash ${cfg.hash}); ` +
      "load the bitstream built for it, or give the configuration the bitstream was built from (its folder's config.json: --config FILE, or --board)",
  );
}

export function openBoardDevice(target: string, cfg: VtaConfig, options: BoardOpenOptions): RegisterDevice {
  const board = boardByRuntimeTarget(target);
  if (!board) throw new DeviceError(`unknown board target ${JSON.stringify(target)}; board targets: ${BOARD_RUNTIME_TARGETS.join(', ')}`);
  const env = options.env ?? process.env;
  checkOnBoard(target, board, options.deviceTree);
  if (cfg.busBits !== board.memBusBits) {
    throw new DeviceError(
      `--target ${target}: the configuration has a ${cfg.busBits}-bit bus, ${board.name}'s bitstream a ${board.memBusBits}-bit one; use the configuration the bitstream was built from (vta fpga's config.json)`,
    );
  }
  const base = board.ports.registerBase;
  if (base === null) throw new DeviceError(`--target ${target}: the board table has no register base for ${board.name}`);
  const uio = env.VTA_UIO;
  if (uio !== undefined && !existsSync(uio)) throw new DeviceError(`VTA_UIO=${uio}: no such device`);
  // The PS's AXI port widths, before anything uses the core (PYNQ sets them too; =keep trusts it did).
  if (board.processor.flow === 'vivado' && env.VTA_PS_PORT_WIDTHS !== 'keep') {
    setRuntimePortWidths(board.processor.runtimePortWidths, options.devMem);
  }
  const window = openUdmabuf(env.VTA_UDMABUF ?? 'udmabuf0', board.ports.cmaPhysOffset, board.ports.coherent);
  if (window.size < options.dramBytes) {
    window.close?.();
    throw new DeviceError(`--target ${target}: the u-dma-buf has ${window.size} bytes, the command needs ${options.dramBytes}; reload it with a larger size`);
  }
  let regs;
  try {
    regs = mapRegisters(base, REGISTER_WINDOW_BYTES, uio);
  } catch (e) {
    window.close?.();
    throw e;
  }
  try {
    checkCoreConfig(regs, cfg, target); // a read: nothing of the core is written before it passes
  } catch (e) {
    regs.close();
    window.close?.();
    throw e;
  }
  const timeoutMs = Number(env.VTA_TIMEOUT_MS ?? options.timeoutMs ?? 10_000);
  let polls = 0;
  return new RegisterDevice(cfg, {
    name: `${target} (${regs.source})`,
    port: regs,
    window,
    // Back-to-back reads first (short programs finish in microseconds), then yield to the event loop.
    clock: {
      pause: () => (++polls % 1024 === 0 ? new Promise<void>((r) => setTimeout(r, 1)) : undefined),
      now: () => performance.now(),
      limit: timeoutMs,
      unit: 'ms',
    },
    onClose: () => regs.close(),
  });
}
