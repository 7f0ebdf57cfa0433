import { Board, BOARD_NAMES, boardByName, boardByRuntimeTarget, familyByName, RESOURCE_NAMES } from '../../hw/boards/boards';
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
    // The Ultra96-V2 sold today; its board files name the -1-i part.
    expect(boardByName('ultra96').part).toBe('xczu3eg-sbva484-1-i');
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

describe('boards as data: every board fact on the record', () => {
  test('runtime and VTA target names, processor and flow come from the record', () => {
    expect(BOARD_NAMES.map((n) => boardByName(n).runtimeTarget)).toEqual(['pynq-z1', 'ultra96', 'zcu104', 'de10-nano']);
    expect(BOARD_NAMES.map((n) => boardByName(n).vtaTarget.name)).toEqual(['pynq', 'ultra96', 'zcu104', 'de10nano']);
    expect(boardByRuntimeTarget('pynq')?.name).toBe('pynq-z1'); // the alias
    expect(boardByRuntimeTarget('pynq-z1')?.name).toBe('pynq-z1');
    expect(boardByRuntimeTarget('zedboard')).toBeUndefined();
    expect(BOARD_NAMES.map((n) => boardByName(n).processor.flow)).toEqual(['vivado', 'vivado', 'vivado', 'quartus']);
  });

  test('each Zynq record is consistent: the PS data width is the board bus, the board part and part agree in family', () => {
    for (const name of BOARD_NAMES) {
      const b = boardByName(name);
      const ps = b.processor;
      if (ps.flow !== 'vivado') continue;
      expect(ps.refClockMhz).toBe(100);
      const width = ps.settings.find(([k]) => k === 'PSU__SAXIGP0__DATA_WIDTH')?.[1];
      if (b.family === 'xcup') {
        expect(Number(width)).toBe(b.memBusBits);
        expect(ps.runtimePortWidths).toEqual({ master: { port: 'M_AXI_HPM0_FPD', bits: 32 }, slave: { port: 'S_AXI_HPC0_FPD', bits: b.memBusBits } });
      } else {
        expect(ps.runtimePortWidths).toBeNull();
      }
      expect(ps.boardPart).toMatch(/:part0:\*$/);
    }
  });

  test('a fifth board is one record: the preset follows its knobs, the bundle code needs no other table', () => {
    const zcu102: Board = {
      ...boardByName('zcu104'),
      name: 'zcu102',
      title: 'Xilinx ZCU102',
      part: 'xczu9eg-ffvb1156-2-e',
      runtimeTarget: 'zcu102',
      presetKnobs: { LOG_ACC_BUFF_SIZE: 18 },
    };
    expect(boardPreset(zcu102)).toEqual({ LOG_BUS_WIDTH: 7, LOG_ACC_BUFF_SIZE: 18 });
  });
});
