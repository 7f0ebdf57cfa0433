// The compute stage's micro-op pipeline after issue (compute.ts issues; DESIGN.md "Compute"), cycle of
// issue = k, P = cfg.gemmPipelineDepth:
//   k+1      S1  uop fields + bases → dst, src, wgt (wrapping mod each buffer's depth);
//                GEMM: INP/WGT read through the Load stage's ports
//   k+2      S2  GEMM: inp/wgt data → GemmCore.in
//   k+1+P    R   ACC read (accOperands: two ports, or one with the source read a cycle early)
//   k+2+P    U   operands = youngest matching write-back, else memory; GemmCore.dotValid / TensorAlu.in
//   k+3+P    W   write-back: ACC[dst] = new acc, OUT[dst] = its low bits
// An ALU REQ's write-back lands REQ_LATENCY - 1 cycles after W, in the place of another's (compute.ts keeps
// the issue slots around it free).
//
// Each micro-op travels as one record, `{ctl, op}`, registered per stage by `stage`: `ctl` holds the
// valid and kind bits (reset to 0, so an empty stage is invalid), `op` the operands (no reset). The
// pipeline is empty when no stage, and no REQ lane, holds a valid micro-op.

import { Bool, Bundle, UInt, assignAll, cat, instance, mux, reg, regNext } from '../../dsl';
import type { Bool as BoolV, Mem, UInt as UIntV, UIntT } from '../../dsl';
import type { VtaConfig } from '../config';
import { ALU_OPCODE_REQ } from '../requant';
import { GemmCore } from './gemm-core';
import { fieldWires } from './insn-fields';
import { REQ_LATENCY, TensorAlu } from './tensor-alu';

/** What one pipeline register holds: control bits (reset to 0) and operand fields (no reset). */
type Staged = { readonly ctl: Readonly<Record<string, BoolV>>; readonly op: Readonly<Record<string, UIntV>> };

/**
 * Registers the record `x` once (one pipeline stage): every field becomes a register `<name>_<field>`;
 * control bits reset to 0.
 */
export function stage<T extends Staged>(x: T, name: string): T {
  const ctl = reg(name, Bundle(Object.fromEntries(Object.keys(x.ctl).map((k) => [k, Bool()]))), { init: false });
  assignAll(ctl, x.ctl);
  if (Object.keys(x.op).length === 0) return { ctl, op: {} } as unknown as T;
  const op = reg(name, Bundle(Object.fromEntries(Object.entries(x.op).map(([k, v]) => [k, UInt(v.width)]))));
  assignAll(op, x.op);
  return { ctl, op } as unknown as T;
}

/** A micro-op as issued (S0): the loop nest's index bases; S1 adds the micro-op's own offsets. */
export type IssuedUop = {
  readonly ctl: { readonly valid: BoolV; readonly isGemm: BoolV; readonly isAlu: BoolV; readonly useImm: BoolV; readonly reset: BoolV };
  readonly op: { readonly aluOp: UIntV; readonly imm: UIntV; readonly dstBase: UIntV; readonly srcBase: UIntV; readonly wgtBase: UIntV };
};

/** A micro-op from S1 to U: what the ACC reads, the GEMM/ALU and the write-back need. */
type InFlightUop = {
  readonly ctl: { readonly valid: BoolV; readonly isGemm: BoolV; readonly isAlu: BoolV; readonly useImm: BoolV };
  readonly op: { readonly aluOp: UIntV; readonly imm: UIntV; readonly dst: UIntV; readonly src: UIntV };
};

/** A write-back to ACC: this cycle's (W), or one of the cycles before (history). */
type WriteBack = { readonly ctl: { readonly valid: BoolV }; readonly op: { readonly dst: UIntV; readonly acc: UIntV } };

/**
 * The write-backs of this cycle and of the cycles before it, youngest first; a read misses the
 * write-backs landing in its own cycle and later, so the list grows as far as the earliest read needs.
 */
class WriteBackHistory {
  private readonly list: WriteBack[];
  constructor(newest: WriteBack) {
    this.list = [newest];
  }
  youngest(n: number): readonly WriteBack[] {
    while (this.list.length < n) this.list.push(stage(this.list[this.list.length - 1], `w${this.list.length}`));
    return this.list.slice(0, n);
  }
}

/** The operand at `addr`: the youngest write-back in `missed` to it, else the memory's data. */
function forward(missed: readonly WriteBack[], addr: UIntV, memData: UIntV, name: string): UIntV {
  return missed.reduceRight((older, wb) => mux(wb.ctl.valid.and(wb.op.dst.eq(addr)), wb.op.acc, older), memData).named(name);
}

/**
 * How ACC is read, decided here only: `two-ports` (ALU initiation interval 1) reads dst and src at R
 * through two ports; `early-src-read` (interval 2) has one port, read for an ALU micro-op's src at R-1
 * and for every dst at R, so an ALU micro-op needs R-1 free: compute.ts issues none in the cycle after
 * another issue (a REQ excepted: it reads no ACC source).
 */
export type AccReadVariant = 'two-ports' | 'early-src-read';
export function accReadVariant(cfg: VtaConfig): AccReadVariant {
  return cfg.aluInitiationInterval === 2 ? 'early-src-read' : 'two-ports';
}

/**
 * The two ACC operands at U of the micro-op `u` (read at R from `r`, or its source at R-1 from `early`),
 * forwarded. A read at R misses the write-backs of the two micro-ops issued just before (landing at U
 * and at R); the early read misses one more.
 */
function accOperands(cfg: VtaConfig, accMem: Mem<UIntT>, early: InFlightUop, r: InFlightUop, u: InFlightUop, history: WriteBackHistory) {
  const missedAtR = 2;
  switch (accReadVariant(cfg)) {
    case 'early-src-read': {
      // An ALU REQ's src is a parameter entry, not an ACC row: it reads nothing here.
      let srcReadCond = early.ctl.valid.and(early.ctl.isAlu).and(early.ctl.useImm.not());
      if (cfg.requant) srcReadCond = srcReadCond.and(early.op.aluOp.ne(ALU_OPCODE_REQ));
      const srcRead = srcReadCond.named('acc_src_read');
      const data = accMem.readSync(mux(srcRead, early.op.src, r.op.dst), srcRead.or(r.ctl.valid));
      const srcData = regNext(data, { name: 'acc_src_q' });
      return {
        a: forward(history.youngest(missedAtR), u.op.dst, data, 'op_a'),
        b: forward(history.youngest(missedAtR + 1), u.op.src, srcData, 'op_b'),
      };
    }
    case 'two-ports': {
      const a = accMem.readSync(r.op.dst, r.ctl.valid);
      const b = accMem.readSync(r.op.src, r.ctl.valid.and(r.ctl.isAlu).and(r.ctl.useImm.not()));
      return { a: forward(history.youngest(missedAtR), u.op.dst, a, 'op_a'), b: forward(history.youngest(missedAtR), u.op.src, b, 'op_b') };
    }
  }
}

export interface UopPipeInputs {
  /** The micro-op issued this cycle (valid = issued). */
  readonly issued: IssuedUop;
  /** The micro-op word, read from UOP at issue (valid at S1). */
  readonly uopWord: UIntV;
  readonly accMem: Mem<UIntT>;
  /** With the requantization stage: its parameter buffer (written only with the pipeline empty). */
  readonly reqMem: Mem<UIntT> | null;
  /** The Load stage's INP/WGT read ports and their data. */
  readonly inpRead: { readonly en: BoolV; readonly addr: UIntV };
  readonly wgtRead: { readonly en: BoolV; readonly addr: UIntV };
  readonly inpData: UIntV;
  readonly wgtData: UIntV;
}

export interface UopPipe {
  /** A micro-op is in flight: some write-back has not landed yet. */
  readonly busy: BoolV;
  /** The write-back of this cycle: ACC[dst] = acc, OUT[dst] = low. */
  readonly writeBack: { readonly valid: BoolV; readonly dst: UIntV; readonly acc: UIntV; readonly low: UIntV };
}

/** Builds S1 → W (inside the compute stage's build()). */
export function uopPipeline(cfg: VtaConfig, io: UopPipeInputs): UopPipe {
  const T = cfg.tensor;
  const P = cfg.gemmPipelineDepth;
  const logAcc = T.acc.logDepth;
  const srcW = io.issued.op.srcBase.width;

  // ---- S1: the micro-op's addresses; GEMM operand reads
  const s1 = stage(io.issued, 's1');
  const ufield = fieldWires(io.uopWord, 'uop').bind(undefined, cfg.layout.uop); // bound: no frame of its own in source locations
  const dst1 = ufield('dst').resize(logAcc).add(s1.op.dstBase).named('s1_dst');
  const src1 = ufield('src').resize(srcW).add(s1.op.srcBase).named('s1_src');
  const wgt1 = ufield('wgt').resize(T.wgt.logDepth).add(s1.op.wgtBase).named('s1_wgt');
  const gemmRead = s1.ctl.valid.and(s1.ctl.isGemm);
  io.inpRead.en.set(gemmRead);
  io.inpRead.addr.set(src1.resize(T.inp.logDepth));
  io.wgtRead.en.set(gemmRead);
  io.wgtRead.addr.set(wgt1);

  // ---- S2: GEMM operands
  const gemm = instance('gemm', new GemmCore(cfg));
  const alu = instance('alu', new TensorAlu(cfg));
  const s2 = stage({ ctl: { valid: gemmRead, reset: s1.ctl.reset }, op: {} }, 's2_gemm');
  gemm.io.in.valid.set(s2.ctl.valid);
  gemm.io.in.reset.set(s2.ctl.reset);
  gemm.io.in.inp.set(io.inpData);
  gemm.io.in.wgt.set(io.wgtData);

  // ---- S1 → R (P stages) → U; stages[0] = S1, stages[P] = R, stages[P + 1] = U
  const { valid, isGemm, isAlu, useImm } = s1.ctl;
  const stages: InFlightUop[] = [{ ctl: { valid, isGemm, isAlu, useImm }, op: { aluOp: s1.op.aluOp, imm: s1.op.imm, dst: dst1, src: src1.resize(logAcc) } }];
  for (let i = 1; i <= P; i++) stages.push(stage(stages[i - 1], `r${i}`));
  const r = stages[P];
  const u = stage(r, 'u');
  stages.push(u);

  // ---- W: this cycle's write-back; an ALU REQ's lands REQ_LATENCY - 1 cycles later, in its place
  const w = stage({ ctl: { valid: u.ctl.valid, isGemm: u.ctl.isGemm }, op: { dst: u.op.dst } }, 'w');
  const inFlight = [...stages.map((s) => s.ctl.valid), w.ctl.valid];
  let wbValid = w.ctl.valid;
  let wbDst = w.op.dst;
  let wbAcc = mux(w.ctl.isGemm, gemm.io.out.acc, alu.io.out.acc).named('w_acc');
  let wbLow = mux(w.ctl.isGemm, gemm.io.out.low, alu.io.out.low).named('w_low');
  if (cfg.requant) {
    // The REQ lanes, tracked beside TensorAlu's: lane i holds the REQ that left U i cycles ago; the last
    // one's results are on the ALU's `req` port now (never beside another write-back: compute.ts's gap).
    const reqOut = (alu.io as unknown as { req: typeof alu.io.out }).req;
    let lane = { ctl: { valid: u.ctl.valid.and(u.ctl.isAlu).and(u.op.aluOp.eq(ALU_OPCODE_REQ)) }, op: { dst: u.op.dst } };
    const lanes = Array.from({ length: REQ_LATENCY }, (_, i) => (lane = stage(lane, `req_w${i + 1}`)));
    inFlight.push(...lanes.map((l) => l.ctl.valid));
    const wIsReq = lanes[0].ctl.valid; // the REQ at W (its own write-back comes later)
    wbValid = wbValid.and(wIsReq.not()).or(reqOut.valid).named('wb_valid');
    wbDst = mux(reqOut.valid, lanes[REQ_LATENCY - 1].op.dst, wbDst).named('wb_dst');
    wbAcc = mux(reqOut.valid, reqOut.acc, wbAcc).named('wb_acc');
    wbLow = mux(reqOut.valid, reqOut.low, wbLow).named('wb_low');
  }
  const history = new WriteBackHistory({ ctl: { valid: wbValid }, op: { dst: wbDst, acc: wbAcc } });

  // ---- R → U: operands; GEMM accumulate, ALU inputs
  const operands = accOperands(cfg, io.accMem, stages[P - 1], r, u, history);
  gemm.io.accIn.set(operands.a);
  const immLanes = u.op.imm.asSInt().sext(cfg.accBits).asUInt();
  const immBus = cat(...Array.from({ length: cfg.batch * cfg.blockOut }, () => immLanes));
  alu.io.in.valid.set(u.ctl.valid.and(u.ctl.isAlu));
  alu.io.in.op.set(u.op.aluOp);
  alu.io.in.a.set(operands.a);
  alu.io.in.b.set(mux(u.ctl.useImm, immBus, operands.b));
  if (io.reqMem) {
    // ALU REQ: the parameter entry at the micro-op's src, read at R like the ACC operands (written
    // only by LOAD REQ, which starts with the pipeline empty, so no forwarding)
    const param = io.reqMem.readSync(r.op.src.resize(cfg.requant!.logDepth), r.ctl.valid.and(r.ctl.isAlu));
    (alu.io.in as unknown as { param: UIntV }).param.set(param);
  }

  const busy = inFlight.reduce((a, b) => a.or(b)).named('uops_in_flight');
  return { busy, writeBack: { valid: wbValid, dst: wbDst, acc: wbAcc, low: wbLow } };
}
