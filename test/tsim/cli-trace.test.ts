// `vta run|conform --target tsim --trace FILE [--trace-from N --trace-to M]` writes a waveform of the run.

import { existsSync, mkdtempSync, readFileSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runCommand } from '../../sim/cli/run';
import { conformCommand } from '../../sim/cli/conform';
import { UsageError } from '../../cli/errors';

// Verilator is a required tool (scripts/setup-system.sh installs it): without it these fail, naming the install command.
const t = test;
jest.setTimeout(600_000);

const VECTOR = join(__dirname, '../../../shared/conformance/vta-hls/default__tl_gemm_4x4x4_s111.json');
const io = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) } };
};

t('vta run --trace writes an FST of the cycle window; conform names one file per vector', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vta-trace-'));
  const file = join(dir, 'run.fst');
  const a = io();
  expect(await runCommand.run([VECTOR, '--target', 'tsim', '--trace', file, '--trace-from', '5', '--trace-to', '300'], a.io)).toBe(0);
  expect(a.out.join('')).toMatch(/^PASS default__tl_gemm_4x4x4_s111/);
  expect(statSync(file).size).toBeGreaterThan(1000);
  expect(readFileSync(file).subarray(0, 1)[0]).toBe(0); // FST header block type 0
  // It says what it wrote, the cycle window and the clock; a GTKWave save file shows FSM states by name.
  const said = a.err.join('');
  expect(said).toMatch(
    new RegExp(`trace: wrote ${file.replace(/[.]/g, '\\.')}: model cycles \\d+ to \\d+ \\(\\d+ cycles of this run\\), 10 ns per cycle at 100 MHz`),
  );
  expect(said).toContain(`gtkwave ${file}.gtkw`);
  const gtkw = readFileSync(`${file}.gtkw`, 'utf8');
  expect(gtkw).toContain(`[dumpfile] "${file}"`);
  expect(gtkw).toMatch(/@2022\n\^\d+ .*compute\.state\.txt\nTOP\.TsimTop\.core\.compute\.state\[2:0\]/);
  expect(readFileSync(join(`${file}.states`, 'compute.state.txt'), 'utf8')).toContain('\n0 IDLE\n1 LOAD_START\n2 LOAD_WAIT\n3 LOOP\n4 PUSH\n');
  const b = io();
  expect(await conformCommand.run([VECTOR, '--target', 'tsim', '--trace', join(dir, 'c.fst')], b.io)).toBe(0);
  expect(existsSync(join(dir, 'c.fst'))).toBe(true);
});

test('--trace needs --target tsim and a .fst/.vcd name; --trace-from needs --trace', async () => {
  await expect(runCommand.run([VECTOR, '--trace', 'x.fst'], io().io)).rejects.toThrow(UsageError);
  await expect(runCommand.run([VECTOR, '--target', 'tsim', '--trace', 'x.txt'], io().io)).rejects.toThrow(/\.fst or \.vcd/);
  await expect(runCommand.run([VECTOR, '--target', 'tsim', '--trace-from', '3'], io().io)).rejects.toThrow(/need --trace/);
  await expect(runCommand.run([VECTOR, '--target', 'tsim', '--trace', 'x.vcd', '--trace-from', '9', '--trace-to', '9'], io().io)).rejects.toThrow(/after/);
});
