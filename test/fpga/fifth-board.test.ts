// Boards as data: a board that is not in the table, given only as a record (here a ZCU102, the ZCU104's
// SoC family on another part), gets a complete build folder: the flow, the header macros, the README and
// the manifest all come from the record.

import { Board, boardByName } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { deriveConfig, DEFAULT_CONFIG_JSON, withOverrides } from '../../hw/vta/config';
import { buildBundle } from '../../scripts/fpga/bundle';
import { bufferLowerBound } from '../../scripts/fpga/fit';
import { fakeEmitRtl } from '../gen/util';

test('a fifth board is one record: its folder comes out of the record alone', async () => {
  const zcu104 = boardByName('zcu104');
  const zcu102: Board = {
    ...zcu104,
    name: 'zcu102',
    title: 'Xilinx ZCU102 (Zynq UltraScale+ ZU9EG)',
    part: 'xczu9eg-ffvb1156-2-e',
    vtaTarget: { name: 'zcu102', macro: 'ZCU102' },
    runtimeTarget: 'zcu102',
    processor: zcu104.processor.flow === 'vivado' ? { ...zcu104.processor, boardPart: 'xilinx.com:zcu102:part0:*' } : zcu104.processor,
  };
  const cfg = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, boardPreset(zcu102)));
  const bundle = buildBundle({
    board: zcu102,
    cfg,
    rtl: fakeEmitRtl(cfg),
    freqMhz: 250,
    fit: await bufferLowerBound(cfg, zcu102),
    generator: 'vta-ts test',
    configDir: cfg.name,
    forced: false,
  });
  const file = (path: string) => bundle.files.find((f) => f.path === path)!.text;
  expect(file('build.tcl')).toMatch(/set part xczu9eg-ffvb1156-2-e/);
  expect(file('build.tcl')).toContain('get_board_parts -quiet -latest_file_version {xilinx.com:zcu102:part0:*}');
  expect(file('vta_hw_spec.h')).toMatch(/#define VTA_TARGET_ZCU102 1/);
  expect(file('README.md')).toMatch(/--target zcu102/);
  expect(bundle.manifest).toMatchObject({
    board: 'zcu102',
    part: 'xczu9eg-ffvb1156-2-e',
    frequencyMhz: 250,
    testedToolVersions: { vivado: expect.any(Array) },
  });
  expect(JSON.parse(file('config.json')).TARGET).toBe('zcu102');
});
