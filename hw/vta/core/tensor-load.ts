// TensorLoad: the 2-D strided DMA of one memory type (UOP, INP, WGT or ACC) from DRAM into an SRAM write
// port, with zero padding on all four sides (SEMANTICS.md "LOAD", vta-reference.md §3.3). DESIGN.md gives
// the ports.
//
// Two independent halves:
//  - the requester (burst.ts `rowBursts`) walks the DRAM rows and issues VME read bursts (bus-aligned, at
//    most TL_MAX_BURST beats, never crossing a 4 KiB page). It keeps a credit count of beats issued but not
//    yet consumed and issues a burst only when the beat buffer can absorb all of it (the VME cannot be
//    back-pressured).
//  - the writer walks the SRAM region [sram_base, sram_base + W·H) in order, one element per cycle:
//    a pad slot is written with zero at once; a data slot waits for its beats in the buffer.
//    E ≥ B (element bytes vs bus bytes): E/B beats are shifted into one element (one beat per cycle).
//    E < B: a beat holds B/E elements; the writer selects element `sel` of the head beat and pops the beat
//    after its last slot or after the last element of a row (the next row asks for its own beats; the
//    first element of a row may sit mid-beat, its slot is the element address mod B/E).
// Both halves compute the same row sequence, so no per-burst bookkeeping passes between them.
//
// The base register and dram_base are element addresses: the DRAM byte address of element k of row r is
// base + (dram_base + r·x_stride + k)·E (mod 2^32); the low log2(E) bits of base are ignored (elements
// are E-aligned, DESIGN.md "Element vs bus alignment").

import { Bool, Bundle, Flip, Module, Queue, UInt, cat, fire, instance, log2Ceil, mux, vecAt, when, U } from '../../dsl';
import type { UInt as UIntV } from '../../dsl';
import type { VtaConfig } from '../config';
import { rowBursts } from './burst';
import { fieldWires } from './insn-fields';
import { VmeReadClient } from './vme';

export type LoadKind = 'uop' | 'inp' | 'wgt' | 'acc';
/**
 * A tensor buffer, 'req': the requantization stage's parameter buffer (hw/vta/REQUANT.md), or 'acc8': ACC
 * rows from int8 DRAM elements (hw/vta/ACC_8BIT.md; the write port carries the int8 lanes, widened after it).
 */
export type TensorLoadKind = LoadKind | 'req' | 'acc8';

/** The element size and depth a LOAD of `kind` writes. */
function loadGeom(cfg: VtaConfig, kind: TensorLoadKind): { logDepth: number; elemBits: number; elemBytes: number } {
  if (kind === 'acc8') {
    if (!cfg.acc8) throw new Error('internal: an ACC_8BIT TensorLoad without ACC_8BIT_LOAD');
    return { logDepth: cfg.tensor.acc.logDepth, elemBits: cfg.acc8.elemBits, elemBytes: cfg.acc8.elemBytes };
  }
  if (kind !== 'req') return cfg.tensor[kind];
  if (!cfg.requant) throw new Error('internal: a REQ TensorLoad without a requantization stage');
  return cfg.requant;
}

/** An SRAM write port, driven by its writer. */
export const SramWrite = (logDepth: number, elemBits: number) =>
  Bundle({
    en: Bool(),
    addr: UInt(logDepth),
    data: UInt(elemBits),
  });

/** Beats the buffer holds (and the most that are ever requested but not yet consumed). */
export const TL_BUFFER_BEATS = 64;
/** Longest burst issued, in beats (≤ 256; a 4 KiB page holds at least 64 beats of a 512-bit bus). */
export const TL_MAX_BURST = 16;

/** The fields of a LOAD/STORE instruction `insn`, by their names in `cfg.layout.mem`, as wires `insn_<field>`. */
export function memFields(cfg: VtaConfig, insn: UIntV): (name: string) => UIntV {
  // Bound rather than wrapped, so that source locations name the caller's line.
  return fieldWires(insn, 'insn').bind(undefined, cfg.layout.mem);
}

export class TensorLoad extends Module {
  readonly io;
  constructor(
    readonly cfg: VtaConfig,
    readonly kind: TensorLoadKind,
  ) {
    super();
    const t = loadGeom(cfg, kind);
    this.io = this.port(
      Bundle({
        start: Flip(Bool()),
        insn: Flip(UInt(128)),
        base: Flip(UInt(32)),
        busy: Bool(),
        done: Bool(),
        rd: VmeReadClient(cfg.busBits),
        wr: SramWrite(t.logDepth, t.elemBits),
      }),
    );
  }
  get name(): string {
    return `TensorLoad_${this.kind}_${this.cfg.hash}`;
  }

  build(): void {
    const { cfg, io } = this;
    const t = loadGeom(cfg, this.kind);
    const busBits = cfg.busBits;
    const logB = Math.log2(busBits / 8);
    const logE = Math.log2(t.elemBytes);
    const wide = logE >= logB; // E ≥ B: an element is 2^(logE - logB) beats
    const logK = wide ? logE - logB : 0; // beats per element (log2)
    const logN = wide ? 0 : logB - logE; // elements per beat (log2)
    const D = TL_BUFFER_BEATS;

    // ---- the instruction, latched at start -------------------------------------------------------
    const f = memFields(cfg, io.insn);
    const start = io.start;
    const xSizeIn = f('x_size');
    const dramBase = this.regEnable(f('dram_base'), start, { name: 'dram_base' });
    const ySize = this.regEnable(f('y_size'), start, { name: 'y_size' });
    const xSize = this.regEnable(xSizeIn, start, { name: 'x_size' });
    const xStride = this.regEnable(f('x_stride'), start, { name: 'x_stride' });
    const yPad0 = this.regEnable(f('y_pad_0'), start, { name: 'y_pad_0' });
    const yPad1 = this.regEnable(f('y_pad_1'), start, { name: 'y_pad_1' });
    const xPad0 = this.regEnable(f('x_pad_0'), start, { name: 'x_pad_0' });
    const xPad1 = this.regEnable(f('x_pad_1'), start, { name: 'x_pad_1' });
    // Element address of the base register (its low log2(E) bits are ignored).
    const baseElem = this.regEnable(logE > 0 ? io.base.shr(logE) : io.base, start, { name: 'base_elem' });
    // Nothing to write: no columns, or no rows at all (pads included).
    const empty = xSizeIn.eq(0).or(f('y_pad_0').orR().not().and(f('y_size').orR().not()).and(f('y_pad_1').orR().not()));

    // ---- the beat buffer and its credits -----------------------------------------------------------
    const buf = instance('beats', new Queue(UInt(busBits), D));
    buf.io.enq.valid.set(io.rd.data.valid);
    buf.io.enq.bits.set(io.rd.data.bits.data);
    const beat = buf.io.deq.bits;
    const popBeat = this.wire('pop_beat', Bool(), { default: false });
    buf.io.deq.ready.set(popBeat);
    const cw = log2Ceil(D + 1);
    // Beats requested and not yet popped (in flight in the VME or waiting in the buffer).
    const reserved = this.reg('reserved', UInt(cw), { init: 0 });

    // ---- requester -------------------------------------------------------------------------------
    // Issues a burst only when the buffer has room for all of its beats.
    const room = U(D, cw + 1)
      .sub(reserved.zext(cw + 1))
      .named('rq_room');
    const rq = rowBursts('rq', io.rd.cmd, start.and(empty.not()), (beats) => room.ge(beats.resize(cw + 1)), {
      baseElem,
      dramBase,
      ySize,
      xSize,
      xStride,
      logE,
      logB,
      maxBurst: TL_MAX_BURST,
    });
    const popped = fire(buf.io.deq);
    const add = mux(rq.issued, rq.beats.resize(cw), U(0, cw));
    reserved.set(reserved.add(add).sub(mux(popped, U(1, cw), U(0, cw))));

    // ---- writer ----------------------------------------------------------------------------------
    const wrState = this.fsm('wr', ['IDLE', 'RUN', 'DONE'] as const);
    const xx = this.reg('wr_x', UInt(17), { init: 0 });
    const yy = this.reg('wr_y', UInt(17), { init: 0 });
    const sAddr = this.reg('wr_addr', UInt(t.logDepth), { init: 0 });
    const xLast = xPad0.zext(17).add(xSize.zext(17)).add(xPad1.zext(17)).sub(1).named('wr_x_last');
    const yLast = yPad0.zext(17).add(ySize.zext(17)).add(yPad1.zext(17)).sub(1).named('wr_y_last');
    const xDataEnd = xPad0.zext(17).add(xSize.zext(17)).named('wr_x_data_end');
    const yDataEnd = yPad0.zext(17).add(ySize.zext(17)).named('wr_y_data_end');
    const inData = yy
      .ge(yPad0.zext(17))
      .and(yy.lt(yDataEnd))
      .and(xx.ge(xPad0.zext(17)))
      .and(xx.lt(xDataEnd))
      .named('wr_in_data');
    const rowEnd = xx.eq(xDataEnd.sub(1)).named('wr_row_end'); // the last data element of a row (when inData)

    const doWrite = this.wire('do_write', Bool(), { default: false });
    let element: UIntV;
    if (wide) {
      const k = 1 << logK;
      if (k === 1) {
        element = beat;
        when(wrState.is('RUN').and(inData).and(buf.io.deq.valid), () => {
          popBeat.set(true);
          doWrite.set(true);
        });
      } else {
        // Beats 0..k-2 shift in from the top; beat k-1 completes the element.
        const part = this.reg('wr_part', UInt(t.elemBits - busBits), { init: 0 });
        const cnt = this.reg('wr_beat', UInt(logK), { init: 0 });
        element = cat(beat, part);
        when(wrState.is('RUN').and(inData).and(buf.io.deq.valid), () => {
          popBeat.set(true);
          cnt.set(cnt.add(1));
          when(cnt.eq(k - 1), () => doWrite.set(true)).otherwise(() => part.set(k === 2 ? beat : cat(beat, part.bits(t.elemBits - busBits - 1, busBits))));
        });
      }
    } else {
      const n = 1 << logN;
      const sel = this.reg('wr_sel', UInt(logN), { init: 0 });
      const slots = Array.from({ length: n }, (_, i) => beat.bits((i + 1) * t.elemBits - 1, i * t.elemBits));
      element = vecAt(slots, sel);
      when(wrState.is('RUN').and(inData).and(buf.io.deq.valid), () => {
        doWrite.set(true);
        popBeat.set(sel.eq(n - 1).or(rowEnd));
        when(rowEnd, () => sel.set(sel.add(xStride.resize(logN)).sub(xSize.resize(logN)).add(1))).otherwise(() => sel.set(sel.add(1)));
      });
      // The first row's slot: the element address of its first element, mod B/E.
      when(start, () => sel.set(io.base.shr(logE).add(f('dram_base')).resize(logN)));
    }
    // Pad slots are written at once.
    when(wrState.is('RUN').and(inData.not()), () => doWrite.set(true));

    io.wr.en.set(doWrite);
    io.wr.addr.set(sAddr);
    io.wr.data.set(mux(inData, element, U(0, t.elemBits)));
    when(doWrite, () => {
      sAddr.set(sAddr.add(1));
      when(xx.eq(xLast), () => {
        xx.set(0);
        yy.set(yy.add(1));
        when(yy.eq(yLast), () => wrState.goto('DONE'));
      }).otherwise(() => xx.set(xx.add(1)));
    });

    // ---- start / done ------------------------------------------------------------------------------
    when(wrState.is('DONE'), () => wrState.goto('IDLE'));
    when(start, () => {
      xx.set(0);
      yy.set(0);
      sAddr.set(f('sram_base').resize(t.logDepth));
      when(empty, () => wrState.goto('DONE')).otherwise(() => wrState.goto('RUN'));
    });
    io.done.set(wrState.is('DONE'));
    io.busy.set(wrState.is('RUN').or(rq.idle.not()));
  }
}
