// "Did you mean ...?" for mistyped names (flags, commands, targets, boards): the closest known name by
// edit distance, counting a swap of two neighbouring letters as one edit (`gne` -> `gen`).

/** Edits (insert, delete, replace, swap of neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name closest to `word`, when it is close enough to be a typo (at most a third of the longer
 * word's letters edited, at least one) or `word` is the start of exactly one name; else undefined.
 */
export function closestName(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(w, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best === undefined || best === word) return undefined;
  if (bestDistance <= Math.max(1, Math.floor(Math.max(w.length, best.length) / 3))) return best;
  const prefixed = known.filter((k) => w.length >= 2 && k.toLowerCase().startsWith(w));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** `; did you mean X?` for a message, or '' when nothing is close. */
export function didYouMean(word: string, known: readonly string[], spell: (name: string) => string = (n) => n): string {
  const m = closestName(word, known);
  return m === undefined ? '' : `; did you mean ${spell(m)}?`;
}
