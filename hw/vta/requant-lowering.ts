// How a configuration runs one channel's requantization (hw/vta/requant.ts): in the requantization stage
// (one ALU REQ micro-op per output vector, exact), as tensor-ALU micro-ops, or on the CPU, with the reason.
// A file of its own because it needs the configuration, and config.ts imports requant.ts.

import type { AluOpName, VtaConfig } from './config';
import { RequantParam, RequantScheme, schemeParam } from './requant';

/** One ALU micro-op of the epilogue with its immediate. */
export interface AluStep {
  op: AluOpName;
  imm: number;
}

export type RequantLowering =
  | { engine: 'stage'; param: RequantParam }
  /**
   * Tensor-ALU micro-ops after the accumulation; `biasAdd` is added to the accumulator first (folded into
   * the bias: the half-up rounding term). Exact as long as no 32-bit add wraps, as the ALU's ADD does.
   */
  | { engine: 'alu'; biasAdd: number; steps: AluStep[] }
  | { engine: 'cpu'; reason: string };

const fitsImm = (v: number) => Number.isInteger(v) && v >= -32768 && v <= 32767;

/** Where `cfg` runs scheme `r`: the stage when the configuration has it and the scheme fits it, else the ALU, else the CPU. */
export function lowerRequant(cfg: VtaConfig, r: RequantScheme): RequantLowering {
  const param = schemeParam(r);
  if (cfg.requant && typeof param !== 'string') return { engine: 'stage', param };
  const stageWhy = cfg.requant
    ? `the requantization stage cannot run it: ${param as string}`
    : 'the configuration has no requantization stage (REQUANT_BUFF_DEPTH 0)';
  if (r.kind === 'q31') return { engine: 'cpu', reason: `TFLite's Q31 multiplier needs the requantization stage; ${stageWhy}` };
  const steps: AluStep[] = [];
  if (r.kind === 'alu-mul') {
    if (!cfg.aluOps.includes('MUL')) return { engine: 'cpu', reason: `the ALU-MUL form needs MUL in ALU_OPS; ${stageWhy}` };
    if (!fitsImm(r.multiplier)) return { engine: 'cpu', reason: `the multiplier ${r.multiplier} does not fit the ALU's 16-bit immediate` };
    if (r.preShift !== 0) steps.push({ op: 'SHR', imm: r.preShift });
    steps.push({ op: 'MUL', imm: r.multiplier });
  }
  if (!Number.isInteger(r.shift) || r.shift < -31 || r.shift > 31)
    return { engine: 'cpu', reason: `the shift ${r.shift} is outside the ALU's SHR range -31..31` };
  const half = r.rounding === 'half-up' && r.shift > 0 ? 2 ** (r.shift - 1) : 0;
  // With a pre-multiply the rounding term cannot go into the bias; it must be an ADD after the MUL.
  let biasAdd = half;
  if (half && r.kind === 'alu-mul') {
    if (!fitsImm(half)) return { engine: 'cpu', reason: `the rounding term 2^${r.shift - 1} does not fit the ALU's 16-bit immediate` };
    steps.push({ op: 'ADD', imm: half });
    biasAdd = 0;
  }
  if (r.shift !== 0) steps.push({ op: 'SHR', imm: r.shift });
  if (r.zeroPoint !== 0) {
    if (!fitsImm(r.zeroPoint)) return { engine: 'cpu', reason: `the zero point ${r.zeroPoint} does not fit the ALU's 16-bit immediate` };
    steps.push({ op: 'ADD', imm: r.zeroPoint });
  }
  if (!fitsImm(r.min) || !fitsImm(r.max)) return { engine: 'cpu', reason: `the clamp bounds [${r.min}, ${r.max}] do not fit the ALU's 16-bit immediate` };
  steps.push({ op: 'MAX', imm: r.min }, { op: 'MIN', imm: r.max });
  return { engine: 'alu', biasAdd, steps };
}
