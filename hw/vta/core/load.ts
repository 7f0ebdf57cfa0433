// Load: the load stage (LOAD INP, LOAD WGT). Owns the INP and WGT scratchpads (synchronous read ports for
// Compute), runs each LOAD on its TensorLoad, and keeps the token protocol: pop_next pops g2l before an
// instruction starts (it waits while canPopNext is low), push_next pushes l2g after it completes (it waits
// while canPushNext is low). DESIGN.md gives the ports.

import { Bool, Bundle, Decoupled, Flip, Module, UInt, connect, instance } from '../../dsl';
import type { VtaConfig } from '../config';
import { MEM_TYPE } from '../config';
import { TensorLoad, memFields } from './tensor-load';
import { InsnEntry, StageStatus, tokenStage } from './stage';
import { VmeReadClient } from './vme';

export class Load extends Module {
  readonly io;
  constructor(readonly cfg: VtaConfig) {
    super();
    const inp = cfg.tensor.inp;
    const wgt = cfg.tensor.wgt;
    this.io = this.port(
      Bundle({
        insn: Flip(Decoupled(InsnEntry())),
        tokens: Bundle({ popNext: Bool(), pushNext: Bool(), canPopNext: Flip(Bool()), canPushNext: Flip(Bool()) }),
        inpBase: Flip(UInt(32)),
        wgtBase: Flip(UInt(32)),
        rdInp: VmeReadClient(cfg.busBits),
        rdWgt: VmeReadClient(cfg.busBits),
        inpRead: Flip(Bundle({ en: Bool(), addr: UInt(inp.logDepth) })),
        inpData: UInt(inp.elemBits),
        wgtRead: Flip(Bundle({ en: Bool(), addr: UInt(wgt.logDepth) })),
        wgtData: UInt(wgt.elemBits),
        status: StageStatus(),
      }),
    );
  }
  get name(): string {
    return `Load_${this.cfg.hash}`;
  }

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
    for (const [tl, rd, base] of [
      [tlInp, io.rdInp, io.inpBase],
      [tlWgt, io.rdWgt, io.wgtBase],
    ] as const) {
      tl.io.insn.set(io.insn.bits.insn);
      tl.io.base.set(base);
      connect(rd, tl.io.rd);
    }

    // Stage control: IDLE (pop, start) -> RUN (until done) -> PUSH (until the push is possible).
    const f = memFields(cfg, io.insn.bits.insn);
    const canStart = tokenStage(
      io.insn,
      { pop: io.tokens.popNext, push: io.tokens.pushNext, canPop: io.tokens.canPopNext, canPush: io.tokens.canPushNext },
      io.status,
      { popNeeded: f('pop_next').orR(), pushNeeded: f('push_next').orR(), done: tlInp.io.done.or(tlWgt.io.done) },
    );
    // Fetch sends only LOAD INP and LOAD WGT here; anything but WGT runs as INP.
    const isWgt = f('memory_type').eq(MEM_TYPE.WGT);
    tlInp.io.start.set(canStart.and(isWgt.not()));
    tlWgt.io.start.set(canStart.and(isWgt));
  }
}
