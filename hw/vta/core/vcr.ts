// VTA control registers: the AXI4-Lite slave the host talks to (hw/vta/regs.ts is the map).
//
// Write path: AW and W are accepted independently (each into a one-entry latch); when both are held and no
// response is pending, the register is written and B is raised. Read path: AR is accepted when no read
// response is pending; the data is latched at AR (unmapped offsets read 0). The two paths are independent.
//
// CONTROL: the host writes bit0 (launch). On `finish` the hardware writes CONTROL = 0b10 (done, launch
// cleared); on `error` (while launched) CONTROL = 0b100, ERROR_CODE = 1, ERROR_INSN = errorIndex. Hardware
// wins over a same-cycle host write. A host write that sets launch clears CYCLES, the error registers and
// every counter. CYCLES counts the cycles launch is set (launch -> FINISH).

import { Bool, Bundle, Flip, Module, UInt, U, mux, switchOn, when } from '../../dsl';
import type { HW } from '../../dsl';
import type { VtaConfig } from '../config';
import { configHashWord, CONTROL_BITS, ERROR_CODES, HOST_REGISTERS, REG } from '../regs';
import { AXIL_ADDR_BITS, AXIL_DATA_BITS } from '../ports';

/** The AXI4-Lite slave channels, seen from the slave (fields named as in corePorts' `s_axil_*`). */
export const AxilSlave = () =>
  Bundle({
    awvalid: Flip(Bool()),
    awready: Bool(),
    awaddr: Flip(UInt(AXIL_ADDR_BITS)),
    wvalid: Flip(Bool()),
    wready: Bool(),
    wdata: Flip(UInt(AXIL_DATA_BITS)),
    wstrb: Flip(UInt(AXIL_DATA_BITS / 8)),
    bvalid: Bool(),
    bready: Flip(Bool()),
    bresp: UInt(2),
    arvalid: Flip(Bool()),
    arready: Bool(),
    araddr: Flip(UInt(AXIL_ADDR_BITS)),
    rvalid: Bool(),
    rready: Flip(Bool()),
    rdata: UInt(AXIL_DATA_BITS),
    rresp: UInt(2),
  });

/** Per-cycle events that the counters of regs.ts add up (Bools count 1, byte counts their value). */
export const VcrEvents = () =>
  Bundle({
    loadBusy: Bool(),
    loadTokenStall: Bool(),
    loadRetired: Bool(),
    computeBusy: Bool(),
    computeTokenStall: Bool(),
    computeRetired: Bool(),
    storeBusy: Bool(),
    storeTokenStall: Bool(),
    storeRetired: Bool(),
    gemmUop: Bool(),
    gemmResetUop: Bool(),
    aluUop: Bool(),
    accWrite: Bool(),
    readBytes: UInt(16),
    writeBytes: UInt(16),
    /** Read bytes per VME client (bus bytes on a cycle with a beat for that client). */
    insnBytes: UInt(16),
    uopBytes: UInt(16),
    inpBytes: UInt(16),
    wgtBytes: UInt(16),
    accBytes: UInt(16),
  });

/** Live status the watchdog report reads (regs.ts: LOAD_PC ... TOKEN_COUNTS); shown as is, never cleared. */
export const VcrStatus = () =>
  Bundle({
    loadPc: UInt(32),
    computePc: UInt(32),
    storePc: UInt(32),
    stageState: UInt(32),
    tokenCounts: UInt(32),
  });
const LIVE: Readonly<Record<string, keyof ReturnType<typeof VcrStatus>['fields']>> = {
  LOAD_PC: 'loadPc',
  COMPUTE_PC: 'computePc',
  STORE_PC: 'storePc',
  STAGE_STATE: 'stageState',
  TOKEN_COUNTS: 'tokenCounts',
};

type Events = HW<ReturnType<typeof VcrEvents>>;

/** Which event feeds each hardware counter register. */
const COUNTERS: Readonly<Record<string, (e: Events) => HW<ReturnType<typeof UInt>> | HW<ReturnType<typeof Bool>>>> = {
  ACC_WR_COUNT: (e) => e.accWrite,
  LOAD_BUSY: (e) => e.loadBusy,
  LOAD_TOKEN_STALL: (e) => e.loadTokenStall,
  COMPUTE_BUSY: (e) => e.computeBusy,
  COMPUTE_TOKEN_STALL: (e) => e.computeTokenStall,
  STORE_BUSY: (e) => e.storeBusy,
  STORE_TOKEN_STALL: (e) => e.storeTokenStall,
  GEMM_UOPS: (e) => e.gemmUop,
  GEMM_RESET_UOPS: (e) => e.gemmResetUop,
  UOP_LOAD_BYTES: (e) => e.uopBytes,
  INP_LOAD_BYTES: (e) => e.inpBytes,
  WGT_LOAD_BYTES: (e) => e.wgtBytes,
  ACC_LOAD_BYTES: (e) => e.accBytes,
  INSN_LOAD_BYTES: (e) => e.insnBytes,
  ALU_UOPS: (e) => e.aluUop,
  DRAM_READ_BYTES: (e) => e.readBytes,
  DRAM_WRITE_BYTES: (e) => e.writeBytes,
  LOAD_INSNS: (e) => e.loadRetired,
  COMPUTE_INSNS: (e) => e.computeRetired,
  STORE_INSNS: (e) => e.storeRetired,
};

/** Registers whose value is a constant of the configuration, not a flip-flop. */
const CONSTANTS: Readonly<Record<string, (cfg: Pick<VtaConfig, 'hash'>) => number>> = {
  CONFIG_HASH: (cfg) => configHashWord(cfg.hash),
};

export class Vcr extends Module {
  readonly io;
  constructor(private readonly cfg: Pick<VtaConfig, 'hash'>) {
    super();
    this.io = this.port(
      Bundle({
        axil: AxilSlave(),
        launch: Bool(),
        insnCount: UInt(32),
        insnAddr: UInt(32),
        uopBase: UInt(32),
        inpBase: UInt(32),
        wgtBase: UInt(32),
        accBase: UInt(32),
        outBase: UInt(32),
        finish: Flip(Bool()),
        error: Flip(Bool()),
        errorIndex: Flip(UInt(32)),
        events: Flip(VcrEvents()),
        status: Flip(VcrStatus()),
      }),
    );
  }

  get name(): string {
    return `Vcr_${this.cfg.hash}`;
  }

  build(): void {
    const io = this.io;
    const ax = io.axil;
    const regs = new Map<string, ReturnType<typeof UInt> extends never ? never : HW<ReturnType<typeof UInt>>>();
    for (const r of HOST_REGISTERS) if (!LIVE[r.name] && !CONSTANTS[r.name]) regs.set(r.name, this.reg(`r_${r.name.toLowerCase()}`, UInt(32), { init: 0 }));
    const R = (name: string) => {
      const r = regs.get(name);
      if (!r) throw new Error(`Vcr: no register ${name} in regs.ts`);
      return r;
    };
    for (const name of Object.keys(COUNTERS)) R(name);

    // ---- write path ----
    const awHave = this.reg('aw_have', Bool(), { init: false });
    const awAddr = this.reg('aw_addr', UInt(AXIL_ADDR_BITS), { init: 0 });
    const wHave = this.reg('w_have', Bool(), { init: false });
    const wData = this.reg('w_data', UInt(AXIL_DATA_BITS), { init: 0 });
    const bValid = this.reg('b_valid', Bool(), { init: false });
    ax.awready.set(awHave.not());
    ax.wready.set(wHave.not());
    when(ax.awvalid.and(awHave.not()), () => {
      awHave.set(true);
      awAddr.set(ax.awaddr);
    });
    when(ax.wvalid.and(wHave.not()), () => {
      wHave.set(true);
      wData.set(ax.wdata);
    });
    const doWrite = awHave.and(wHave).and(bValid.not()).named('host_write');
    when(doWrite, () => {
      awHave.set(false);
      wHave.set(false);
      bValid.set(true);
    });
    when(bValid.and(ax.bready), () => bValid.set(false));
    ax.bvalid.set(bValid);
    ax.bresp.set(0);

    const writeSel = new Map<string, ReturnType<typeof doWrite.and>>();
    const writes = (name: string) => {
      let w = writeSel.get(name);
      if (!w) writeSel.set(name, (w = doWrite.and(awAddr.eq(REG[name])).named(`host_write_${name.toLowerCase()}`)));
      return w;
    };
    const launchWrite = writes('CONTROL').and(wData.bit(0)).named('launch_write');

    // Host writes of the read/write registers (hardware updates below come later and win).
    for (const r of HOST_REGISTERS) {
      if (r.access !== 'rw') continue;
      when(writes(r.name), () => R(r.name).set(wData));
    }

    // ---- launch, cycles, counters ----
    const control = R('CONTROL');
    const launched = control.bit(0);
    const cycles = R('CYCLES');
    when(launched, () => cycles.set(cycles.add(1)));
    const ev = io.events;
    for (const [name, pick] of Object.entries(COUNTERS)) {
      const r = R(name);
      const v = pick(ev);
      const inc = v.width === 1 ? (v as HW<ReturnType<typeof Bool>>).asUInt().zext(32) : (v as HW<ReturnType<typeof UInt>>).zext(32);
      r.set(r.add(inc));
    }
    when(launchWrite, () => {
      cycles.set(0);
      R('ERROR_CODE').set(0);
      R('ERROR_INSN').set(0);
      for (const name of Object.keys(COUNTERS)) R(name).set(0);
    });
    when(launched.and(io.finish), () => control.set(CONTROL_BITS.done)).elsewhen(launched.and(io.error), () => {
      control.set(CONTROL_BITS.error);
      R('ERROR_CODE').set(ERROR_CODES.illegalInstruction);
      R('ERROR_INSN').set(io.errorIndex);
    });

    // ---- read path ----
    const rValid = this.reg('r_valid', Bool(), { init: false });
    const rData = this.reg('r_data', UInt(AXIL_DATA_BITS), { init: 0 });
    ax.arready.set(rValid.not());
    const value = this.wire('read_value', UInt(32), { default: 0 });
    const sw = switchOn(ax.araddr);
    for (const r of HOST_REGISTERS) {
      const live = LIVE[r.name];
      const constant = CONSTANTS[r.name];
      if (constant) sw.is(r.offset, () => value.set(constant(this.cfg)));
      else sw.is(r.offset, () => value.set(live ? (io.status as unknown as Record<string, HW<ReturnType<typeof UInt>>>)[live] : R(r.name)));
    }
    when(ax.arvalid.and(rValid.not()), () => {
      rValid.set(true);
      rData.set(value);
    }).elsewhen(rValid.and(ax.rready), () => rValid.set(false));
    ax.rvalid.set(rValid);
    ax.rdata.set(rData);
    ax.rresp.set(0);

    // ---- to the core ----
    io.launch.set(launched);
    io.insnCount.set(R('INSN_COUNT'));
    io.insnAddr.set(R('INSN_ADDR'));
    io.uopBase.set(R('UOP_BASE'));
    io.inpBase.set(R('INP_BASE'));
    io.wgtBase.set(R('WGT_BASE'));
    io.accBase.set(R('ACC_BASE'));
    io.outBase.set(R('OUT_BASE'));
    void U;
    void mux;
  }
}
