/** Small example modules shared by the DSL tests (golden Verilog, lint, behaviour). */
import {
  Bool,
  Bundle,
  Decoupled,
  Flip,
  Module,
  SInt,
  UInt,
  Vec,
  cat,
  fire,
  mux,
  reduceTree,
  when,
  U,
  adderTree,
  connect,
  counter,
  pipe,
  pipeValid,
  queue,
  pack,
  unpack,
  regNext,
  vecOf,
} from '../../hw/dsl';

/** A wrapping counter with enable and a terminal-count flag. */
export class Counter extends Module {
  readonly io;
  constructor(readonly width: number) {
    super();
    this.io = this.port(Bundle({ en: Flip(Bool()), count: UInt(width), wrap: Bool() }));
  }
  get name(): string {
    return `Counter_w${this.width}`;
  }
  build(): void {
    const cnt = this.reg('cnt', UInt(this.width), { init: 0 });
    when(this.io.en, () => cnt.set(cnt.add(1)));
    this.io.count.set(cnt);
    this.io.wrap.set(this.io.en.and(cnt.eq(2 ** this.width - 1)));
  }
}

/** A three-state handshake FSM. */
export class Handshake extends Module {
  readonly io = this.port(Bundle({ start: Flip(Bool()), done: Flip(Bool()), busy: Bool(), pulse: Bool() }));
  build(): void {
    const st = this.fsm('state', ['IDLE', 'RUN', 'FLUSH'] as const);
    const pulse = this.wire('pulse', Bool(), { default: false });
    this.switch(st.state)
      .is(st.lit('IDLE'), () => {
        when(this.io.start, () => {
          st.goto('RUN');
          pulse.set(true);
        });
      })
      .is(st.lit('RUN'), () => {
        when(this.io.done, () => st.goto('FLUSH'));
      })
      .default(() => st.goto('IDLE'));
    this.io.busy.set(st.is('IDLE').not());
    this.io.pulse.set(pulse);
  }
}

/** A scratchpad with a sync read port and a lane-masked write port (Vec of SInt). */
export class Scratchpad extends Module {
  readonly io = this.port(
    Bundle({
      rd: Flip(Bundle({ en: Bool(), addr: UInt(4) })),
      rdata: Vec(4, SInt(8)),
      wr: Flip(Bundle({ en: Bool(), addr: UInt(4), data: Vec(4, SInt(8)), mask: Vec(4, Bool()) })),
    }),
  );
  build(): void {
    const m = this.mem('spad', { depth: 16, elem: Vec(4, SInt(8)), readUnderWrite: 'old' });
    const r = m.readSync(this.io.rd.addr, this.io.rd.en);
    this.io.rdata.forEach((o, i) => o.set(r[i]));
    m.write(this.io.wr.addr, this.io.wr.data, this.io.wr.en, this.io.wr.mask);
  }
}

/** Signed dot product of two int8 vectors into int32 with an adder tree (GEMM-style). */
export class DotProduct extends Module {
  readonly io;
  constructor(readonly n: number) {
    super();
    this.io = this.port(
      Bundle({
        a: Flip(Vec(n, SInt(8))),
        b: Flip(Vec(n, SInt(8))),
        acc: Flip(SInt(32)),
        out: SInt(32),
      }),
    );
  }
  get name(): string {
    return `DotProduct_${this.n}`;
  }
  build(): void {
    const prods = this.io.a.map((a, i) => a.mul(this.io.b[i]).sext(32));
    const sum = reduceTree(prods, (x, y) => x.add(y));
    this.io.out.set(this.regNext(sum.add(this.io.acc), { name: 'out_q' }));
  }
}

/** Pass-through of a Decoupled stream through a child Queue with a counter. */
export class Passthrough extends Module {
  readonly io = this.port(Bundle({ in: Flip(Decoupled(UInt(8))), out: Decoupled(UInt(8)), seen: UInt(8) }));
  build(): void {
    const seen = this.reg('seen', UInt(8), { init: 0 });
    when(fire(this.io.in), () => seen.set(seen.add(1)));
    this.io.out.valid.set(this.io.in.valid);
    this.io.out.bits.set(mux(this.io.in.valid, this.io.in.bits, U(0, 8)));
    this.io.in.ready.set(this.io.out.ready);
    this.io.seen.set(cat(seen.bits(3, 0), seen.bits(7, 4)));
  }
}

/** Uses the library helpers: queue(), counter, pipe, pipeValid, adderTree (pipelined). */
export class LibUser extends Module {
  readonly io = this.port(
    Bundle({
      in: Flip(Decoupled(Vec(4, SInt(8)))),
      out: Decoupled(Vec(4, SInt(8))),
      sum: SInt(10),
      sumValid: Bool(),
      tick: Bool(),
      delayed: UInt(3),
    }),
  );
  build(): void {
    const deq = queue('q', this.io.in, 3);
    connect(this.io.out, deq);
    const { value, wrap } = counter('cyc', 5);
    this.io.tick.set(wrap);
    this.io.delayed.set(pipe(value, 2));
    const sum = adderTree(this.io.in.bits, { stageEvery: 1, name: 'acc' });
    const pv = pipeValid(fire(this.io.in), sum, 2, 'sum');
    this.io.sum.set(pv.bits);
    this.io.sumValid.set(pv.valid);
  }
}

/** Memory templates: write-first sync read, async read, byte-masked write, a write inside a when. */
export class MemPolicies extends Module {
  readonly io = this.port(
    Bundle({
      addr: Flip(UInt(3)),
      wdata: Flip(UInt(16)),
      wmask: Flip(UInt(2)),
      we: Flip(Bool()),
      rnew: UInt(16),
      rasync: UInt(8),
    }),
  );
  build(): void {
    const a = this.mem('a', { depth: 8, elem: UInt(16), readUnderWrite: 'new' });
    this.io.rnew.set(a.readSync(this.io.addr, true));
    when(this.io.we, () => a.write(this.io.addr, this.io.wdata, true, this.io.wmask));
    const b = this.mem('b', { depth: 8, elem: UInt(16), readUnderWrite: 'undefined' });
    b.write(this.io.addr, this.io.wdata.not(), this.io.we);
    this.io.rasync.set(b.readAsync(this.io.addr).bits(15, 8));
  }
}

/** Signed ops: arithmetic shift, compare, min/max, shifts by a signal (tensor-ALU style lanes). */
export class AluLanes extends Module {
  readonly io = this.port(
    Bundle({
      op: Flip(UInt(2)),
      a: Flip(Vec(2, SInt(32))),
      b: Flip(Vec(2, SInt(32))),
      sh: Flip(UInt(5)),
      out: Vec(2, SInt(32)),
    }),
  );
  build(): void {
    this.io.out.forEach((o, i) => {
      const a = this.io.a[i];
      const b = this.io.b[i];
      const r = this.wire(`res_${i}`, SInt(32), { default: 0 });
      this.switch(this.io.op)
        .is(0, () => r.set(mux(a.lt(b), a, b)))
        .is(1, () => r.set(mux(a.gt(b), a, b)))
        .is(2, () => r.set(a.add(b)))
        .is(3, () => r.set(a.shr(this.io.sh)));
      o.set(r);
    });
  }
}

/** The README example, kept compiling and lint-clean. */
export class Mac extends Module {
  readonly io;
  constructor(readonly n: number) {
    super(); // ports only, from parameters:
    this.io = this.port(
      Bundle({
        // unflipped leaves are outputs
        in: Flip(Decoupled(Bundle({ a: Vec(n, SInt(8)), b: Vec(n, SInt(8)) }))),
        sum: SInt(32),
        busy: Bool(),
      }),
    );
  }
  get name() {
    return `Mac_${this.n}`;
  } // distinct parameters => distinct names
  build() {
    const { a, b } = this.io.in.bits; // typed: a is readonly SInt[]
    const prods = a.map((x, i) => x.mul(b[i]).sext(32)); // 8x8 -> 16, sign-extend
    const acc = this.reg('acc', SInt(32), { init: 0 });
    when(fire(this.io.in), () => acc.set(acc.add(reduceTree(prods, (p, q) => p.add(q)))));
    const st = this.fsm('state', ['IDLE', 'RUN'] as const);
    when(st.is('IDLE').and(this.io.in.valid), () => st.goto('RUN')).otherwise(() => st.goto('IDLE'));
    this.io.in.ready.set(st.is('IDLE'));
    this.io.sum.set(acc);
    this.io.busy.set(st.is('RUN'));
  }
}

/** GEMM-style row over packed buses: out[j] = acc[j] + sum_i inp[i] * wgt[j][i], pipelined. */
export class PackedGemv extends Module {
  readonly io;
  constructor(
    readonly blockIn: number,
    readonly blockOut: number,
  ) {
    super();
    this.io = this.port(
      Bundle({
        valid: Flip(Bool()),
        inp: Flip(UInt(8 * blockIn)),
        wgt: Flip(UInt(8 * blockIn * blockOut)),
        acc: Flip(UInt(32 * blockOut)),
        outValid: Bool(),
        out: UInt(32 * blockOut),
      }),
    );
  }
  get name(): string {
    return `PackedGemv_${this.blockIn}x${this.blockOut}`;
  }
  build(): void {
    // Stage 1: register the inputs; stage 2: multiply, add up, register the result.
    const inp = unpack(Vec(this.blockIn, SInt(8)), regNext(this.io.inp, { name: 'inp_q' }));
    const wgt = unpack(Vec(this.blockOut, Vec(this.blockIn, SInt(8))), regNext(this.io.wgt, { name: 'wgt_q' }));
    const acc = unpack(Vec(this.blockOut, SInt(32)), regNext(this.io.acc, { name: 'acc_q' }));
    const sums = wgt.map((row, j) =>
      adderTree(row.map((w, i) => w.mul(inp[i])))
        .sext(32)
        .add(acc[j]),
    );
    const p = pipeValid(regNext(this.io.valid, { name: 'valid_q', init: false }), vecOf(sums), 1, 'res');
    this.io.out.set(pack(p.bits));
    this.io.outValid.set(p.valid);
  }
}
