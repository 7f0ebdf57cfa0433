// Store: the store stage (STORE, SEMANTICS.md "Memory"). OUT element sram_base + y·x_size + x goes to DRAM
// element dram_base + y·x_stride + x (pads ignored; x_size 0 or y_size 0 only moves tokens). DESIGN.md
// gives the ports.
//
// Datapath, one element per cycle (E < B) or one beat per cycle (E ≥ B) when the memory accepts:
//  - the command generator walks the DRAM rows and issues write bursts (bus-aligned, ≤ ST_MAX_BURST beats,
//    never crossing a 4 KiB page); each burst's length also goes into `lenq`, which gives the data side
//    its `last` beats. Bursts outstanding (issued, not acked) are counted.
//  - the reader reads the OUT scratchpad in order (1-cycle read latency) into a small element queue,
//    reading only when the queue has room for the element in flight.
//  - the formatter turns elements into beats: E ≥ B, E/B full beats per element; E < B, the elements of a
//    row are packed into beats at their DRAM slot (element address mod B/E) with byte strobes for the
//    slots written (partial first and last beats). A row's beats are its own (a beat shared with the next
//    row is written twice, each time with its own strobes).
// The instruction completes when every burst is acked.

import {
  Bool, Bundle, Decoupled, Flip, Module, Queue, UInt, cat, fire, instance, log2Ceil, mux, vecAt, when, U,
} from '../../dsl';
import type { UInt as UIntV, Bool as BoolV } from '../../dsl';
import type { VtaConfig } from '../config';
import { memField } from './tensor-load';

/** A VME write client, seen from the client. */
export const WriteClient = (busBits: number) => Bundle({
  cmd: Decoupled(Bundle({ addr: UInt(32), len: UInt(8) })),
  data: Decoupled(Bundle({ data: UInt(busBits), strb: UInt(busBits / 8), last: Bool() })),
  ack: Flip(Bool()),
});
/** An instruction queue entry. */
export const InsnEntry = () => Bundle({ insn: UInt(128), index: UInt(32) });
/** Stage status (DESIGN.md "Stage status"). */
export const StageStatus = () => Bundle({ busy: Bool(), tokenStall: Bool(), retired: Bool(), pc: UInt(32) });

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
    this.io = this.port(Bundle({
      insn: Flip(Decoupled(InsnEntry())),
      tokens: Bundle({ popPrev: Bool(), pushPrev: Bool(), canPopPrev: Flip(Bool()), canPushPrev: Flip(Bool()) }),
      outBase: Flip(UInt(32)),
      wr: WriteClient(cfg.busBits),
      outRead: Bundle({ en: Bool(), addr: UInt(t.logDepth) }),
      outData: Flip(UInt(t.elemBits)),
      status: StageStatus(),
    }));
  }
  get name(): string { return `Store_${this.cfg.hash}`; }

  build(): void {
    const { cfg, io } = this;
    const t = cfg.tensor.out;
    const busBits = cfg.busBits;
    const logB = Math.log2(busBits / 8);
    const logE = Math.log2(t.elemBytes);
    const wide = logE >= logB;
    const logK = wide ? logE - logB : 0;
    const logN = wide ? 0 : logB - logE;
    const M = ST_MAX_BURST;
    const pageBeats = 4096 >> logB;

    // ---- stage control -------------------------------------------------------------------------------
    const st = this.fsm('stage', ['IDLE', 'RUN', 'PUSH'] as const);
    const ins = io.insn.bits.insn;
    const f = (n: string) => memField(cfg, ins, n);
    const popNeeded = f('pop_prev').orR();
    const canStart = st.is('IDLE').and(io.insn.valid).and(popNeeded.not().or(io.tokens.canPopPrev)).named('can_start');
    io.insn.ready.set(canStart);
    io.tokens.popPrev.set(canStart.and(popNeeded));
    const pushNeeded = this.regEnable(f('push_prev').orR(), canStart, { name: 'push_needed' });
    const pcReg = this.regEnable(io.insn.bits.index, canStart, { name: 'pc_reg', init: 0 });
    const noop = f('x_size').eq(0).or(f('y_size').eq(0));
    const startEngine = canStart.and(noop.not()).named('start_engine');
    const sramBase = f('sram_base').resize(t.logDepth);
    const dramBase = this.regEnable(f('dram_base'), canStart, { name: 'dram_base' });
    const ySize = this.regEnable(f('y_size'), canStart, { name: 'y_size' });
    const xSize = this.regEnable(f('x_size'), canStart, { name: 'x_size' });
    const xStride = this.regEnable(f('x_stride'), canStart, { name: 'x_stride' });
    const baseElem = this.regEnable(logE > 0 ? io.outBase.shr(logE) : io.outBase, canStart, { name: 'base_elem' });
    const engineDone = this.wire('engine_done', Bool(), { default: false });
    when(canStart, () => { when(noop, () => st.goto('PUSH')).otherwise(() => st.goto('RUN')); });
    when(st.is('RUN').and(engineDone), () => st.goto('PUSH'));
    const pushOk = st.is('PUSH').and(pushNeeded.not().or(io.tokens.canPushPrev)).named('push_ok');
    io.tokens.pushPrev.set(pushOk.and(pushNeeded));
    when(pushOk, () => st.goto('IDLE'));
    io.status.busy.set(st.is('IDLE').not());
    io.status.tokenStall.set(st.is('IDLE').and(io.insn.valid).and(popNeeded).and(io.tokens.canPopPrev.not()));
    io.status.retired.set(pushOk);
    io.status.pc.set(mux(st.is('IDLE').and(io.insn.valid), io.insn.bits.index, pcReg));

    // ---- command generator --------------------------------------------------------------------------
    const lenq = instance('lenq', new Queue(UInt(8), LEN_QUEUE));
    const cg = this.fsm('cg', ['IDLE', 'INIT', 'REQ', 'FIN'] as const);
    const rowElem = this.reg('cg_row_elem', UInt(32), { init: 0 });
    const rowsLeft = this.reg('cg_rows_left', UInt(16), { init: 0 });
    const remW = 16 + logK + 1;
    const cur = this.reg('cg_addr', UInt(32), { init: 0 });
    const rem = this.reg('cg_rem', UInt(remW), { init: 0 });
    const rowStart = (elem: UIntV): { addr: UIntV; beats: UIntV } => {
      const ea = baseElem.add(elem);
      const byteAddr = logE > 0 ? ea.shl(logE) : ea;
      if (wide) return { addr: byteAddr, beats: xSize.zext(remW).shl(logK) };
      const off = ea.bits(logN - 1, 0);
      const beats = off.zext(remW).add(xSize.zext(remW)).add((1 << logN) - 1).shr(logN);
      return { addr: cat(byteAddr.bits(31, logB), U(0, logB)), beats };
    };
    const bw = log2Ceil(pageBeats + 1);
    const toPage = U(pageBeats, bw).sub(cur.bits(11, logB).zext(bw)).named('cg_to_page');
    const remClamp = mux(rem.lt(M), rem.resize(bw), U(M, bw));
    const burst = mux(toPage.lt(remClamp), toPage, remClamp).named('cg_burst');
    io.wr.cmd.valid.set(cg.is('REQ').and(lenq.io.enq.ready));
    io.wr.cmd.bits.addr.set(cur);
    io.wr.cmd.bits.len.set(burst.sub(1).resize(8));
    const issued = fire(io.wr.cmd);
    lenq.io.enq.valid.set(issued);
    lenq.io.enq.bits.set(burst.sub(1).resize(8));
    const nextRow = rowElem.add(xStride.zext(32)).named('cg_next_row');
    when(startEngine, () => cg.goto('INIT'));
    when(cg.is('INIT'), () => {
      const s = rowStart(dramBase);
      cur.set(s.addr);
      rem.set(s.beats);
      rowElem.set(dramBase);
      rowsLeft.set(ySize);
      cg.goto('REQ');
    });
    when(issued, () => {
      when(rem.eq(burst.zext(remW)), () => {
        const s = rowStart(nextRow);
        rowElem.set(nextRow);
        cur.set(s.addr);
        rem.set(s.beats);
        rowsLeft.set(rowsLeft.sub(1));
        when(rowsLeft.eq(1), () => cg.goto('FIN'));
      }).otherwise(() => {
        cur.set(cur.add(burst.zext(32).shl(logB)));
        rem.set(rem.sub(burst.zext(remW)));
      });
    });
    const outstanding = this.reg('outstanding', UInt(8), { init: 0 });
    outstanding.set(outstanding.add(mux(issued, U(1, 8), U(0, 8))).sub(mux(io.wr.ack, U(1, 8), U(0, 8))));
    when(cg.is('FIN').and(lenq.io.deq.valid.not()).and(outstanding.eq(0)), () => {
      engineDone.set(true);
      cg.goto('IDLE');
    });

    // ---- reader --------------------------------------------------------------------------------------
    const elemq = instance('elemq', new Queue(UInt(t.elemBits), ELEM_QUEUE));
    const reading = this.reg('rd_active', Bool(), { init: false });
    const rAddr = this.reg('rd_addr', UInt(t.logDepth), { init: 0 });
    const rx = this.reg('rd_x', UInt(16), { init: 0 });
    const ry = this.reg('rd_y', UInt(16), { init: 0 });
    const pending = this.reg('rd_pending', Bool(), { init: false });
    const qw = elemq.io.count.width;
    const room = elemq.io.count.zext(qw + 1).add(mux(pending, U(1, qw + 1), U(0, qw + 1))).lt(ELEM_QUEUE);
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
        beatData = vecAt(Array.from({ length: k }, (_, i) => head.bits((i + 1) * busBits - 1, i * busBits)), j);
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
      const complete = slot.eq(n - 1).or(rowEnd).named('fmt_complete');
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
          asm.forEach((r, i) => when(slot.eq(i), () => { r.set(head); asmOn[i].set(true); }));
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
