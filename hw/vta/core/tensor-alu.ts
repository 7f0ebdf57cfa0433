// TensorAlu: BATCH×BLOCK_OUT int32 lanes of MIN / MAX / ADD / SHR (and MUL when cfg.aluOps has it),
// exactly as SEMANTICS.md "Compute / ALU". One operation per cycle, result registered.
//
// Ports (`io_*`, buses packed with lane 0 in the low bits, layout acc[batch][blockOut]):
//   in_valid Bool, in_op UInt(3) (ALU opcode: MIN 0, MAX 1, ADD 2, SHR 3, MUL 4)   (inputs)
//   in_a, in_b UInt(B·O·32)    operands; the caller broadcasts a sign-extended immediate into in_b
//   out_valid Bool, out_acc UInt(B·O·32), out_low UInt(B·O·outBits)               (outputs, registered)
//
// Timing: inputs at cycle t → out_* at cycle t+1 (one register stage), back to back.
// Lane semantics (a, b signed 32-bit): MIN/MAX signed; ADD wraps; MUL = low 32 bits of a·b;
// SHR: s = b; s ≥ 0 → a >>> min(s, 31); s < 0 → a << −s, 0 when −s ≥ 32. out_low = low outBits of out_acc.
// An opcode the configuration lacks (Fetch rejects it) yields a (unchanged). With the requantization stage
// (cfg.requant), opcode 5 (REQ) gives requantLane(a, in_param word of the lane's output channel) on
// req_* (valid, acc, low), REQ_LATENCY cycles after the inputs, fully pipelined; out_* then carries a.

import { Bool, Bundle, Flip, Module, SInt, UInt, Vec, mux, pack, regNext, unpack, vecOf } from '../../dsl';
import type { SInt as SIntV, UInt as UIntV } from '../../dsl';
import { ALU_OP_NAMES, type VtaConfig } from '../config';
import { ALU_OPCODE_REQ } from '../requant';
import { REQ_LANE_STAGES, REQ_WORD_BITS, requantLane } from './requant-lane';

export const ALU_OPCODE: Readonly<Record<(typeof ALU_OP_NAMES)[number], number>> = { MIN: 0, MAX: 1, ADD: 2, SHR: 3, MUL: 4 };

/** Cycles from the inputs of an ALU REQ to its results on `req` (the other ops take 1, on `out`). */
export const REQ_LATENCY = REQ_LANE_STAGES + 1;

function resultShape(cfg: VtaConfig) {
  const lanes = cfg.batch * cfg.blockOut;
  return Bundle({
    valid: Bool(),
    acc: UInt(lanes * cfg.accBits),
    low: UInt(lanes * cfg.outBits),
  });
}

export function tensorAluIoShape(cfg: VtaConfig) {
  const lanes = cfg.batch * cfg.blockOut;
  return Bundle({
    in: Flip(
      Bundle({
        valid: Bool(),
        op: UInt(3),
        a: UInt(lanes * cfg.accBits),
        b: UInt(lanes * cfg.accBits),
        // With the requantization stage: the parameter entry of opcode 5 (REQ), one word per output lane.
        ...(cfg.requant ? { param: UInt(cfg.blockOut * REQ_WORD_BITS) } : {}),
      }),
    ),
    out: resultShape(cfg),
    // With the requantization stage: the results of opcode 5 (REQ), REQ_LATENCY cycles after the inputs.
    ...(cfg.requant ? { req: resultShape(cfg) } : {}),
  });
}

/** One lane of the ALU (combinational). `op` is the 3-bit ALU opcode. */
export function aluLane(cfg: VtaConfig, op: UIntV, a: SIntV, b: SIntV): SIntV {
  const w = cfg.accBits; // 32
  const bu = b.asUInt();
  // SHR: right by min(b, 31) when b >= 0; left by -b when b < 0, 0 once -b >= 32.
  const neg = b.bit(w - 1);
  const rightAmt = mux(bu.bits(w - 2, 5).orR(), 31, bu.bits(4, 0));
  const m = b.neg().asUInt(); // -b as an unsigned 32-bit number (INT32_MIN gives 2^31)
  const left = mux(m.bits(w - 1, 5).orR(), 0, a.shl(m.bits(4, 0)));
  const shr = mux(neg, left, a.shr(rightAmt));
  let r: SIntV = a;
  const is = (name: keyof typeof ALU_OPCODE) => op.eq(ALU_OPCODE[name]);
  if (cfg.aluOps.includes('MUL')) r = mux(is('MUL'), a.asUInt().mul(bu).trunc(w).asSInt(), r);
  r = mux(is('SHR'), shr, r);
  r = mux(is('ADD'), a.add(b), r);
  r = mux(is('MAX'), mux(a.gt(b), a, b), r);
  r = mux(is('MIN'), mux(a.lt(b), a, b), r);
  return r;
}

export class TensorAlu extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    this.io = this.port(tensorAluIoShape(cfg));
  }
  get name(): string {
    const c = this.cfg;
    return `TensorAlu_${c.batch}x${c.blockOut}${c.aluOps.includes('MUL') ? '_mul' : ''}${c.requant ? '_req' : ''}`;
  }

  build(): void {
    const lanes = this.cfg.batch * this.cfg.blockOut;
    const a = unpack(Vec(lanes, SInt(this.cfg.accBits)), this.io.in.a);
    const b = unpack(Vec(lanes, SInt(this.cfg.accBits)), this.io.in.b);
    const r = a.map((x, i) => aluLane(this.cfg, this.io.in.op, x, b[i]));
    const q = regNext(vecOf(r), { name: 'res_q' });
    this.io.out.valid.set(regNext(this.io.in.valid, { name: 'valid_q', init: false }));
    this.io.out.acc.set(pack(q));
    this.io.out.low.set(pack(vecOf(q.map((x) => x.trunc(this.cfg.outBits)))));
    const ports = this.io as unknown as { in: { param?: UIntV }; req?: TensorAlu['io']['out'] };
    if (this.cfg.requant && ports.in.param && ports.req) this.requantLanes(a, ports.in.param, ports.req);
  }

  /** ALU REQ: the pipelined requantization lanes, lane (b, o) with output channel o's parameter word. */
  private requantLanes(a: readonly SIntV[], param: UIntV, out: TensorAlu['io']['out']): void {
    const words = unpack(Vec(this.cfg.blockOut, UInt(REQ_WORD_BITS)), param);
    const r = a.map((x, i) => requantLane(x, words[i % this.cfg.blockOut], (v, name, stage) => regNext(v, { name: `req${i}_s${stage}_${name}` })));
    let valid = this.io.in.valid.and(this.io.in.op.eq(ALU_OPCODE_REQ));
    for (let s = 1; s <= REQ_LANE_STAGES; s++) valid = regNext(valid, { name: `req_valid_s${s}`, init: false });
    const q = regNext(vecOf(r), { name: 'req_res_q' });
    out.valid.set(regNext(valid, { name: 'req_valid_q', init: false }));
    out.acc.set(pack(q));
    out.low.set(pack(vecOf(q.map((x) => x.trunc(this.cfg.outBits)))));
  }
}
