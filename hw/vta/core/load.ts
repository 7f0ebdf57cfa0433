// Load: the load stage (LOAD INP, LOAD WGT). Owns the INP and WGT scratchpads (synchronous read ports for
// Compute), runs each LOAD on its TensorLoad, and keeps the token protocol: pop_next pops g2l before an
// instruction starts (it waits while canPopNext is low), push_next pushes l2g after it completes (it waits
// while canPushNext is low). DESIGN.md gives the ports.

import { Bool, Bundle, Decoupled, Flip, Module, UInt, instance, mux, when } from '../../dsl';
import type { VtaConfig } from '../config';
import { MEM_TYPE } from '../config';
import { ReadClient, TensorLoad, memField } from './tensor-load';
import { InsnEntry, StageStatus } from './store';

export class Load extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    const inp = cfg.tensor.inp;
    const wgt = cfg.tensor.wgt;
    this.io = this.port(Bundle({
      insn: Flip(Decoupled(InsnEntry())),
      tokens: Bundle({ popNext: Bool(), pushNext: Bool(), canPopNext: Flip(Bool()), canPushNext: Flip(Bool()) }),
      inpBase: Flip(UInt(32)),
      wgtBase: Flip(UInt(32)),
      rdInp: ReadClient(cfg.busBits),
      rdWgt: ReadClient(cfg.busBits),
      inpRead: Flip(Bundle({ en: Bool(), addr: UInt(inp.logDepth) })),
      inpData: UInt(inp.elemBits),
      wgtRead: Flip(Bundle({ en: Bool(), addr: UInt(wgt.logDepth) })),
      wgtData: UInt(wgt.elemBits),
      status: StageStatus(),
    }));
  }
  get name(): string { return `Load_${this.cfg.hash}`; }

  build(): void {
    const { cfg, io } = this;
    const inpT = cfg.tensor.inp;
    const wgtT = cfg.tensor.wgt;

    // Scratchpads.
    const inpMem = this.mem('inp_mem', { depth: inpT.depth, elem: UInt(inpT.elemBits), readUnderWrite: 'undefined' });
    const wgtMem = this.mem('wgt_mem', { depth: wgtT.depth, elem: UInt(wgtT.elemBits), readUnderWrite: 'undefined' });
    io.inpData.set(inpMem.readSync(io.inpRead.addr, io.inpRead.en));
    io.wgtData.set(wgtMem.readSync(io.wgtRead.addr, io.wgtRead.en));

    const tlInp = instance('tl_inp', new TensorLoad(cfg, 'inp'));
    const tlWgt = instance('tl_wgt', new TensorLoad(cfg, 'wgt'));
    inpMem.write(tlInp.io.wr.addr, tlInp.io.wr.data, tlInp.io.wr.en);
    wgtMem.write(tlWgt.io.wr.addr, tlWgt.io.wr.data, tlWgt.io.wr.en);
    for (const [tl, rd, base] of [[tlInp, io.rdInp, io.inpBase], [tlWgt, io.rdWgt, io.wgtBase]] as const) {
      tl.io.insn.set(io.insn.bits.insn);
      tl.io.base.set(base);
      rd.cmd.valid.set(tl.io.rd.cmd.valid);
      rd.cmd.bits.addr.set(tl.io.rd.cmd.bits.addr);
      rd.cmd.bits.len.set(tl.io.rd.cmd.bits.len);
      tl.io.rd.cmd.ready.set(rd.cmd.ready);
      tl.io.rd.data.valid.set(rd.data.valid);
      tl.io.rd.data.bits.data.set(rd.data.bits.data);
      tl.io.rd.data.bits.last.set(rd.data.bits.last);
    }

    // Stage control: IDLE (pop, start) -> RUN (until done) -> PUSH (until the push is possible).
    const st = this.fsm('stage', ['IDLE', 'RUN', 'PUSH'] as const);
    const f = (n: string) => memField(cfg, io.insn.bits.insn, n);
    const popNeeded = f('pop_next').orR();
    const canStart = st.is('IDLE').and(io.insn.valid).and(popNeeded.not().or(io.tokens.canPopNext)).named('can_start');
    io.insn.ready.set(canStart);
    io.tokens.popNext.set(canStart.and(popNeeded));
    // Fetch sends only LOAD INP and LOAD WGT here; anything but WGT runs as INP.
    const isWgt = f('memory_type').eq(MEM_TYPE.WGT);
    tlInp.io.start.set(canStart.and(isWgt.not()));
    tlWgt.io.start.set(canStart.and(isWgt));
    const pushNeeded = this.regEnable(f('push_next').orR(), canStart, { name: 'push_needed' });
    const pcReg = this.regEnable(io.insn.bits.index, canStart, { name: 'pc_reg', init: 0 });
    when(canStart, () => st.goto('RUN'));
    when(st.is('RUN').and(tlInp.io.done.or(tlWgt.io.done)), () => st.goto('PUSH'));
    const pushOk = st.is('PUSH').and(pushNeeded.not().or(io.tokens.canPushNext)).named('push_ok');
    io.tokens.pushNext.set(pushOk.and(pushNeeded));
    when(pushOk, () => st.goto('IDLE'));

    io.status.busy.set(st.is('IDLE').not());
    io.status.tokenStall.set(st.is('IDLE').and(io.insn.valid).and(popNeeded).and(io.tokens.canPopNext.not()));
    io.status.retired.set(pushOk);
    io.status.pc.set(mux(st.is('IDLE').and(io.insn.valid), io.insn.bits.index, pcReg));
  }
}
