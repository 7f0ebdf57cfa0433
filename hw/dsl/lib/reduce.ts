/** Reduction trees (the GEMM dot-product adder tree). */
import { fail } from '../errors';
import { reduceTree, SInt, UInt } from '../value';
import { regNext } from '../decl';

export interface AdderTreeOptions {
  /** Use expanding adds (addx): the sum never overflows; width grows by ceil(log2(n)). Default true. */
  expand?: boolean;
  /** Insert a register level after every `stageEvery` adder levels (names `${name}_l<level>_<i>`). */
  stageEvery?: number;
  /** Base name for pipeline registers (required with stageEvery). */
  name?: string;
}

/** Sum of `xs` as a balanced tree. All inputs must have the same type and width. */
export function adderTree<T extends UInt | SInt>(xs: readonly T[], opts: AdderTreeOptions = {}): T {
  if (xs.length === 0) fail('adderTree: no inputs');
  const expand = opts.expand ?? true;
  const add = (a: T, b: T): T => (expand ? (a as UInt).addx(b as UInt) : (a as UInt).add(b as UInt)) as T;
  if (!opts.stageEvery) return reduceTree(xs, add);
  if (!opts.name) fail('adderTree: stageEvery needs a name for its registers');
  let level = [...xs];
  let depth = 0;
  while (level.length > 1) {
    const next: T[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(add(level[i], level[i + 1]));
    if (level.length % 2) next.push(expand ? (level[level.length - 1].resize(next[0].width) as T) : level[level.length - 1]);
    depth++;
    level = depth % opts.stageEvery === 0 && next.length > 1 ? next.map((v, i) => regNext(v, { name: `${opts.name}_l${depth}_${i}` })) : next;
  }
  return level[0];
}
