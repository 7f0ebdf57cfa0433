// What yosys runs for each FPGA family and how its mapped cells count as resources. The counts are
// yosys' estimates after technology mapping (not a vendor place-and-route), in each family's own units.

import type { FamilyName, ResourceName } from '../../hw/boards/boards';

export type Resources = Record<ResourceName, number>;

export interface Family {
  readonly name: FamilyName;
  readonly title: string;
  /** The yosys synthesis command for `top` (no flattening, so the report can break cost down per module). */
  synthCommand(top: string): string;
  /** Extra arguments of `stat` (the Xilinx LUT6-packing estimate). */
  readonly statArgs: string;
  /** The unit each resource is counted in. */
  readonly units: Readonly<Record<ResourceName, string>>;
  /** Cell types that implement memories (block RAM, UltraRAM, LUT RAM): the memory table lists them. */
  readonly memoryCells: readonly string[];
  /** Cell counts (one module or the whole design) to resources; `estimatedLuts` is stat's estimate. */
  tally(cells: Readonly<Record<string, number>>, estimatedLuts?: number): Resources;
}

const zero = (): Resources => ({ lut: 0, ff: 0, dsp: 0, bram36: 0, lutram: 0, uram: 0 });

/** Sums the counts of every cell type matching `re`, each weighted. */
function sum(cells: Readonly<Record<string, number>>, weights: readonly (readonly [RegExp, number])[]): number {
  let total = 0;
  for (const [type, n] of Object.entries(cells)) {
    for (const [re, w] of weights) {
      if (re.test(type)) {
        total += n * w;
        break;
      }
    }
  }
  return total;
}

// LUTs a Xilinx distributed-RAM or shift-register primitive occupies (UG474/UG574 primitive sizes).
const XILINX_LUTRAM: readonly (readonly [RegExp, number])[] = [
  [/^RAM(32|64)M$/, 4],
  [/^RAM(32|64)M16$/, 8],
  [/^RAM(32|64)X1D$/, 2],
  [/^RAM128X1D$/, 4],
  [/^RAM(32|64)X1S$/, 1],
  [/^RAM128X1S$/, 2],
  [/^RAM256X1S$/, 4],
  [/^RAM256X1D$/, 8],
  [/^RAM512X1S$/, 8],
  [/^SRL16E$/, 1],
  [/^SRLC(16E|32E)$/, 1],
];

function xilinx(name: 'xc7' | 'xcup', title: string, dsp: string, _bram: string): Family {
  return {
    name,
    title,
    synthCommand: (top) => `synth_xilinx -family ${name} -top ${top} -noiopad`,
    statArgs: '-tech xilinx',
    units: { lut: 'LUT6', ff: 'FF', dsp, bram36: 'RAMB36', lutram: 'LUT6 as memory', uram: 'URAM288' },
    memoryCells: [
      ...(name === 'xc7' ? ['RAMB36E1', 'RAMB18E1'] : ['RAMB36E2', 'RAMB18E2', 'URAM288']),
      'RAM32M',
      'RAM64M',
      'RAM32M16',
      'RAM64M16',
      'RAM32X1D',
      'RAM64X1D',
      'RAM128X1D',
      'RAM256X1D',
      'RAM32X1S',
      'RAM64X1S',
      'RAM128X1S',
      'RAM256X1S',
      'RAM512X1S',
    ],
    tally(cells, estimatedLuts) {
      const r = zero();
      const lutram = sum(cells, XILINX_LUTRAM);
      // stat -tech xilinx packs LUTs into LUT6 sites; without it, count LUT cells and LUT RAM.
      r.lut = estimatedLuts ?? sum(cells, [[/^LUT[1-6]$/, 1]]) + lutram;
      r.ff = sum(cells, [
        [/^FD[RSCP]E(_1)?$/, 1],
        [/^LD[CP]E$/, 1],
      ]);
      r.dsp = sum(cells, [[/^DSP48E[12]$/, 1]]);
      r.bram36 = sum(cells, [
        [/^RAMB36E[12]$/, 1],
        [/^RAMB18E[12]$/, 0.5],
        [/^FIFO36E[12]$/, 1],
        [/^FIFO18E[12]$/, 0.5],
      ]);
      r.uram = sum(cells, [[/^URAM288(_BASE)?$/, 1]]);
      r.lutram = lutram;
      return r;
    },
  };
}

export const FAMILIES: Readonly<Record<FamilyName, Family>> = {
  xc7: xilinx('xc7', 'Xilinx 7-series', 'DSP48E1', 'RAMB36'),
  xcup: xilinx('xcup', 'Xilinx UltraScale+', 'DSP48E2', 'RAMB36'),
  cyclonev: {
    name: 'cyclonev',
    title: 'Intel Cyclone V',
    synthCommand: (top) => `synth_intel_alm -family cyclonev -top ${top} -noiopad -noflatten`,
    statArgs: '',
    units: { lut: 'ALUT', ff: 'FF', dsp: 'variable-precision DSP block', bram36: 'M10K', lutram: 'MLAB cell', uram: '-' },
    memoryCells: ['MISTRAL_M10K', 'MISTRAL_MLAB'],
    tally(cells) {
      const r = zero();
      r.lut = sum(cells, [
        [/^MISTRAL_ALUT/, 1],
        [/^MISTRAL_NOT$/, 1],
      ]);
      r.ff = sum(cells, [[/^MISTRAL_FF$/, 1]]);
      // A DSP block holds one 27x27, two 18x18 or three 9x9 multipliers.
      r.dsp = Math.ceil(
        sum(cells, [
          [/^MISTRAL_MUL27X27$/, 6],
          [/^MISTRAL_MUL18X18$/, 3],
          [/^MISTRAL_MUL9X9$/, 2],
        ]) / 6,
      );
      r.bram36 = sum(cells, [[/^MISTRAL_M10K$/, 1]]);
      r.lutram = sum(cells, [[/^MISTRAL_MLAB$/, 1]]);
      return r;
    },
  },
  ecp5: {
    name: 'ecp5',
    title: 'Lattice ECP5',
    synthCommand: (top) => `synth_ecp5 -top ${top} -noflatten`,
    statArgs: '',
    units: { lut: 'LUT4', ff: 'FF', dsp: 'MULT18X18D', bram36: 'DP16KD', lutram: 'DPR16X4', uram: '-' },
    memoryCells: ['DP16KD', 'TRELLIS_DPR16X4'],
    tally(cells) {
      const r = zero();
      // A CCU2C carry cell is two LUT4s.
      r.lut = sum(cells, [
        [/^LUT4$/, 1],
        [/^CCU2C$/, 2],
      ]);
      r.ff = sum(cells, [[/^TRELLIS_FF$/, 1]]);
      r.dsp = sum(cells, [[/^MULT18X18D$/, 1]]);
      r.bram36 = sum(cells, [[/^DP16KD$/, 1]]);
      r.lutram = sum(cells, [[/^TRELLIS_DPR16X4$/, 1]]);
      return r;
    },
  },
};
