// The counters a program determines by its instructions alone: instructions per kind and the element
// bytes each LOAD moves (pads excluded). fsim counts them as it executes; TSIM derives them from the
// program it ran, so `Counters` means the same on both. What the TSIM core fetched in whole bus beats
// is reported beside them as `busBeatBytes`.

import type { TensorKind, VtaConfig } from '../hw/vta/config';
import { MEM_TYPE_TENSOR } from '../hw/vta/config';
import { MEM_TYPE_ACC_8BIT } from '../hw/vta/acc8';
import { decodeInsn, Insn, INSN_BYTES } from '../hw/vta/isa';
import type { Counters } from './device';
import { kindOf } from './fsim/counters';

export type ProgramCounters = Pick<Counters, 'byKind' | 'uopLoadBytes' | 'inpLoadBytes' | 'wgtLoadBytes' | 'accLoadBytes'>;

const LOAD_COUNTER: Partial<Record<TensorKind, keyof ProgramCounters>> = {
  uop: 'uopLoadBytes',
  inp: 'inpLoadBytes',
  wgt: 'wgtLoadBytes',
  acc: 'accLoadBytes',
};

export function programCounters(cfg: VtaConfig, insns: readonly Insn[]): ProgramCounters {
  const c: ProgramCounters = { byKind: {}, uopLoadBytes: 0, inpLoadBytes: 0, wgtLoadBytes: 0, accLoadBytes: 0 };
  for (const insn of insns) {
    const kind = kindOf(insn);
    c.byKind[kind] = (c.byKind[kind] ?? 0) + 1;
    if (insn.op !== 'LOAD') continue;
    // LOAD ACC_8BIT (ACC_8BIT.md) counts its int8 DRAM bytes with the ACC loads, as fsim does.
    if (insn.memType === MEM_TYPE_ACC_8BIT && cfg.acc8) c.accLoadBytes += insn.xSize * insn.ySize * cfg.acc8.elemBytes;
    const tensor = MEM_TYPE_TENSOR[insn.memType];
    const key = tensor && LOAD_COUNTER[tensor];
    if (key) (c[key] as number) += insn.xSize * insn.ySize * cfg.tensor[tensor].elemBytes;
  }
  return c;
}

/** The program of `insnCount` instructions at `insnAddr` in a DRAM image. */
export function programAt(cfg: VtaConfig, dram: Uint8Array, insnAddr: number, insnCount: number): Insn[] {
  return Array.from({ length: insnCount }, (_, i) => decodeInsn(cfg, dram, insnAddr + i * INSN_BYTES));
}
