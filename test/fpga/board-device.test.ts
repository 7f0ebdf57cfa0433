// The board runtime's Device off the board: `--target pynq` (and the other boards) fails at once with one
// line naming what is missing, from openDevice and from the CLI. (On the board it is the shared register
// driver of sim/driver, which shell-sim.test.ts runs against the RTL.)

import { writeFileSync } from 'fs';
import { join } from 'path';
import { deriveConfig, DEFAULT_CONFIG_JSON, withOverrides } from '../../hw/vta/config';
import { checkOnBoard, openBoardDevice } from '../../sim/board/device';
import { boardByName } from '../../hw/boards/boards';
import { DeviceError } from '../../sim/device';
import { openDevice } from '../../sim/targets';
import { runConvBenchCommand } from '../../sw/bench/command';
import { CommandFailure } from '../../cli/errors';
import { captureIo } from '../gen/util';
import { cleanup, tempDir } from './helpers';

afterAll(cleanup);

const cfg64 = deriveConfig(DEFAULT_CONFIG_JSON);

test.each(['pynq', 'ultra96', 'zcu104', 'de10-nano'])('openDevice(%s) on this machine fails at once with one line', async (target) => {
  const t0 = Date.now();
  const err = await openDevice(target, cfg64, { dramBytes: 1 << 20 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeviceError);
  const message = (err as Error).message;
  expect(message).toMatch(new RegExp(`^--target ${target}: this machine is not a .*; run on the board's Linux, or use --target fsim or tsim$`));
  expect(message).not.toContain('\n');
  expect(Date.now() - t0).toBeLessThan(2000);
});

test('the board check reads the device tree: the right SoC passes, another one is named', () => {
  const dir = tempDir();
  const dt = join(dir, 'compatible');
  writeFileSync(dt, 'tul,pynq-z1\0xlnx,zynq-7000\0');
  expect(() => checkOnBoard('pynq', boardByName('pynq-z1'), dt)).not.toThrow();
  expect(() => checkOnBoard('zcu104', boardByName('zcu104'), dt)).toThrow(/names tul,pynq-z1, xlnx,zynq-7000, not xlnx,zynqmp/);
});

test('on the right SoC without u-dma-buf, the error says how to load it; a wrong bus width is refused first', () => {
  const dir = tempDir();
  const dt = join(dir, 'compatible');
  writeFileSync(dt, 'altr,socfpga-cyclone5-de10nano\0altr,socfpga-cyclone5\0altr,socfpga\0');
  expect(() => openBoardDevice('de10-nano', cfg64, { dramBytes: 1 << 20, deviceTree: dt, env: { VTA_UDMABUF: 'udmabuf-test-absent' } }))
    .toThrow(/^no u-dma-buf \/dev\/udmabuf-test-absent: load the module first, e\.g\. sudo insmod u-dma-buf\.ko udmabuf-test-absent=67108864$/);
  const cfg128 = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BUS_WIDTH: 7 }));
  expect(() => openBoardDevice('de10-nano', cfg128, { dramBytes: 1 << 20, deviceTree: dt }))
    .toThrow(/the configuration has a 128-bit bus, de10-nano's bitstream a 64-bit one/);
});

test('vta bench conv2d --target pynq off the board: a CommandFailure (exit 1) with that one line', async () => {
  const io = captureIo();
  const err = await runConvBenchCommand(['--target', 'pynq'], io).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CommandFailure);
  expect((err as Error).message).toMatch(/^--target pynq: this machine is not a Digilent PYNQ-Z1 \(Zynq-7020\) /);
});
