// Content hashes: a task's identity (handler, salt, input) and a fingerprint of the source that computes
// results, so results stored by a Slurm run are reused only while the code that made them is unchanged.

import { createHash } from 'crypto';
import { readdirSync, readFileSync, statSync } from 'fs';
import { join, relative, resolve } from 'path';

export const REPO_ROOT = resolve(__dirname, '..');

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash naming one task's spec and result files. */
export function taskHash(handler: string, salt: string, input: unknown): string {
  return sha256(JSON.stringify({ handler: relative(REPO_ROOT, handler), salt, input })).slice(0, 24);
}

const SOURCE = /\.(ts|cc|cpp|h|hpp|v|sv|json)$/;
const fingerprints = new Map<string, string>();

/** sha256 over every source file under `dirs` (relative to the repository), path and content. */
export function codeFingerprint(dirs: readonly string[] = ['hw', 'gen', 'sim', 'sw', 'exec']): string {
  const key = dirs.join(',');
  const have = fingerprints.get(key);
  if (have) return have;
  const h = createHash('sha256');
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (SOURCE.test(n)) h.update(relative(REPO_ROOT, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  for (const d of dirs) walk(join(REPO_ROOT, d));
  const fp = h.digest('hex').slice(0, 16);
  fingerprints.set(key, fp);
  return fp;
}
