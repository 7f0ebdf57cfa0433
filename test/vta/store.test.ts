// Store under Verilator: the stage behind an instruction queue, an OUT scratchpad whose contents are a hash
// of the index (1-cycle read latency), and a behavioural VME write client (random command and data
// back-pressure, acks some cycles after each burst), with random token availability. The bytes written
// (under their strobes) are checked against a TypeScript model of STORE, for 1x16x16 and 1x32x32 on 64- and
// 512-bit buses (E ≥ B and E < B).

import { Bool, Bundle, Flip, Module, Queue, UInt, instance, mux, when, U, fire } from '../../hw/dsl';
import { deriveConfig, withOverrides, DEFAULT_CONFIG_JSON, VtaConfig } from '../../hw/vta/config';
import { build as mk, encodeInsnBits, MemInsn } from '../../hw/vta/isa';
import { Store } from '../../hw/vta/core/store';
import { InsnEntry } from '../../hw/vta/core/stage';
import { BuiltTb, buildTb, dramBeat, dramBytes, rng, runTb } from './dma-tb';

const OUT_SPACE = 0x40000000;

class StoreTb extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    const B = cfg.busBits;
    this.io = this.port(
      Bundle({
        enqValid: Flip(Bool()),
        enqInsn: Flip(UInt(128)),
        enqIndex: Flip(UInt(32)),
        canPop: Flip(Bool()),
        canPush: Flip(Bool()),
        outBase: Flip(UInt(32)),
        cmdReady: Flip(Bool()),
        dataReady: Flip(Bool()),
        ackGo: Flip(Bool()),
        cmdFire: Bool(),
        cmdAddr: UInt(32),
        cmdLen: UInt(8),
        wrFire: Bool(),
        wrAddr: UInt(32),
        wrData: UInt(B),
        wrStrb: UInt(B / 8),
        wrLast: Bool(),
        expLast: Bool(),
        ack: Bool(),
        pop: Bool(),
        push: Bool(),
        retired: Bool(),
        busy: Bool(),
        tokenStall: Bool(),
        pc: UInt(32),
      }),
    );
  }
  get name(): string {
    return `StoreTb_${this.cfg.hash}`;
  }
  build(): void {
    const { cfg, io } = this;
    const t = cfg.tensor.out;
    const logB = Math.log2(cfg.busBits / 8);
    const st = instance('store', new Store(cfg));
    const iq = instance('iq', new Queue(InsnEntry(), 32));
    iq.io.enq.valid.set(io.enqValid);
    iq.io.enq.bits.insn.set(io.enqInsn);
    iq.io.enq.bits.index.set(io.enqIndex);
    st.io.insn.valid.set(iq.io.deq.valid);
    st.io.insn.bits.insn.set(iq.io.deq.bits.insn);
    st.io.insn.bits.index.set(iq.io.deq.bits.index);
    iq.io.deq.ready.set(st.io.insn.ready);
    st.io.tokens.canPopPrev.set(io.canPop);
    st.io.tokens.canPushPrev.set(io.canPush);
    st.io.outBase.set(io.outBase);

    // OUT scratchpad: element i is the hash of bytes OUT_SPACE + i·E.
    const outData = this.reg('out_data', UInt(t.elemBits), { init: 0 });
    when(st.io.outRead.en, () => outData.set(dramBeat(U(OUT_SPACE, 32).add(st.io.outRead.addr.zext(32).shl(Math.log2(t.elemBytes))), t.elemBits)));
    st.io.outData.set(outData);

    // Write client model.
    const cq = instance('cmdq', new Queue(Bundle({ addr: UInt(32), len: UInt(8) }), 8));
    cq.io.enq.valid.set(st.io.wr.cmd.valid.and(io.cmdReady));
    st.io.wr.cmd.ready.set(cq.io.enq.ready.and(io.cmdReady));
    cq.io.enq.bits.addr.set(st.io.wr.cmd.bits.addr);
    cq.io.enq.bits.len.set(st.io.wr.cmd.bits.len);
    const idx = this.reg('idx', UInt(8), { init: 0 });
    const head = cq.io.deq.bits;
    st.io.wr.data.ready.set(io.dataReady.and(cq.io.deq.valid));
    const beat = fire(st.io.wr.data);
    const last = idx.eq(head.len);
    cq.io.deq.ready.set(beat.and(last));
    when(beat, () => idx.set(mux(last, U(0, 8), idx.add(1))));
    const acks = this.reg('acks_due', UInt(8), { init: 0 });
    const ack = acks.ne(0).and(io.ackGo);
    acks.set(acks.add(mux(beat.and(last), U(1, 8), U(0, 8))).sub(mux(ack, U(1, 8), U(0, 8))));
    st.io.wr.ack.set(ack);

    io.cmdFire.set(fire(st.io.wr.cmd));
    io.cmdAddr.set(st.io.wr.cmd.bits.addr);
    io.cmdLen.set(st.io.wr.cmd.bits.len);
    io.wrFire.set(beat);
    io.wrAddr.set(head.addr.add(idx.zext(32).shl(logB)));
    io.wrData.set(st.io.wr.data.bits.data);
    io.wrStrb.set(st.io.wr.data.bits.strb);
    io.wrLast.set(st.io.wr.data.bits.last);
    io.expLast.set(last);
    io.ack.set(ack);
    io.pop.set(st.io.tokens.popPrev);
    io.push.set(st.io.tokens.pushPrev);
    io.retired.set(st.io.status.retired);
    io.busy.set(st.io.status.busy);
    io.tokenStall.set(st.io.status.tokenStall);
    io.pc.set(st.io.status.pc);
  }
}

/** DRAM bytes after the STOREs, in order (later writes win). */
function expectedBytes(cfg: VtaConfig, base: number, insns: readonly MemInsn[]): Map<number, number> {
  const t = cfg.tensor.out;
  const E = t.elemBytes;
  const m = new Map<number, number>();
  for (const i of insns) {
    if (i.xSize === 0 || i.ySize === 0) continue;
    for (let y = 0; y < i.ySize; y++) {
      for (let x = 0; x < i.xSize; x++) {
        const s = (i.sramBase + y * i.xSize + x) % t.depth;
        const v = dramBytes(OUT_SPACE + s * E, E);
        const a = Number((BigInt(Math.floor(base / E) + i.dramBase + y * i.xStride + x) * BigInt(E)) & 0xffffffffn);
        for (let b = 0; b < E; b++) m.set((a + b) >>> 0, Number((v >> BigInt(8 * b)) & 0xffn));
      }
    }
  }
  return m;
}

function randomStore(cfg: VtaConfig, r: () => number): MemInsn {
  const t = cfg.tensor.out;
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const xSize = r() < 0.08 ? 0 : int(1, 12);
  const ySize = r() < 0.05 ? 0 : int(1, 4);
  const page = 4096 / t.elemBytes;
  return mk.store({
    sramBase: int(0, t.depth - 1),
    xSize,
    ySize,
    xStride: r() < 0.3 ? xSize : int(xSize, xSize + 9),
    dramBase: r() < 0.5 ? int(0, 1 << 20) : int(1, 64) * page - int(0, 6),
    popPrev: r() < 0.5,
    pushPrev: r() < 0.5,
    yPad0: int(0, 3),
    xPad1: int(0, 3),
  });
}

interface RunOpts {
  stress: boolean;
  seed: number;
  base: number;
  cycles: number;
}

async function runStores(cfg: VtaConfig, tb: BuiltTb, insns: MemInsn[], o: RunOpts) {
  const r = rng(o.seed);
  const rows: Record<string, bigint | number | boolean>[] = [{ reset: 1 }, { reset: 1 }];
  for (let c = 0; c < o.cycles; c++) {
    const k = c - 1;
    rows.push({
      enqValid: k >= 0 && k < insns.length ? 1 : 0,
      enqInsn: k >= 0 && k < insns.length ? encodeInsnBits(cfg, insns[k]) : 0n,
      enqIndex: k >= 0 && k < insns.length ? 1000 + k : 0,
      canPop: o.stress ? r() < 0.6 : 1,
      canPush: o.stress ? r() < 0.6 : 1,
      outBase: o.base,
      cmdReady: o.stress ? r() < 0.6 : 1,
      dataReady: o.stress ? r() < 0.7 : 1,
      ackGo: o.stress ? r() < 0.3 : 1,
    });
  }
  const out = await runTb(tb, rows);
  return { out, inRows: rows };
}

const CONFIGS: [string, number, number][] = [
  ['1x16x16', 4, 6],
  ['1x16x16', 4, 9],
  ['1x32x32', 5, 6],
  ['1x32x32', 5, 9],
];

describe.each(CONFIGS)('Store %s, LOG_BLOCK %i, LOG_BUS_WIDTH %i', (_name, logBlock, logBus) => {
  const cfg = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BLOCK: logBlock, LOG_BUS_WIDTH: logBus }));
  const B = cfg.busBits / 8;
  let tb: BuiltTb;
  beforeAll(async () => {
    tb = await buildTb(`store_${cfg.name}_bus${cfg.busBits}`, new StoreTb(cfg));
  }, 600_000);

  test.each([0, 1])(
    'random STOREs (seed %i): bytes, strobes, bursts, acks and tokens',
    async (seed) => {
      const r = rng(logBlock * 100 + logBus * 10 + seed);
      const insns = Array.from({ length: 16 }, () => randomStore(cfg, r));
      const base = seed === 0 ? 0 : cfg.tensor.out.elemBytes * 5;
      const { out, inRows } = await runStores(cfg, tb, insns, { stress: true, seed, base, cycles: 6000 });

      // Every instruction retires, in order, with its pops and pushes when the tokens allow.
      const retired = out.map((o, c) => (o.retired ? c : -1)).filter((c) => c >= 0);
      expect(retired.length).toBe(insns.length);
      expect(out.slice(retired[retired.length - 1] + 1).every((o) => !o.busy && !o.wrFire && !o.cmdFire)).toBe(true);
      out.forEach((o, c) => {
        if (o.pop) expect(inRows[c].canPop).toBe(true);
        if (o.push) expect(inRows[c].canPush).toBe(true);
        if (o.tokenStall) expect(inRows[c].canPop).toBe(false);
      });
      expect(out.filter((o) => o.pop).length).toBe(insns.filter((i) => i.popPrev).length);
      expect(out.filter((o) => o.push).length).toBe(insns.filter((i) => i.pushPrev).length);
      retired.forEach((c, k) => {
        expect(Number(out[c].pc)).toBe(1000 + k);
        // Completion waits for every burst's ack.
        const cmds = out.slice(0, c + 1).filter((o) => o.cmdFire).length;
        const acks = out.slice(0, c + 1).filter((o) => o.ack).length;
        expect(acks).toBe(cmds);
      });

      // Bursts and beats.
      let beats = 0;
      for (const o of out) {
        if (o.cmdFire) {
          const a = Number(o.cmdAddr);
          const n = Number(o.cmdLen) + 1;
          expect(a % B).toBe(0);
          expect((a % 4096) + n * B).toBeLessThanOrEqual(4096);
        }
        if (o.wrFire) {
          beats++;
          expect(o.wrLast).toBe(o.expLast);
          expect(o.wrStrb).not.toBe(0n);
        }
      }
      expect(beats).toBe(out.filter((o) => o.cmdFire).reduce((s, o) => s + Number(o.cmdLen) + 1, 0));

      // The bytes written, under their strobes.
      const dram = new Map<number, number>();
      for (const o of out) {
        if (!o.wrFire) continue;
        const a = Number(o.wrAddr);
        for (let b = 0; b < B; b++) {
          if ((o.wrStrb >> BigInt(b)) & 1n) dram.set((a + b) >>> 0, Number((o.wrData >> BigInt(8 * b)) & 0xffn));
        }
      }
      const exp = expectedBytes(cfg, base, insns);
      expect(dram.size).toBe(exp.size);
      for (const [a, v] of exp) {
        if (dram.get(a) !== v) throw new Error(`byte ${a.toString(16)}: got ${dram.get(a)}, expected ${v}`);
      }
    },
    120_000,
  );

  test('streams at the bus rate when the memory accepts every cycle', async () => {
    const t = cfg.tensor.out;
    const xSize = 64;
    const insn = mk.store({ xSize, ySize: 2, xStride: xSize, dramBase: 256 });
    const { out } = await runStores(cfg, tb, [insn], { stress: false, seed: 0, base: 0, cycles: 1200 });
    const first = out.findIndex((o) => o.busy);
    const done = out.findIndex((o) => o.retired);
    const beats = out.filter((o) => o.wrFire).length;
    expect(first).toBeGreaterThan(0);
    expect(done).toBeGreaterThan(first);
    expect(beats).toBe(2 * Math.ceil((xSize * t.elemBytes) / B));
    const ideal = t.elemBytes >= B ? beats : 2 * xSize; // one beat, or one element, per cycle
    expect(done - first).toBeLessThanOrEqual(ideal + 12);
  }, 120_000);
});
