// TensorLoad under Verilator: the four memory kinds of one configuration in one testbench module, fed by a
// behavioural VME read client (commands queue up, data comes back in order after a 16-cycle latency, with
// random command back-pressure and random gaps in the data), checked write by write against a TypeScript
// model of the 2-D padded load, for 1x16x16 and 1x32x32 on 64- and 512-bit buses.

import { Bool, Bundle, Flip, Module, Queue, UInt, instance, mux, when, U } from '../../hw/dsl';
import { deriveConfig, withOverrides, DEFAULT_CONFIG_JSON, VtaConfig, MEM_TYPE } from '../../hw/vta/config';
import { build as mk, encodeInsnBits } from '../../hw/vta/isa';
import { LoadKind, TensorLoad } from '../../hw/vta/core/tensor-load';
import { BuiltTb, buildTb, dramBeat, dramBytes, rng, runTb } from './dma-tb';

const KINDS: readonly LoadKind[] = ['uop', 'inp', 'wgt', 'acc'];
const LAT = 16;

class TensorLoadTb extends Module {
  readonly io;
  readonly maxBits: number;
  constructor(readonly cfg: VtaConfig) {
    super();
    this.maxBits = Math.max(...KINDS.map((k) => cfg.tensor[k].elemBits));
    this.io = this.port(
      Bundle({
        start: Flip(Bool()),
        sel: Flip(UInt(2)),
        insn: Flip(UInt(128)),
        base: Flip(UInt(32)),
        cmdReady: Flip(Bool()),
        gap: Flip(Bool()),
        busy: Bool(),
        done: Bool(),
        wrEn: Bool(),
        wrAddr: UInt(16),
        wrData: UInt(this.maxBits),
        cmdFire: Bool(),
        cmdAddr: UInt(32),
        cmdLen: UInt(8),
        beat: Bool(),
      }),
    );
  }
  get name(): string {
    return `TensorLoadTb_${this.cfg.hash}`;
  }
  build(): void {
    const { cfg, io } = this;
    const busBits = cfg.busBits;
    const now = this.reg('now', UInt(32), { init: 0 });
    now.set(now.add(1));
    const q = instance('cmdq', new Queue(Bundle({ addr: UInt(32), len: UInt(8), t: UInt(32) }), 8));
    const idx = this.reg('idx', UInt(8), { init: 0 });
    const head = q.io.deq.bits;
    const beatValid = q.io.deq.valid.and(now.sub(head.t).ge(LAT)).and(io.gap.not()).named('beat_valid');
    const last = idx.eq(head.len);
    q.io.deq.ready.set(beatValid.and(last));
    when(beatValid, () => idx.set(mux(last, U(0, 8), idx.add(1))));
    const beatData = dramBeat(head.addr.add(idx.zext(32).shl(Math.log2(busBits / 8))), busBits).named('beat_data');

    const tls = KINDS.map((k) => instance(`tl_${k}`, new TensorLoad(cfg, k)));
    const selOf = (i: number) => io.sel.eq(i);
    let cmdValid = U(0, 1).asBool();
    let cmdAddr = U(0, 32);
    let cmdLen = U(0, 8);
    let busy = U(0, 1).asBool();
    let done = U(0, 1).asBool();
    let wrEn = U(0, 1).asBool();
    let wrAddr = U(0, 16);
    let wrData = U(0, this.maxBits);
    tls.forEach((tl, i) => {
      const s = selOf(i);
      tl.io.start.set(io.start.and(s));
      tl.io.insn.set(io.insn);
      tl.io.base.set(io.base);
      tl.io.rd.cmd.ready.set(s.and(io.cmdReady).and(q.io.enq.ready));
      tl.io.rd.data.valid.set(s.and(beatValid));
      tl.io.rd.data.bits.data.set(beatData);
      tl.io.rd.data.bits.last.set(last);
      cmdValid = mux(s, tl.io.rd.cmd.valid, cmdValid);
      cmdAddr = mux(s, tl.io.rd.cmd.bits.addr, cmdAddr);
      cmdLen = mux(s, tl.io.rd.cmd.bits.len, cmdLen);
      busy = mux(s, tl.io.busy, busy);
      done = mux(s, tl.io.done, done);
      wrEn = mux(s, tl.io.wr.en, wrEn);
      wrAddr = mux(s, tl.io.wr.addr.resize(16), wrAddr);
      wrData = mux(s, mux(tl.io.wr.en, tl.io.wr.data.resize(this.maxBits), U(0, this.maxBits)), wrData);
    });
    const take = cmdValid.and(io.cmdReady).and(q.io.enq.ready);
    q.io.enq.valid.set(take);
    q.io.enq.bits.addr.set(cmdAddr);
    q.io.enq.bits.len.set(cmdLen);
    q.io.enq.bits.t.set(now);
    io.cmdFire.set(take);
    io.cmdAddr.set(cmdAddr);
    io.cmdLen.set(cmdLen);
    io.beat.set(beatValid);
    io.busy.set(busy);
    io.done.set(done);
    io.wrEn.set(wrEn);
    io.wrAddr.set(wrAddr);
    io.wrData.set(wrData);
  }
}

interface Case {
  kind: LoadKind;
  base: number;
  insn: ReturnType<typeof mk.load>;
}

const MEMTYPE: Record<LoadKind, number> = { uop: MEM_TYPE.UOP, inp: MEM_TYPE.INP, wgt: MEM_TYPE.WGT, acc: MEM_TYPE.ACC };

/** The SRAM writes of a LOAD, in order: [index mod depth, element]. */
function expectedWrites(cfg: VtaConfig, c: Case): [number, bigint][] {
  const t = cfg.tensor[c.kind];
  const i = c.insn;
  if (i.xSize === 0) return [];
  const E = t.elemBytes;
  const baseElem = Math.floor(c.base / E);
  const out: [number, bigint][] = [];
  let s = i.sramBase;
  const put = (v: bigint) => {
    out.push([s % t.depth, v]);
    s++;
  };
  const w = i.xPad0 + i.xSize + i.xPad1;
  for (let k = 0; k < i.yPad0 * w; k++) put(0n);
  for (let r = 0; r < i.ySize; r++) {
    for (let k = 0; k < i.xPad0; k++) put(0n);
    for (let x = 0; x < i.xSize; x++) {
      const elem = (baseElem + i.dramBase + r * i.xStride + x) >>> 0;
      put(dramBytes(Number((BigInt(elem) * BigInt(E)) & 0xffffffffn), E));
    }
    for (let k = 0; k < i.xPad1; k++) put(0n);
  }
  for (let k = 0; k < i.yPad1 * w; k++) put(0n);
  return out;
}

function beatsOf(cfg: VtaConfig, c: Case): number {
  const t = cfg.tensor[c.kind];
  const B = cfg.busBits / 8;
  const E = t.elemBytes;
  let n = 0;
  for (let r = 0; r < c.insn.ySize && c.insn.xSize > 0; r++) {
    const a = (Math.floor(c.base / E) + c.insn.dramBase + r * c.insn.xStride) * E;
    n += Math.ceil(((a % B) + c.insn.xSize * E) / B);
  }
  return n;
}

function randomCase(cfg: VtaConfig, kind: LoadKind, r: () => number): Case {
  const t = cfg.tensor[kind];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const big = t.elemBytes >= 256;
  const maxX = big ? 3 : kind === 'uop' ? 24 : 8;
  const xSize = r() < 0.05 ? 0 : int(1, maxX);
  const ySize = r() < 0.05 ? 0 : int(1, big ? 2 : 4);
  const pad = () => (r() < 0.4 ? 0 : int(0, big ? 2 : 15));
  const xStride = r() < 0.2 ? xSize : int(0, xSize + 9);
  // Rows near 4 KiB boundaries now and then; odd element offsets for E < B.
  const page = 4096 / t.elemBytes;
  const dramBase = r() < 0.5 ? int(0, 1 << 20) : int(1, 64) * page - int(0, 8);
  const base = r() < 0.5 ? 0 : int(0, 1 << 12) * t.elemBytes;
  return {
    kind,
    base,
    insn: mk.load({
      memType: MEMTYPE[kind],
      sramBase: int(0, t.depth - 1),
      dramBase,
      xSize,
      ySize,
      xStride,
      xPad0: pad(),
      xPad1: pad(),
      yPad0: pad(),
      yPad1: pad(),
    }),
  };
}

async function runCases(cfg: VtaConfig, tb: BuiltTb, cases: Case[], stress: boolean, seed: number): Promise<number[]> {
  const r = rng(seed);
  const B = cfg.busBits / 8;
  const rows: Record<string, bigint | number | boolean>[] = [{ reset: 1 }, { reset: 1 }];
  const spans: [number, number][] = [];
  for (const c of cases) {
    const writes = expectedWrites(cfg, c).length;
    const beats = beatsOf(cfg, c);
    const k = Math.max(1, cfg.tensor[c.kind].elemBytes / B);
    const bound = (stress ? 4 : 1) * (writes + beats + 2 * c.insn.ySize) + writes * (k > 1 ? 0 : 1) + 4 * LAT + 40;
    const s = rows.length;
    const insn = encodeInsnBits(cfg, c.insn);
    for (let j = 0; j < bound; j++) {
      rows.push({
        start: j === 0 ? 1 : 0,
        sel: KINDS.indexOf(c.kind),
        insn,
        base: c.base,
        cmdReady: stress ? r() < 0.7 : 1,
        gap: stress ? r() < 0.3 : 0,
      });
    }
    spans.push([s, rows.length]);
  }
  const out = await runTb(tb, rows);
  const cyclesTaken: number[] = [];
  cases.forEach((c, ci) => {
    const [s, e] = spans[ci];
    const seg = out.slice(s, e);
    const what = `${c.kind} ${JSON.stringify({ ...c.insn, base: c.base })}`;
    const writes = seg.filter((o) => o.wrEn).map((o) => [Number(o.wrAddr), o.wrData] as [number, bigint]);
    const exp = expectedWrites(cfg, c);
    if (writes.length !== exp.length || writes.some((w, i) => w[0] !== exp[i][0] || w[1] !== exp[i][1])) {
      const bad = writes.findIndex((w, i) => !exp[i] || w[0] !== exp[i][0] || w[1] !== exp[i][1]);
      throw new Error(
        `${what}: ${writes.length} writes (expected ${exp.length}); first difference at write ${bad}: ` +
          `got ${JSON.stringify(writes[bad]?.map(String))}, expected ${JSON.stringify(exp[bad]?.map(String))}`,
      );
    }
    const doneAt = seg.findIndex((o) => o.done);
    if (doneAt < 0) throw new Error(`${what}: no done within ${seg.length} cycles`);
    expect(seg.filter((o) => o.done).length).toBe(1);
    expect(seg.slice(doneAt).every((o) => !o.busy && !o.wrEn)).toBe(true);
    const lastWrite = seg.map((o) => o.wrEn).lastIndexOf(1n);
    if (exp.length > 0) expect(doneAt).toBe(lastWrite + 1);
    // Bursts: bus-aligned, ≤ 256 beats, within one 4 KiB page; beats delivered = beats requested.
    const cmds = seg.filter((o) => o.cmdFire);
    let beatsReq = 0;
    for (const o of cmds) {
      const a = Number(o.cmdAddr);
      const n = Number(o.cmdLen) + 1;
      expect(a % B).toBe(0);
      expect(n).toBeLessThanOrEqual(256);
      expect((a % 4096) + n * B).toBeLessThanOrEqual(4096);
      beatsReq += n;
    }
    expect(beatsReq).toBe(beatsOf(cfg, c));
    expect(seg.filter((o) => o.beat).length).toBe(beatsReq);
    cyclesTaken.push(doneAt);
  });
  return cyclesTaken;
}

const CONFIGS: [string, number, number][] = [
  ['1x16x16', 4, 6],
  ['1x16x16', 4, 9],
  ['1x32x32', 5, 6],
  ['1x32x32', 5, 9],
];

describe.each(CONFIGS)('TensorLoad %s, LOG_BLOCK %i, LOG_BUS_WIDTH %i', (_name, logBlock, logBus) => {
  const cfg = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BLOCK: logBlock, LOG_BUS_WIDTH: logBus }));
  let tb: BuiltTb;
  beforeAll(async () => {
    tb = await buildTb(`tensor_load_${cfg.name}_bus${cfg.busBits}`, new TensorLoadTb(cfg));
  }, 600_000);

  test.each(KINDS)(
    '%s: random 2-D padded loads match the reference (back-pressure and data gaps)',
    async (kind) => {
      const r = rng(logBlock * 100 + logBus * 10 + KINDS.indexOf(kind));
      const cases = Array.from({ length: 12 }, () => randomCase(cfg, kind, r));
      // Fixed corner cases: x_size 0 (no access), y_size 0 with pads, a row crossing a 4 KiB page.
      const t = cfg.tensor[kind];
      cases.push({ kind, base: 0, insn: mk.load({ memType: MEMTYPE[kind], xSize: 0, ySize: 3, xPad0: 2 }) });
      cases.push({ kind, base: 0, insn: mk.load({ memType: MEMTYPE[kind], xSize: 2, ySize: 0, yPad0: 1, yPad1: 1, xPad1: 1 }) });
      cases.push({
        kind,
        base: t.elemBytes * 3,
        insn: mk.load({ memType: MEMTYPE[kind], sramBase: t.depth - 2, dramBase: 4096 / t.elemBytes - 4, xSize: 3, ySize: 2, xStride: 5, xPad0: 1 }),
      });
      await runCases(cfg, tb, cases, true, 7);
    },
    120_000,
  );

  test.each(KINDS)(
    '%s: streams at the bus rate when the memory delivers every cycle',
    async (kind) => {
      const t = cfg.tensor[kind];
      const B = cfg.busBits / 8;
      const big = t.elemBytes >= 256;
      const xSize = big ? 4 : Math.min(64, 4096 / t.elemBytes);
      const c: Case = { kind, base: 0, insn: mk.load({ memType: MEMTYPE[kind], dramBase: 64, xSize, ySize: 2, xStride: xSize }) };
      const [cycles] = await runCases(cfg, tb, [c], false, 1);
      const beats = beatsOf(cfg, c);
      const writes = 2 * xSize;
      // E ≥ B: one beat per cycle; E < B: one element (SRAM write) per cycle. Plus the latency.
      const ideal = t.elemBytes >= B ? beats : writes;
      expect(cycles).toBeLessThanOrEqual(ideal + LAT + 8);
    },
    120_000,
  );
});
