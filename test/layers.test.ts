// Dependencies point down: hw <- gen/sim <- sw, with synthesis, scripts and the co-design tools above, and
// the CLI's registration (cli/commands, cli/bench, ...) on top. Every relative import of every source file
// is checked against the folders its layer may use. The argument parser, errors and command helpers of
// cli/ are infrastructure every layer's command uses; the rest of cli/ is the top.

import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, normalize, relative, sep } from 'path';

const ROOT = join(__dirname, '..');
const CLI_INFRASTRUCTURE = ['cli/args', 'cli/command', 'cli/errors', 'cli/executor-flags', 'cli/version'];

/** Each folder and the folders (besides itself, util/ and cli's infrastructure) it may import from. */
const MAY_USE: Readonly<Record<string, readonly string[]>> = {
  hw: [],
  gen: ['hw'],
  exec: ['hw'],
  sim: ['hw', 'gen', 'exec'],
  sw: ['hw', 'gen', 'sim', 'exec'],
  synth: ['hw', 'gen'],
  scripts: ['hw', 'gen', 'sim', 'synth'],
  explore: ['hw', 'gen', 'sim', 'sw', 'synth', 'exec', 'scripts'],
  api: ['hw', 'gen', 'sim', 'sw', 'synth', 'exec'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sources(p);
    return /\.(ts|mjs)$/.test(name) ? [p] : [];
  });
}

test('every import points down the layers', () => {
  const violations: string[] = [];
  let checked = 0;
  for (const [layer, allowed] of Object.entries(MAY_USE)) {
    for (const file of sources(join(ROOT, layer))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        checked++;
        const target = relative(ROOT, normalize(join(dirname(file), m[1]))).split(sep).join('/');
        const top = target.split('/')[0];
        if (top === layer || top === 'util' || allowed.includes(top)) continue;
        if (CLI_INFRASTRUCTURE.some((c) => target === c || target.startsWith(`${c}.`))) continue;
        violations.push(`${relative(ROOT, file)} imports ${target} (${layer} may use ${['util', ...allowed].join(', ')})`);
      }
    }
  }
  expect(checked).toBeGreaterThan(500);
  expect(violations).toEqual([]);
});
