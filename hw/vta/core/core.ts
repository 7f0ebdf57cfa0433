// VtaCore: the whole accelerator behind the port contract of hw/vta/ports.ts (`corePorts(cfg)`):
// AXI4-Lite slave `s_axil_*` (Vcr), AXI4 master `m_axi_*` (Vme), `debug_progress`/`debug_state`.
// DESIGN.md shows the structure; this file only instantiates and wires.

import { Bundle, Module, UInt, U, cat, connect, mux } from '../../dsl';
import type { Bool } from '../../dsl';
import type { VtaConfig } from '../config';
import { DEBUG_BITS } from '../ports';
import { AxilSlave, Vcr } from './vcr';
import { AxiMaster, Vme } from './vme';
import { Fetch } from './fetch';
import { TokenQueue } from './tokens';
import { Load } from './load';
import { Compute } from './compute';
import { Store } from './store';

export class VtaCore extends Module {
  readonly s_axil;
  readonly m_axi;
  readonly debug;
  constructor(readonly cfg: VtaConfig) {
    super();
    this.s_axil = this.port(AxilSlave(), 's_axil');
    this.m_axi = this.port(AxiMaster(cfg.busBits), 'm_axi');
    this.debug = this.port(Bundle({ progress: UInt(DEBUG_BITS), state: UInt(DEBUG_BITS) }), 'debug');
  }
  /** A stable top name for scripts and board shells; the configuration hash is in each file's header and the manifest. */
  get name(): string {
    return 'VtaCore';
  }

  build(): void {
    const cfg = this.cfg;
    const vcr = this.instance('vcr', new Vcr(cfg));
    const vme = this.instance('vme', new Vme(cfg));
    const fetch = this.instance('fetch', new Fetch(cfg));
    const load = this.instance('load', new Load(cfg));
    const compute = this.instance('compute', new Compute(cfg));
    const store = this.instance('store', new Store(cfg));
    const l2g = this.instance('l2g', new TokenQueue(cfg));
    const g2l = this.instance('g2l', new TokenQueue(cfg));
    const g2s = this.instance('g2s', new TokenQueue(cfg));
    const s2g = this.instance('s2g', new TokenQueue(cfg));

    connect(this.s_axil, vcr.io.axil);
    connect(this.m_axi, vme.io.axi);

    // Fetch.
    fetch.io.launch.set(vcr.io.launch);
    fetch.io.insnCount.set(vcr.io.insnCount);
    fetch.io.insnAddr.set(vcr.io.insnAddr);
    connect(load.io.insn, fetch.io.load);
    connect(compute.io.insn, fetch.io.compute);
    connect(store.io.insn, fetch.io.store);

    // VME clients: fetch, uop, inp, wgt, acc; the store writes.
    connect(vme.io.rd[0], fetch.io.rd);
    connect(vme.io.rd[1], compute.io.rdUop);
    connect(vme.io.rd[2], load.io.rdInp);
    connect(vme.io.rd[3], load.io.rdWgt);
    connect(vme.io.rd[4], compute.io.rdAcc);
    connect(vme.io.wr, store.io.wr);

    // Base registers.
    load.io.inpBase.set(vcr.io.inpBase);
    load.io.wgtBase.set(vcr.io.wgtBase);
    compute.io.uopBase.set(vcr.io.uopBase);
    compute.io.accBase.set(vcr.io.accBase);
    store.io.outBase.set(vcr.io.outBase);

    // Scratchpad read ports: compute reads INP/WGT (owned by load); store reads OUT (owned by compute).
    load.io.inpRead.en.set(compute.io.inpRead.en);
    load.io.inpRead.addr.set(compute.io.inpRead.addr);
    compute.io.inpData.set(load.io.inpData);
    load.io.wgtRead.en.set(compute.io.wgtRead.en);
    load.io.wgtRead.addr.set(compute.io.wgtRead.addr);
    compute.io.wgtData.set(load.io.wgtData);
    compute.io.outRead.en.set(store.io.outRead.en);
    compute.io.outRead.addr.set(store.io.outRead.addr);
    store.io.outData.set(compute.io.outData);

    // Tokens (vta-reference.md §4.1): l2g load->compute, g2l compute->load, g2s compute->store, s2g store->compute.
    const link = (q: typeof l2g, push: Bool, canPush: Bool, pop: Bool, canPop: Bool) => {
      q.io.push.set(push);
      q.io.pop.set(pop);
      canPush.set(q.io.canPush);
      canPop.set(q.io.canPop);
    };
    const [lt, ct, st] = [load.io.tokens, compute.io.tokens, store.io.tokens];
    link(l2g, lt.pushNext, lt.canPushNext, ct.popPrev, ct.canPopPrev);
    link(g2l, ct.pushPrev, ct.canPushPrev, lt.popNext, lt.canPopNext);
    link(g2s, ct.pushNext, ct.canPushNext, st.popPrev, st.canPopPrev);
    link(s2g, st.pushPrev, st.canPushPrev, ct.popNext, ct.canPopNext);

    // Completion, errors, counters.
    vcr.io.finish.set(compute.io.finish);
    vcr.io.error.set(fetch.io.error);
    vcr.io.errorIndex.set(fetch.io.errorIndex);
    const ev = vcr.io.events;
    const ls = load.io.status;
    const cs = compute.io.status;
    const ss = store.io.status;
    ev.loadBusy.set(ls.busy);
    ev.loadTokenStall.set(ls.tokenStall);
    ev.loadRetired.set(ls.retired);
    ev.computeBusy.set(cs.busy);
    ev.computeTokenStall.set(cs.tokenStall);
    ev.computeRetired.set(cs.retired);
    ev.storeBusy.set(ss.busy);
    ev.storeTokenStall.set(ss.tokenStall);
    ev.storeRetired.set(ss.retired);
    ev.gemmUop.set(compute.io.gemmUop);
    ev.gemmResetUop.set(compute.io.gemmResetUop);
    ev.aluUop.set(compute.io.aluUop);
    ev.accWrite.set(compute.io.accWrite);
    ev.readBytes.set(vme.io.readBytes);
    ev.writeBytes.set(vme.io.writeBytes);
    const beatBytes = (i: number) => mux(vme.io.rd[i].data.valid, U(cfg.busBits / 8, 16), U(0, 16));
    ev.insnBytes.set(beatBytes(0));
    ev.uopBytes.set(beatBytes(1));
    ev.inpBytes.set(beatBytes(2));
    ev.wgtBytes.set(beatBytes(3));
    ev.accBytes.set(beatBytes(4));

    // Live status for the watchdog report.
    const vs = vcr.io.status;
    vs.loadPc.set(ls.pc);
    vs.computePc.set(cs.pc);
    vs.storePc.set(ss.pc);
    const has = (s: typeof ls, q: typeof fetch.io.load) => s.busy.or(q.valid).asUInt();
    const st3 = (s: typeof ls, q: typeof fetch.io.load) => cat(s.tokenStall.asUInt(), s.busy.asUInt(), has(s, q));
    vs.stageState.set(
      cat(fetch.io.error.asUInt(), fetch.io.status.busy.asUInt(), st3(ss, fetch.io.store), st3(cs, fetch.io.compute), st3(ls, fetch.io.load)).zext(32),
    );
    // 8 bits per queue, saturating at 255 (a queue deeper than 255 reads 255 when it holds more).
    const cnt = (q: typeof l2g) => {
      const c = q.io.count;
      return c.width > 8 ? mux(c.gt(255), U(255, 8), c.trunc(8)) : c.zext(8);
    };
    vs.tokenCounts.set(cat(cnt(s2g), cnt(g2s), cnt(g2l), cnt(l2g)));

    // Debug: instructions retired by the three stages plus micro-ops issued (a long GEMM/ALU moves no DRAM
    // bytes and retires nothing for millions of cycles, yet progresses); packed stage states.
    const progress = this.reg('progress', UInt(DEBUG_BITS), { init: 0 });
    const one = (b: typeof ls.retired) => mux(b, U(1, DEBUG_BITS), U(0, DEBUG_BITS));
    const uop = compute.io.gemmUop.or(compute.io.gemmResetUop).or(compute.io.aluUop);
    progress.set(progress.add(one(ls.retired)).add(one(cs.retired)).add(one(ss.retired)).add(one(uop)));
    this.debug.progress.set(progress);
    // [31] fetch error, [30] fetch busy, then per stage (store, compute, load from bit 29 down):
    // busy, token stall, pc[7:0].
    const stage = (s: typeof ls) => cat(s.busy.asUInt(), s.tokenStall.asUInt(), s.pc.bits(7, 0));
    this.debug.state.set(cat(fetch.io.error.asUInt(), fetch.io.status.busy.asUInt(), stage(ss), stage(cs), stage(ls)));
  }
}
