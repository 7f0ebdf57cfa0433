// Dependencies point down: hw <- gen/sim <- sw, with the flows of scripts/ (synthesis, FPGA builds,
// exploration) above, and the CLI's registration (cli/commands, cli/bench, ...) on top. Every relative
// import of every source file is checked against the folders its layer may use, and the import graph of
// the whole tree must have no circle. The argument parser, errors and command helpers of cli/ are
// infrastructure every layer's command uses; the rest of cli/ is the top.

import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, normalize, relative, sep } from 'path';

const ROOT = join(__dirname, '..');
const CLI_INFRASTRUCTURE = ['cli/args', 'cli/command', 'cli/errors', 'cli/executor-flags', 'cli/version'];

/** Each layer (a folder, or a folder of scripts/) and the layers (besides itself, util/ and cli's infrastructure) it may import from. */
const MAY_USE: Readonly<Record<string, readonly string[]>> = {
  hw: [],
  gen: ['hw'],
  exec: ['hw'],
  sim: ['hw', 'gen', 'exec'],
  sw: ['hw', 'gen', 'sim', 'exec'],
  'scripts/synth': ['hw', 'gen'],
  'scripts/fpga': ['hw', 'gen', 'sim', 'scripts/synth'],
  'scripts/explore': ['hw', 'gen', 'sim', 'sw', 'exec', 'scripts/synth', 'scripts/fpga'],
  api: ['hw', 'gen', 'sim', 'sw', 'exec', 'scripts/synth'],
};
const LAYERS = Object.keys(MAY_USE).sort((a, b) => b.length - a.length);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : sources(p);
    return /\.(ts|mjs)$/.test(name) ? [p] : [];
  });
}

/** The layer a repository path belongs to: the longest layer name it starts with, else its top folder. */
function layerOf(path: string): string {
  return LAYERS.find((l) => path === l || path.startsWith(`${l}/`)) ?? path.split('/')[0];
}

/** Repository-relative path of a source file, without extension. */
const key = (file: string) =>
  relative(ROOT, file)
    .split(sep)
    .join('/')
    .replace(/\.(ts|mjs)$/, '');

/** The relative imports of a source file, as repository paths without extension. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => {
    const target = relative(ROOT, normalize(join(dirname(file), m[1])))
      .split(sep)
      .join('/');
    const bare = target.replace(/\.(ts|mjs|js)$/, '');
    return existsSync(join(ROOT, `${bare}.ts`)) || existsSync(join(ROOT, `${bare}.mjs`)) ? bare : `${bare}/index`;
  });
}

const TREES = ['util', 'hw', 'gen', 'exec', 'sim', 'sw', 'scripts', 'api', 'cli'];
const graph = new Map<string, string[]>();
for (const tree of TREES) for (const file of sources(join(ROOT, tree))) graph.set(key(file), importsOf(file));

test('every import points down the layers', () => {
  const violations: string[] = [];
  let checked = 0;
  for (const [from, targets] of graph) {
    const layer = layerOf(from);
    const allowed = MAY_USE[layer];
    if (!allowed) continue; // util/ (the bottom) and cli/ (the top)
    for (const target of targets) {
      checked++;
      const to = layerOf(target);
      if (to === layer || to === 'util' || allowed.includes(to)) continue;
      if (CLI_INFRASTRUCTURE.some((c) => target === c)) continue;
      violations.push(`${from} imports ${target} (${layer} may use ${['util', ...allowed].join(', ')})`);
    }
  }
  expect(checked).toBeGreaterThan(500);
  expect(violations).toEqual([]);
});

/** Every circle of imports, each named once by the files on it (Tarjan's strongly connected components). */
function importCircles(g: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || (g.get(v) ?? []).includes(v)) circles.push(component.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return circles;
}

test('no import circles', () => {
  expect(graph.size).toBeGreaterThan(200);
  expect(importCircles(graph)).toEqual([]);
});

test('the circle finder finds a circle', () => {
  const g = new Map([
    ['a', ['b']],
    ['b', ['c']],
    ['c', ['a']],
    ['d', ['a']],
  ]);
  expect(importCircles(g)).toEqual([['a', 'b', 'c']]);
});
