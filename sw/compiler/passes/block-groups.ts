// A grouped conv2d on VTA runs as a grouped GEMM whose groups are made of whole channel blocks: VTA's GEMM
// multiplies BLOCK_IN input lanes by BLOCK_OUT output lanes, so an original group that does not fill its
// blocks (a depthwise filter per channel, a depth multiplier, groups of 4 channels) is merged with its
// neighbours into a coarser group whose weights are zero between the original groups. The coarsest split
// that keeps every original group inside one coarse group is the cheapest: depthwise with depth multiplier 1
// gets one group per channel block (block-diagonal weights), a depth multiplier m one input block against
// m output blocks, and anything else at worst one group (a dense GEMM with zeros).

export interface BlockGroups {
  /** Groups of the GEMM the device runs. */
  groups: number;
  /** Input channels of one such group in the packed weights (whole blocks; all of them with one group). */
  inChannels: number;
  /** Output channels of one such group, in whole blocks (all of them with one group). */
  outChannels: number;
}

/**
 * The coarsest block groups for a conv with `groups` groups over input channels at positions `at` (channel c of
 * the tensor sits at lane at[c] of the packed activation: c itself, or its place in a padded concat) and O outputs.
 */
export function blockGroups(at: readonly number[], O: number, groups: number, blockIn: number, blockOut: number): BlockGroups {
  const C = at.length;
  const width = at.length ? at[C - 1] + 1 : 0;
  const inBlocks = Math.ceil(width / blockIn);
  const outBlocks = Math.ceil(O / blockOut);
  const Cg = C / groups;
  const Og = O / groups;
  for (let G = Math.min(inBlocks, outBlocks); G > 1; G--) {
    if (inBlocks % G || outBlocks % G) continue;
    const bi = inBlocks / G;
    const bo = outBlocks / G;
    let ok = true;
    for (let k = 0; k < groups && ok; k++) {
      const j = Math.floor(Math.floor(at[k * Cg] / blockIn) / bi);
      for (let c = k * Cg; c < (k + 1) * Cg && ok; c++) ok = Math.floor(Math.floor(at[c] / blockIn) / bi) === j;
      for (let o = k * Og; o < (k + 1) * Og && ok; o++) ok = Math.floor(Math.floor(o / blockOut) / bo) === j;
    }
    if (ok) return { groups: G, inChannels: bi * blockIn, outChannels: bo * blockOut };
  }
  return { groups: 1, inChannels: width, outChannels: O };
}

/**
 * Weights [O, C/groups, KH, KW] of a grouped conv -> [O, bg.inChannels, KH, KW] of its block-group GEMM: output o's
 * filter tap for input channel c at the lane c has inside o's block group, zeros elsewhere.
 */
export function expandGroups(
  w: Int8Array,
  [O, Cg, KH, KW]: readonly number[],
  at: readonly number[],
  groups: number,
  bg: BlockGroups,
): { data: Int8Array; shape: number[] } {
  const KK = KH * KW;
  const I = bg.inChannels;
  const Og = O / groups;
  const out = new Int8Array(O * I * KK);
  for (let o = 0; o < O; o++) {
    const k = Math.floor(o / Og);
    const j = Math.floor(o / bg.outChannels);
    for (let i = 0; i < Cg; i++) {
      const lane = at[k * Cg + i] - j * I;
      out.set(w.subarray((o * Cg + i) * KK, (o * Cg + i + 1) * KK), (o * I + lane) * KK);
    }
  }
  return { data: out, shape: [O, I, KH, KW] };
}
