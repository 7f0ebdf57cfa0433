// Compute under Verilator, closed loop (interactive testbench): a TS model serves the VME read clients
// from a DRAM image, the INP/WGT read ports from random scratchpads, the instruction queue and the
// tokens; the program (LOAD UOP, LOAD ACC, random GEMM/ALU loop nests incl. reset, zero-trip loops,
// back-to-back micro-ops on one accumulator, immediates and vector operands, index wrap-around) is
// checked against a program-order TS reference through the OUT read port. The full 32-bit ACC is
// checked by shifting it down 8 bits at a time with further ALU instructions. The same with ACC_8BIT_LOAD,
// LOAD ACC_8BIT among the loads.

import { Compute } from '../../hw/vta/core/compute';
import { MEM_TYPE_ACC_8BIT } from '../../hw/vta/acc8';
import { DEFAULT_CONFIG_JSON, deriveConfig, MEM_TYPE, VtaConfig, withOverrides } from '../../hw/vta/config';
import { build, encodeInsnBits, encodeUop, Insn } from '../../hw/vta/isa';
import { buildInteractive, Tb } from './core-tb';
import { aluRef, packLanes, rng, unpackLanes } from './rtl-sim';

const cfg = deriveConfig(
  withOverrides(DEFAULT_CONFIG_JSON, {
    LOG_BLOCK: 2,
    LOG_UOP_BUFF_SIZE: 6,
    LOG_INP_BUFF_SIZE: 6,
    LOG_WGT_BUFF_SIZE: 8,
    LOG_ACC_BUFF_SIZE: 8,
    ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'],
    GEMM_PIPELINE_DEPTH: 2,
  }),
  'compute test',
);

const UOP_BASE = 0x1000;
const ACC_BASE = 0x4000;

test('Compute runs LOAD/GEMM/ALU/FINISH like the program-order reference', async () => {
  await checkCompute(cfg, 'compute_small');
});

// LOAD ACC_8BIT (hw/vta/ACC_8BIT.md): int8 elements from the ACC base register, sign-extended into ACC,
// mixed with LOAD ACC (both on the ACC VME client) and GEMM/ALU.
test('Compute with ACC_8BIT_LOAD runs LOAD ACC_8BIT like the reference, from a nonzero ACC base register', async () => {
  await checkCompute(deriveConfig({ ...cfg.json, ACC_8BIT_LOAD: 1 }, 'compute test, ACC_8BIT_LOAD'), 'compute_small_acc8');
});

async function checkCompute(cfg: VtaConfig, name: string): Promise<void> {
  const T = cfg.tensor;
  const lanes = cfg.batch * cfg.blockOut;
  const { exe, ports } = await buildInteractive(new Compute(cfg), name);
  const r = rng(7);
  const dram = new Uint8Array(1 << 16);
  for (let i = 0; i < dram.length; i++) dram[i] = r.int(0, 255);
  // micro-ops: random, with repeated dsts so back-to-back micro-ops hit one accumulator
  const uops = Array.from({ length: T.uop.depth }, (_, i) => ({
    dst: i < 6 ? 3 : r.int(0, T.acc.depth - 1),
    src: r.int(0, T.acc.depth - 1),
    wgt: r.int(0, T.wgt.depth - 1),
  }));
  uops.forEach((u, i) => new DataView(dram.buffer).setUint32(UOP_BASE + 4 * i, encodeUop(cfg, u), true));
  const special = [-(2 ** 31), 2 ** 31 - 1, -1, 0, 1, 2 ** 31 - 100, -(2 ** 31) + 100];
  for (let e = 0; e < T.acc.depth * 2; e++) {
    for (let l = 0; l < lanes; l++) {
      const v = r.int(0, 3) === 0 ? r.pick(special) : r.int(-(2 ** 31), 2 ** 31 - 1);
      new DataView(dram.buffer).setInt32(ACC_BASE + e * T.acc.elemBytes + 4 * l, v, true);
    }
  }
  const inpMem = Array.from({ length: T.inp.depth }, () => Array.from({ length: cfg.batch * cfg.blockIn }, () => r.pick([-128, 127, r.int(-128, 127)])));
  const wgtMem = Array.from({ length: T.wgt.depth }, () => Array.from({ length: cfg.blockOut * cfg.blockIn }, () => r.pick([-128, 127, r.int(-128, 127)])));

  // ---- reference state ----
  const acc: bigint[][] = Array.from({ length: T.acc.depth }, () => Array(lanes).fill(0n));
  const out: bigint[][] = Array.from({ length: T.acc.depth }, () => Array(lanes).fill(0n));
  let gemmUops = 0;
  let aluUops = 0;
  const ref = (insn: Insn): void => {
    if (insn.op === 'LOAD') {
      if (insn.memType === MEM_TYPE.ACC) {
        for (let x = 0; x < insn.xSize; x++) {
          const e = (insn.sramBase + x) % T.acc.depth;
          const a = ACC_BASE + (insn.dramBase + x) * T.acc.elemBytes;
          acc[e] = Array.from({ length: lanes }, (_, l) => BigInt(new DataView(dram.buffer).getInt32(a + 4 * l, true)));
        }
      } else if (insn.memType === MEM_TYPE_ACC_8BIT) {
        for (let x = 0; x < insn.xSize; x++) {
          const e = (insn.sramBase + x) % T.acc.depth;
          const a = ACC_BASE + (insn.dramBase + x) * lanes;
          acc[e] = Array.from({ length: lanes }, (_, l) => BigInt(new DataView(dram.buffer).getInt8(a + l)));
        }
      }
      return;
    }
    if (insn.op !== 'GEMM' && insn.op !== 'ALU') return;
    for (let o = 0; o < insn.iterOut; o++) {
      for (let i = 0; i < insn.iterIn; i++) {
        for (let u = insn.uopBgn; u < insn.uopEnd; u++) {
          const uop = uops[u];
          const dst = (uop.dst + o * insn.dstFactorOut + i * insn.dstFactorIn) % T.acc.depth;
          if (insn.op === 'GEMM') {
            gemmUops++;
            const src = (uop.src + o * insn.srcFactorOut + i * insn.srcFactorIn) % T.inp.depth;
            const w = (uop.wgt + o * insn.wgtFactorOut + i * insn.wgtFactorIn) % T.wgt.depth;
            for (let oo = 0; oo < lanes; oo++) {
              let dot = 0n;
              for (let k = 0; k < cfg.blockIn; k++) dot += BigInt(inpMem[src][k]) * BigInt(wgtMem[w][oo * cfg.blockIn + k]);
              acc[dst][oo] = insn.resetReg ? 0n : BigInt.asIntN(32, acc[dst][oo] + dot);
            }
          } else {
            aluUops++;
            const src = (uop.src + o * insn.srcFactorOut + i * insn.srcFactorIn) % T.acc.depth;
            const b = insn.useImm ? Array(lanes).fill(BigInt(insn.imm)) : [...acc[src]];
            acc[dst] = acc[dst].map((a, l) => aluRef(cfg, insn.aluOp, a, b[l]));
          }
          out[dst] = acc[dst].map((a) => BigInt.asIntN(8, a));
        }
      }
    }
  };

  // ---- the program ----
  const flags = () => ({ popPrev: r.int(0, 3) === 0, popNext: r.int(0, 3) === 0, pushPrev: r.int(0, 3) === 0, pushNext: r.int(0, 3) === 0 });
  const loop = () => ({
    uopBgn: r.int(0, 4),
    uopEnd: r.int(0, 9) === 0 ? 0 : r.int(5, T.uop.depth),
    iterOut: r.int(0, 12) === 0 ? 0 : r.int(1, 3),
    iterIn: r.int(1, 3),
    dstFactorOut: r.int(0, 15),
    dstFactorIn: r.int(0, 15),
    srcFactorOut: r.int(0, 15),
    srcFactorIn: r.int(0, 15),
  });
  const prog: Insn[] = [
    build.load({ memType: MEM_TYPE.UOP, xSize: T.uop.depth, ...flags() }),
    build.load({ memType: MEM_TYPE.ACC, xSize: T.acc.depth, ...flags() }),
    // 6 micro-ops on acc[3] back to back
    build.gemm({ uopBgn: 0, uopEnd: 6, iterOut: 1, iterIn: 2 }),
    build.alu({ aluOp: 2, uopBgn: 0, uopEnd: 6, useImm: true, imm: 12345 }),
    build.alu({ aluOp: 2, uopBgn: 0, uopEnd: 6 }),
  ];
  for (let n = 0; n < 30; n++) {
    const k = r.int(0, 9);
    if (k < 4) prog.push(build.gemm({ ...loop(), ...flags(), resetReg: r.int(0, 5) === 0, wgtFactorOut: r.int(0, 15), wgtFactorIn: r.int(0, 15) }));
    else if (k < 9) {
      const aluOp = r.int(0, 4);
      prog.push(build.alu({ ...loop(), ...flags(), aluOp, useImm: r.int(0, 1) === 0, imm: aluOp === 3 ? r.int(-40, 40) : r.int(-32768, 32767) }));
    } else {
      const memType = cfg.acc8 && r.int(0, 1) === 0 ? MEM_TYPE_ACC_8BIT : MEM_TYPE.ACC;
      prog.push(build.load({ memType, sramBase: r.int(0, 15), dramBase: r.int(0, 16), xSize: r.int(0, 5), ...flags() }));
    }
  }
  // with the knob, every accumulator from int8 elements, then the same loop nests again
  if (cfg.acc8) prog.push(build.load({ memType: MEM_TYPE_ACC_8BIT, sramBase: 3, dramBase: 5, xSize: T.acc.depth }), ...prog.slice(2, 5));
  prog.push(build.finish());

  const tb = new Tb(exe, ports);
  try {
    await tb.reset();
    tb.setAll({ io_rdUop_cmd_ready: 1, io_rdAcc_cmd_ready: 1, io_tokens_canPopPrev: 1, io_tokens_canPopNext: 1 });
    const beats: Record<'Uop' | 'Acc', { data: bigint; last: boolean }[]> = { Uop: [], Acc: [] };
    const busBytes = cfg.busBits / 8;
    let pops = 0;
    let pushes = 0;
    let gemmEv = 0;
    let aluEv = 0;

    /** Runs instructions until the FINISH at their end completes; returns the cycles taken. */
    const run = async (insns: Insn[]): Promise<number> => {
      let pc = 0;
      const t0 = tb.cycle;
      for (let guard = 0; guard < 20000; guard++) {
        tb.setAll({
          io_insn_valid: pc < insns.length,
          io_insn_bits_insn: pc < insns.length ? encodeInsnBits(cfg, insns[pc]) : 0n,
          io_insn_bits_index: pc,
          // push targets are full now and then: the stage must wait
          io_tokens_canPushPrev: tb.cycle % 7 !== 3,
          io_tokens_canPushNext: tb.cycle % 5 !== 1,
        });
        for (const c of ['Uop', 'Acc'] as const) {
          const b = beats[c].shift();
          tb.setAll({ [`io_rd${c}_data_valid`]: !!b, [`io_rd${c}_data_bits_data`]: b?.data ?? 0n, [`io_rd${c}_data_bits_last`]: b?.last ?? false });
        }
        const o = await tb.step();
        if (o.io_insn_ready && pc < insns.length) {
          ref(insns[pc]);
          pc++;
        }
        pops += Number(o.io_tokens_popPrev) + Number(o.io_tokens_popNext);
        pushes += Number(o.io_tokens_pushPrev) + Number(o.io_tokens_pushNext);
        gemmEv += Number(o.io_gemmUop) + Number(o.io_gemmResetUop); // reset GEMMs count separately
        aluEv += Number(o.io_aluUop);
        for (const c of ['Uop', 'Acc'] as const) {
          if (o[`io_rd${c}_cmd_valid`]) {
            const addr = Number(o[`io_rd${c}_cmd_bits_addr`]);
            const len = Number(o[`io_rd${c}_cmd_bits_len`]) + 1;
            for (let j = 0; j < len; j++) {
              let v = 0n;
              for (let k = busBytes - 1; k >= 0; k--) v = (v << 8n) | BigInt(dram[(addr + j * busBytes + k) % dram.length]);
              beats[c].push({ data: v, last: j === len - 1 });
            }
          }
        }
        // (set after the edge, for the next cycle)
        tb.setAll({ io_inpData: packLanes(inpMem[Number(o.io_inpRead_addr)], 8), io_wgtData: packLanes(wgtMem[Number(o.io_wgtRead_addr)], 8) });
        if (o.io_finish) {
          expect(pc).toBe(insns.length);
          return tb.cycle - t0;
        }
      }
      throw new Error(`no FINISH after ${tb.cycle - t0} cycles`);
    };
    tb.setAll({ io_uopBase: UOP_BASE, io_accBase: ACC_BASE });

    const readOut = async (): Promise<bigint[][]> => {
      const rows: bigint[][] = [];
      tb.setAll({ io_insn_valid: 0, io_outRead_en: 1 });
      for (let e = 0; e <= T.out.depth; e++) {
        tb.set('io_outRead_addr', e % T.out.depth);
        const o = await tb.step();
        if (e > 0) rows.push(unpackLanes(o.io_outData, lanes, 8));
      }
      tb.set('io_outRead_en', 0);
      return rows;
    };

    await run(prog);
    expect(await readOut()).toEqual(out);
    expect(gemmEv).toBe(gemmUops);
    expect(aluEv).toBe(aluUops);
    const flagCount = prog.reduce((n, i) => n + Number(i.popPrev) + Number(i.popNext), 0);
    expect(pops).toBe(flagCount);
    expect(pushes).toBe(prog.reduce((n, i) => n + Number(i.pushPrev) + Number(i.pushNext), 0));

    // the whole accumulator, 8 bits at a time
    const shr8 = build.alu({ aluOp: 3, useImm: true, imm: 8, uopBgn: 0, uopEnd: 1, iterOut: T.acc.depth, dstFactorOut: 1, srcFactorOut: 1 });
    for (let k = 0; k < 3; k++) {
      await run([shr8, build.finish()]);
      expect([k, await readOut()]).toEqual([k, out]);
    }

    // throughput: 1 micro-op per cycle on a long loop (16 uops x 4 x 4 = 256 micro-ops)
    const big = build.gemm({ uopBgn: 0, uopEnd: 16, iterOut: 4, iterIn: 4, dstFactorOut: 1, srcFactorIn: 3, wgtFactorOut: 5 });
    const cycles = await run([big, build.finish()]);
    expect(cycles).toBeLessThan(256 + 30);
    expect(await readOut()).toEqual(out);
  } finally {
    tb.close();
  }
}
