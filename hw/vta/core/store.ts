// Store: the store stage (STORE, SEMANTICS.md "Memory"). OUT element sram_base + y·x_size + x goes to DRAM
// element dram_base + y·x_stride + x (pads ignored; x_size 0 or y_size 0 only moves tokens). DESIGN.md
// gives the ports.
//
// Datapath, one element per cycle (E < B) or one beat per cycle (E ≥ B) when the memory accepts:
//  - the command generator (burst.ts `rowBursts`) walks the DRAM rows and issues write bursts (bus-aligned,
//    ≤ ST_MAX_BURST beats, never crossing a 4 KiB page); each burst's length also goes into `lenq`, which
//    gives the data side its `last` beats. Bursts outstanding (issued, not acked) are counted.
//  - the reader reads the OUT scratchpad in order (1-cycle read latency) into a small element queue,
//    reading only when the queue has room for the element in flight.
//  - the formatter turns elements into beats: E ≥ B, E/B full beats per element; E < B, the elements of a
//    row are packed into beats at their DRAM slot (element address mod B/E) with byte strobes for the
//    slots written (partial first and last beats). A row's beats are its own (a beat shared with the next
//    row is written twice, each time with its own strobes).
// The instruction completes when every burst is acked.

import { Bool, Bundle, Decoupled, Flip, Module, Queue, UInt, cat, fire, instance, mux, vecAt, when, U } from '../../dsl';
import type { UInt as UIntV, Bool as BoolV } from '../../dsl';
import type { VtaConfig } from '../config';
import { memFields } from './tensor-load';
import { rowBursts } from './burst';
import { InsnEntry, StageStatus, tokenStage } from './stage';
import { VmeWriteClient } from './vme';

/** Longest write burst, in beats. */
export const ST_MAX_BURST = 32;
/** Bursts whose beats are not yet all sent. */
const LEN_QUEUE = 4;
/** Elements read ahead of the formatter. */
const ELEM_QUEUE = 4;

export class Store extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    const t = cfg.tensor.out;
    this.io = this.port(
      Bundle({
        insn: Flip(Decoupled(InsnEntry())),
        tokens: Bundle({ popPrev: Bool(), pushPrev: Bool(), canPopPrev: Flip(Bool()), canPushPrev: Flip(Bool()) }),
        outBase: Flip(UInt(32)),
        wr: VmeWriteClient(cfg.busBits),
        outRead: Bundle({ en: Bool(), addr: UInt(t.logDepth) }),
        outData: Flip(UInt(t.elemBits)),
        status: StageStatus(),
      }),
    );
  }
  get name(): string {
    return `Store_${this.cfg.hash}`;
  }

  build(): void {
    const { cfg, io } = this;
    const t = cfg.tensor.out;
    const busBits = cfg.busBits;
    const logB = Math.log2(busBits / 8);
    const logE = Math.log2(t.elemBytes);
    const wide = logE >= logB;
    const logK = wide ? logE - logB : 0;
    const logN = wide ? 0 : logB - logE;

    // ---- stage control -------------------------------------------------------------------------------
    const ins = io.insn.bits.insn;
    const f = memFields(cfg, ins);
    const noop = f('x_size').eq(0).or(f('y_size').eq(0));
    const engineDone = this.wire('engine_done', Bool(), { default: false });
    const canStart = tokenStage(
      io.insn,
      { pop: io.tokens.popPrev, push: io.tokens.pushPrev, canPop: io.tokens.canPopPrev, canPush: io.tokens.canPushPrev },
      io.status,
      { popNeeded: f('pop_prev').orR(), pushNeeded: f('push_prev').orR(), done: engineDone, skip: noop },
    );
    const startEngine = canStart.and(noop.not()).named('start_engine');
    const sramBase = f('sram_base').resize(t.logDepth);
    const dramBase = this.regEnable(f('dram_base'), canStart, { name: 'dram_base' });
    const ySize = this.regEnable(f('y_size'), canStart, { name: 'y_size' });
    const xSize = this.regEnable(f('x_size'), canStart, { name: 'x_size' });
    const xStride = this.regEnable(f('x_stride'), canStart, { name: 'x_stride' });
    const baseElem = this.regEnable(logE > 0 ? io.outBase.shr(logE) : io.outBase, canStart, { name: 'base_elem' });

    // ---- command generator --------------------------------------------------------------------------
    const lenq = instance('lenq', new Queue(UInt(8), LEN_QUEUE));
    const cg = rowBursts('cg', io.wr.cmd, startEngine, () => lenq.io.enq.ready, {
      baseElem,
      dramBase,
      ySize,
      xSize,
      xStride,
      logE,
      logB,
      maxBurst: ST_MAX_BURST,
    });
    lenq.io.enq.valid.set(cg.issued);
    lenq.io.enq.bits.set(cg.beats.sub(1).resize(8));
    const outstanding = this.reg('outstanding', UInt(8), { init: 0 });
    outstanding.set(outstanding.add(mux(cg.issued, U(1, 8), U(0, 8))).sub(mux(io.wr.ack, U(1, 8), U(0, 8))));
    // In RUN (the walk starts with it): done once every burst is issued, its beats sent and acked.
    engineDone.set(cg.idle.and(lenq.io.deq.valid.not()).and(outstanding.eq(0)));

    // ---- reader --------------------------------------------------------------------------------------
    const elemq = instance('elemq', new Queue(UInt(t.elemBits), ELEM_QUEUE));
    const reading = this.reg('rd_active', Bool(), { init: false });
    const rAddr = this.reg('rd_addr', UInt(t.logDepth), { init: 0 });
    const rx = this.reg('rd_x', UInt(16), { init: 0 });
    const ry = this.reg('rd_y', UInt(16), { init: 0 });
    const pending = this.reg('rd_pending', Bool(), { init: false });
    const qw = elemq.io.count.width;
    const room = elemq.io.count
      .zext(qw + 1)
      .add(mux(pending, U(1, qw + 1), U(0, qw + 1)))
      .lt(ELEM_QUEUE);
    const doRead = reading.and(room).named('do_read');
    io.outRead.en.set(doRead);
    io.outRead.addr.set(rAddr);
    pending.set(doRead);
    elemq.io.enq.valid.set(pending);
    elemq.io.enq.bits.set(io.outData);
    when(doRead, () => {
      rAddr.set(rAddr.add(1));
      when(rx.eq(xSize.sub(1)), () => {
        rx.set(0);
        ry.set(ry.add(1));
        when(ry.eq(ySize.sub(1)), () => reading.set(false));
      }).otherwise(() => rx.set(rx.add(1)));
    });
    when(startEngine, () => {
      reading.set(true);
      rAddr.set(sramBase);
      rx.set(0);
      ry.set(0);
    });

    // ---- formatter -----------------------------------------------------------------------------------
    const head = elemq.io.deq.bits;
    const bcnt = this.reg('fmt_beat_in_burst', UInt(8), { init: 0 });
    const beatValid = this.wire('fmt_beat_valid', Bool(), { default: false });
    const allOnes = U((1n << BigInt(busBits / 8)) - 1n, busBits / 8);
    let beatData: UIntV;
    let beatStrb: UIntV;
    let popElem: BoolV;
    const dataFire = fire(io.wr.data);
    if (wide) {
      const k = 1 << logK;
      beatStrb = allOnes;
      if (k === 1) {
        beatData = head;
        popElem = dataFire;
      } else {
        const j = this.reg('fmt_j', UInt(logK), { init: 0 });
        beatData = vecAt(
          Array.from({ length: k }, (_, i) => head.bits((i + 1) * busBits - 1, i * busBits)),
          j,
        );
        when(dataFire, () => j.set(j.add(1)));
        popElem = dataFire.and(j.eq(k - 1));
      }
      beatValid.set(elemq.io.deq.valid);
    } else {
      const n = 1 << logN;
      const slot = this.reg('fmt_slot', UInt(logN), { init: 0 });
      const fx = this.reg('fmt_x', UInt(16), { init: 0 });
      const asm = Array.from({ length: n - 1 }, (_, i) => this.reg(`fmt_asm_${i}`, UInt(t.elemBits), { init: 0 }));
      const asmOn = Array.from({ length: n - 1 }, (_, i) => this.reg(`fmt_on_${i}`, Bool(), { init: false }));
      const rowEnd = fx.eq(xSize.sub(1)).named('fmt_row_end');
      const complete = slot
        .eq(n - 1)
        .or(rowEnd)
        .named('fmt_complete');
      const parts: UIntV[] = [];
      const strbs: UIntV[] = [];
      const eOnes = U((1n << BigInt(t.elemBytes)) - 1n, t.elemBytes);
      const eZero = U(0, t.elemBytes);
      for (let i = 0; i < n; i++) {
        const here = slot.eq(i);
        const on = i < n - 1 ? here.or(asmOn[i]) : here;
        parts.push(mux(here, head, i < n - 1 ? mux(asmOn[i], asm[i], U(0, t.elemBits)) : U(0, t.elemBits)));
        strbs.push(mux(on, eOnes, eZero));
      }
      beatData = cat(...parts.reverse());
      beatStrb = cat(...strbs.reverse());
      beatValid.set(elemq.io.deq.valid.and(complete));
      popElem = elemq.io.deq.valid.and(complete.not().or(dataFire)).named('fmt_pop');
      when(popElem, () => {
        when(complete, () => asmOn.forEach((r) => r.set(false))).otherwise(() => {
          asm.forEach((r, i) =>
            when(slot.eq(i), () => {
              r.set(head);
              asmOn[i].set(true);
            }),
          );
        });
        when(rowEnd, () => {
          fx.set(0);
          slot.set(slot.add(xStride.resize(logN)).sub(xSize.resize(logN)).add(1));
        }).otherwise(() => {
          fx.set(fx.add(1));
          slot.set(slot.add(1));
        });
      });
      when(startEngine, () => {
        fx.set(0);
        slot.set(io.outBase.shr(logE).add(f('dram_base')).resize(logN));
      });
    }
    elemq.io.deq.ready.set(popElem);
    io.wr.data.valid.set(beatValid.and(lenq.io.deq.valid));
    io.wr.data.bits.data.set(beatData);
    io.wr.data.bits.strb.set(beatStrb);
    const lastBeat = bcnt.eq(lenq.io.deq.bits);
    io.wr.data.bits.last.set(lastBeat);
    lenq.io.deq.ready.set(dataFire.and(lastBeat));
    when(dataFire, () => bcnt.set(mux(lastBeat, U(0, 8), bcnt.add(1))));
  }
}
