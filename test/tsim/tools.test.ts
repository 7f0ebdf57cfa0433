// Without Verilator or a C++ compiler, building a TSIM model fails with the command that installs them.

import { configWithBus, FIXTURE_TOP, fixtureVerilog } from './fixture';

test('a missing verilator gives a clear error naming the apt-get command', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    let build!: typeof import('../../sim/tsim/build').buildTsim;
    jest.isolateModules(() => {
      // A fresh copy of the build modules: the tool check is cached per module instance.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      build = require('../../sim/tsim/build').buildTsim;
    });
    await expect(build({ cfg: configWithBus(64), core: { top: FIXTURE_TOP, verilog: fixtureVerilog(64) }, log: () => undefined })).rejects.toThrow(
      /verilator is not installed .*apt-get install -y verilator g\+\+ make/,
    );
  } finally {
    process.env.PATH = path;
  }
});
