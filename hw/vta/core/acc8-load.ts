// LOAD ACC_8BIT in the compute stage (hw/vta/ACC_8BIT.md), only with ACC_8BIT_LOAD: a TensorLoad of int8
// elements (BATCH·BLOCK_OUT bytes) whose SRAM writes are widened lane by lane, by sign extension, to ACC
// elements, and which shares the ACC loader's VME read client and base register. The compute stage runs one
// LOAD at a time, so the current instruction's memory type routes the client and ACC's load write port.
// Also the client sharing itself (`shareReadClient`), which LOAD REQ uses the same way.

import { cat, instance, mux, wire } from '../../dsl';
import type { Bool as BoolV, UInt as UIntV } from '../../dsl';
import type { VtaConfig } from '../config';
import { TensorLoad } from './tensor-load';
import { VmeReadClient } from './vme';

type ReadClient = TensorLoad['io']['rd'];
type SramWritePort = TensorLoad['io']['wr'];

/**
 * Drives the VME read client `rd` from one of two loaders: `second` while `toSecond`, else `first`. Only one
 * of them runs at a time; data beats go to the one selected.
 */
export function shareReadClient(rd: ReadClient, first: ReadClient, second: ReadClient, toSecond: BoolV): void {
  rd.cmd.valid.set(mux(toSecond, second.cmd.valid, first.cmd.valid));
  rd.cmd.bits.addr.set(mux(toSecond, second.cmd.bits.addr, first.cmd.bits.addr));
  rd.cmd.bits.len.set(mux(toSecond, second.cmd.bits.len, first.cmd.bits.len));
  first.cmd.ready.set(rd.cmd.ready.and(toSecond.not()));
  second.cmd.ready.set(rd.cmd.ready.and(toSecond));
  for (const [client, mine] of [
    [first, toSecond.not()],
    [second, toSecond],
  ] as const) {
    client.data.valid.set(rd.data.valid.and(mine));
    client.data.bits.data.set(rd.data.bits.data);
    client.data.bits.last.set(rd.data.bits.last);
  }
}

/** int8 lanes (lane 0 in the low byte) → int32 lanes, each sign-extended; lane 0 stays lowest. */
export function signExtendLanes(narrow: UIntV, lanes: number): UIntV {
  const wide = Array.from({ length: lanes }, (_, l) =>
    narrow
      .bits(8 * l + 7, 8 * l)
      .asSInt()
      .sext(32)
      .asUInt(),
  );
  return cat(...wide.reverse());
}

export interface Acc8Load {
  /** The int8 TensorLoad; start it for LOAD memory_type 5. */
  readonly load: TensorLoad;
  /** The ACC loads' VME client, both loaders behind it: connect it (or share it further) where LOAD ACC's went. */
  readonly rd: ReadClient;
  /** ACC's load write port: LOAD ACC's, or this load's elements widened to int32 lanes. */
  readonly wr: { en: BoolV; addr: UIntV; data: UIntV };
}

/**
 * Instantiates the LOAD ACC_8BIT loader beside the LOAD ACC one (`acc`, whose VME client must be left
 * unconnected), reading the instruction `cur` from the ACC base register `base`; `toAcc8` = the current
 * instruction is LOAD memory_type 5.
 */
export function acc8Load(cfg: VtaConfig, cur: UIntV, base: UIntV, toAcc8: BoolV, acc: { rd: ReadClient; wr: SramWritePort }): Acc8Load {
  const load = instance('load_acc8', new TensorLoad(cfg, 'acc8'));
  load.io.insn.set(cur);
  load.io.base.set(base);
  const rd = wire('acc_loads_rd', VmeReadClient(cfg.busBits));
  shareReadClient(rd, acc.rd, load.io.rd, toAcc8);
  const mine = load.io.wr;
  const wr = {
    en: mine.en.or(acc.wr.en).named('acc_load_wr_en'),
    addr: mux(mine.en, mine.addr, acc.wr.addr).named('acc_load_wr_addr'),
    data: mux(mine.en, signExtendLanes(mine.data, cfg.batch * cfg.blockOut), acc.wr.data).named('acc_load_wr_data'),
  };
  return { load, rd, wr };
}
