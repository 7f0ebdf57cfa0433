// The TSIM section of `vta bench`: the generated VtaCore under Verilator (sim/tsim), default memory model
// (bus of cfg.busBits, 16-cycle read latency, one beat per cycle). Measures
//   - simulation speed: simulated cycles per second of the C++ clock loop (TsimRunResult.simCyclesPerSecond,
//     register accesses and done-polling included), best of a few runs of the 256x256 blocked GEMM;
//   - per blocked-GEMM conformance vector: cycles (launch -> FINISH), GEMM utilization = MACs per cycle /
//     (BATCH·BLOCK_IN·BLOCK_OUT), DRAM read bytes and the bus-bound lower limit on cycles they imply;
//   - ALU micro-ops per cycle for the immediate and the vector form: synthetic programs LOAD UOP, k ALU
//     instructions of 64x32 iterations over one micro-op (2048 micro-ops each), FINISH, for k = 1 and k = 4.
//     Marginal rate = 3·2048 micro-ops / (cycles(k=4) − cycles(k=1)) (the fixed overhead cancels); the
//     fixed overhead = cycles(k=1) − 2048 is reported too.

import { writeFileSync } from 'fs';
import { deriveConfig, DEFAULT_CONFIG_JSON, MEM_TYPE, VtaConfig, withOverrides } from '../../hw/vta/config';
import { ALU_OPCODE, build, encodeProgram, encodeUop, Insn, INSN_BYTES } from '../../hw/vta/isa';
import { TsimDevice, TsimRunResult } from '../tsim/device';
import { emitRtl } from '../../gen/rtl';
import { openDevice } from '../targets';
import { syntheticWorkload, vectorWorkloads, Workload } from './fsim-bench';

export interface TsimGemmRow {
  workload: string;
  config: string;
  busBits: number;
  cycles: number;
  gemmUops: number;
  macs: number;
  /** MACs per cycle / peak MACs per cycle. */
  utilization: number;
  dramReadBytes: number;
  dramWriteBytes: number;
  /** DRAM read bytes / bus bytes per cycle: no schedule on this bus can take fewer cycles. */
  busBoundCycles: number;
  /** gemmUops / max(gemmUops, busBoundCycles): the best utilization this bus allows. */
  utilizationBound: number;
  simCyclesPerSecond: number;
  note?: string;
}

export interface TsimAluRow {
  form: 'imm' | 'vec';
  uopsPerInsn: number;
  cycles1: number;
  cycles4: number;
  /** Micro-ops per cycle at steady state (fixed overhead cancelled). */
  marginalUopsPerCycle: number;
  /** Micro-ops / cycles of the k=4 program, overhead included. */
  wholeUopsPerCycle: number;
  /** cycles(k=1) − micro-ops: fetch, LOAD UOP, pipeline fill/drain, FINISH. */
  fixedOverheadCycles: number;
}

export interface TsimBenchReport {
  date: string;
  cpu: string;
  memory: string;
  simSpeed: {
    workload: string;
    simCyclesPerSecond: number;
    runs: number;
    /** The same Verilog built with Verilator's and make's default flags, runs interleaved with the tuned build. */
    baselineCyclesPerSecond?: number;
    /** Seconds each build took here (0 when it came from the cache). */
    buildSeconds?: { tuned: number; baseline: number };
  };
  gemm: TsimGemmRow[];
  alu: TsimAluRow[];
}

/** The ALU synthetic program: LOAD UOP of one micro-op, `k` ALU ADDs of 64x32 iterations, FINISH. */
export function aluWorkload(cfg: VtaConfig, form: 'imm' | 'vec', k: number): Workload {
  const page = 4096;
  const insnAddr = page;
  const uopAddr = 2 * page;
  const iterOut = 64;
  const iterIn = Math.min(32, Math.floor(cfg.tensor.acc.depth / iterOut));
  const insns: Insn[] = [build.load({ memType: MEM_TYPE.UOP, dramBase: uopAddr / 4, xSize: 1, xStride: 1 })];
  for (let i = 0; i < k; i++) {
    insns.push(
      build.alu({
        aluOp: ALU_OPCODE.ADD,
        useImm: form === 'imm',
        imm: 1,
        uopBgn: 0,
        uopEnd: 1,
        iterOut,
        iterIn,
        dstFactorOut: iterIn,
        dstFactorIn: 1,
        srcFactorOut: iterIn,
        srcFactorIn: 1,
      }),
    );
  }
  insns.push(build.finish());
  const image = new Uint8Array(4 * page);
  image.set(encodeProgram(cfg, insns), insnAddr);
  new DataView(image.buffer).setUint32(uopAddr, encodeUop(cfg, { dst: 0, src: 0, wgt: 0 }), true);
  if (insnAddr + insns.length * INSN_BYTES > uopAddr) throw new Error('aluWorkload: program too long');
  return { name: `ALU ADD ${form} ${k}x(${iterOut}x${iterIn})`, cfg, image, insnAddr, insnCount: insns.length };
}

const buildText = (s: number): string => (s > 0 ? `${s.toFixed(1)} s` : 'cached');

async function runOn(dev: TsimDevice, w: Workload): Promise<TsimRunResult> {
  dev.loadImage(w.image);
  return dev.run(w.insnAddr, w.insnCount);
}

/** The configuration's core built with the baseline flags (Verilator's and make's defaults). */
async function baselineDevice(cfg: VtaConfig, log: (s: string) => void): Promise<TsimDevice> {
  const rtl = emitRtl(cfg);
  return TsimDevice.build(cfg, { core: { top: rtl.top, verilog: rtl.files }, dramBytes: 4 << 20, flagSet: 'baseline', log });
}

/** Opens (building or taking the cached library) one TSIM device per configuration. */
class Devices {
  private readonly open = new Map<string, TsimDevice>();
  constructor(private readonly log: (s: string) => void) {}
  async get(cfg: VtaConfig): Promise<TsimDevice> {
    let d = this.open.get(cfg.hash);
    if (!d) {
      d = (await openDevice('tsim', cfg, { dramBytes: 4 << 20, log: this.log })) as unknown as TsimDevice;
      this.open.set(cfg.hash, d);
    }
    return d;
  }
  close(): void {
    for (const d of this.open.values()) d.close();
  }
}

function gemmRow(w: Workload, r: TsimRunResult, note?: string): TsimGemmRow {
  const cfg = w.cfg;
  const cycles = r.cycles ?? r.simCycles;
  const peak = cfg.batch * cfg.blockIn * cfg.blockOut;
  const rd = r.registers.DRAM_READ_BYTES ?? 0;
  const busBound = Math.ceil(rd / (cfg.busBits / 8));
  const gemmUops = r.counters.gemmUops;
  return {
    workload: w.name,
    config: cfg.name,
    busBits: cfg.busBits,
    cycles,
    gemmUops,
    macs: r.counters.macs,
    utilization: r.counters.macs / (cycles * peak),
    dramReadBytes: rd,
    dramWriteBytes: r.registers.DRAM_WRITE_BYTES ?? 0,
    busBoundCycles: busBound,
    utilizationBound: gemmUops / Math.max(gemmUops, busBound),
    simCyclesPerSecond: r.simCyclesPerSecond,
    ...(note ? { note } : {}),
  };
}

export const SPEED_WORKLOAD = 'default__tl_blocked_gemm_b256_c256_blk64_vt2';

export async function runTsimBench(options: {
  vectorDir: string;
  log?: (s: string) => void;
  speedRuns?: number;
  /** Benchmark this configuration: the vectors written for it, a synthetic GEMM stream and the ALU rows. */
  config?: VtaConfig;
  /** Also build the core with the baseline flags and measure its speed beside the tuned build (default true). */
  baseline?: boolean;
}): Promise<TsimBenchReport> {
  const log = options.log ?? (() => undefined);
  const devices = new Devices(log);
  try {
    const gemm: TsimGemmRow[] = [];
    const vectors = vectorWorkloads(options.vectorDir, options.config);
    // A chosen configuration rarely has vectors: a synthetic blocked-GEMM stream measures it anyway.
    if (options.config) vectors.push(syntheticWorkload(options.config, 256));
    let speed = { workload: '(none)', simCyclesPerSecond: 0, runs: 0 };
    for (const w of vectors) {
      log(`  ${w.name} ...`);
      const dev = await devices.get(w.cfg);
      let r = await runOn(dev, w);
      if (w.name.startsWith(SPEED_WORKLOAD)) {
        const runs = options.speedRuns ?? 5;
        const base = options.baseline === false ? null : await baselineDevice(w.cfg, log);
        try {
          // interleaved, best of each: both builds see the same machine load
          let best = r.simCyclesPerSecond;
          let baseBest = 0;
          for (let i = 0; i < runs; i++) {
            if (base) baseBest = Math.max(baseBest, (await runOn(base, w)).simCyclesPerSecond);
            if (i === 0) continue;
            r = await runOn(dev, w);
            best = Math.max(best, r.simCyclesPerSecond);
          }
          speed = {
            workload: w.name,
            simCyclesPerSecond: best,
            runs,
            ...(base ? { baselineCyclesPerSecond: baseBest, buildSeconds: { tuned: dev.buildSeconds, baseline: base.buildSeconds } } : {}),
          };
        } finally {
          base?.close();
        }
      }
      gemm.push(gemmRow(w, r));
      // The same program on a 128-bit bus: what the core does when DRAM bandwidth is not the limit.
      if (w.name.startsWith(SPEED_WORKLOAD) && w.cfg.busBits === 64 && !options.config) {
        const wide = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BUS_WIDTH: 7 }));
        if (wide.batch === w.cfg.batch && wide.blockIn === w.cfg.blockIn && wide.blockOut === w.cfg.blockOut) {
          const ww = { ...w, cfg: wide, name: `${w.name} @128-bit bus` };
          log(`  ${ww.name} ...`);
          gemm.push(gemmRow(ww, await runOn(await devices.get(wide), ww), 'what-if: same program, LOG_BUS_WIDTH 7'));
        }
      }
    }
    const cfg = options.config ?? deriveConfig(DEFAULT_CONFIG_JSON);
    const alu: TsimAluRow[] = [];
    const dev = await devices.get(cfg);
    for (const form of ['imm', 'vec'] as const) {
      log(`  ALU ${form} ...`);
      const w1 = aluWorkload(cfg, form, 1);
      const w4 = aluWorkload(cfg, form, 4);
      const r1 = await runOn(dev, w1);
      const r4 = await runOn(dev, w4);
      const n = r1.counters.aluUops;
      const c1 = r1.cycles ?? 0;
      const c4 = r4.cycles ?? 0;
      alu.push({
        form,
        uopsPerInsn: n,
        cycles1: c1,
        cycles4: c4,
        marginalUopsPerCycle: (r4.counters.aluUops - n) / (c4 - c1),
        wholeUopsPerCycle: r4.counters.aluUops / c4,
        fixedOverheadCycles: c1 - n,
      });
    }
    const os = await import('os');
    return {
      date: new Date().toISOString(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memory: 'TSIM default AXI model: 16-cycle read latency, one beat per cycle, 8 outstanding bursts',
      simSpeed: speed,
      gemm,
      alu,
    };
  } finally {
    devices.close();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function table(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function formatTsimTable(r: TsimBenchReport): string {
  const g = table(
    ['workload', 'config', 'bus', 'cycles', 'GEMM uops', 'util', 'DRAM rd B', 'bus-bound cyc', 'util bound'],
    r.gemm.map((x) => [
      x.workload,
      x.config,
      String(x.busBits),
      String(x.cycles),
      String(x.gemmUops),
      pct(x.utilization),
      String(x.dramReadBytes),
      String(x.busBoundCycles),
      pct(x.utilizationBound),
    ]),
  );
  const a = table(
    ['ALU form', 'uops/insn', 'cycles k=1', 'cycles k=4', 'uops/cycle (marginal)', 'uops/cycle (whole)', 'fixed overhead'],
    r.alu.map((x) => [
      x.form,
      String(x.uopsPerInsn),
      String(x.cycles1),
      String(x.cycles4),
      x.marginalUopsPerCycle.toFixed(3),
      x.wholeUopsPerCycle.toFixed(3),
      `${x.fixedOverheadCycles} cycles`,
    ]),
  );
  return [
    `simulation speed: ${(r.simSpeed.simCyclesPerSecond / 1e6).toFixed(2)}M simulated cycles/s (best of ${r.simSpeed.runs} runs of ${r.simSpeed.workload}; CPU ${r.cpu})`,
    ...(r.simSpeed.baselineCyclesPerSecond
      ? [
          `  baseline flags (Verilator's and make's defaults, same Verilog, runs interleaved): ${(r.simSpeed.baselineCyclesPerSecond / 1e6).toFixed(2)}M cycles/s; ` +
            `tuned / baseline = ${(r.simSpeed.simCyclesPerSecond / r.simSpeed.baselineCyclesPerSecond).toFixed(2)}x` +
            (r.simSpeed.buildSeconds
              ? `; builds here: tuned ${buildText(r.simSpeed.buildSeconds.tuned)}, baseline ${buildText(r.simSpeed.buildSeconds.baseline)}`
              : ''),
        ]
      : []),
    '',
    g,
    '',
    'util = MACs per cycle / (BATCH*BLOCK_IN*BLOCK_OUT); bus-bound = DRAM read bytes / bus bytes (one beat per cycle):',
    'no schedule takes fewer cycles on that bus, so util bound = GEMM uops / max(uops, bus-bound cycles).',
    '',
    a,
    '',
    `ALU programs: LOAD UOP, k ALU ADD instructions of 2048 micro-ops, FINISH; marginal = 3*2048 / (cycles k=4 - cycles k=1). ${r.memory}.`,
  ].join('\n');
}

/**
 * Bars of GEMM utilization per workload with the utilization the bus allows, as a standalone SVG: axis
 * titles, ticks every 10 %, and a legend that says what the bar, the dashed outline and the red line are.
 */
export function tsimUtilizationSvg(r: TsimBenchReport, target = 0.9): string {
  const rows = r.gemm;
  const barH = 22;
  const gap = 10;
  // Room for the longest label at about 6.5 px per character of 11 px sans-serif.
  const left = 36 + Math.ceil(6.5 * Math.max(...rows.map((row) => `${row.workload} (${row.busBits}-bit)`.length)));
  const plotW = 400;
  const top = 48;
  const plotBottom = top + rows.length * (barH + gap);
  const legendLongest = 'bus bound: the most any schedule reaches when every DRAM byte crosses this bus once'.length;
  const W = Math.max(left + plotW + 90, left + 24 + Math.ceil(6.2 * legendLongest) + 10);
  const H = plotBottom + 118;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="10" y="22" font-size="14">TSIM GEMM utilization per workload (${esc(r.memory.split(':')[0])})</text>`);
  for (let t = 0; t <= 10; t++) {
    const x = left + (plotW * t) / 10;
    out.push(`<line x1="${x}" y1="${top - 5}" x2="${x}" y2="${plotBottom}" stroke="${t % 5 === 0 ? '#ccc' : '#eee'}"/>`);
    out.push(`<text x="${x}" y="${plotBottom + 14}" text-anchor="middle">${t * 10}%</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${plotBottom + 32}" text-anchor="middle">GEMM utilization = MACs per cycle / peak MACs per cycle</text>`);
  out.push(`<text transform="translate(14 ${(top + plotBottom) / 2}) rotate(-90)" text-anchor="middle">workload (DRAM bus width)</text>`);
  const xt = left + plotW * target;
  out.push(`<line x1="${xt}" y1="${top - 5}" x2="${xt}" y2="${plotBottom}" stroke="#B22222" stroke-width="1.5" stroke-dasharray="5 3"/>`);
  out.push(`<text x="${xt}" y="${top - 9}" text-anchor="middle" fill="#B22222">target ${Math.round(target * 100)}%</text>`);
  rows.forEach((row, i) => {
    const y = top + i * (barH + gap);
    out.push(`<text x="${left - 8}" y="${y + barH / 2 + 4}" text-anchor="end">${esc(`${row.workload} (${row.busBits}-bit)`)}</text>`);
    out.push(
      `<rect x="${left}" y="${y}" width="${(plotW * row.utilizationBound).toFixed(1)}" height="${barH}" fill="none" stroke="#555" stroke-dasharray="3 2"/>`,
    );
    out.push(`<rect x="${left}" y="${y + 4}" width="${(plotW * row.utilization).toFixed(1)}" height="${barH - 8}" fill="#0072B2"/>`);
    out.push(`<text x="${left + plotW * Math.max(row.utilization, row.utilizationBound) + 6}" y="${y + barH / 2 + 4}">${pct(row.utilization)}</text>`);
  });
  // Legend: what each mark means.
  const ly = plotBottom + 52;
  out.push(`<rect x="${left}" y="${ly - 9}" width="18" height="10" fill="#0072B2"/><text x="${left + 24}" y="${ly}">measured utilization of the run</text>`);
  out.push(
    `<rect x="${left}" y="${ly + 9}" width="18" height="12" fill="none" stroke="#555" stroke-dasharray="3 2"/><text x="${left + 24}" y="${ly + 19}">bus bound: the most any schedule reaches when every DRAM byte crosses this bus once</text>`,
  );
  out.push(
    `<line x1="${left}" y1="${ly + 34}" x2="${left + 18}" y2="${ly + 34}" stroke="#B22222" stroke-width="1.5" stroke-dasharray="5 3"/><text x="${left + 24}" y="${ly + 38}">target: the utilization the blocked-GEMM benchmark aims for (${Math.round(target * 100)}% of peak)</text>`,
  );
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function writeTsimOutputs(r: TsimBenchReport, jsonPath: string, svgPath: string): void {
  writeFileSync(jsonPath, JSON.stringify(r, null, 2) + '\n');
  writeFileSync(svgPath, tsimUtilizationSvg(r));
}
