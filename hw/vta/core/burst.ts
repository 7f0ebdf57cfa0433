// DRAM burst planning shared by the DMA engines (DESIGN.md "Interfaces": a burst is bus-aligned, has at most
// 256 beats and never crosses a 4 KiB page).
//  - `pageBurst`: the beats of the next burst, min(beats left, longest burst, beats to the end of the page).
//    Fetch uses it directly on its one contiguous run of beats.
//  - `rowBursts`: walks the rows of a 2-D strided transfer (TensorLoad's requester, Store's command
//    generator) and drives a VME command port with one burst per handshake.
// Both are called inside a module's build(); the registers and named wires they declare carry `prefix`.

import { UInt, U, cat, fire, fsm, log2Ceil, mux, reg, when } from '../../dsl';
import type { Bool as BoolV, DecoupledT, HW, UInt as UIntV } from '../../dsl';
import { VmeCmd } from './vme';

/** Beats in a 4 KiB page of a bus of 2^logB bytes. */
export const pageBeats = (logB: number): number => 4096 >> logB;

/**
 * The beats of the next burst at byte address `addr` (bus-aligned) with `left` beats still to request:
 * min(left, maxBurst, beats to the end of the 4 KiB page). Width log2Ceil(pageBeats + 1); wires
 * `<prefix>_to_page` and `<prefix>_burst`.
 */
export function pageBurst(prefix: string, addr: UIntV, left: UIntV, logB: number, maxBurst: number): UIntV {
  const page = pageBeats(logB);
  const bw = log2Ceil(page + 1);
  const toPage = U(page, bw).sub(addr.bits(11, logB).zext(bw)).named(`${prefix}_to_page`);
  const leftClamp = mux(left.lt(maxBurst), left.resize(bw), U(maxBurst, bw));
  return mux(toPage.lt(leftClamp), toPage, leftClamp).named(`${prefix}_burst`);
}

/** The transfer walked by `rowBursts`; all element counts/addresses, latched by the caller before `start`. */
export interface RowWalk {
  /** Element address of the memory type's base register. */
  baseElem: UIntV;
  /** First element of row 0, relative to baseElem. */
  dramBase: UIntV;
  /** Rows; 0 finishes at once. */
  ySize: UIntV;
  /** Elements per row. */
  xSize: UIntV;
  /** Elements from the start of one row to the start of the next. */
  xStride: UIntV;
  /** log2 of the element bytes and of the bus bytes. */
  logE: number;
  logB: number;
  /** Longest burst, in beats (≤ 256). */
  maxBurst: number;
}

export interface RowBursts {
  /** Beats of the burst offered on `cmd` (width log2Ceil(pageBeats + 1)). */
  beats: UIntV;
  /** The offered burst was taken this cycle. */
  issued: BoolV;
  /** No burst left to issue: before `start`, and from the cycle after the last one was taken. */
  idle: BoolV;
}

/**
 * Walks the DRAM rows of `walk` and offers one burst at a time on `cmd` (valid while `canIssue(beats)`):
 * a row of x_size elements covers ⌈(offset in its first beat + x_size)/(elements per beat)⌉ beats (E < B) or
 * x_size·E/B beats (E ≥ B), cut by `pageBurst`. `start` (a one-cycle pulse while idle) loads row 0 in the
 * next cycle, so the walk's parameters may be latched with `start`. Declares the FSM `<prefix>` and the
 * registers `<prefix>_row_elem`, `_rows_left`, `_addr`, `_rem`.
 */
export function rowBursts(
  prefix: string,
  cmd: HW<DecoupledT<ReturnType<typeof VmeCmd>>>,
  start: BoolV,
  canIssue: (beats: UIntV) => BoolV,
  walk: RowWalk,
): RowBursts {
  const { baseElem, dramBase, ySize, xSize, xStride, logE, logB } = walk;
  const wide = logE >= logB; // E ≥ B: an element is 2^(logE - logB) beats
  const logK = wide ? logE - logB : 0; // beats per element (log2)
  const logN = wide ? 0 : logB - logE; // elements per beat (log2)
  const st = fsm(prefix, ['IDLE', 'INIT', 'REQ'] as const);
  const rowElem = reg(`${prefix}_row_elem`, UInt(32), { init: 0 }); // dram_base + r·x_stride
  const rowsLeft = reg(`${prefix}_rows_left`, UInt(16), { init: 0 });
  const remW = 16 + logK + 1;
  const cur = reg(`${prefix}_addr`, UInt(32), { init: 0 }); // next beat's byte address
  const rem = reg(`${prefix}_rem`, UInt(remW), { init: 0 }); // beats left in this row
  // Start address and beat count of the row whose first element is `elem` (relative to base).
  const rowStart = (elem: UIntV): { addr: UIntV; beats: UIntV } => {
    const ea = baseElem.add(elem);
    const byteAddr = logE > 0 ? ea.shl(logE) : ea;
    if (wide) return { addr: byteAddr, beats: xSize.zext(remW).shl(logK) };
    const off = ea.bits(logN - 1, 0);
    const beats = off
      .zext(remW)
      .add(xSize.zext(remW))
      .add((1 << logN) - 1)
      .shr(logN);
    return { addr: cat(byteAddr.bits(31, logB), U(0, logB)), beats };
  };
  const beats = pageBurst(prefix, cur, rem, logB, walk.maxBurst);
  cmd.valid.set(st.is('REQ').and(canIssue(beats)));
  cmd.bits.addr.set(cur);
  cmd.bits.len.set(beats.sub(1).resize(8));
  const issued = fire(cmd);
  const nextRow = rowElem.add(xStride.zext(32)).named(`${prefix}_next_row`);
  when(st.is('INIT'), () => {
    const s = rowStart(dramBase);
    cur.set(s.addr);
    rem.set(s.beats);
    rowElem.set(dramBase);
    rowsLeft.set(ySize);
    when(ySize.eq(0), () => st.goto('IDLE')).otherwise(() => st.goto('REQ'));
  });
  when(issued, () => {
    when(rem.eq(beats.zext(remW)), () => {
      const s = rowStart(nextRow);
      rowElem.set(nextRow);
      cur.set(s.addr);
      rem.set(s.beats);
      rowsLeft.set(rowsLeft.sub(1));
      when(rowsLeft.eq(1), () => st.goto('IDLE'));
    }).otherwise(() => {
      cur.set(cur.add(beats.zext(32).shl(logB)));
      rem.set(rem.sub(beats.zext(remW)));
    });
  });
  when(start, () => st.goto('INIT'));
  return { beats, issued, idle: st.is('IDLE') };
}
