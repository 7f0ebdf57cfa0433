// Strict JSON for input files: JSON.parse, plus what it lets through silently (duplicate keys, where
// the later value wins), with errors that give the line and column.

import { InputFileError } from './input-file';

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * The first key that appears twice in one object of `text` (which must be valid JSON), with its offset.
 * Scans strings with indexOf so large base64 payloads cost little.
 */
export function findDuplicateKey(text: string): { key: string; offset: number } | null {
  const objects: (Set<string> | null)[] = []; // a key set per open object, null per open array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // "
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--; // count the backslashes before the quote
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const keys = objects[objects.length - 1]!;
        if (keys.has(key)) return { key, offset: i };
        keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      // {
      objects.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      // [
      objects.push(null);
    } else if (c === 0x7d || c === 0x5d) {
      objects.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      // ,
      expectKey = objects[objects.length - 1] instanceof Set;
    }
  }
  return null;
}

/** Parses JSON text from `file`; bad syntax and duplicate keys are InputFileErrors with line and column. */
export function parseJsonStrict(text: string, file: string, what = 'file'): unknown {
  if (text.trim() === '') throw new InputFileError(`${what} ${file}: the file is empty`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    let msg = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(msg);
    if (pos) msg = `${msg.replace(/ in JSON at position \d+.*$/, '')} (${lineColumn(text, Number(pos[1]))})`;
    if (/end of JSON|Unterminated/i.test(msg)) msg += '; the file may be truncated';
    throw new InputFileError(`${what} ${file}: not valid JSON: ${msg}`);
  }
  const dup = findDuplicateKey(text);
  if (dup) throw new InputFileError(`${what} ${file}: key ${JSON.stringify(dup.key)} appears twice in one object (${lineColumn(text, dup.offset)})`);
  return value;
}
