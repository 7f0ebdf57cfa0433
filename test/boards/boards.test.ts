import { BOARD_NAMES, boardByName, familyByName, RESOURCE_NAMES } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { DEFAULT_CONFIG_JSON, deriveConfig, withOverrides } from '../../hw/vta/config';
import { ConfigError } from '../../hw/vta/errors';

describe('board table', () => {
  test('the four boards, with the vendor part numbers and device totals', () => {
    expect(BOARD_NAMES).toEqual(['pynq-z1', 'ultra96', 'zcu104', 'de10-nano']);
    const pynq = boardByName('pynq-z1');
    expect(pynq.part).toBe('xc7z020clg400-1');
    expect(pynq.budgets.bram36?.amount).toBe(140);
    expect(pynq.budgets.dsp?.amount).toBe(220);
    expect(pynq.ports.dataPort).toBe('PS7 S_AXI_ACP');
    expect(boardByName('ZCU104').budgets.uram?.amount).toBe(96);
    expect(boardByName('ultra96').part).toBe('xczu3eg-sbva484-1-e');
    const de10 = boardByName('de10-nano');
    expect(de10.budgets.bram36).toEqual({ amount: 553, unit: 'M10K' });
    expect(de10.ports.registerBase).toBe(0xff220000);
    expect(de10.ports.cmaPhysOffset).toBe(0x80000000);
    for (const name of BOARD_NAMES) {
      const b = boardByName(name);
      for (const r of Object.keys(b.budgets)) expect(RESOURCE_NAMES).toContain(r);
    }
  });

  test('unknown names are one clear error listing the known ones', () => {
    expect(() => boardByName('zedboard')).toThrow(ConfigError);
    expect(() => boardByName('zedboard')).toThrow('--board: unknown board "zedboard"; known boards: pynq-z1, ultra96, zcu104, de10-nano');
    expect(() => familyByName('virtex2')).toThrow('known families: xc7, xcup, cyclonev, ecp5');
    expect(familyByName('XC7')).toBe('xc7');
  });

  test('each preset is a valid configuration with the board bus width', () => {
    for (const name of BOARD_NAMES) {
      const cfg = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, boardPreset(name)), name);
      expect(cfg.busBits).toBe(boardByName(name).memBusBits);
    }
  });
});
