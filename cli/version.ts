// The package version, read once from package.json (no build step copies it anywhere).

import { readFileSync } from 'fs';
import { join } from 'path';

export const PACKAGE_VERSION: string = (() => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
})();

/** How generated files name their generator, e.g. `vta-ts 0.1.0`. */
export const GENERATOR = `vta-ts ${PACKAGE_VERSION}`;
