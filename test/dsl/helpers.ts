/** Test helpers: source-line markers and tiny inline modules. */
import * as fs from 'fs';
import * as path from 'path';

/** `file:line` of the line in `file` that carries the comment `// @tag`. */
export function locOf(file: string, tag: string): string {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`// @${tag}`));
  if (i < 0) throw new Error(`marker @${tag} not found in ${file}`);
  return `${path.relative(process.cwd(), file)}:${i + 1}`;
}
