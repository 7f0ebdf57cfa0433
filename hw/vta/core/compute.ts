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
// Micro-ops: S0 (the issue cycle, k) steps the loop counters, reads the UOP word (sync) and forms the
// index bases (out-offset + in-offset); the pipeline after it, S1 → (S2 GEMM) → R → U → W with the ACC
// forwarding, is uop-pipe.ts. A micro-op writes back at k+3+P (P = cfg.gemmPipelineDepth) and, thanks to
// the forwarding, back-to-back micro-ops on one accumulator need no stall.
// ALU REQ (requantization stage) writes back REQ_LATENCY - 1 cycles after W (its lanes are pipelined).
// Another GEMM/ALU issues only after that gap, so to it the REQ is the micro-op issued just before; a REQ
// may follow a REQ in the next cycle unless its destination is that of a REQ still in the lanes.
// Every push waits for the pipeline to drain, so the writes are visible to STORE/LOAD once it pushes.

import { Bool, Bundle, Decoupled, Flip, Module, UInt, connect, instance, mem, mux, reg, regNext, when, wire } from '../../dsl';
import type { Bool as BoolV, UInt as UIntV } from '../../dsl';
import { MEM_TYPE, type VtaConfig } from '../config';
import { OPCODE } from '../isa';
import { MEM_TYPE_ACC_8BIT } from '../acc8';
import { ALU_OPCODE_REQ, MEM_TYPE_REQ } from '../requant';
import { acc8Load, shareReadClient } from './acc8-load';
import { REQ_LATENCY } from './tensor-alu';
import { TensorLoad } from './tensor-load';
import { fieldWires } from './insn-fields';
import { InsnEntry, StageStatus } from './stage';
import { accReadVariant, uopPipeline } from './uop-pipe';
import { VmeReadClient } from './vme';

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
    const isGemm = opcode.eq(OPCODE.GEMM).named('is_gemm');
    const isAlu = opcode.eq(OPCODE.ALU).named('is_alu');
    const isFinish = opcode.eq(OPCODE.FINISH);
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
    // No micro-op in flight (every write-back has landed): from the pipeline's valid bits, below.
    const pipeEmpty = wire('pipe_empty', Bool());
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
    if (accReadVariant(cfg) === 'early-src-read') {
      // One ACC read port (uop-pipe.ts): an ALU micro-op never issues in the cycle after another issue, so
      // the port serves its source (at R-1) and its destination (at R) in consecutive cycles. A REQ reads
      // no ACC source (its src picks a parameter entry), so it may follow any micro-op.
      const issuedLast = reg('issued_last', Bool(), { init: false });
      issueOk = issueOk.and((isReq ? isAlu.and(issuedLast).and(isReq.not()) : isAlu.and(issuedLast)).not());
      issuedLast.set(issueOk);
    }
    const doIssue = issueOk.named('do_issue');
    if (reqGap && isReq) {
      const reqIssue = doIssue.and(isReq).named('req_issue');
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
    const headIsLoop = headOp.eq(OPCODE.GEMM).or(headOp.eq(OPCODE.ALU));
    const canTake = popsOk.and(st.is('IDLE').and(headIsLoop.or(pipeEmpty)).or(quickRetire.and(headIsLoop))).named('can_take');
    const take = canTake.and(io.insn.valid).named('take');
    io.insn.ready.set(canTake);
    io.tokens.popPrev.set(take.and(headPopPrev));
    io.tokens.popNext.set(take.and(headPopNext));

    // zero-trip loops: nothing to issue
    when(st.is('LOOP').and(zeroTrip), () => {
      st.goto('PUSH');
    });
    when(doIssue, () => {
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
    // After the issue logic: a take in the last issue cycle overrides its loop-counter updates.
    when(take, () => {
      cur.set(head);
      curIndex.set(io.insn.bits.index);
      st.goto('IDLE');
      when(headIsLoop, () => st.goto('LOOP'))
        .elsewhen(headOp.eq(OPCODE.LOAD), () => st.goto('LOAD_START'))
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
    const toUop = memType.eq(MEM_TYPE.UOP);
    const toAcc = memType.eq(MEM_TYPE.ACC);
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

    // ---- micro-op pipeline (uop-pipe.ts) ----
    let uopWord: UIntV;
    if (uopNextIdx && uopPeek) {
      // the loop counter's next value, as the issue and take logic above set it
      const stepped = mux(lastU, uopBgn.zext(logUop + 1), uopIdx.add(1));
      uopNextIdx.set(mux(take, headField(cfg.layout.gemm, 'uop_bgn').zext(logUop + 1), mux(doIssue, stepped, uopIdx)));
      uopWord = regNext(uopPeek.word, { name: 's1_uop' });
    } else {
      uopWord = uopMem.readSync(uopIdx.trunc(logUop), doIssue);
    }
    // Control bits of each micro-op travel with it (the next instruction may be issuing behind it).
    const pipe = uopPipeline(cfg, {
      issued: {
        ctl: { valid: doIssue, isGemm, isAlu, useImm, reset: resetReg },
        op: { aluOp, imm, dstBase: dstOut.add(dstIn), srcBase: srcOut.add(srcIn), wgtBase: wgtOut.add(wgtIn) },
      },
      uopWord,
      accMem,
      reqMem: req ? req.mem : null,
      inpRead: io.inpRead,
      wgtRead: io.wgtRead,
      inpData: io.inpData,
      wgtData: io.wgtData,
    });
    pipeEmpty.set(pipe.busy.not());
    const wb = pipe.writeBack;

    // ACC: written by LOAD ACC (or ACC_8BIT) or by the write-back (never both: a LOAD starts with the pipeline empty)
    const accWrEn = wb.valid.or(accLoadWr.en).named('acc_wr_en');
    accMem.write(mux(wb.valid, wb.dst, accLoadWr.addr), mux(wb.valid, wb.acc, accLoadWr.data), accWrEn);
    outMem.write(wb.dst, wb.low, wb.valid);
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
