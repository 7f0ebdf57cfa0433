// GemmCore: BATCH×BLOCK_IN · (BLOCK_OUT×BLOCK_IN)ᵀ signed int8 products accumulated into BATCH×BLOCK_OUT
// int32 accumulators (wrapping mod 2^32), one tensor operation per cycle, pipelined.
//
// Ports (`io_*`, every bus packed with lane 0 in the low bits, in the DRAM layout):
//   in_valid, in_reset           Bool           (inputs)  an operation / its reset_reg flag
//   in_inp   UInt(B·I·8)         inp[batch][blockIn]       (input)
//   in_wgt   UInt(O·I·8)         wgt[blockOut][blockIn]    (input)
//   dotValid Bool                (output) "present the accumulator of this operation on accIn now"
//   accIn    UInt(B·O·32)        (input)  acc[batch][blockOut], sampled combinationally while dotValid
//   out_valid Bool, out_acc UInt(B·O·32), out_low UInt(B·O·outBits)   (outputs, registered)
//
// Timing, with P = cfg.gemmPipelineDepth (1..8):
//   cycle t       in_valid = 1 with in_inp / in_wgt / in_reset
//   cycle t+P     dotValid = 1: the caller drives accIn with the accumulator operand of that operation
//                 (the value of acc[dst] including every earlier write, i.e. forwarded); it is only
//                 sampled in this cycle, so a write-back that lands at t+P can still be forwarded.
//   cycle t+P+1   out_valid = 1, out_acc = reset ? 0 : wrap32(accIn + Σ inp·wgt), out_low = low
//                 outBits of each lane of out_acc (0 on reset).
// One operation per cycle: back-to-back operations at t, t+1, ... come out at t+P+1, t+P+2, ...
//
// Arithmetic is exact: 8×8 → 16-bit signed products, each adder tree level widens by one bit
// (16 + log2(BLOCK_IN) bits for the dot product), then the dot product is sign-extended to 32 bits and
// added to the accumulator with a wrapping 32-bit add. The P register stages are spread over the
// product level and the log2(BLOCK_IN) adder levels; the last stage always registers the finished dot
// products (extra stages beyond the number of levels are added as plain delay registers there).
// With cfg.gemmDspPacking 2 each multiplier computes two products (lanes 2k, 2k+1) exactly: packedProducts.

import { Bool, Bundle, Flip, Module, SInt, UInt, Vec, mux, pack, regEnable, regNext, section, unpack, vecOf } from '../../dsl';
import type { SInt as SIntV } from '../../dsl';
import type { VtaConfig } from '../config';

export function gemmCoreIoShape(cfg: VtaConfig) {
  const { batch: B, blockIn: I, blockOut: O } = cfg;
  return Bundle({
    in: Flip(
      Bundle({
        valid: Bool(),
        reset: Bool(),
        inp: UInt(B * I * cfg.inpBits),
        wgt: UInt(O * I * cfg.wgtBits),
      }),
    ),
    dotValid: Bool(),
    accIn: Flip(UInt(B * O * cfg.accBits)),
    out: Bundle({
      valid: Bool(),
      acc: UInt(B * O * cfg.accBits),
      low: UInt(B * O * cfg.outBits),
    }),
  });
}

/** Where the register stages go: stage k (1..P) sits after `boundaries[k-1]` of the `levels` levels. */
export function gemmStageBoundaries(levels: number, stages: number): number[] {
  return Array.from({ length: stages }, (_, k) => Math.ceil(((k + 1) * levels) / stages));
}

/** Width the packed products enter the adder tree with (the corrected high product needs 17 bits). */
const PRODUCT_BITS = 17;
/** Where the second weight sits in the packed multiplicand: above the 16 bits a low product needs. */
const PACK_SHIFT = 16;

/**
 * Two exact products x·wLo and x·wHi from one signed 25×8 multiply (one DSP48 / one 27×27 block):
 *   m = wHi·2^16 + wLo (25 bits, signed), p = x·m = (x·wHi)·2^16 + x·wLo.
 * |x·wLo| ≤ 2^14 < 2^15, so the low product is the sign-extended low 16 bits of p, and p's bits
 * above 16 are floor(p / 2^16) = x·wHi − (1 if x·wLo < 0): adding bit 15 back (the sign correction)
 * gives x·wHi exactly.
 */
export function packedProducts(x: SIntV, wLo: SIntV, wHi: SIntV, name: string): { lo: SIntV; hi: SIntV } {
  const mBits = PACK_SHIFT + 9; // wHi·2^16 + wLo spans [-2^23 - 128, 2^23 - 129]: 25 signed bits
  const m = wHi.sext(mBits).shl(PACK_SHIFT).add(wLo.sext(mBits));
  // Named, so that both halves read one multiplier (an unnamed expression is re-emitted per use).
  const p = m.mul(x).named(name); // 33 bits
  const lo = p
    .bits(PACK_SHIFT - 1, 0)
    .asSInt()
    .sext(PRODUCT_BITS);
  const floorHi = p.bits(PACK_SHIFT + PRODUCT_BITS - 1, PACK_SHIFT).asSInt();
  const hi = floorHi.add(
    p
      .bits(PACK_SHIFT - 1, PACK_SHIFT - 1)
      .zext(PRODUCT_BITS)
      .asSInt(),
  );
  return { lo, hi };
}

export class GemmCore extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    this.io = this.port(gemmCoreIoShape(cfg));
  }
  get name(): string {
    const c = this.cfg;
    return `GemmCore_${c.batch}x${c.blockIn}x${c.blockOut}_p${c.gemmPipelineDepth}${c.gemmDspPacking === 2 ? '_pk2' : ''}`;
  }

  build(): void {
    const { batch: B, blockIn: I, blockOut: O, gemmPipelineDepth: P } = this.cfg;
    const inp = unpack(Vec(B, Vec(I, SInt(this.cfg.inpBits))), this.io.in.inp);
    const wgt = unpack(Vec(O, Vec(I, SInt(this.cfg.wgtBits))), this.io.in.wgt);
    const treeLevels = Math.log2(I);
    const levels = 1 + treeLevels; // the product level, then the adder levels
    const bounds = gemmStageBoundaries(levels, P);
    const dotBits = this.cfg.inpBits + this.cfg.wgtBits + treeLevels;
    const uniform = this.cfg.gemmDspPacking !== 2;

    // The valid/reset flags travel through the same P stages as the products.
    // stageValid[k] is high while stage k's registers hold an operation (stageValid[0] = in.valid). The data
    // registers load only then: idle cycles cost no switching on the board and no evaluation in simulation.
    const stageValid: Bool[] = [this.io.in.valid];
    let reset = this.io.in.reset;
    for (let k = 1; k <= P; k++) {
      stageValid.push(regNext(stageValid[k - 1], { name: `valid_s${k}`, init: false }));
      reset = regEnable(reset, stageValid[k - 1], { name: `reset_s${k}` });
    }
    const valid = stageValid[P];
    // One section per output lane (b, o), so the printed Verilog reads lane by lane.
    const dots: SIntV[] = [];
    let pairedHi: SIntV[] = [];
    for (let b = 0; b < B; b++) {
      for (let o = 0; o < O; o++) {
        section(`lane (b=${b}, o=${o}): dot product of inp[${b}][0..${I - 1}] and wgt[${o}][0..${I - 1}]`, () => {
          // The products, then the adder tree level by level; registers after the levels in `bounds`.
          let sums: SIntV[];
          if (this.cfg.gemmDspPacking === 2) {
            // Lanes 2k and 2k+1 share multipliers: both products come out of lane 2k's multiplies.
            if (o % 2 === 0) {
              const pairs = inp[b].map((x, i) => packedProducts(x, wgt[o][i], wgt[o + 1][i], `pk_b${b}_o${o}_i${i}`));
              sums = pairs.map((p) => p.lo);
              pairedHi = pairs.map((p) => p.hi);
            } else {
              sums = pairedHi;
            }
          } else {
            // Every product and partial sum at the dot product's own width: operands sign-extended at the
            // leaves, plain adds above (exact: no partial sum exceeds it), so no level needs a sign-extension
            // temporary and each register stage's tree reads as one expression.
            const half = Math.ceil(dotBits / 2);
            sums = inp[b].map((x, i) => x.sext(half).mul(wgt[o][i].sext(half)));
          }
          let stage = 0;
          const registerAt = (level: number): void => {
            while (stage < P && bounds[stage] === level) {
              stage++;
              if (uniform) {
                // registered at the width this level's sums need (8+8 bits, one more per adder level), read
                // back sign-extended: a low slice of wrapping arithmetic needs no temporary either
                const exact = Math.min(sums[0].width, this.cfg.inpBits + this.cfg.wgtBits + level - 1);
                const regs = regEnable(vecOf(sums.map((v) => v.trunc(exact))), stageValid[stage - 1], { name: `dot_b${b}_o${o}_s${stage}` });
                sums = [...regs].map((r) => r.sext(sums[0].width));
              } else {
                sums = [...regEnable(vecOf(sums), stageValid[stage - 1], { name: `dot_b${b}_o${o}_s${stage}` })];
              }
            }
          };
          registerAt(1);
          for (let l = 2; l <= levels; l++) {
            const next: SIntV[] = [];
            for (let i = 0; i < sums.length; i += 2) next.push(uniform ? sums[i].add(sums[i + 1]) : sums[i].addx(sums[i + 1]));
            sums = next;
            registerAt(l);
          }
          dots.push(sums[0]);
        });
      }
    }

    this.io.dotValid.set(valid);
    const accIn = unpack(Vec(B * O, SInt(this.cfg.accBits)), this.io.accIn);
    const sums = dots.map((d, j) => mux(reset, 0, accIn[j].add(d.sext(this.cfg.accBits))));
    const accOut = regEnable(vecOf(sums), valid, { name: 'acc_q' });
    this.io.out.valid.set(regNext(valid, { name: 'out_valid_q', init: false }));
    this.io.out.acc.set(pack(accOut));
    this.io.out.low.set(pack(vecOf(accOut.map((a) => a.trunc(this.cfg.outBits)))));
  }
}
