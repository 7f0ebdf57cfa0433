// The VTA memory engine: one AXI4 master shared by five read clients (fetch, uop, inp, wgt, acc) and one
// write client (store). DESIGN.md "Interfaces" gives the client protocol.
//
// Read: a round-robin arbiter picks one client command per cycle into a one-entry AR register (so ARVALID
// and the AR payload stay stable until ARREADY, as AXI requires). ARID = the client's index; the memory
// returns each ID's bursts in order, so routing R beats by RID keeps every client's data in command order,
// with any number of bursts outstanding. Clients always accept data, so RREADY is 1.
// Write: commands go to a one-entry AW register (AWID 0); W beats pass through from the client, but only
// for bursts whose AW has been issued; B responses (BREADY 1) pulse the client's `ack`.

import { Bool, Bundle, Decoupled, Flip, Module, RRArbiter, UInt, Valid, Vec, connect, fire, log2Ceil, mux, when, U, reduceTree } from '../../dsl';
import type { VtaConfig } from '../config';
import { AXI_ADDR_BITS, AXI_ID_BITS, AXI_LEN_BITS } from '../ports';

export const VME_READ_CLIENTS = ['fetch', 'uop', 'inp', 'wgt', 'acc'] as const;

/** A burst command: byte address (bus-aligned) and beats - 1. */
export const VmeCmd = () => Bundle({ addr: UInt(32), len: UInt(8) });

/** A read client, seen from the client: it drives `cmd` and receives `data`. */
export const VmeReadClient = (busBits: number) =>
  Bundle({
    cmd: Decoupled(VmeCmd()),
    data: Flip(Valid(Bundle({ data: UInt(busBits), last: Bool() }))),
  });

/** The write client, seen from the client. */
export const VmeWriteClient = (busBits: number) =>
  Bundle({
    cmd: Decoupled(VmeCmd()),
    data: Decoupled(Bundle({ data: UInt(busBits), strb: UInt(busBits / 8), last: Bool() })),
    ack: Flip(Bool()),
  });

/** The AXI4 master channels, seen from the master (fields named as in corePorts' `m_axi_*`). */
export const AxiMaster = (busBits: number) =>
  Bundle({
    awvalid: Bool(),
    awready: Flip(Bool()),
    awaddr: UInt(AXI_ADDR_BITS),
    awid: UInt(AXI_ID_BITS),
    awlen: UInt(AXI_LEN_BITS),
    awsize: UInt(3),
    awburst: UInt(2),
    awcache: UInt(4),
    awprot: UInt(3),
    wvalid: Bool(),
    wready: Flip(Bool()),
    wdata: UInt(busBits),
    wstrb: UInt(busBits / 8),
    wlast: Bool(),
    bvalid: Flip(Bool()),
    bready: Bool(),
    bid: Flip(UInt(AXI_ID_BITS)),
    bresp: Flip(UInt(2)),
    arvalid: Bool(),
    arready: Flip(Bool()),
    araddr: UInt(AXI_ADDR_BITS),
    arid: UInt(AXI_ID_BITS),
    arlen: UInt(AXI_LEN_BITS),
    arsize: UInt(3),
    arburst: UInt(2),
    arcache: UInt(4),
    arprot: UInt(3),
    rvalid: Flip(Bool()),
    rready: Bool(),
    rdata: Flip(UInt(busBits)),
    rid: Flip(UInt(AXI_ID_BITS)),
    rresp: Flip(UInt(2)),
    rlast: Flip(Bool()),
  });

/** AXI constants (vta-reference.md §6.2): INCR bursts, full-width beats, cache 0b1111, prot 0. */
export const AXI_BURST_INCR = 1;
export const AXI_CACHE = 0b1111;
export const AXI_PROT = 0;
/** Write bursts the VME lets be outstanding (AW issued, B not yet received). */
export const VME_MAX_WRITES = 8;

export class Vme extends Module {
  readonly io;
  readonly busBits: number;
  constructor(cfg: Pick<VtaConfig, 'busBits'>) {
    super();
    this.busBits = cfg.busBits;
    const d = cfg.busBits;
    this.io = this.port(
      Bundle({
        axi: AxiMaster(d),
        rd: Flip(Vec(VME_READ_CLIENTS.length, VmeReadClient(d))),
        wr: Flip(VmeWriteClient(d)),
        readBytes: UInt(16),
        writeBytes: UInt(16),
      }),
    );
  }
  get name(): string {
    return `Vme_${this.busBits}`;
  }

  build(): void {
    const d = this.busBits;
    const busBytes = d / 8;
    const axi = this.io.axi;
    const n = VME_READ_CLIENTS.length;

    // ---- read address: arbiter -> AR register ----
    const arb = this.instance('rd_arb', new RRArbiter(VmeCmd(), n));
    this.io.rd.forEach((c, i) => connect(arb.io.in[i], c.cmd));
    const arValid = this.reg('ar_valid', Bool(), { init: false });
    const arAddr = this.reg('ar_addr', UInt(32), { init: 0 });
    const arLen = this.reg('ar_len', UInt(8), { init: 0 });
    const arId = this.reg('ar_id', UInt(AXI_ID_BITS), { init: 0 });
    const arFree = arValid.not().or(axi.arready);
    arb.io.out.ready.set(arFree);
    when(arFree, () => arValid.set(arb.io.out.valid));
    when(fire(arb.io.out), () => {
      arAddr.set(arb.io.out.bits.addr);
      arLen.set(arb.io.out.bits.len);
      arId.set(arb.io.chosen.zext(AXI_ID_BITS));
    });
    axi.arvalid.set(arValid);
    axi.araddr.set(arAddr);
    axi.arlen.set(arLen);
    axi.arid.set(arId);
    axi.arsize.set(log2Ceil(busBytes));
    axi.arburst.set(AXI_BURST_INCR);
    axi.arcache.set(AXI_CACHE);
    axi.arprot.set(AXI_PROT);

    // ---- read data: routed by RID, never back-pressured ----
    axi.rready.set(true);
    this.io.rd.forEach((c, i) => {
      c.data.valid.set(axi.rvalid.and(axi.rid.eq(i)));
      c.data.bits.data.set(axi.rdata);
      c.data.bits.last.set(axi.rlast);
    });
    this.io.readBytes.set(mux(axi.rvalid, U(busBytes, 16), U(0, 16)));

    // ---- write address: AW register; W only for bursts whose AW went out ----
    const wr = this.io.wr;
    const awValid = this.reg('aw_valid', Bool(), { init: false });
    const awAddr = this.reg('aw_addr', UInt(32), { init: 0 });
    const awLen = this.reg('aw_len', UInt(8), { init: 0 });
    const cw = log2Ceil(VME_MAX_WRITES + 1);
    // Bursts accepted from the client and not yet acknowledged by B.
    const outstanding = this.reg('wr_outstanding', UInt(cw), { init: 0 });
    // Bursts whose AW handshake is done but whose last W beat has not gone out.
    const wPending = this.reg('w_pending', UInt(cw), { init: 0 });
    const awFree = awValid.not().or(axi.awready);
    wr.cmd.ready.set(awFree.and(outstanding.lt(VME_MAX_WRITES)));
    const cmdFire = fire(wr.cmd);
    when(awFree, () => awValid.set(cmdFire));
    when(cmdFire, () => {
      awAddr.set(wr.cmd.bits.addr);
      awLen.set(wr.cmd.bits.len);
    });
    axi.awvalid.set(awValid);
    axi.awaddr.set(awAddr);
    axi.awlen.set(awLen);
    axi.awid.set(0);
    axi.awsize.set(log2Ceil(busBytes));
    axi.awburst.set(AXI_BURST_INCR);
    axi.awcache.set(AXI_CACHE);
    axi.awprot.set(AXI_PROT);

    const awFire = axi.awvalid.and(axi.awready);
    const wOpen = wPending.ne(0);
    axi.wvalid.set(wr.data.valid.and(wOpen));
    wr.data.ready.set(axi.wready.and(wOpen));
    axi.wdata.set(wr.data.bits.data);
    axi.wstrb.set(wr.data.bits.strb);
    axi.wlast.set(wr.data.bits.last);
    const wFire = axi.wvalid.and(axi.wready);
    const wLastFire = wFire.and(wr.data.bits.last);
    when(awFire.and(wLastFire.not()), () => wPending.set(wPending.add(1))).elsewhen(wLastFire.and(awFire.not()), () => wPending.set(wPending.sub(1)));

    axi.bready.set(true);
    const bFire = axi.bvalid;
    wr.ack.set(bFire);
    when(cmdFire.and(bFire.not()), () => outstanding.set(outstanding.add(1))).elsewhen(bFire.and(cmdFire.not()), () => outstanding.set(outstanding.sub(1)));

    // Bytes written: the number of strobed bytes of each W beat.
    const strb = wr.data.bits.strb;
    const ones = reduceTree(
      Array.from({ length: busBytes }, (_, i) => strb.bit(i).asUInt().zext(16)),
      (a, b) => a.add(b),
    );
    this.io.writeBytes.set(mux(wFire, ones, U(0, 16)));
  }
}
