// Compute: the compute stage (DESIGN.md "Compute"): LOAD UOP, LOAD ACC, GEMM, ALU and FINISH, in order
// (with the knobs also LOAD REQ, ALU REQ: REQUANT.md; LOAD ACC_8BIT: ACC_8BIT.md, acc8-load.ts).
// Owns the UOP, ACC and OUT scratchpads; reads INP/WGT through the Load stage's read ports.
//
// Instruction flow (FSM): IDLE takes the queue head once its pops can be taken (pop_prev → l2g,
// pop_next → s2g, all together) → LOAD: start the UOP or ACC TensorLoad, wait for `done` → or LOOP:
// issue the GEMM/ALU loop nest, one micro-op per cycle → PUSH: wait until the micro-op pipeline has
// drained and every push target can take a token, push, retire (FINISH: `finish`). A GEMM/ALU without
// pushes retires at its last issue and the next GEMM/ALU is taken in that same cycle (no bubble); LOAD
// and FINISH are taken only with the pipeline empty.
//
// Micro-op pipeline (cycle of issue = k, P = cfg.gemmPipelineDepth):
//   k        S0  loop counters → UOP read (sync), index bases base = out-offset + in-offset
//   k+1      S1  uop fields + bases → dst, src, wgt (wrapping mod each buffer's depth);
//                GEMM: INP/WGT read through the Load stage's ports
//   k+2      S2  GEMM: inp/wgt data → GemmCore.in
//   k+1+P    R   ACC read: port A at dst, port B at src (two sync read ports); at ALU initiation
//                interval 2 one port: an ALU's src one cycle earlier, dst at R
//   k+2+P    U   operands = youngest match of (write-back this cycle, write-back one cycle ago, memory);
//                GEMM: GemmCore.dotValid here, accIn = operand A; ALU: TensorAlu.in(a = A, b = imm or B)
//   k+3+P    W   write-back: ACC[dst] = new acc, OUT[dst] = its low bits (GemmCore / TensorAlu outputs)
// A read at R sees writes of earlier cycles only (read-old); the two micro-ops issued just before
// (written at U and at R) are forwarded, so back-to-back micro-ops on one accumulator need no stall.
// ALU REQ (requantization stage) writes back REQ_LATENCY - 1 cycles after W (its lanes are pipelined).
// Another GEMM/ALU issues only after that gap, so to it the REQ is the micro-op issued just before; a REQ
// may follow a REQ in the next cycle unless its destination is that of a REQ still in the lanes.
// Every push waits for the pipeline to drain, so the writes are visible to STORE/LOAD once it pushes.

import { Bool, Bundle, Decoupled, Flip, Module, U, UInt, cat, connect, instance, mem, mux, reg, regNext, when, wire } from '../../dsl';
import type { Bool as BoolV, UInt as UIntV } from '../../dsl';
import type { VtaConfig } from '../config';
import { MEM_TYPE_ACC_8BIT } from '../acc8';
import { ALU_OPCODE_REQ, MEM_TYPE_REQ } from '../requant';
import { acc8Load, shareReadClient } from './acc8-load';
import { GemmCore } from './gemm-core';
import { REQ_LATENCY, TensorAlu } from './tensor-alu';
import { TensorLoad } from './tensor-load';
import { fieldWires } from './insn-fields';
import { InsnEntry, StageStatus } from './stage';
import { VmeReadClient } from './vme';

const OP_LOAD = 0;
const OP_GEMM = 2;
const OP_FINISH = 3;
const OP_ALU = 4;

export class Compute extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    const t = cfg.tensor;
    const readPort = (logDepth: number) => Bundle({ en: Bool(), addr: UInt(logDepth) });
    this.io = this.port(
      Bundle({
        insn: Flip(Decoupled(InsnEntry())),
        tokens: Bundle({
          popPrev: Bool(),
          popNext: Bool(),
          pushPrev: Bool(),
          pushNext: Bool(),
          canPopPrev: Flip(Bool()),
          canPopNext: Flip(Bool()),
          canPushPrev: Flip(Bool()),
          canPushNext: Flip(Bool()),
        }),
        uopBase: Flip(UInt(32)),
        accBase: Flip(UInt(32)),
        rdUop: VmeReadClient(cfg.busBits),
        rdAcc: VmeReadClient(cfg.busBits),
        inpRead: readPort(t.inp.logDepth),
        inpData: Flip(UInt(t.inp.elemBits)),
        wgtRead: readPort(t.wgt.logDepth),
        wgtData: Flip(UInt(t.wgt.elemBits)),
        outRead: Flip(readPort(t.out.logDepth)),
        outData: UInt(t.out.elemBits),
        finish: Bool(),
        gemmUop: Bool(),
        gemmResetUop: Bool(),
        aluUop: Bool(),
        accWrite: Bool(),
        status: StageStatus(),
      }),
    );
  }
  get name(): string {
    return `Compute_${this.cfg.hash}`;
  }

  /**
   * The requantization stage's parameter buffer (hw/vta/REQUANT.md) and its LOAD REQ, which shares the
   * ACC load's VME client and base: the compute stage runs one LOAD at a time, so `toReq` (the current
   * instruction is LOAD REQ) routes the client to one of the two loaders.
   */
  private requantBuffer(cur: UIntV, toReq: BoolV, acc: TensorLoad['io']['rd']) {
    const { cfg, io } = this;
    const geom = cfg.requant!;
    const reqMem = mem('req_mem', { depth: geom.depth, elem: UInt(geom.elemBits), readUnderWrite: 'old' });
    const tlReq = instance('load_req', new TensorLoad(cfg, 'req'));
    tlReq.io.insn.set(cur);
    tlReq.io.base.set(io.accBase);
    reqMem.write(tlReq.io.wr.addr, tlReq.io.wr.data, tlReq.io.wr.en);
    shareReadClient(io.rdAcc, acc, tlReq.io.rd, toReq);
    return { mem: reqMem, load: tlReq, toReq };
  }

  build(): void {
    const { cfg, io } = this;
    const T = cfg.tensor;
    const P = cfg.gemmPipelineDepth;
    const lanes = cfg.batch * cfg.blockOut;
    const logAcc = T.acc.logDepth;
    const logInp = T.inp.logDepth;
    const logWgt = T.wgt.logDepth;
    const logUop = T.uop.logDepth;
    const srcW = Math.max(logAcc, logInp);

    // ---- instruction register and decode ----
    const cur = reg('cur_insn', UInt(128), { init: 0 });
    const curIndex = reg('cur_index', UInt(32), { init: 0 });
    const head = io.insn.bits.insn;
    const curField = fieldWires(cur, 'cur');
    const headField = fieldWires(head, 'head');
    const headPopPrev = headField(cfg.layout.gemm, 'pop_prev').asBool();
    const headPopNext = headField(cfg.layout.gemm, 'pop_next').asBool();
    const opcode = curField(cfg.layout.gemm, 'opcode');
    const isGemm = opcode.eq(OP_GEMM).named('is_gemm');
    const isAlu = opcode.eq(OP_ALU).named('is_alu');
    const isFinish = opcode.eq(OP_FINISH);
    const memType = curField(cfg.layout.mem, 'memory_type');
    const pushPrev = curField(cfg.layout.gemm, 'push_prev').asBool();
    const pushNext = curField(cfg.layout.gemm, 'push_next').asBool();
    const resetReg = curField(cfg.layout.gemm, 'reset_reg').asBool();
    const uopBgn = curField(cfg.layout.gemm, 'uop_bgn');
    const uopEnd = curField(cfg.layout.gemm, 'uop_end');
    const iterOut = curField(cfg.layout.gemm, 'iter_out');
    const iterIn = curField(cfg.layout.gemm, 'iter_in');
    const dstFo = curField(cfg.layout.gemm, 'dst_factor_out');
    const dstFi = curField(cfg.layout.gemm, 'dst_factor_in');
    const srcFo = mux(isAlu, curField(cfg.layout.alu, 'src_factor_out').resize(srcW), curField(cfg.layout.gemm, 'src_factor_out').resize(srcW));
    const srcFi = mux(isAlu, curField(cfg.layout.alu, 'src_factor_in').resize(srcW), curField(cfg.layout.gemm, 'src_factor_in').resize(srcW));
    const wgtFo = curField(cfg.layout.gemm, 'wgt_factor_out');
    const wgtFi = curField(cfg.layout.gemm, 'wgt_factor_in');
    const aluOp = curField(cfg.layout.alu, 'alu_opcode');
    const useImm = curField(cfg.layout.alu, 'use_imm').asBool();
    const imm = curField(cfg.layout.alu, 'imm');

    // ---- memories ----
    const uopMem = mem('uop_mem', { depth: T.uop.depth, elem: UInt(T.uop.elemBits), readUnderWrite: 'old' });
    const accMem = mem('acc_mem', { depth: T.acc.depth, elem: UInt(T.acc.elemBits), readUnderWrite: 'old' });
    const outMem = mem('out_mem', { depth: T.out.depth, elem: UInt(T.out.elemBits), readUnderWrite: 'old' });

    // ---- loads ----
    const tlUop = instance('load_uop', new TensorLoad(cfg, 'uop'));
    const tlAcc = instance('load_acc', new TensorLoad(cfg, 'acc'));
    for (const [tl, base, rd] of [
      [tlUop, io.uopBase, io.rdUop],
      [tlAcc, io.accBase, io.rdAcc],
    ] as const) {
      tl.io.insn.set(cur);
      tl.io.base.set(base);
      // With the requantization stage or LOAD ACC_8BIT, the ACC client is shared (requantBuffer, acc8Load).
      if (!((cfg.requant || cfg.acc8) && tl === tlAcc)) connect(rd, tl.io.rd);
    }
    uopMem.write(tlUop.io.wr.addr, tlUop.io.wr.data, tlUop.io.wr.en);
    const toAcc8 = cfg.acc8 ? memType.eq(MEM_TYPE_ACC_8BIT).named('to_acc8') : null;
    const acc8 = toAcc8 ? acc8Load(cfg, cur, io.accBase, toAcc8, tlAcc.io) : null;
    const req = cfg.requant ? this.requantBuffer(cur, memType.eq(MEM_TYPE_REQ), acc8 ? acc8.rd : tlAcc.io.rd) : null;
    if (acc8 && !req) connect(io.rdAcc, acc8.rd);
    const accLoadWr = acc8 ? acc8.wr : tlAcc.io.wr;

    // ---- FSM ----
    const st = this.fsm('state', ['IDLE', 'LOAD_START', 'LOAD_WAIT', 'LOOP', 'PUSH'] as const);
    // Micro-ops in flight: P+3 after the last issue, counting down; 0 = every write-back has landed.
    const pipeCnt = reg('pipe_cnt', UInt(8), { init: 0 });
    const pipeEmpty = pipeCnt.eq(0).named('pipe_empty');
    const popsOk = headPopPrev.not().or(io.tokens.canPopPrev).and(headPopNext.not().or(io.tokens.canPopNext));
    const pushOk = pushPrev.not().or(io.tokens.canPushPrev).and(pushNext.not().or(io.tokens.canPushNext));
    const noPush = pushPrev.not().and(pushNext.not()).named('no_push');
    const complete = st.is('PUSH').and(pushOk).and(pipeEmpty).named('complete');
    io.tokens.pushPrev.set(complete.and(pushPrev));
    io.tokens.pushNext.set(complete.and(pushNext));
    io.finish.set(complete.and(isFinish));

    // loop counters (S0)
    const uopIdx = reg('uop_idx', UInt(logUop + 1), { init: 0 });
    const iIdx = reg('i_idx', UInt(14), { init: 0 });
    const oIdx = reg('o_idx', UInt(14), { init: 0 });
    const dstOut = reg('dst_off_out', UInt(logAcc), { init: 0 });
    const dstIn = reg('dst_off_in', UInt(logAcc), { init: 0 });
    const srcOut = reg('src_off_out', UInt(srcW), { init: 0 });
    const srcIn = reg('src_off_in', UInt(srcW), { init: 0 });
    const wgtOut = reg('wgt_off_out', UInt(logWgt), { init: 0 });
    const wgtIn = reg('wgt_off_in', UInt(logWgt), { init: 0 });

    const zeroTrip = iterOut
      .eq(0)
      .or(iterIn.eq(0))
      .or(uopEnd.le(uopBgn.zext(logUop + 1)));
    const issue = st.is('LOOP').named('issue');
    // With the requantization stage the micro-op to issue is read one cycle ahead (at the index the loop
    // counter takes next), so its destination is known in the issue cycle (reqHazard).
    const uopNextIdx = cfg.requant ? wire('uop_next_idx', UInt(logUop + 1)) : null;
    const uopPeekWord = uopNextIdx ? uopMem.readSync(uopNextIdx.trunc(logUop)) : null;
    const uopPeek = uopPeekWord ? { word: uopPeekWord, dst: fieldWires(uopPeekWord, 'peek')(cfg.layout.uop, 'dst') } : null;
    const lastU = uopIdx.add(1).ge(uopEnd);
    const lastI = iIdx.add(1).ge(iterIn);
    const lastO = oIdx.add(1).ge(iterOut);
    // ALU initiation interval 2: an ALU micro-op never issues in the cycle after another issue, so the
    // one ACC read port can serve its source (at R-1) and its destination (at R) in consecutive cycles.
    let issueOk = issue.and(zeroTrip.not());
    // ALU REQ writes back REQ_LATENCY - 1 cycles later than every other micro-op. Another micro-op issues
    // only after that gap, so its operands and its write-back see the REQ's as those of the micro-op before.
    // REQs themselves all have that latency, so one may follow another back to back unless it reads (and
    // writes) an accumulator a REQ still in the lanes will write: `reqHazard` compares its destination,
    // known at issue from the prefetched micro-op (uopPeek), with those of the REQs issued in the
    // last REQ_LATENCY - 1 cycles.
    const isReq = cfg.requant ? isAlu.and(aluOp.eq(ALU_OPCODE_REQ)).named('is_req') : null;
    const reqGap = cfg.requant ? reg('req_gap', UInt(Math.max(1, Math.ceil(Math.log2(REQ_LATENCY)))), { init: 0 }) : null;
    let trackReqDst: ((issued: BoolV) => void) | null = null;
    if (reqGap && isReq) {
      const peekDst = uopPeek!.dst.resize(logAcc).add(dstOut.add(dstIn)).named('peek_acc_dst');
      const inFlight = Array.from({ length: REQ_LATENCY - 1 }, (_, i) => ({
        valid: reg(`req_fl${i + 1}_valid`, Bool(), { init: false }),
        dst: reg(`req_fl${i + 1}_dst`, UInt(logAcc), { init: 0 }),
      }));
      const reqHazard = inFlight
        .map((f) => f.valid.and(f.dst.eq(peekDst)))
        .reduce((a, b) => a.or(b))
        .named('req_hazard');
      trackReqDst = (issued) => {
        inFlight[0].valid.set(issued);
        inFlight[0].dst.set(peekDst);
        for (let i = 1; i < inFlight.length; i++) {
          inFlight[i].valid.set(inFlight[i - 1].valid);
          inFlight[i].dst.set(inFlight[i - 1].dst);
        }
      };
      issueOk = issueOk.and(mux(isReq, reqHazard.not(), reqGap.eq(0)));
    }
    if (cfg.aluInitiationInterval === 2) {
      // A REQ reads no ACC source (its src picks a parameter entry), so it may follow any micro-op.
      const issuedLast = reg('issued_last', Bool(), { init: false });
      issueOk = issueOk.and((isReq ? isAlu.and(issuedLast).and(isReq.not()) : isAlu.and(issuedLast)).not());
      issuedLast.set(issueOk);
    }
    const doIssue = issueOk.named('do_issue');
    let reqIssue: BoolV | null = null;
    if (reqGap && isReq) {
      reqIssue = doIssue.and(isReq).named('req_issue');
      trackReqDst!(reqIssue);
      when(reqIssue, () => reqGap.set(REQ_LATENCY - 1)).elsewhen(reqGap.ne(0), () => reqGap.set(reqGap.sub(1)));
    }
    const lastIssue = doIssue.and(lastU).and(lastI).and(lastO).named('last_issue');
    const quickRetire = lastIssue.and(noPush).named('quick_retire');

    // Taking the next instruction: in IDLE, or in the last issue cycle of a GEMM/ALU without pushes (then a
    // following GEMM/ALU issues its first micro-op in the next cycle: no bubble). LOAD (UOP/ACC) and FINISH
    // start only with the pipeline empty, so in-flight micro-ops never race a load's SRAM writes; pushes
    // wait for it in PUSH, so a token always follows the writes it covers. GEMM/ALU after GEMM/ALU keep
    // sequential semantics through the write-back forwarding (the control bits travel with each micro-op).
    const headOp = headField(cfg.layout.gemm, 'opcode');
    const headIsLoop = headOp.eq(OP_GEMM).or(headOp.eq(OP_ALU));
    const canTake = popsOk.and(st.is('IDLE').and(headIsLoop.or(pipeEmpty)).or(quickRetire.and(headIsLoop))).named('can_take');
    const take = canTake.and(io.insn.valid).named('take');
    io.insn.ready.set(canTake);
    io.tokens.popPrev.set(take.and(headPopPrev));
    io.tokens.popNext.set(take.and(headPopNext));

    // zero-trip loops: nothing to issue
    when(st.is('LOOP').and(zeroTrip), () => {
      st.goto('PUSH');
    });
    // (At interval 1 doIssue is exactly this expression; spelled out so the default Verilog is unchanged.)
    when(cfg.aluInitiationInterval === 2 || cfg.requant ? doIssue : issue.and(zeroTrip.not()), () => {
      when(lastU.not(), () => uopIdx.set(uopIdx.add(1))).otherwise(() => {
        uopIdx.set(uopBgn.zext(logUop + 1));
        when(lastI.not(), () => {
          iIdx.set(iIdx.add(1));
          dstIn.set(dstIn.add(dstFi));
          srcIn.set(srcIn.add(srcFi));
          wgtIn.set(wgtIn.add(wgtFi));
        }).otherwise(() => {
          iIdx.set(0);
          dstIn.set(0);
          srcIn.set(0);
          wgtIn.set(0);
          oIdx.set(oIdx.add(1));
          dstOut.set(dstOut.add(dstFo));
          srcOut.set(srcOut.add(srcFo));
          wgtOut.set(wgtOut.add(wgtFo));
          when(lastO, () => {
            when(noPush, () => st.goto('IDLE')).otherwise(() => st.goto('PUSH'));
          });
        });
      });
    });
    const drain = reqIssue ? mux(reqIssue, U(P + 3 + REQ_LATENCY - 1, 8), U(P + 3, 8)) : P + 3;
    when(doIssue, () => pipeCnt.set(drain)).elsewhen(pipeCnt.ne(0), () => pipeCnt.set(pipeCnt.sub(1)));
    // After the issue logic: a take in the last issue cycle overrides its loop-counter updates.
    when(take, () => {
      cur.set(head);
      curIndex.set(io.insn.bits.index);
      st.goto('IDLE');
      const op = headField(cfg.layout.gemm, 'opcode');
      when(op.eq(OP_GEMM).or(op.eq(OP_ALU)), () => st.goto('LOOP'))
        .elsewhen(op.eq(OP_LOAD), () => st.goto('LOAD_START'))
        .otherwise(() => st.goto('PUSH'));
      uopIdx.set(headField(cfg.layout.gemm, 'uop_bgn').zext(logUop + 1));
      iIdx.set(0);
      oIdx.set(0);
      dstOut.set(0);
      dstIn.set(0);
      srcOut.set(0);
      srcIn.set(0);
      wgtOut.set(0);
      wgtIn.set(0);
    });

    // LOAD UOP / LOAD ACC
    const toUop = memType.eq(0);
    const toAcc = memType.eq(3);
    tlUop.io.start.set(st.is('LOAD_START').and(toUop));
    tlAcc.io.start.set(st.is('LOAD_START').and(toAcc));
    let loads = toUop.or(toAcc);
    let loadDone = tlUop.io.done.or(tlAcc.io.done);
    if (acc8 && toAcc8) {
      acc8.load.io.start.set(st.is('LOAD_START').and(toAcc8));
      loads = loads.or(toAcc8);
      loadDone = loadDone.or(acc8.load.io.done);
    }
    if (req) {
      req.load.io.start.set(st.is('LOAD_START').and(req.toReq));
      loads = loads.or(req.toReq);
      loadDone = loadDone.or(req.load.io.done);
    }
    when(st.is('LOAD_START'), () => {
      when(loads, () => st.goto('LOAD_WAIT')).otherwise(() => st.goto('PUSH'));
    });
    when(st.is('LOAD_WAIT').and(loadDone), () => st.goto('PUSH'));
    when(complete, () => st.goto('IDLE'));

    // ---- micro-op pipeline ----
    let uopWord: UIntV;
    if (uopNextIdx && uopPeek) {
      // the loop counter's next value, as the issue and take logic above set it
      const stepped = mux(lastU, uopBgn.zext(logUop + 1), uopIdx.add(1));
      uopNextIdx.set(mux(take, headField(cfg.layout.gemm, 'uop_bgn').zext(logUop + 1), mux(doIssue, stepped, uopIdx)));
      uopWord = regNext(uopPeek.word, { name: 's1_uop' });
    } else {
      uopWord = uopMem.readSync(uopIdx.trunc(logUop), doIssue);
    }
    const s1Valid = regNext(doIssue, { name: 's1_valid', init: false });
    // Control bits of each micro-op travel with it (the next instruction may be issuing behind it).
    const s1Gemm = regNext(isGemm, { name: 's1_is_gemm', init: false });
    const s1Alu = regNext(isAlu, { name: 's1_is_alu', init: false });
    const s1Reset = regNext(resetReg, { name: 's1_reset', init: false });
    const s1Op = regNext(aluOp, { name: 's1_alu_op' });
    const s1UseImm = regNext(useImm, { name: 's1_use_imm', init: false });
    const s1Imm = regNext(imm, { name: 's1_imm' });
    const s1Dst = regNext(dstOut.add(dstIn), { name: 's1_dst_base' });
    const s1Src = regNext(srcOut.add(srcIn), { name: 's1_src_base' });
    const s1Wgt = regNext(wgtOut.add(wgtIn), { name: 's1_wgt_base' });
    const uopField = fieldWires(uopWord, 'uop');
    const ufield = uopField.bind(undefined, cfg.layout.uop); // bound: no frame of its own in source locations
    const dst1 = ufield('dst').resize(logAcc).add(s1Dst).named('s1_dst');
    const src1 = ufield('src').resize(srcW).add(s1Src).named('s1_src');
    const wgt1 = ufield('wgt').resize(logWgt).add(s1Wgt).named('s1_wgt');
    io.inpRead.en.set(s1Valid.and(s1Gemm));
    io.inpRead.addr.set(src1.resize(logInp));
    io.wgtRead.en.set(s1Valid.and(s1Gemm));
    io.wgtRead.addr.set(wgt1);

    const gemm = instance('gemm', new GemmCore(cfg));
    const alu = instance('alu', new TensorAlu(cfg));
    const s2Valid = regNext(s1Valid.and(s1Gemm), { name: 's2_gemm_valid', init: false });
    gemm.io.in.valid.set(s2Valid);
    gemm.io.in.reset.set(regNext(s1Reset, { name: 's2_reset', init: false }));
    gemm.io.in.inp.set(io.inpData);
    gemm.io.in.wgt.set(io.wgtData);

    // R: P cycles after S1
    let rValid = s1Valid;
    let rDst = dst1;
    let rSrc = src1.resize(logAcc);
    let rGemm = s1Gemm;
    let rAlu = s1Alu;
    let rOp = s1Op;
    let rUseImm = s1UseImm;
    let rImm = s1Imm;
    // The micro-op one stage before R (for the early source read at ALU initiation interval 2).
    let early = { valid: rValid, alu: rAlu, useImm: rUseImm, src: rSrc, op: rOp };
    for (let i = 1; i <= P; i++) {
      if (i === P) early = { valid: rValid, alu: rAlu, useImm: rUseImm, src: rSrc, op: rOp };
      rValid = regNext(rValid, { name: `r${i}_valid`, init: false });
      rDst = regNext(rDst, { name: `r${i}_dst` });
      rSrc = regNext(rSrc, { name: `r${i}_src` });
      rGemm = regNext(rGemm, { name: `r${i}_is_gemm`, init: false });
      rAlu = regNext(rAlu, { name: `r${i}_is_alu`, init: false });
      rOp = regNext(rOp, { name: `r${i}_alu_op` });
      rUseImm = regNext(rUseImm, { name: `r${i}_use_imm`, init: false });
      rImm = regNext(rImm, { name: `r${i}_imm` });
    }
    let accA: UIntV;
    let accB: UIntV;
    if (cfg.aluInitiationInterval === 2) {
      // One read port: an ALU micro-op's source at R-1, every micro-op's destination at R.
      // (An ALU REQ's src is a parameter entry, not an ACC row: it may issue right after another micro-op.)
      let srcReadCond = early.valid.and(early.alu).and(early.useImm.not());
      if (cfg.requant) srcReadCond = srcReadCond.and(early.op.ne(ALU_OPCODE_REQ));
      const srcRead = srcReadCond.named('acc_src_read');
      accA = accMem.readSync(mux(srcRead, early.src, rDst), srcRead.or(rValid));
      accB = regNext(accA, { name: 'acc_src_q' });
    } else {
      accA = accMem.readSync(rDst, rValid);
      accB = accMem.readSync(rSrc, rValid.and(rAlu).and(rUseImm.not()));
    }
    const uValid = regNext(rValid, { name: 'u_valid', init: false });
    const uDst = regNext(rDst, { name: 'u_dst' });
    const uSrc = regNext(rSrc, { name: 'u_src' });
    const uGemm = regNext(rGemm, { name: 'u_is_gemm', init: false });
    const uAlu = regNext(rAlu, { name: 'u_is_alu', init: false });
    const uOp = regNext(rOp, { name: 'u_alu_op' });
    const uUseImm = regNext(rUseImm, { name: 'u_use_imm', init: false });
    const uImm = regNext(rImm, { name: 'u_imm' });

    // W: the write-back of this cycle, and the one of the cycle before
    let wValid = regNext(uValid, { name: 'w_valid', init: false });
    let wDst = regNext(uDst, { name: 'w_dst' });
    const wGemm = regNext(uGemm, { name: 'w_is_gemm', init: false });
    let wAcc = mux(wGemm, gemm.io.out.acc, alu.io.out.acc).named('w_acc');
    let wLow = mux(wGemm, gemm.io.out.low, alu.io.out.low).named('w_low');
    if (req) {
      // ALU REQ: its results leave the ALU's `req` port REQ_LATENCY cycles after U, in the last cycle of
      // its issue gap (so never beside another write-back), and take the write-back's place
      const reqOut = (alu.io as unknown as { req: typeof alu.io.out }).req;
      const uReq = uAlu.and(uOp.eq(ALU_OPCODE_REQ));
      const wReq = regNext(uReq, { name: 'w_is_req', init: false });
      let reqDst = uDst;
      for (let i = 1; i <= REQ_LATENCY; i++) reqDst = regNext(reqDst, { name: `req_w${i}_dst` });
      wValid = wValid.and(wReq.not()).or(reqOut.valid).named('wb_valid');
      wDst = mux(reqOut.valid, reqDst, wDst).named('wb_dst');
      wAcc = mux(reqOut.valid, reqOut.acc, wAcc).named('wb_acc');
      wLow = mux(reqOut.valid, reqOut.low, wLow).named('wb_low');
    }
    const w1Valid = regNext(wValid, { name: 'w1_valid', init: false });
    const w1Dst = regNext(wDst, { name: 'w1_dst' });
    const w1Acc = regNext(wAcc, { name: 'w1_acc' });
    const fwd = (addr: UIntV, memData: UIntV, name: string): UIntV =>
      mux(wValid.and(wDst.eq(addr)), wAcc, mux(w1Valid.and(w1Dst.eq(addr)), w1Acc, memData)).named(name);
    const opA = fwd(uDst, accA, 'op_a');
    let srcMem = accB;
    if (cfg.aluInitiationInterval === 2) {
      // The early source read misses one more write-back: the one landing at R-1 (two cycles before U).
      const w2Valid = regNext(w1Valid, { name: 'w2_valid', init: false });
      const w2Dst = regNext(w1Dst, { name: 'w2_dst' });
      const w2Acc = regNext(w1Acc, { name: 'w2_acc' });
      srcMem = mux(w2Valid.and(w2Dst.eq(uSrc)), w2Acc, accB).named('acc_src_w2');
    }
    const opB = fwd(uSrc, srcMem, 'op_b');

    gemm.io.accIn.set(opA);
    const immLanes = uImm.asSInt().sext(cfg.accBits).asUInt();
    const immBus = cat(...Array.from({ length: lanes }, () => immLanes));
    alu.io.in.valid.set(uValid.and(uAlu));
    alu.io.in.op.set(uOp);
    alu.io.in.a.set(opA);
    alu.io.in.b.set(mux(uUseImm, immBus, opB));
    if (req) {
      // ALU REQ: the parameter entry at the micro-op's src, read at R like the ACC operands (written
      // only by LOAD REQ, which starts with the pipeline empty, so no forwarding)
      const reqDepthBits = cfg.requant!.logDepth;
      const param = req.mem.readSync(rSrc.resize(reqDepthBits), rValid.and(rAlu));
      (alu.io.in as unknown as { param: UIntV }).param.set(param);
    }

    // ACC: written by LOAD ACC (or ACC_8BIT) or by the write-back (never both: a LOAD starts with the pipeline empty)
    const accWrEn = wValid.or(accLoadWr.en).named('acc_wr_en');
    accMem.write(mux(wValid, wDst, accLoadWr.addr), mux(wValid, wAcc, accLoadWr.data), accWrEn);
    outMem.write(wDst, wLow, wValid);
    io.outData.set(outMem.readSync(io.outRead.addr, io.outRead.en));

    // ---- events and status ----
    io.gemmUop.set(doIssue.and(isGemm).and(resetReg.not()));
    io.gemmResetUop.set(doIssue.and(isGemm).and(resetReg));
    io.aluUop.set(doIssue.and(isAlu));
    io.accWrite.set(accWrEn);
    io.status.busy.set(st.is('IDLE').not().or(pipeEmpty.not()));
    io.status.tokenStall.set(st.is('IDLE').and(io.insn.valid).and(popsOk.not()));
    io.status.retired.set(complete.or(quickRetire));
    io.status.pc.set(mux(st.is('IDLE'), io.insn.bits.index, curIndex));
  }
}
