// Golden files of the generated board scripts and shells (fake core, fixed generator string), so a change
// to what users run on a Vivado/Quartus host shows up as a diff in review.
// Regenerate after an intended change with:  UPDATE_GOLDEN=1 npx jest test/fpga/golden.test.ts

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { BOARD_NAMES } from '../../hw/boards/boards';
import { makeBundle } from './helpers';

const GOLDEN = join(__dirname, 'golden');
const FILES =
  /^(build\.tcl|vta_hw\.tcl|soc_system\.tcl|project\.tcl|report\.tcl|pins\.tcl|de10_nano\.sdc|de10_nano_top\.v|build\.sh|rtl\/VtaBoardShell\.v|rtl\/VtaBurstSplit\.v)$/;

test.each(BOARD_NAMES)('%s: scripts and shell equal the golden files', async (board) => {
  const bundle = await makeBundle(board);
  const chosen = bundle.files.filter((f) => FILES.test(f.path));
  expect(chosen.length).toBeGreaterThanOrEqual(3);
  for (const f of chosen) {
    const path = join(GOLDEN, board, f.path);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.text);
      continue;
    }
    if (!existsSync(path)) throw new Error(`no golden file ${path}; run UPDATE_GOLDEN=1 npx jest test/fpga/golden.test.ts`);
    expect({ file: `${board}/${f.path}`, text: f.text }).toEqual({ file: `${board}/${f.path}`, text: readFileSync(path, 'utf8') });
  }
});

test.each(BOARD_NAMES)('%s: the shell fixes no clock frequency on its interfaces (IP Integrator propagates the real one)', async (board) => {
  const shell = (await makeBundle(board)).files.find((f) => f.path === 'rtl/VtaBoardShell.v')!.text;
  expect(shell).not.toMatch(/FREQ_HZ/);
  if (board !== 'de10-nano') expect(shell).toMatch(/X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF s_axi_control:m_axi_gmem, ASSOCIATED_RESET ap_rst_n"/);
});
