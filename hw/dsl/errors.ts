/**
 * HdlError and source-location capture.
 *
 * Every DSL error is an HdlError whose message starts with the user's source
 * location ("test/dsl/errors.test.ts:42"). The location is taken from a stack
 * trace captured at the DSL call site, skipping frames that lie inside the DSL
 * core (hw/dsl/*, but not hw/dsl/lib/*, whose modules are user code too).
 */
import * as path from 'path';

/** A source location, "file:line" with the file relative to the working directory. */
export type Loc = string;

export class HdlError extends Error {
  constructor(
    message: string,
    readonly loc?: Loc,
  ) {
    super(loc ? `${loc}: ${message}` : message);
    this.name = 'HdlError';
  }
}

const dslRoot = path.resolve(__dirname);
const libRoot = path.join(dslRoot, 'lib');

const helperFiles = new Set<string>();

/**
 * Locations skip frames in `file` too: for a helper that builds hardware for its caller (e.g. an
 * instruction-field decoder), so errors and `sourceLines` name the caller's line.
 */
export function skipInLocations(file: string): void {
  helperFiles.add(path.resolve(file));
}

function isDslCoreFile(file: string): boolean {
  const f = path.resolve(file);
  if (helperFiles.has(f)) return true;
  if (f.startsWith(libRoot + path.sep)) return false;
  return f.startsWith(dslRoot + path.sep);
}

const frameRe = /\(?((?:[A-Za-z]:)?[^():\s]+):(\d+):(\d+)\)?\s*$/;

/** Location of the first stack frame outside the DSL core and outside node internals. */
export function captureLoc(): Loc | undefined {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    const m = frameRe.exec(line.trim());
    if (!m) continue;
    const file = m[1];
    if (file.startsWith('node:') || file.includes('node_modules') || !path.isAbsolute(file)) continue;
    if (isDslCoreFile(file)) continue;
    return `${path.relative(process.cwd(), file)}:${m[2]}`;
  }
  return undefined;
}

/** Throw an HdlError located at the user's call site (or at `loc` when given). */
export function fail(message: string, loc?: Loc): never {
  throw new HdlError(message, loc ?? captureLoc());
}
