// Does a configuration fit a board? The answer `vta fpga` writes to synth-estimate.json and acts on.
// The estimator is pluggable: by default `vta synth`'s synthesis estimate; a lower bound from the on-chip
// buffers alone (every buffer bit needs a block-RAM bit) proves a configuration too big in milliseconds,
// but never that it fits timing or logic.

import type { Board, ResourceName } from '../../hw/boards/boards';
import { TENSOR_KINDS, VtaConfig } from '../../hw/vta/config';
import { synthesize } from '../synth/synthesize';
import type { SynthReport } from '../synth/report';

export interface FitRow {
  resource: ResourceName | string;
  used: number;
  available: number;
  unit: string;
}

/** vta synth's clock estimate of the configuration, when the estimator made one. */
export interface ClockEstimate {
  fmaxMHz: number;
  /** With the routing assumption at 1.4x and 0.6x. */
  rangeMHz: readonly [number, number];
  levels: number;
  from: string;
  to: string;
}

export interface FitReport {
  /** Where the numbers come from ("vta synth (yosys synth_xilinx)", "buffer lower bound"). */
  source: string;
  rows: FitRow[];
  /** The clock estimate before place and route, or null (the buffer bound makes none). */
  timing: ClockEstimate | null;
  fits: boolean;
  /** When it does not fit: what to change, naming the knob. */
  fix: string | null;
  notes: string[];
}

/** `log` gets lines that stay, `status` the one updating progress line of a long estimate. */
export type FitEstimator = (cfg: VtaConfig, board: Board, log: (line: string) => void, status?: (line: string) => void) => Promise<FitReport>;

/** Bits of one block-RAM block per family (RAMB36 on Xilinx, M10K on Cyclone V). */
const BLOCK_BITS: Readonly<Record<string, number>> = { xc7: 36 * 1024, xcup: 36 * 1024, cyclonev: 10 * 1024, ecp5: 18 * 1024 };

const FLAG: Readonly<Record<string, string>> = { uop: '--uop-buff', inp: '--inp-buff', wgt: '--wgt-buff', acc: '--acc-buff', out: '--acc-buff' };

/** The lower bound on block RAM from the buffer sizes (OUT is sized by the ACC buffer's depth). */
export async function bufferLowerBound(cfg: VtaConfig, board: Board): Promise<FitReport> {
  const blockBits = BLOCK_BITS[board.family];
  const budget = board.budgets.bram36;
  // The requantization stage's parameter buffer (hw/vta/REQUANT.md) is on-chip too.
  const bits = TENSOR_KINDS.reduce((n, k) => n + cfg.tensor[k].bytes * 8, 0) + (cfg.requant ? cfg.requant.depth * cfg.requant.elemBits : 0);
  const blocks = Math.ceil(bits / blockBits);
  const rows: FitRow[] = budget ? [{ resource: 'bram36', used: blocks, available: budget.amount, unit: budget.unit }] : [];
  const fits = !budget || blocks <= budget.amount;
  let fix: string | null = null;
  if (!fits) {
    const biggest = [...TENSOR_KINDS].sort((a, b) => cfg.tensor[b].bytes - cfg.tensor[a].bytes)[0];
    const over = Math.ceil(((blocks - budget!.amount) * blockBits) / 8 / 1024);
    fix =
      `the buffers need at least ${blocks} ${budget!.unit} blocks, ${board.name} has ${budget!.amount}; ` +
      `shrink them by ${over} KiB or more, e.g. lower ${FLAG[biggest]} (the ${biggest.toUpperCase()} buffer is ${cfg.tensor[biggest].bytes / 1024} KiB)`;
  }
  return {
    source: 'buffer lower bound (on-chip buffer bits / block-RAM bits per block)',
    rows,
    fits,
    fix,
    timing: null,
    notes: ['a lower bound: LUTs, DSPs and timing are not estimated here; vta synth gives the synthesis estimate'],
  };
}

/** int8 products one DSP block holds: a DSP48 multiplier each (two with GEMM_DSP_PACKING 2); Cyclone V three 9x9 (one 27x27 = two packed). */
function productsPerDsp(family: string, packing: number): number {
  if (family === 'cyclonev') return packing === 2 ? 2 : 3;
  return packing === 2 ? 2 : 1;
}

/**
 * The buffer lower bound plus the GEMM core's multipliers: every int8 product of the BATCH x BLOCK_IN x
 * BLOCK_OUT array is a multiplier that yosys and the vendor tools map to DSP blocks. Milliseconds, no
 * synthesis; it proves that a configuration cannot fit (`vta explore` skips such points, `vta fpga
 * --estimate bound` uses it), never that one fits.
 */
export async function lowerBound(cfg: VtaConfig, board: Board): Promise<FitReport> {
  const buffers = await bufferLowerBound(cfg, board);
  const budget = board.budgets.dsp;
  if (!budget) return buffers;
  const products = cfg.batch * cfg.blockIn * cfg.blockOut;
  // Each requantization lane multiplies 32 x 32 bits: wider than any one DSP block's multiplier, so two at least.
  const requantDsps = cfg.requant ? 2 * cfg.batch * cfg.blockOut : 0;
  const dsps = Math.ceil(products / productsPerDsp(board.family, cfg.gemmDspPacking)) + requantDsps;
  const dspFits = dsps <= budget.amount;
  const dspFix = dspFits
    ? null
    : `the GEMM core's ${products} int8 multipliers${requantDsps ? ` and the requantization lanes` : ''} need at least ${dsps} ${budget.unit} blocks, ${board.name} has ${budget.amount}; ` +
      `${cfg.gemmDspPacking === 2 ? 'use a smaller --gemm' : 'use --gemm-dsp-packing 2 (two products per DSP) or a smaller --gemm'}`;
  return {
    source: 'lower bound (buffer bits / block-RAM bits per block; one DSP per GEMM multiplier)',
    rows: [...buffers.rows, { resource: 'dsp', used: dsps, available: budget.amount, unit: budget.unit }],
    fits: buffers.fits && dspFits,
    fix: [buffers.fix, dspFix].filter(Boolean).join('; ') || null,
    timing: null,
    notes: ['a lower bound: LUTs and timing are not estimated here; vta synth gives the synthesis estimate'],
  };
}

/** The knob to change when a resource is over budget. */
const FIT_KNOBS: Readonly<Record<string, string>> = {
  bram36: 'lower --wgt-buff, --acc-buff or --inp-buff',
  lutram: 'lower --uop-buff or the queue depths (--insn-queue-depth, --dep-queue-depth)',
  dsp: 'a smaller --gemm (fewer multipliers) or --gemm-dsp-packing 2',
  lut: 'a smaller --gemm, or --alu-ii 2',
  ff: 'a smaller --gemm or --gemm-pipeline',
  uram: 'lower --wgt-buff',
};

/** Turns `vta synth`'s fit against the board into this module's FitReport. */
export function fitFromSynth(report: Pick<SynthReport, 'fit' | 'yosysVersion'> & Partial<Pick<SynthReport, 'timing'>>, board: Board): FitReport {
  if (!report.fit) throw new Error(`vta synth returned no fit for ${board.name}`);
  const rows: FitRow[] = [];
  for (const [resource, entry] of Object.entries(report.fit)) {
    if (resource === 'ok' || typeof entry !== 'object' || entry === null) continue;
    const e = entry as { used: number; budget: number; unit: string };
    rows.push({ resource, used: e.used, available: e.budget, unit: e.unit });
  }
  const over = rows.filter((r) => r.used > r.available);
  return {
    source: `vta synth (yosys ${report.yosysVersion})`,
    rows,
    fits: report.fit.ok,
    fix:
      over.length === 0
        ? null
        : over.map((r) => `${r.resource} ${r.used} > ${r.available} ${r.unit}: ${FIT_KNOBS[r.resource] ?? 'a smaller configuration'}`).join('; '),
    timing: report.timing
      ? { fmaxMHz: report.timing.fmaxMHz, rangeMHz: report.timing.fmaxRangeMHz, levels: report.timing.levels, from: report.timing.from, to: report.timing.to }
      : null,
    notes: ["a synthesis estimate (yosys), not the vendor tools' placement; timing is checked by build.sh"],
  };
}

/** A warning when `freqMhz` is above the clock estimate, else null. */
export function clockWarning(fit: Pick<FitReport, 'timing'>, freqMhz: number): string | null {
  const t = fit.timing;
  if (!t || freqMhz <= t.fmaxMHz) return null;
  return (
    `WARNING: ${freqMhz} MHz is above the clock estimate of ${t.fmaxMHz.toFixed(1)} MHz (${t.rangeMHz[0].toFixed(0)}-${t.rangeMHz[1].toFixed(0)}; ` +
    `${t.levels} logic levels from ${t.from} to ${t.to}); the build may fail timing: lower --freq`
  );
}

/** The estimator `vta fpga` uses by default: `vta synth`'s yosys estimate (cached by content). */
export const defaultEstimator: FitEstimator = async (cfg, board, log, status) => fitFromSynth(await synthesize({ cfg, board, progress: log, status }), board);
