/**
 * Verilator lint helper: writes the files to a temporary directory and runs
 * `verilator --lint-only -Wall --top-module <top> <files...>`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface LintResult {
  ok: boolean;
  /** Warning/error lines (`%Warning-...`, `%Error...`). */
  diagnostics: string[];
  /** Full verilator output. */
  output: string;
  command: string;
}

export const VERILATOR_MISSING = 'verilator not found on PATH: install it with `apt-get install -y verilator`';

export function verilatorAvailable(): boolean {
  const r = spawnSync('verilator', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** Lint a set of files (name -> text), e.g. `emitVerilog(top).files`. Throws if verilator is missing. */
export function lintVerilog(files: Map<string, string>, top: string, opts: { order?: string[]; extraArgs?: string[] } = {}): LintResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vta-lint-'));
  try {
    const names = opts.order ?? [...files.keys()];
    for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
    const args = ['--lint-only', '-Wall', '--top-module', top, ...(opts.extraArgs ?? []), ...names];
    const r = spawnSync('verilator', args, { cwd: dir, encoding: 'utf8' });
    if (r.error) {
      if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(VERILATOR_MISSING);
      throw r.error;
    }
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const diagnostics = output.split('\n').filter((l) => /^%(Warning|Error)/.test(l));
    return { ok: r.status === 0 && diagnostics.length === 0, diagnostics, output, command: `verilator ${args.join(' ')}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
