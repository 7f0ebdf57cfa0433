// Builds Verilog with Verilator (through child_process, via execa) into an executable or a shared
// library, cached by a hash of everything that goes in, so a test run builds each design once.

import { createHash } from 'crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join, resolve } from 'path';
import execa from 'execa';
import { acquireLock, entryComplete, stampEntry, usableCacheRoot } from '../../util/cache-dir';
import { formatDuration } from '../../util/status';

export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface SourceFile {
  name: string;
  text: string;
}

export interface VerilatorBuildSpec {
  /** A readable prefix for the cache directory, e.g. `gemm_1x16x16`. */
  name: string;
  top: string;
  verilog: readonly SourceFile[];
  cpp: readonly SourceFile[];
  /** C/C++ headers the `cpp` files include: written beside them (on the include path), never compiled alone. */
  headers?: readonly SourceFile[];
  /** Extra Verilator flags (e.g. `--trace-fst`). */
  flags?: readonly string[];
  /** `exe` builds a program (--exe --build); `lib` builds a shared library for the TSIM bridge. */
  kind: 'exe' | 'lib';
  /**
   * `tuned` (default): Verilator's documented speed options (-O3, --x-assign/--x-initial fast, --noassert)
   * and -O2 for our C++; `baseline`: none of them (Verilator's and make's defaults), for comparisons.
   */
  flagSet?: 'tuned' | 'baseline';
  /** Where builds are cached; defaults to `<repo>/.cache/verilator` or $VTA_CACHE_DIR. */
  cacheDir?: string;
  /** Called with progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

export interface VerilatorBuild {
  dir: string;
  /** The program or shared library. */
  artifact: string;
  hash: string;
  cached: boolean;
  seconds: number;
}

const INSTALL_HINT = 'apt-get install -y verilator g++ make (or run scripts/setup-system.sh)';

let versionCache: string | undefined;
export function verilatorVersion(): string {
  if (versionCache) return versionCache;
  try {
    versionCache = execa.sync('verilator', ['--version']).stdout.trim();
  } catch {
    throw new ToolError(`verilator is not installed or not on PATH; install it with: ${INSTALL_HINT}`);
  }
  for (const tool of ['g++', 'make']) {
    try {
      execa.sync(tool, ['--version']);
    } catch {
      throw new ToolError(`${tool} is not installed or not on PATH; Verilator needs it; install it with: ${INSTALL_HINT}`);
    }
  }
  return versionCache;
}

export function defaultCacheDir(): string {
  return process.env.VTA_CACHE_DIR ?? resolve(__dirname, '../../.cache/verilator');
}

export function buildHash(spec: VerilatorBuildSpec): string {
  const h = createHash('sha256');
  h.update(`${verilatorVersion()}\0${spec.kind}\0${spec.top}\0${(spec.flags ?? []).join(' ')}\0`);
  if (spec.flagSet === 'baseline') h.update('baseline\0');
  for (const f of [...spec.verilog, ...spec.cpp]) h.update(`${f.name}\0${f.text}\0`);
  for (const f of spec.headers ?? []) h.update(`header\0${f.name}\0${f.text}\0`);
  return h.digest('hex').slice(0, 16);
}

/** Seconds the earlier builds of this design (any hash) took, from their stamps: the median, or null before the first. */
function earlierBuildSeconds(root: string, name: string): number | null {
  const seconds: number[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(root);
  } catch {
    // no cache yet
  }
  for (const d of entries.filter((e) => e.startsWith(`${name}-`))) {
    try {
      const s = Number(JSON.parse(readFileSync(join(root, d, 'done'), 'utf8')).seconds);
      if (s > 0) seconds.push(s);
    } catch {
      // a lock, a folder being built, or a stamp of an older format
    }
  }
  seconds.sort((a, b) => a - b);
  return seconds.length ? seconds[Math.floor(seconds.length / 2)] : null;
}

/** Builds (or finds in the cache) a Verilator model. Concurrent builders of one hash do the work once. */
export async function verilatorBuild(spec: VerilatorBuildSpec): Promise<VerilatorBuild> {
  const log = spec.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hash = buildHash(spec);
  const root = usableCacheRoot(spec.cacheDir ?? defaultCacheDir(), 'Verilator', log);
  const dir = join(root, `${spec.name}-${hash}`);
  const artifactName = spec.kind === 'exe' ? `V${spec.top}` : `lib${spec.top}.so`;
  const artifactPath = join('obj', artifactName);
  const artifact = join(dir, artifactPath);
  const complete = () => entryComplete(dir);
  if (complete()) return { dir, artifact, hash, cached: true, seconds: 0 };
  // Another process (a parallel jest worker, a second terminal) may be building the same model: wait for
  // it; a builder that died leaves its lock to be taken over and its half-built files to be replaced.
  const release = await acquireLock(`${dir}.lock`, complete);
  if (!release) return { dir, artifact, hash, cached: true, seconds: 0 };
  try {
    if (complete()) return { dir, artifact, hash, cached: true, seconds: 0 };
    const t0 = Date.now();
    // we hold the lock: any temporary build of this entry is what a killed builder left
    for (const f of readdirSync(root)) if (f.startsWith(`${spec.name}-${hash}.tmp-`)) rmSync(join(root, f), { recursive: true, force: true });
    const tmp = `${dir}.tmp-${process.pid}`;
    mkdirSync(join(tmp, 'src'), { recursive: true });
    for (const f of [...spec.verilog, ...spec.cpp, ...(spec.headers ?? [])]) writeFileSync(join(tmp, 'src', f.name), f.text);
    const jobs = String(Math.max(1, Math.min(cpus().length, 4)));
    const args = [
      '--cc',
      '--exe',
      '--build',
      '-j',
      jobs,
      '-Wno-fatal',
      '--top-module',
      spec.top,
      '-Mdir',
      'obj',
      ...(spec.flagSet === 'baseline' ? [] : ['-O3', '--x-assign', 'fast', '--x-initial', 'fast', '--noassert']),
      '-CFLAGS',
      `${spec.flagSet === 'baseline' ? '' : '-O2 '}-fPIC${spec.headers?.length ? ' -I../src' : ''}`,
      ...(spec.flags ?? []),
      ...(spec.kind === 'lib' ? ['-LDFLAGS', '-shared', '-o', artifactName] : []),
      ...spec.verilog.map((f) => join('src', f.name)),
      ...spec.cpp.map((f) => join('src', f.name)),
    ];
    const expected = earlierBuildSeconds(root, spec.name);
    log(
      `verilator: building ${spec.name} (${spec.verilog.length} Verilog files, hash ${hash}): not in the cache ${root} yet; ` +
        `built once per design and reused after, this takes ${expected ? `about ${formatDuration(expected)} (the median of its earlier builds here)` : 'one to five minutes'}`,
    );
    // Progress: Verilator translates first, then make compiles the C++ files one by one.
    let compiled = 0;
    const ticker = setInterval(() => {
      const phase = compiled === 0 ? 'translating Verilog to C++' : `compiling C++ (${compiled} files so far)`;
      const secs = (Date.now() - t0) / 1000;
      const eta = expected
        ? secs < expected
          ? ` of about ${formatDuration(expected)}, ETA ${formatDuration(expected - secs)}`
          : `, longer than the usual ${formatDuration(expected)}`
        : '';
      log(`verilator: still building ${spec.name}: ${phase}, ${formatDuration(secs)}${eta}`);
    }, 30_000);
    try {
      const child = execa('verilator', args, { cwd: tmp, all: true, env: { ...process.env, MAKEFLAGS: `-j${jobs}` } });
      child.all?.on('data', (chunk: Buffer) => {
        compiled += chunk
          .toString()
          .split('\n')
          .filter((l) => /^(ccache\s+)?(g\+\+|c\+\+|clang\+\+)\s.*\s-c\s/.test(l)).length;
      });
      await child;
    } catch (e) {
      const all = (e as { all?: string }).all ?? (e as Error).message;
      if ((e as { code?: string }).code === 'ENOENT') throw new ToolError(`verilator is not installed; install it with: ${INSTALL_HINT}`);
      const tail =
        all
          .split('\n')
          .filter((l) => /error|Error|%Warning/.test(l))
          .slice(0, 20)
          .join('\n') || all.slice(-4000);
      throw new ToolError(`verilator build of ${spec.name} failed:\n${tail}`);
    } finally {
      clearInterval(ticker);
    }
    const seconds = (Date.now() - t0) / 1000;
    stampEntry(tmp, [artifactPath], { seconds });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    log(`verilator: built ${spec.name} in ${seconds.toFixed(1)} s`);
    return { dir, artifact, hash, cached: false, seconds };
  } finally {
    rmSync(`${dir}.tmp-${process.pid}`, { recursive: true, force: true });
    release();
  }
}
