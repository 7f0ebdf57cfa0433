// CONFIG_HASH: the generated core answers with its configuration's hash, so a driver can tell the hardware
// it talks to before it writes a register (a board with a bitstream of another configuration).
import { defaultConfig } from '../../hw/vta/config';
import { namedConfig } from '../../hw/vta/configs';
import { configHashWord } from '../../hw/vta/regs';
import { TsimDevice } from '../../sim/tsim/device';
import { openDevice } from '../../sim/targets';

jest.setTimeout(300_000);

test('TSIM reads CONFIG_HASH as the first 32 bits of the configuration hash, per configuration', async () => {
  for (const cfg of [defaultConfig(), namedConfig('b2x8')]) {
    const dev = (await openDevice('tsim', cfg, { dramBytes: 1 << 20, log: () => undefined })) as unknown as TsimDevice;
    try {
      expect(dev.readRegister('CONFIG_HASH')).toBe(configHashWord(cfg.hash));
    } finally {
      dev.close();
    }
  }
  expect(configHashWord(defaultConfig().hash)).not.toBe(configHashWord(namedConfig('b2x8').hash));
});
