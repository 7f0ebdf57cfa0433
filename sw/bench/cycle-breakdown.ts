// Where a VTA layer's cycles go, from the compute stage's point of view: issuing GEMM micro-ops, issuing ALU
// micro-ops, busy otherwise (LOAD UOP/ACC/REQ run by compute, pipeline drains, issue gaps), waiting for a
// load's or a store's dependency token, and idle (no instruction: the fetch, or the last store after the
// last compute). The five parts add up to the layer's cycles; they need the device's stage counters (TSIM).

import type { Counters } from '../../sim/device';
import type { StageCycles } from '../compiler/codegen/network';

export interface CycleBreakdown {
  gemm: number;
  alu: number;
  computeOther: number;
  tokenWait: number;
  idle: number;
}

export const BREAKDOWN_PARTS: readonly { key: keyof CycleBreakdown; label: string; colour: string }[] = [
  { key: 'gemm', label: 'GEMM micro-ops', colour: '#0072B2' },
  { key: 'alu', label: 'ALU micro-ops', colour: '#E69F00' },
  { key: 'computeOther', label: 'compute: loads into ACC/UOP/REQ, drains, issue gaps', colour: '#CC79A7' },
  { key: 'tokenWait', label: "compute waits for a load's or store's token", colour: '#D55E00' },
  { key: 'idle', label: 'compute idle (fetch, last store)', colour: '#BBBBBB' },
];

export function cycleBreakdown(cycles: number, counters: Counters, stages: StageCycles): CycleBreakdown {
  const gemm = counters.gemmUops + counters.gemmResetUops;
  const alu = counters.aluUops;
  const busy = Math.min(cycles, Math.max(stages.COMPUTE_BUSY, gemm + alu));
  // the busy and token-stall counters may overlap by a few cycles (a drain beside a stall): busy wins
  const tokenWait = Math.min(stages.COMPUTE_TOKEN_STALL, cycles - busy);
  return { gemm, alu, computeOther: busy - gemm - alu, tokenWait, idle: cycles - busy - tokenWait };
}
