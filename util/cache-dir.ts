// The build caches (Verilator models, yosys results) share three promises: two processes building the
// same entry do the work once and both succeed; a build killed at any point (Ctrl-C, kill -9, a full disk)
// leaves nothing a later run mistakes for a finished entry; and a cache root that cannot be written
// (read-only, a file in the way, no space) is reported or replaced by a temporary one, never a crash.
// Entries are written under a temporary name, renamed when complete, and checked when read.

import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'fs';
import { hostname, tmpdir } from 'os';
import { join } from 'path';
import { describeFsError } from './input-file';

/** A cache root that could not be created or written. */
export class CacheDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheDirError';
  }
}

const writableRoots = new Map<string, string>();

/**
 * `root`, created if needed and checked writable; when it is not, a temporary directory for this process
 * (with one line to `log` saying why), so a read-only checkout still builds.
 */
export function usableCacheRoot(root: string, what: string, log: (line: string) => void): string {
  const known = writableRoots.get(root);
  if (known) return known;
  let usable: string;
  try {
    mkdirSync(root, { recursive: true });
    const probe = join(root, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    usable = root;
  } catch (e) {
    try {
      usable = mkdtempSync(join(tmpdir(), `vta-${what}-cache-`));
    } catch (e2) {
      throw new CacheDirError(
        `the ${what} cache ${root} is not writable (${describeFsError(e)}), and no temporary directory could be made either (${describeFsError(e2)})`,
      );
    }
    log(
      `note: the ${what} cache ${root} is not writable (${describeFsError(e)}); building in ${usable} for this run (set VTA_CACHE_DIR to a writable directory to keep builds)`,
    );
  }
  writableRoots.set(root, usable);
  return usable;
}

interface LockOwner {
  pid: number;
  host: string;
}

function ownerOf(lock: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(join(lock, 'owner'), 'utf8')) as LockOwner;
    return Number.isInteger(o.pid) && typeof o.host === 'string' ? o : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock directory `lock` (mkdir is atomic), waiting while another live process holds it. A lock
 * whose owner died on this host (kill -9) is taken over at once; one whose owner is unknown (killed between
 * mkdir and writing its name) after `staleMs`. `ready()` is checked while waiting: when another process
 * finished the entry, `null` is returned and nothing is locked. Otherwise returns the release function.
 */
export async function acquireLock(lock: string, ready: () => boolean, staleMs = 60_000): Promise<(() => void) | null> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      const fd = openSync(join(lock, 'owner'), 'w');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname() }));
      closeSync(fd);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new CacheDirError(`cannot lock ${lock}: ${describeFsError(e)}`);
    }
    if (ready()) return null;
    const owner = ownerOf(lock);
    const dead = owner ? owner.host === hostname() && !alive(owner.pid) : Date.now() - started > staleMs;
    if (dead) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Writes the completion stamp of the entry in `dir`: the sizes of `files` now, plus `extra`. */
export function stampEntry(dir: string, files: readonly string[], extra: Record<string, unknown> = {}, stampName = 'done'): void {
  const sizes = Object.fromEntries(files.map((f) => [f, statSync(join(dir, f)).size]));
  const tmp = join(dir, `${stampName}.tmp-${process.pid}`);
  writeFileSync(tmp, JSON.stringify({ ...extra, files: sizes }) + '\n');
  renameSync(tmp, join(dir, stampName));
}

/** The completion record of an entry: written last, so its presence means the entry is whole. */
export interface EntryStamp {
  /** Files of the entry (relative paths) with their byte sizes when it was completed. */
  files: Record<string, number>;
  [key: string]: unknown;
}

/** Whether the entry in `dir` is complete: its stamp parses and every file it names has its recorded size. */
export function entryComplete(dir: string, stampName = 'done'): boolean {
  let stamp: EntryStamp;
  try {
    stamp = JSON.parse(readFileSync(join(dir, stampName), 'utf8')) as EntryStamp;
  } catch {
    return false;
  }
  if (!stamp || typeof stamp.files !== 'object') return false;
  for (const [f, size] of Object.entries(stamp.files)) {
    try {
      if (statSync(join(dir, f)).size !== size) return false;
    } catch {
      return false;
    }
  }
  return true;
}
