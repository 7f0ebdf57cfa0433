// Fetch: on the rising edge of `launch`, reads `insnCount` 16-byte instructions from `insnAddr` (16-byte
// aligned) through a VME read client, checks each one's legality and dispatches it, tagged with its index,
// to the load, compute or store instruction queue (SEMANTICS.md "Stages"), in program order.
//
// Beats land in a staging queue of STAGE_BEATS entries. A burst command is issued only when the staging
// queue has room for all of its beats counting the beats still in flight (`credits`), so the read client
// never has to refuse data; with bursts of at most half the staging depth, two bursts are in flight.
// Instructions are assembled from beats: a 64-bit bus needs two beats per instruction, a 128-bit bus one, a
// 256/512-bit bus carries two/four per beat (the first beat may start in the middle when insnAddr is not
// bus-aligned). An illegal instruction (opcode 5-7, LOAD memory_type > 3, an ALU opcode the configuration
// lacks) stops dispatch: `error` rises with `errorIndex` and stays until the next launch; the remaining
// beats in flight are drained.

import { Bool, Bundle, Decoupled, Flip, Module, Queue, UInt, U, cat, connect, fire, log2Ceil, mux, vecAt, when } from '../../dsl';
import type { VtaConfig } from '../config';
import { ALU_OP_NAMES, MEM_TYPE } from '../config';
import { OPCODE, ALU_OPCODE } from '../isa';
import { MEM_TYPE_ACC_8BIT } from '../acc8';
import { ALU_OPCODE_REQ, MEM_TYPE_REQ } from '../requant';
import { pageBurst } from './burst';
import { fieldWires } from './insn-fields';
import { InsnEntry, StageStatus } from './stage';
import { VmeReadClient } from './vme';

/** Longest fetch burst, in beats; the staging queue holds two such bursts. */
export const FETCH_BURST_BEATS = 16;
export const FETCH_STAGE_BEATS = 2 * FETCH_BURST_BEATS;

export class Fetch extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    this.io = this.port(
      Bundle({
        launch: Flip(Bool()),
        insnCount: Flip(UInt(32)),
        insnAddr: Flip(UInt(32)),
        rd: VmeReadClient(cfg.busBits),
        load: Decoupled(InsnEntry()),
        compute: Decoupled(InsnEntry()),
        store: Decoupled(InsnEntry()),
        error: Bool(),
        errorIndex: UInt(32),
        status: StageStatus(),
      }),
    );
  }
  get name(): string {
    const c = this.cfg;
    return `Fetch_b${c.busBits}_q${c.insnQueueDepth}_${c.aluOps.join('').toLowerCase()}_${c.layout.mem.byName.memory_type.lsb}_${c.layout.alu.byName.alu_opcode.lsb}${c.requant ? '_req' : ''}${c.acc8 ? '_acc8' : ''}`;
  }

  build(): void {
    const cfg = this.cfg;
    const io = this.io;
    const d = cfg.busBits;
    const busBytes = d / 8;
    const logB = log2Ceil(busBytes);
    const S = FETCH_STAGE_BEATS;
    const cw = log2Ceil(S + 1);

    // ---- launch edge, state ----
    const launchPrev = this.regNext(io.launch, { name: 'launch_prev', init: false });
    const rise = io.launch.and(launchPrev.not()).named('launch_rise');
    const st = this.fsm('state', ['IDLE', 'RUN', 'DRAIN'] as const);

    // ---- burst commands ----
    const cmdAddr = this.reg('cmd_addr', UInt(32), { init: 0 });
    const beatsToReq = this.reg('beats_to_req', UInt(32), { init: 0 });
    const credits = this.reg('credits', UInt(cw), { init: S });
    const insnLeft = this.reg('insn_left', UInt(32), { init: 0 });
    const nextIndex = this.reg('next_index', UInt(32), { init: 0 });

    // cmdAddr stays bus-aligned: it starts aligned and advances by whole beats.
    const burst = pageBurst('cmd', cmdAddr, beatsToReq, logB, FETCH_BURST_BEATS).zext(32);
    const cmdValid = st.is('RUN').and(beatsToReq.ne(0)).and(credits.zext(32).ge(burst));
    io.rd.cmd.valid.set(cmdValid);
    io.rd.cmd.bits.addr.set(cmdAddr);
    io.rd.cmd.bits.len.set(burst.sub(1).trunc(8));
    const cmdFire = fire(io.rd.cmd);
    when(cmdFire, () => {
      cmdAddr.set(cmdAddr.add(burst.shl(logB)));
      beatsToReq.set(beatsToReq.sub(burst));
    });

    // ---- staging queue of beats ----
    const stage = this.instance('stage', new Queue(UInt(d), S));
    stage.io.enq.valid.set(io.rd.data.valid);
    stage.io.enq.bits.set(io.rd.data.bits.data);
    const beat = stage.io.deq;
    const beatDeq = this.wire('beat_deq', Bool(), { default: false });
    beat.ready.set(beatDeq);
    const beatTaken = beat.valid.and(beatDeq);
    credits.set(credits.sub(mux(cmdFire, burst.trunc(cw), U(0, cw))).add(mux(beatTaken, U(1, cw), U(0, cw))));

    // ---- the instruction being dispatched ----
    const curValid = this.reg('cur_valid', Bool(), { init: false });
    const cur = this.reg('cur_insn', UInt(128), { init: 0 });
    const curIndex = this.reg('cur_index', UInt(32), { init: 0 });

    // ---- legality and routing of `cur` ----
    const f = fieldWires(cur, 'cur');
    const opcode = f(cfg.layout.mem, 'opcode');
    const memType = f(cfg.layout.mem, 'memory_type');
    const aluOp = f(cfg.layout.alu, 'alu_opcode');
    let aluLegal = cfg.aluOps.map((o) => aluOp.eq(ALU_OPCODE[o])).reduce((a, b) => a.or(b));
    void ALU_OP_NAMES;
    const isLoad = opcode.eq(OPCODE.LOAD);
    let badMemType = memType.gt(MEM_TYPE.ACC);
    if (cfg.requant) {
      // The requantization stage (hw/vta/REQUANT.md): LOAD REQ (to the compute stage) and ALU REQ.
      aluLegal = aluLegal.or(aluOp.eq(ALU_OPCODE_REQ));
      badMemType = badMemType.and(memType.ne(MEM_TYPE_REQ));
    }
    if (cfg.acc8) badMemType = badMemType.and(memType.ne(MEM_TYPE_ACC_8BIT)); // LOAD ACC_8BIT, to compute (ACC_8BIT.md)
    const illegal = opcode.gt(OPCODE.ALU).or(isLoad.and(badMemType)).or(opcode.eq(OPCODE.ALU).and(aluLegal.not())).named('illegal');
    const toStore = opcode.eq(OPCODE.STORE);
    const toLoad = isLoad.and(memType.eq(MEM_TYPE.INP).or(memType.eq(MEM_TYPE.WGT)));
    const toCompute = toStore.not().and(toLoad.not());

    const q = (name: string) => this.instance(name, new Queue(InsnEntry(), cfg.insnQueueDepth));
    const qLoad = q('load_q');
    const qCompute = q('compute_q');
    const qStore = q('store_q');
    const dispatchable = curValid.and(illegal.not()).and(st.is('RUN'));
    const targets: [typeof qLoad, ReturnType<typeof toLoad.and>][] = [
      [qLoad, toLoad],
      [qCompute, toCompute],
      [qStore, toStore],
    ];
    for (const [qq, sel] of targets) {
      qq.io.enq.valid.set(dispatchable.and(sel));
      qq.io.enq.bits.insn.set(cur);
      qq.io.enq.bits.index.set(curIndex);
    }
    connect(io.load, qLoad.io.deq);
    connect(io.compute, qCompute.io.deq);
    connect(io.store, qStore.io.deq);
    const dispatched = dispatchable
      .and(toLoad.and(qLoad.io.enq.ready).or(toCompute.and(qCompute.io.enq.ready)).or(toStore.and(qStore.io.enq.ready)))
      .named('dispatched');

    // ---- error ----
    const errReg = this.reg('err', Bool(), { init: false });
    const errIndex = this.reg('err_index', UInt(32), { init: 0 });
    const raise = curValid.and(illegal).and(st.is('RUN')).named('raise_error');
    when(raise, () => {
      errReg.set(true);
      errIndex.set(curIndex);
    });
    io.error.set(errReg.and(rise.not()));
    io.errorIndex.set(errIndex);

    // ---- assembly: next instruction from the staging queue into `cur` ----
    const canTake = curValid.not().or(dispatched).and(st.is('RUN')).and(insnLeft.ne(0)).named('can_take');
    const produce = this.wire('produce', Bool(), { default: false });
    const produced = this.wire('produced_insn', UInt(128), { default: 0 });
    let startSlot: ((addr: UInt) => void) | undefined;
    if (busBytes < 16) {
      // Several beats per instruction, low beat first.
      const k = 16 / busBytes;
      const part = this.reg('part', UInt(log2Ceil(k)), { init: 0 });
      const low = this.reg('low_beats', UInt(128 - d), { init: 0 });
      const last = part.eq(k - 1);
      beatDeq.set(st.is('RUN').and(last.not().or(canTake)));
      when(beatTaken, () => {
        part.set(mux(last, U(0, part.width), part.add(1)));
        // Beat p goes to bits [p*d +: d]: shift the collected beats down and put the new one on top.
        low.set(k === 2 ? beat.bits : cat(beat.bits, low.bits(128 - d - 1, d)));
      });
      produce.set(beatTaken.and(last));
      produced.set(cat(beat.bits, low));
      startSlot = () => part.set(0);
    } else {
      // One or more instructions per beat.
      const n = busBytes / 16;
      if (n === 1) {
        beatDeq.set(canTake);
        produce.set(beatTaken);
        produced.set(beat.bits);
      } else {
        const slot = this.reg('slot', UInt(log2Ceil(n)), { init: 0 });
        const insns = Array.from({ length: n }, (_, i) => beat.bits.bits(128 * i + 127, 128 * i));
        const lastInBeat = slot.eq(n - 1).or(insnLeft.eq(1));
        beatDeq.set(canTake.and(lastInBeat));
        produce.set(canTake.and(beat.valid));
        produced.set(vecAt(insns, slot));
        when(canTake.and(beat.valid), () => slot.set(mux(lastInBeat, U(0, slot.width), slot.add(1))));
        startSlot = (addr) => slot.set(addr.bits(logB - 1, 4));
      }
    }
    when(produce, () => {
      curValid.set(true);
      cur.set(produced);
      curIndex.set(nextIndex);
      nextIndex.set(nextIndex.add(1));
      insnLeft.set(insnLeft.sub(1));
    }).elsewhen(dispatched.or(raise), () => curValid.set(false));

    // ---- state ----
    const beatsInFlight = credits.ne(S);
    this.switch(st.state)
      .is(st.lit('IDLE'), () => {
        when(rise.and(io.insnCount.ne(0)), () => {
          st.goto('RUN');
          const start = io.insnAddr.shr(logB).shl(logB);
          const end = io.insnAddr.add(io.insnCount.shl(4));
          cmdAddr.set(start);
          beatsToReq.set(
            end
              .add(busBytes - 1)
              .sub(start)
              .shr(logB),
          );
          insnLeft.set(io.insnCount);
          nextIndex.set(0);
          errReg.set(false);
          curValid.set(false);
          startSlot?.(io.insnAddr);
        });
      })
      .is(st.lit('RUN'), () => {
        when(raise, () => st.goto('DRAIN')).elsewhen(insnLeft.eq(0).and(curValid.not().or(dispatched)), () => st.goto('IDLE'));
      })
      .is(st.lit('DRAIN'), () => {
        when(beatsInFlight.not(), () => st.goto('IDLE'));
      });
    // While draining after an error, drop every beat; nothing more is requested.
    when(st.is('DRAIN'), () => beatDeq.set(true));

    io.status.busy.set(st.is('IDLE').not());
    io.status.tokenStall.set(false);
    io.status.retired.set(dispatched);
    io.status.pc.set(curIndex);
  }
}
