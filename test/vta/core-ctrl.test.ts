// The core's control modules under Verilator, against TypeScript models: TokenQueue bounds, Vcr register
// access / launch / finish / error / counters, Vme arbitration and routing with an AXI slave model, Fetch
// dispatch order, beat assembly (64- and 512-bit buses) and illegal-instruction detection.

import { mulberry32 } from '../../sim/testing/prng';
import { DEFAULT_CONFIG_JSON, deriveConfig, withOverrides, VtaConfig, MEM_TYPE } from '../../hw/vta/config';
import { build, encodeProgram, Insn, INSN_BYTES, readInsnBits, stageOf } from '../../hw/vta/isa';
import { CONTROL_BITS, REG } from '../../hw/vta/regs';
import { TokenQueue } from '../../hw/vta/core/tokens';
import { Vcr } from '../../hw/vta/core/vcr';
import { Vme, VME_READ_CLIENTS } from '../../hw/vta/core/vme';
import { Fetch } from '../../hw/vta/core/fetch';
import { buildInteractive, Tb } from './core-tb';

// Verilator is a required tool (scripts/setup-system.sh installs it): without it these fail, naming the install command.
const vtest = test;
jest.setTimeout(300_000);

function cfgWith(over: Record<string, unknown>): VtaConfig {
  return deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { INSN_QUEUE_DEPTH: 8, DEP_QUEUE_DEPTH: 4, ...over }), 'test');
}

const rng = mulberry32;

async function start(mod: Parameters<typeof buildInteractive>[0], name: string): Promise<Tb> {
  const { exe, ports } = await buildInteractive(mod, name);
  const tb = new Tb(exe, ports);
  await tb.reset();
  return tb;
}

vtest('TokenQueue: bounded count, push waits when full, pop waits when empty, push+pop keeps the count', async () => {
  const tb = await start(new TokenQueue({ depQueueDepth: 4 }), 'core_tokenqueue4');
  try {
    const r = rng(1);
    let model = 0;
    for (let i = 0; i < 400; i++) {
      const push = r() < (i < 200 ? 0.7 : 0.3);
      const pop = r() < (i < 200 ? 0.3 : 0.7);
      tb.setAll({ io_push: push, io_pop: pop });
      const o = await tb.step();
      expect(Number(o.io_count)).toBe(model);
      expect(o.io_canPush).toBe(model < 4 ? 1n : 0n);
      expect(o.io_canPop).toBe(model > 0 ? 1n : 0n);
      const dPush = push && model < 4;
      const dPop = pop && model > 0;
      model += (dPush ? 1 : 0) - (dPop ? 1 : 0);
      expect(model).toBeGreaterThanOrEqual(0);
      expect(model).toBeLessThanOrEqual(4);
    }
  } finally {
    tb.close();
  }
});

// ---- Vcr ----
class Host {
  constructor(readonly tb: Tb) {}
  async write(addr: number, data: number, extra: Record<string, number | boolean> = {}): Promise<void> {
    const tb = this.tb;
    tb.setAll({ io_axil_awvalid: 1, io_axil_awaddr: addr, io_axil_wvalid: 1, io_axil_wdata: data, io_axil_wstrb: 0xf, io_axil_bready: 1, ...extra });
    let aw = false;
    let w = false;
    for (let i = 0; !(aw && w); i++) {
      if (i > 20) throw new Error('AXI-Lite write not accepted');
      const o = await tb.step();
      if (o.io_axil_awready) {
        aw = true;
        tb.set('io_axil_awvalid', 0);
      }
      if (o.io_axil_wready) {
        w = true;
        tb.set('io_axil_wvalid', 0);
      }
      for (const k of Object.keys(extra)) tb.set(k, 0);
    }
    for (let i = 0; ; i++) {
      if (i > 20) throw new Error('no B response');
      const o = await tb.step();
      if (o.io_axil_bvalid) break;
    }
  }
  async read(addr: number): Promise<number> {
    const tb = this.tb;
    tb.setAll({ io_axil_arvalid: 1, io_axil_araddr: addr, io_axil_rready: 1 });
    for (let i = 0; ; i++) {
      if (i > 20) throw new Error('AR not accepted');
      const o = await tb.step();
      if (o.io_axil_arready) break;
    }
    tb.set('io_axil_arvalid', 0);
    for (let i = 0; ; i++) {
      if (i > 20) throw new Error('no R response');
      const o = await tb.step();
      if (o.io_axil_rvalid) return Number(o.io_axil_rdata);
    }
  }
}

vtest('Vcr: register reads and writes, unmapped reads 0, launch/finish/CYCLES, counters, error', async () => {
  const tb = await start(new Vcr({ hash: '1234abcd5678' }), 'core_vcr');
  const host = new Host(tb);
  try {
    const rw = ['INSN_COUNT', 'INSN_ADDR', 'UOP_BASE', 'INP_BASE', 'WGT_BASE', 'ACC_BASE', 'OUT_BASE'];
    for (const [i, name] of rw.entries()) await host.write(REG[name], 0x1000 * (i + 1) + i);
    for (const [i, name] of rw.entries()) expect(await host.read(REG[name])).toBe(0x1000 * (i + 1) + i);
    expect(tb.out.io_insnCount).toBe(0x1000n);
    expect(tb.out.io_outBase).toBe(0x7006n);
    expect(await host.read(0x400)).toBe(0);
    expect(await host.read(0x2)).toBe(0);
    await host.write(REG.ACC_WR_COUNT, 55); // read-only: ignored
    expect(await host.read(REG.ACC_WR_COUNT)).toBe(0);
    // which hardware: the configuration hash's first 32 bits, constant and read-only
    expect(await host.read(REG.CONFIG_HASH)).toBe(0x1234abcd);
    await host.write(REG.CONFIG_HASH, 7);
    expect(await host.read(REG.CONFIG_HASH)).toBe(0x1234abcd);

    // Launch; events count while running; finish -> CONTROL = done, CYCLES frozen.
    await host.write(REG.CONTROL, CONTROL_BITS.launch);
    expect(tb.out.io_launch).toBe(1n);
    tb.setAll({ io_events_gemmUop: 1, io_events_readBytes: 8, io_events_loadRetired: 1 });
    for (let i = 0; i < 10; i++) await tb.step();
    tb.setAll({ io_events_gemmUop: 0, io_events_readBytes: 0, io_events_loadRetired: 0 });
    tb.set('io_finish', 1);
    await tb.step();
    tb.set('io_finish', 0);
    const o = await tb.step();
    expect(o.io_launch).toBe(0n);
    expect(await host.read(REG.CONTROL)).toBe(CONTROL_BITS.done);
    const cycles = await host.read(REG.CYCLES);
    expect(cycles).toBeGreaterThanOrEqual(11);
    expect(cycles).toBeLessThan(20);
    expect(await host.read(REG.CYCLES)).toBe(cycles);
    expect(await host.read(REG.GEMM_UOPS)).toBe(10);
    expect(await host.read(REG.LOAD_INSNS)).toBe(10);
    expect(await host.read(REG.DRAM_READ_BYTES)).toBe(80);

    // Relaunch clears the counters; error ends the run with ERROR_CODE/ERROR_INSN.
    await host.write(REG.CONTROL, CONTROL_BITS.launch);
    expect(await host.read(REG.GEMM_UOPS)).toBe(0);
    tb.setAll({ io_error: 1, io_errorIndex: 17 });
    await tb.step();
    tb.setAll({ io_error: 0 });
    expect(await host.read(REG.CONTROL)).toBe(CONTROL_BITS.error);
    expect(await host.read(REG.ERROR_CODE)).toBe(1);
    expect(await host.read(REG.ERROR_INSN)).toBe(17);

    // Finish wins over a same-cycle host write to CONTROL.
    await host.write(REG.CONTROL, CONTROL_BITS.launch);
    expect(await host.read(REG.ERROR_CODE)).toBe(0);
    tb.setAll({ io_axil_awvalid: 1, io_axil_awaddr: REG.CONTROL, io_axil_wvalid: 1, io_axil_wdata: 1, io_axil_bready: 1 });
    await tb.step(); // AW and W latched
    tb.setAll({ io_axil_awvalid: 0, io_axil_wvalid: 0, io_finish: 1 });
    await tb.step(); // the write happens on this edge, together with finish
    tb.set('io_finish', 0);
    await tb.step();
    expect(await host.read(REG.CONTROL)).toBe(CONTROL_BITS.done);
  } finally {
    tb.close();
  }
});

// ---- Vme ----
function beatData(addr: number, busBits: number): bigint {
  let v = 0n;
  for (let i = 0; i < busBits / 32; i++) v |= BigInt(((addr + 4 * i) * 2654435761) >>> 0) << BigInt(32 * i);
  return v;
}

vtest('Vme: round-robin AR, several bursts per client, R routed by RID, writes with acks', async () => {
  const busBits = 64;
  const B = busBits / 8;
  const tb = await start(new Vme({ busBits }), 'core_vme64');
  const r = rng(7);
  try {
    // Fairness: all five clients always valid, AR always ready -> IDs rotate.
    const n = VME_READ_CLIENTS.length;
    for (let c = 0; c < n; c++) tb.setAll({ [`io_rd_${c}_cmd_valid`]: 1, [`io_rd_${c}_cmd_bits_addr`]: 0x1000 * c, [`io_rd_${c}_cmd_bits_len`]: 0 });
    tb.set('io_axi_arready', 1);
    const ids: number[] = [];
    for (let i = 0; i < 22; i++) {
      const o = await tb.step();
      if (o.io_axi_arvalid) ids.push(Number(o.io_axi_arid));
    }
    for (let i = 0; i + n <= ids.length; i++) expect(new Set(ids.slice(i, i + n)).size).toBe(n);
    for (let c = 0; c < n; c++) tb.set(`io_rd_${c}_cmd_valid`, 0);
    tb.set('io_axi_arready', 0);
    await tb.step();
    await tb.reset();

    // Random traffic: each client issues bursts; the slave reorders across IDs, in order per ID.
    const cmds: { addr: number; len: number }[][] = Array.from({ length: n }, (_, c) =>
      Array.from({ length: 6 }, () => ({ addr: 0x10000 * (c + 1) + B * Math.floor(r() * 500), len: Math.floor(r() * 12) })),
    );
    const next = new Array(n).fill(0);
    const got: { data: bigint; last: bigint }[][] = Array.from({ length: n }, () => []);
    const perId: { addr: number; beat: number; len: number; at: number }[][] = Array.from({ length: 16 }, () => []);
    let pendingR: { id: number; data: bigint; last: boolean } | undefined;
    // Writes: 4 bursts from the write client.
    const wcmds = Array.from({ length: 4 }, (_, i) => ({ addr: 0x80000 + 0x100 * i, len: Math.floor(r() * 6) }));
    let wNext = 0;
    let wBeat = 0;
    let wCmdDone = 0;
    const awq: { addr: number; len: number; beat: number }[] = [];
    const bq: number[] = [];
    const mem = new Map<number, bigint>();
    let acks = 0;
    for (let cyc = 0; cyc < 3000; cyc++) {
      // Inputs for this cycle.
      for (let c = 0; c < n; c++) {
        const k = next[c];
        tb.set(`io_rd_${c}_cmd_valid`, k < cmds[c].length ? 1 : 0);
        if (k < cmds[c].length) tb.setAll({ [`io_rd_${c}_cmd_bits_addr`]: cmds[c][k].addr, [`io_rd_${c}_cmd_bits_len`]: cmds[c][k].len });
      }
      tb.set('io_axi_arready', r() < 0.6);
      if (!pendingR) {
        const ready = [...perId.keys()].filter((id) => perId[id].length && perId[id][0].at <= cyc);
        if (ready.length && r() < 0.8) {
          const id = ready[Math.floor(r() * ready.length)];
          const b = perId[id][0];
          pendingR = { id, data: beatData(b.addr + B * b.beat, busBits), last: b.beat === b.len };
          if (++b.beat > b.len) perId[id].shift();
        }
      }
      tb.setAll({ io_axi_rvalid: !!pendingR, io_axi_rid: pendingR?.id ?? 0, io_axi_rdata: pendingR?.data ?? 0n, io_axi_rlast: pendingR?.last ?? false });
      // Write client.
      tb.set('io_wr_cmd_valid', wCmdDone < wcmds.length);
      if (wCmdDone < wcmds.length) tb.setAll({ io_wr_cmd_bits_addr: wcmds[wCmdDone].addr, io_wr_cmd_bits_len: wcmds[wCmdDone].len });
      const wc = wcmds[wNext];
      tb.set('io_wr_data_valid', wNext < wCmdDone && r() < 0.8);
      if (wc)
        tb.setAll({ io_wr_data_bits_data: beatData(wc.addr + B * wBeat, busBits) ^ 0xffn, io_wr_data_bits_strb: 0xff, io_wr_data_bits_last: wBeat === wc.len });
      tb.setAll({ io_axi_awready: r() < 0.5, io_axi_wready: r() < 0.7, io_axi_bvalid: bq.length > 0 && bq[0] <= cyc, io_axi_bid: 0, io_axi_bresp: 0 });

      const o = await tb.step();
      // Observe handshakes of this cycle.
      for (let c = 0; c < n; c++) {
        if (o[`io_rd_${c}_cmd_ready`] && next[c] < cmds[c].length) next[c]++;
        if (o[`io_rd_${c}_data_valid`]) got[c].push({ data: o[`io_rd_${c}_data_bits_data`], last: o[`io_rd_${c}_data_bits_last`] });
      }
      expect(o.io_axi_rready).toBe(1n);
      if (pendingR) pendingR = undefined;
      if (o.io_axi_arvalid && tb['values'].get('io_axi_arready')) {
        expect(Number(o.io_axi_arsize)).toBe(3);
        expect(Number(o.io_axi_arburst)).toBe(1);
        perId[Number(o.io_axi_arid)].push({ addr: Number(o.io_axi_araddr), beat: 0, len: Number(o.io_axi_arlen), at: cyc + 3 + Math.floor(r() * 10) });
      }
      if (o.io_wr_cmd_ready && wCmdDone < wcmds.length) wCmdDone++;
      if (o.io_axi_awvalid && tb['values'].get('io_axi_awready')) awq.push({ addr: Number(o.io_axi_awaddr), len: Number(o.io_axi_awlen), beat: 0 });
      if (o.io_axi_wvalid && tb['values'].get('io_axi_wready')) {
        const a = awq.find((x) => x.beat <= x.len);
        if (!a) throw new Error(`cycle ${cyc}: W beat before its AW`);
        mem.set(a.addr + B * a.beat, o.io_axi_wdata);
        expect(o.io_axi_wlast).toBe(a.beat === a.len ? 1n : 0n);
        if (++a.beat > a.len) bq.push(cyc + 4);
      }
      if (o.io_wr_data_ready && tb['values'].get('io_wr_data_valid')) {
        if (++wBeat > wcmds[wNext].len) {
          wBeat = 0;
          wNext++;
        }
      }
      if (tb['values'].get('io_axi_bvalid')) bq.shift();
      if (o.io_wr_ack) acks++;
    }
    for (let c = 0; c < n; c++) {
      const want = cmds[c].flatMap((k) =>
        Array.from({ length: k.len + 1 }, (_, b) => ({ data: beatData(k.addr + B * b, busBits), last: b === k.len ? 1n : 0n })),
      );
      expect(got[c]).toEqual(want);
    }
    expect(acks).toBe(wcmds.length);
    for (const w of wcmds) for (let b = 0; b <= w.len; b++) expect(mem.get(w.addr + B * b)).toBe(beatData(w.addr + B * b, busBits) ^ 0xffn);
  } finally {
    tb.close();
  }
});

// ---- Fetch ----
function randomProgram(cfg: VtaConfig, n: number, r: () => number, illegalAt?: number): Insn[] {
  const insns: Insn[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * 6);
    const dram = Math.floor(r() * 1000);
    if (i === illegalAt) insns.push({ op: 'UNKNOWN', opcode: 5 + Math.floor(r() * 3), popPrev: false, popNext: false, pushPrev: false, pushNext: false });
    else if (k === 0)
      insns.push(build.load({ memType: [MEM_TYPE.INP, MEM_TYPE.WGT, MEM_TYPE.UOP, MEM_TYPE.ACC][Math.floor(r() * 4)], dramBase: dram, xSize: 3 }));
    else if (k === 1) insns.push(build.store({ dramBase: dram, xSize: 2 }));
    else if (k === 2) insns.push(build.gemm({ uopEnd: 3, iterOut: dram & 0xff }));
    else if (k === 3) insns.push(build.alu({ aluOp: Math.floor(r() * cfg.aluOps.length), imm: dram }));
    else if (k === 4) insns.push(build.finish({ pushNext: true }));
    else insns.push(build.load({ memType: MEM_TYPE.INP, dramBase: dram, xSize: 1, popNext: r() < 0.5 }));
  }
  return insns;
}

async function runFetch(tb: Tb, cfg: VtaConfig, insns: Insn[], insnAddr: number, seed: number) {
  const r = rng(seed);
  const B = cfg.busBits / 8;
  const bytes = encodeProgram(cfg, insns);
  const memBase = insnAddr - (insnAddr % B);
  const mem = new Uint8Array(bytes.length + 2 * B + (insnAddr - memBase));
  mem.set(bytes, insnAddr - memBase);
  const beatAt = (a: number): bigint => {
    let v = 0n;
    for (let i = B - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem[a - memBase + i] ?? 0);
    return v;
  };
  const queues = { load: [] as [bigint, number][], compute: [] as [bigint, number][], store: [] as [bigint, number][] };
  const bursts: { addr: number; len: number; beat: number; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let pending: { data: bigint; last: boolean } | undefined;
  tb.setAll({ io_insnAddr: insnAddr, io_insnCount: insns.length, io_launch: 1 });
  let errorSeen: number | undefined;
  for (let cyc = 0; cyc < 40 * insns.length + 400; cyc++) {
    tb.set('io_rd_cmd_ready', r() < 0.5);
    if (!pending && bursts.length && bursts[0].at <= cyc && r() < 0.85) {
      const b = bursts[0];
      pending = { data: beatAt(b.addr + B * b.beat), last: b.beat === b.len };
      if (++b.beat > b.len) bursts.shift();
    }
    tb.setAll({ io_rd_data_valid: !!pending, io_rd_data_bits_data: pending?.data ?? 0n, io_rd_data_bits_last: pending?.last ?? false });
    for (const q of ['load', 'compute', 'store']) tb.set(`io_${q}_ready`, r() < 0.4);
    const o = await tb.step();
    if (pending) {
      inFlight--;
      pending = undefined;
    }
    if (o.io_rd_cmd_valid && tb['values'].get('io_rd_cmd_ready')) {
      const addr = Number(o.io_rd_cmd_bits_addr);
      const len = Number(o.io_rd_cmd_bits_len);
      expect(addr % B).toBe(0);
      expect(Math.floor(addr / 4096)).toBe(Math.floor((addr + B * (len + 1) - 1) / 4096));
      bursts.push({ addr, len, beat: 0, at: cyc + 5 + Math.floor(r() * 8) });
      inFlight += len + 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }
    for (const q of ['load', 'compute', 'store'] as const) {
      if (o[`io_${q}_valid`] && tb['values'].get(`io_${q}_ready`)) queues[q].push([o[`io_${q}_bits_insn`], Number(o[`io_${q}_bits_index`])]);
    }
    if (o.io_error && errorSeen === undefined) errorSeen = Number(o.io_errorIndex);
    const total = queues.load.length + queues.compute.length + queues.store.length;
    if (o.io_status_busy === 0n && bursts.length === 0 && cyc > 5 && (total === insns.length || errorSeen !== undefined)) {
      // Let the queues drain.
      let idle = 0;
      while (idle < 20) {
        for (const q of ['load', 'compute', 'store']) tb.set(`io_${q}_ready`, 1);
        const p = await tb.step();
        idle++;
        for (const q of ['load', 'compute', 'store'] as const)
          if (p[`io_${q}_valid`]) queues[q].push([p[`io_${q}_bits_insn`], Number(p[`io_${q}_bits_index`])]);
      }
      break;
    }
  }
  tb.set('io_launch', 0);
  await tb.step();
  return { queues, errorSeen, maxInFlight, bytes };
}

function expectedQueues(insns: Insn[], bytes: Uint8Array, upto = insns.length) {
  const want = { load: [] as [bigint, number][], compute: [] as [bigint, number][], store: [] as [bigint, number][] };
  insns.slice(0, upto).forEach((insn, i) => want[stageOf(insn)].push([readInsnBits(bytes, i * INSN_BYTES), i]));
  return want;
}

for (const logBus of [6, 9]) {
  vtest(`Fetch (bus ${1 << logBus}): program order per queue, indices, multi-beat assembly, bounded staging, illegal instructions`, async () => {
    const cfg = cfgWith({ LOG_BUS_WIDTH: logBus });
    const tb = await start(new Fetch(cfg), `core_fetch_b${1 << logBus}`);
    try {
      const r = rng(logBus);
      // A program that crosses a 4 KiB boundary, at an address that is not bus-aligned for wide buses.
      const insns = randomProgram(cfg, 150, r);
      const res = await runFetch(tb, cfg, insns, 0x1000 - 16 * 37, 11 + logBus);
      expect(res.errorSeen).toBeUndefined();
      expect(res.queues).toEqual(expectedQueues(insns, res.bytes));
      expect(res.maxInFlight).toBeLessThanOrEqual(32);

      // An illegal instruction: dispatch stops before it, error + index; a relaunch clears the error.
      for (const [k, bad] of [
        [9, 'opcode'],
        [3, 'memtype'],
        [5, 'alu'],
      ] as const) {
        const prog = randomProgram(cfg, 20, r);
        if (bad === 'opcode') prog[k] = { op: 'UNKNOWN', opcode: 6, popPrev: false, popNext: false, pushPrev: false, pushNext: false };
        if (bad === 'memtype') prog[k] = build.load({ memType: 5, xSize: 1 });
        if (bad === 'alu') prog[k] = build.alu({ aluOp: 4 }); // MUL is not enabled by default
        const e = await runFetch(tb, cfg, prog, 0x2000 + 16 * k, 100 + k);
        expect(e.errorSeen).toBe(k);
        expect(e.queues).toEqual(expectedQueues(prog, e.bytes, k));
      }
      const again = randomProgram(cfg, 30, r);
      const res2 = await runFetch(tb, cfg, again, 0x3000, 5);
      expect(res2.errorSeen).toBeUndefined();
      expect(res2.queues).toEqual(expectedQueues(again, res2.bytes));
    } finally {
      tb.close();
    }
  });
}
