// The functional model's checks without its arithmetic: walks a program in fsim's schedule (same tokens,
// same order) and raises exactly the DeviceError fsim would raise at the same instruction — illegal
// instructions, DRAM ranges (exact: no 2^32 wrap), SRAM indices (strict mode), micro-op ranges, the work
// budget, deadlocks and a missing FINISH — without computing a single product. Backends that cannot stop
// precisely on their own (TSIM: the hardware wraps addresses and indices, and a bus fault arrives after
// earlier rows of the same STORE were written) run this before launching, so their verdict is fsim's and
// nothing is written when a program is refused.
//
// Micro-ops decide GEMM/ALU indices, so LOAD UOP really copies micro-op words into a shadow UOP buffer
// (kept by the caller across runs, like the hardware's). A LOAD UOP reading DRAM that an earlier STORE of
// the same run wrote cannot be known before the run: those micro-ops are marked unknown and the loop
// nests using them are checked for their micro-op range and budget only (a warning says so).

import type { VtaConfig } from '../../hw/vta/config';
import type { AluInsn, GemmInsn, Insn, MemInsn } from '../../hw/vta/isa';
import { emptyCounters, StageName, TokenCounts } from '../device';
import { Dram } from './dram';
import { jsGemmKernel } from './gemm';
import { checkLoad, executeLoad, loadDramRange } from './load';
import { prepareLoop } from './loop';
import { afterFinishWarning, checkBudget, fetchProgram } from './program';
import { schedule } from './scheduler';
import { Srams } from './srams';
import { chargeUops, checkSram, FsimState } from './state';
import { checkStore, storeDramRange } from './store';

export interface CheckOptions {
  strict?: boolean;
  maxUops?: number;
  /** The UOP contents before the run (updated by the program's LOAD UOPs); a zeroed buffer if absent. */
  srams?: Srams;
}

export interface ProgramCheck {
  /** Instructions the run fetches: up to and including the first FINISH. */
  fetched: number;
  /** Instructions per stage in that range. */
  stageInsns: Record<StageName, number>;
  /** Micro-ops the run executes (GEMM and ALU). */
  uops: number;
  /** Tokens fsim's schedule leaves queued (hardware timing may leave others). */
  leftoverTokens: TokenCounts;
  /** Warnings about the program itself (instructions after FINISH, micro-ops that could not be checked). */
  warnings: string[];
}

export function checkProgram(cfg: VtaConfig, dramBytes: Uint8Array, insnAddr: number, insnCount: number, options: CheckOptions = {}): ProgramCheck {
  const maxUops = checkBudget(options.maxUops);
  const insns = fetchProgram(cfg, dramBytes, insnAddr, insnCount);
  const srams = options.srams ?? new Srams(cfg);
  const st: FsimState = {
    cfg,
    dram: new Dram(dramBytes.length, dramBytes),
    srams,
    strict: options.strict ?? true,
    counters: emptyCounters(),
    storeWriters: null,
    gemmKernel: jsGemmKernel,
    index: 0,
    insn: insns[0],
    maxUops,
    uopsUsed: 0,
  };
  const uopDepth = cfg.tensor.uop.depth;
  const unknownUop = new Uint8Array(uopDepth);
  const stored: [number, number][] = [];
  const stageInsns: Record<StageName, number> = { load: 0, compute: 0, store: 0 };
  const warnings: string[] = [];
  let uncheckedWarned = false;

  const loadUop = (insn: MemInsn): void => {
    const range = loadDramRange(st, insn);
    executeLoad(st, insn);
    const { xSize, ySize, xPad0, xPad1, yPad0, yPad1, sramBase } = insn;
    if (xSize === 0) return;
    const total = (xPad0 + xSize + xPad1) * (yPad0 + ySize + yPad1);
    const unknown = range !== null && stored.some(([lo, hi]) => lo < range[1] && range[0] < hi) ? 1 : 0;
    for (let k = 0; k < Math.min(total, uopDepth); k++) unknownUop[(sramBase + k) % uopDepth] = unknown;
  };
  const loop = (insn: GemmInsn | AluInsn): void => {
    chargeUops(st, insn);
    const n = insn.uopEnd - insn.uopBgn;
    if (n <= 0 || insn.iterOut === 0 || insn.iterIn === 0) return;
    let known = true;
    for (let u = insn.uopBgn; u < insn.uopEnd && u < uopDepth; u++) if (unknownUop[u]) known = false;
    if (known) {
      prepareLoop(st, insn);
      return;
    }
    checkSram(st, 'micro-op', insn.uopBgn, insn.uopEnd - 1, uopDepth);
    if (!uncheckedWarned) {
      warnings.push(
        `instruction ${st.index}: its micro-ops were loaded from DRAM that a STORE of this run wrote; their SRAM indices are not checked before the run`,
      );
      uncheckedWarned = true;
    }
  };
  const execute = (insn: Insn, stage: StageName): void => {
    stageInsns[stage]++;
    switch (insn.op) {
      case 'LOAD':
        if (insn.memType === 0) loadUop(insn as MemInsn);
        else checkLoad(st, insn as MemInsn);
        break;
      case 'STORE': {
        checkStore(st, insn as MemInsn);
        const range = storeDramRange(st, insn as MemInsn);
        if (range) stored.push(range);
        break;
      }
      case 'GEMM':
      case 'ALU':
        loop(insn);
        break;
      default:
        break;
    }
  };
  const { leftoverTokens } = schedule(st, insns, cfg.depQueueDepth, execute);
  if (insns.length < insnCount) warnings.push(afterFinishWarning(insnCount, insns.length));
  return { fetched: insns.length, stageInsns, uops: st.uopsUsed, leftoverTokens, warnings };
}
