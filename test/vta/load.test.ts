// Load stage under Verilator: LOAD INP/WGT behind an instruction queue, two behavioural VME read clients
// (16-cycle latency, random gaps), random token availability; afterwards the INP and WGT scratchpads are
// read back through their synchronous read ports and compared with a TypeScript model of the loads.

import { Bool, Bundle, Flip, Module, Queue, UInt, instance, mux, when, U } from '../../hw/dsl';
import { deriveConfig, withOverrides, DEFAULT_CONFIG_JSON, VtaConfig, MEM_TYPE } from '../../hw/vta/config';
import { build as mk, encodeInsnBits, MemInsn } from '../../hw/vta/isa';
import { Load } from '../../hw/vta/core/load';
import { InsnEntry } from '../../hw/vta/core/stage';
import { VmeReadClient as ReadClient } from '../../hw/vta/core/vme';
import { BuiltTb, buildTb, dramBeat, dramBytes, rng, runTb } from './dma-tb';

const LAT = 16;
const INP_BASE = 0x10000;
const WGT_BASE = 0x200000;

/** A VME read client model: commands queue up; beats return in order after LAT cycles unless `gap`. */
class ReadMem extends Module {
  readonly io;
  constructor(readonly busBits: number) {
    super();
    this.io = this.port(Bundle({ c: Flip(ReadClient(busBits)), gap: Flip(Bool()) }));
  }
  get name(): string {
    return `ReadMem_${this.busBits}`;
  }
  build(): void {
    const io = this.io;
    const now = this.reg('now', UInt(32), { init: 0 });
    now.set(now.add(1));
    const q = instance('cmdq', new Queue(Bundle({ addr: UInt(32), len: UInt(8), t: UInt(32) }), 8));
    q.io.enq.valid.set(io.c.cmd.valid);
    io.c.cmd.ready.set(q.io.enq.ready);
    q.io.enq.bits.addr.set(io.c.cmd.bits.addr);
    q.io.enq.bits.len.set(io.c.cmd.bits.len);
    q.io.enq.bits.t.set(now);
    const idx = this.reg('idx', UInt(8), { init: 0 });
    const head = q.io.deq.bits;
    const v = q.io.deq.valid.and(now.sub(head.t).ge(LAT)).and(io.gap.not());
    const last = idx.eq(head.len);
    q.io.deq.ready.set(v.and(last));
    when(v, () => idx.set(mux(last, U(0, 8), idx.add(1))));
    io.c.data.valid.set(v);
    io.c.data.bits.data.set(dramBeat(head.addr.add(idx.zext(32).shl(Math.log2(this.busBits / 8))), this.busBits));
    io.c.data.bits.last.set(last);
  }
}

class LoadTb extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    const { inp, wgt } = cfg.tensor;
    this.io = this.port(
      Bundle({
        enqValid: Flip(Bool()),
        enqInsn: Flip(UInt(128)),
        enqIndex: Flip(UInt(32)),
        canPop: Flip(Bool()),
        canPush: Flip(Bool()),
        gap: Flip(Bool()),
        inpEn: Flip(Bool()),
        inpAddr: Flip(UInt(inp.logDepth)),
        wgtEn: Flip(Bool()),
        wgtAddr: Flip(UInt(wgt.logDepth)),
        inpData: UInt(inp.elemBits),
        wgtData: UInt(wgt.elemBits),
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
    return `LoadTb_${this.cfg.hash}`;
  }
  build(): void {
    const { cfg, io } = this;
    const ld = instance('load', new Load(cfg));
    const iq = instance('iq', new Queue(InsnEntry(), 32));
    iq.io.enq.valid.set(io.enqValid);
    iq.io.enq.bits.insn.set(io.enqInsn);
    iq.io.enq.bits.index.set(io.enqIndex);
    ld.io.insn.valid.set(iq.io.deq.valid);
    ld.io.insn.bits.insn.set(iq.io.deq.bits.insn);
    ld.io.insn.bits.index.set(iq.io.deq.bits.index);
    iq.io.deq.ready.set(ld.io.insn.ready);
    ld.io.tokens.canPopNext.set(io.canPop);
    ld.io.tokens.canPushNext.set(io.canPush);
    ld.io.inpBase.set(U(INP_BASE, 32));
    ld.io.wgtBase.set(U(WGT_BASE, 32));
    for (const [name, rd] of [
      ['mem_inp', ld.io.rdInp],
      ['mem_wgt', ld.io.rdWgt],
    ] as const) {
      const m = instance(name, new ReadMem(cfg.busBits));
      m.io.gap.set(io.gap);
      m.io.c.cmd.valid.set(rd.cmd.valid);
      m.io.c.cmd.bits.addr.set(rd.cmd.bits.addr);
      m.io.c.cmd.bits.len.set(rd.cmd.bits.len);
      rd.cmd.ready.set(m.io.c.cmd.ready);
      rd.data.valid.set(m.io.c.data.valid);
      rd.data.bits.data.set(m.io.c.data.bits.data);
      rd.data.bits.last.set(m.io.c.data.bits.last);
    }
    ld.io.inpRead.en.set(io.inpEn);
    ld.io.inpRead.addr.set(io.inpAddr);
    ld.io.wgtRead.en.set(io.wgtEn);
    ld.io.wgtRead.addr.set(io.wgtAddr);
    io.inpData.set(ld.io.inpData);
    io.wgtData.set(ld.io.wgtData);
    io.pop.set(ld.io.tokens.popNext);
    io.push.set(ld.io.tokens.pushNext);
    io.retired.set(ld.io.status.retired);
    io.busy.set(ld.io.status.busy);
    io.tokenStall.set(ld.io.status.tokenStall);
    io.pc.set(ld.io.status.pc);
  }
}

/** Final INP/WGT scratchpad contents written by the loads (index -> element). */
function expectedSram(cfg: VtaConfig, insns: readonly MemInsn[]): { inp: Map<number, bigint>; wgt: Map<number, bigint> } {
  const res = { inp: new Map<number, bigint>(), wgt: new Map<number, bigint>() };
  for (const i of insns) {
    if (i.xSize === 0) continue;
    const kind = i.memType === MEM_TYPE.WGT ? 'wgt' : 'inp';
    const t = cfg.tensor[kind];
    const E = t.elemBytes;
    const baseElem = (kind === 'wgt' ? WGT_BASE : INP_BASE) / E;
    let s = i.sramBase;
    const put = (v: bigint) => {
      res[kind].set(s % t.depth, v);
      s++;
    };
    const w = i.xPad0 + i.xSize + i.xPad1;
    for (let k = 0; k < i.yPad0 * w; k++) put(0n);
    for (let r = 0; r < i.ySize; r++) {
      for (let k = 0; k < i.xPad0; k++) put(0n);
      for (let x = 0; x < i.xSize; x++) put(dramBytes((baseElem + i.dramBase + r * i.xStride + x) * E, E));
      for (let k = 0; k < i.xPad1; k++) put(0n);
    }
    for (let k = 0; k < i.yPad1 * w; k++) put(0n);
  }
  return res;
}

const CONFIGS: [string, number, number][] = [
  ['1x16x16', 4, 6],
  ['1x32x32', 5, 9],
];

describe.each(CONFIGS)('Load %s, LOG_BLOCK %i, LOG_BUS_WIDTH %i', (_name, logBlock, logBus) => {
  const cfg = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BLOCK: logBlock, LOG_BUS_WIDTH: logBus }));
  let tb: BuiltTb;
  beforeAll(async () => {
    tb = await buildTb(`load_${cfg.name}_bus${cfg.busBits}`, new LoadTb(cfg));
  }, 600_000);

  test('LOAD INP/WGT fill the scratchpads; tokens wait; read ports return the data', async () => {
    const r = rng(logBlock * 10 + logBus);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    const insns: MemInsn[] = Array.from({ length: 12 }, (_, k) => {
      const wgt = k % 3 === 1;
      const t = cfg.tensor[wgt ? 'wgt' : 'inp'];
      const xSize = k === 5 ? 0 : int(1, wgt ? 2 : 6);
      return mk.load({
        memType: wgt ? MEM_TYPE.WGT : MEM_TYPE.INP,
        sramBase: int(0, t.depth - 1),
        dramBase: int(0, 5000),
        xSize,
        ySize: int(1, 3),
        xStride: xSize + int(0, 4),
        xPad0: int(0, 2),
        xPad1: int(0, 2),
        yPad0: int(0, 1),
        yPad1: int(0, 1),
        popNext: r() < 0.5,
        pushNext: r() < 0.5,
      });
    });
    const RUN = 5000;
    const exp = expectedSram(cfg, insns);
    const inpIdx = [...exp.inp.keys()];
    const wgtIdx = [...exp.wgt.keys()];
    const nRead = Math.max(inpIdx.length, wgtIdx.length);
    const rows: Record<string, bigint | number | boolean>[] = [{ reset: 1 }, { reset: 1 }];
    for (let c = 0; c < RUN; c++) {
      const k = c - 1;
      const en = k >= 0 && k < insns.length;
      rows.push({
        enqValid: en ? 1 : 0,
        enqInsn: en ? encodeInsnBits(cfg, insns[k]) : 0n,
        enqIndex: en ? 500 + k : 0,
        canPop: r() < 0.5,
        canPush: r() < 0.5,
        gap: r() < 0.3,
      });
    }
    for (let j = 0; j <= nRead; j++) {
      rows.push({
        inpEn: j < inpIdx.length ? 1 : 0,
        inpAddr: inpIdx[j] ?? 0,
        wgtEn: j < wgtIdx.length ? 1 : 0,
        wgtAddr: wgtIdx[j] ?? 0,
      });
    }
    const out = await runTb(tb, rows);
    const run = out.slice(0, RUN + 2);
    const retired = run.map((o, c) => (o.retired ? c : -1)).filter((c) => c >= 0);
    expect(retired.length).toBe(insns.length);
    retired.forEach((c, k) => expect(Number(run[c].pc)).toBe(500 + k));
    run.forEach((o, c) => {
      if (o.pop) expect(rows[c].canPop).toBe(true);
      if (o.push) expect(rows[c].canPush).toBe(true);
    });
    expect(run.filter((o) => o.pop).length).toBe(insns.filter((i) => i.popNext).length);
    expect(run.filter((o) => o.push).length).toBe(insns.filter((i) => i.pushNext).length);
    expect(run[run.length - 1].busy).toBe(0n);
    // Read back: data appears the cycle after en.
    const rd = out.slice(RUN + 2);
    inpIdx.forEach((s, j) => expect([s, rd[j + 1].inpData]).toEqual([s, exp.inp.get(s)]));
    wgtIdx.forEach((s, j) => expect([s, rd[j + 1].wgtData]).toEqual([s, exp.wgt.get(s)]));
  }, 300_000);
});
