// The board shells are clean Verilog: core + shell pass `verilator --lint-only -Wall` for every distinct
// shell (AXI4 direct, AXI4 with the 16-beat splitter, AXI3 with the splitter), and yosys (@yowasp/yosys)
// synthesizes each shell for its board family (synth_xilinx -family xc7 / xcup, synth_intel_alm -family
// cyclonev) with the core as a black box (the core's own synthesis per family is `vta synth`'s).

import { spawnSync } from 'child_process';
import { writeFileSync } from 'fs';
import { join } from 'path';
import { boardByName } from '../../hw/boards/boards';
import { boardShellFiles, shellPlan } from '../../hw/boards/shell';
import { emitRtl } from '../../gen/rtl';
import { corePorts, verilogPortDecls } from '../../hw/vta/ports';
import { boardConfig, cleanup, tempDir, TEST_GENERATOR } from './helpers';

afterAll(cleanup);

function files(board: string) {
  const cfg = boardConfig(board);
  const rtl = emitRtl(cfg);
  const plan = shellPlan(boardByName(board), cfg, boardByName(board).clockMhz);
  return { cfg, rtl, shell: boardShellFiles(plan, rtl.top, TEST_GENERATOR) };
}

test.each(['pynq-z1', 'ultra96', 'de10-nano'])('core + %s shell pass verilator --lint-only -Wall', (board) => {
  const { rtl, shell } = files(board);
  const dir = tempDir();
  const names = [...rtl.files, ...shell].map((f) => {
    writeFileSync(join(dir, f.name), f.text);
    return f.name;
  });
  const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'VtaBoardShell', ...names], { cwd: dir, encoding: 'utf8' });
  if (r.error) throw new Error(`verilator is required (scripts/setup-system.sh): ${r.error.message}`);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

/** Runs yosys (WebAssembly) on `tree` with `script`; returns the .txt files it wrote. */
function yosys(script: string, tree: Record<string, string>): Record<string, string> {
  const runner = `
    import { runYosys } from '@yowasp/yosys';
    const tree = JSON.parse(process.env.YOSYS_TREE);
    try {
      const out = await runYosys(['-q', '-p', process.env.YOSYS_SCRIPT], tree, { stderr: (b) => b && process.stderr.write(b) });
      const txt = Object.fromEntries(Object.entries(out).filter(([k]) => k.endsWith('.txt')).map(([k, v]) => [k, typeof v === 'string' ? v : new TextDecoder().decode(v)]));
      process.stdout.write(JSON.stringify(txt));
    } catch (e) { process.stderr.write('yosys exited with ' + (e.code ?? e.message) + '\\n'); process.exit(1); }`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', runner], {
    cwd: join(__dirname, '../..'),
    encoding: 'utf8',
    env: { ...process.env, YOSYS_TREE: JSON.stringify(tree), YOSYS_SCRIPT: script },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`yosys failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

test('each board family synthesizes its shell (yosys synth_xilinx xc7/xcup, synth_intel_alm cyclonev)', () => {
  const tree: Record<string, string> = {};
  const steps: string[] = [];
  const cases: [string, string][] = [
    ['pynq-z1', 'synth_xilinx -family xc7'],
    ['ultra96', 'synth_xilinx -family xcup'],
    ['de10-nano', 'synth_intel_alm -family cyclonev'],
  ];
  for (const [board, synth] of cases) {
    const { cfg, rtl, shell } = files(board);
    const bb = `(* blackbox *)\nmodule ${rtl.top} (\n${verilogPortDecls(corePorts(cfg))}\n);\nendmodule\n`;
    const names = [...shell.map((f) => f.name), 'core_blackbox.v'];
    for (const f of shell) tree[`${board}_${f.name}`] = f.text;
    tree[`${board}_core_blackbox.v`] = bb;
    // One yosys process for the three families (its WebAssembly start-up dominates a small design).
    steps.push(
      'design -reset',
      `read_verilog ${names.map((n) => `${board}_${n}`).join(' ')}`,
      `hierarchy -check -top VtaBoardShell`,
      `${synth} -top VtaBoardShell`,
      `tee -q -o stat-${board}.txt stat`,
    );
  }
  const out = yosys(steps.join('; '), tree);
  const sections = cases.map(([board]) => out[`stat-${board}.txt`]);
  const [xc7, xcup, cyc] = sections;
  // The shell's logic maps to the family's primitives (the splitter's registers and LUTs; the ultra96 shell
  // is wiring and the reset inverter), and the core stays one instance.
  expect(xc7).toMatch(/FDRE|FDSE/);
  expect(xc7).toMatch(/LUT\d/);
  expect(xcup).toMatch(/\bINV\s+1\b/);
  expect(cyc).toMatch(/MISTRAL_(ALUT|FF)/);
  for (const s of sections) expect(s).toMatch(/VtaCore\w*\s+1/);
});
