// GEMM micro-op throughput of fsim, with the plain-JS kernel and the WebAssembly SIMD kernel, each
// compared with a native C++ loop (sim/bench/native-gemm.cc, g++ -O3 -march=native) that runs the same
// micro-ops. Workloads:
//   (a) the blocked-GEMM conformance vectors (whole fsim runs: loads, GEMMs, ALU, stores; the native
//       loop runs only the vector's GEMM micro-ops, so its ratio is a lower bound for fsim's GEMM);
//   (b) a synthetic stream: one GEMM of 4096 micro-ops × 16 × 16 iterations (1,048,576 micro-ops).
// fsim's rate is gemm micro-ops / seconds inside run(); the native rate is measured inside the C++
// program (steady_clock around the loop nest only).

import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { defaultConfig, MEM_TYPE, VtaConfig } from '../../hw/vta/config';
import { build, decodeProgram, encodeProgram, encodeUop, Insn, INSN_BYTES } from '../../hw/vta/isa';
import { FunctionalSimulator, GemmKernel } from '../fsim';
import { jsGemmKernel } from '../fsim/gemm';
import { createWasmGemmKernel } from '../fsim/wasm/kernel';
import { initialDram, loadVector } from '../vector';
import type { RunOptions } from '../device';

export const REPO_ROOT = join(__dirname, '..', '..');
export const DEFAULT_VECTOR_DIR = join(REPO_ROOT, '..', 'shared', 'conformance', 'vta-hls');
const NATIVE_SOURCE = join(__dirname, 'native-gemm.cc');

export interface Workload {
  name: string;
  cfg: VtaConfig;
  image: Uint8Array;
  insnAddr: number;
  insnCount: number;
}

/** One GEMM instruction's loop nest with decoded micro-ops, as the native program reads it. */
interface GemmJob {
  n: number;
  loop: number[]; // iterOut iterIn dFo dFi sFo sFi wFo wFi
  uops: number[]; // dst src wgt triples
}

/** The non-reset GEMMs of a program, with the micro-ops the UOP buffer holds when each runs. */
export function gemmJobs(w: Workload): GemmJob[] {
  const { cfg, image } = w;
  const insns = decodeProgram(cfg, image.subarray(w.insnAddr, w.insnAddr + w.insnCount * INSN_BYTES));
  const uopMem = new Uint32Array(cfg.tensor.uop.depth);
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const [fd, fs, fw] = cfg.layout.uop.fields;
  const field = (word: number, f: { lsb: number; width: number }) => (f.lsb >= 32 ? 0 : Math.floor(word / 2 ** f.lsb) % 2 ** f.width);
  const jobs: GemmJob[] = [];
  for (const insn of insns) {
    if (insn.op === 'LOAD' && insn.memType === MEM_TYPE.UOP) {
      for (let k = 0; k < insn.xSize; k++) uopMem[insn.sramBase + k] = view.getUint32((insn.dramBase + k) * 4, true);
    } else if (insn.op === 'GEMM' && !insn.resetReg) {
      const n = insn.uopEnd - insn.uopBgn;
      if (n <= 0 || insn.iterOut === 0 || insn.iterIn === 0) continue;
      const uops: number[] = [];
      for (let u = insn.uopBgn; u < insn.uopEnd; u++) uops.push(field(uopMem[u], fd), field(uopMem[u], fs), field(uopMem[u], fw));
      jobs.push({
        n,
        uops,
        loop: [insn.iterOut, insn.iterIn, insn.dstFactorOut, insn.dstFactorIn, insn.srcFactorOut, insn.srcFactorIn, insn.wgtFactorOut, insn.wgtFactorIn],
      });
    }
  }
  return jobs;
}

function jobFile(cfg: VtaConfig, jobs: GemmJob[]): Buffer {
  const words = [cfg.batch, cfg.blockIn, cfg.blockOut, cfg.tensor.inp.depth, cfg.tensor.wgt.depth, cfg.tensor.acc.depth, jobs.length];
  for (const j of jobs) words.push(j.n, ...j.loop, ...j.uops);
  return Buffer.from(new Int32Array(words).buffer);
}

/** Compiles native-gemm.cc once per source and flags into `cacheDir`; returns the binary's path. */
export const NATIVE_FLAGS = ['-O3', '-march=native', '-std=c++17'];
/** GCC 12's -O3 SLP-vectorizes this loop into slower code than -O2 does; both are measured, the best counts. */
export const NATIVE_FLAGS_ALT = ['-O2', '-ftree-vectorize', '-march=native', '-std=c++17'];

export function buildNative(cacheDir: string, flags: string[] = NATIVE_FLAGS): string {
  const src = readFileSync(NATIVE_SOURCE);
  const hash = createHash('sha256').update(src).update(flags.join(' ')).digest('hex').slice(0, 16);
  const bin = join(cacheDir, `native-gemm-${hash}`);
  if (!existsSync(bin)) {
    mkdirSync(cacheDir, { recursive: true });
    execFileSync('g++', [...flags, '-o', bin, NATIVE_SOURCE], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return bin;
}

export function measureNative(bin: string, cfg: VtaConfig, jobs: GemmJob[], seconds: number, cacheDir: string): number {
  const file = join(cacheDir, `jobs-${process.pid}.bin`);
  writeFileSync(file, jobFile(cfg, jobs));
  const out = execFileSync(bin, [file, String(seconds)], { encoding: 'utf8' });
  const m = /uops_per_s (\S+)/.exec(out);
  if (!m) throw new Error(`native-gemm printed no rate: ${out}`);
  return Number(m[1]);
}

/** Runs the workload on fsim until `seconds` have passed (after one warm-up run); GEMM micro-ops/s. */
export async function measureFsim(w: Workload, kernel: GemmKernel, seconds: number, runOptions: RunOptions = {}): Promise<{ rate: number; gemmUops: number }> {
  const sim = new FunctionalSimulator(w.cfg, { dramBytes: w.image.length, gemmKernel: kernel });
  sim.loadImage(w.image);
  const first = await sim.run(w.insnAddr, w.insnCount, runOptions);
  const perRun = first.counters.gemmUops;
  let uops = 0;
  let elapsed = 0;
  while (elapsed < seconds) {
    sim.loadImage(w.image);
    const t0 = process.hrtime.bigint();
    const r = await sim.run(w.insnAddr, w.insnCount, runOptions);
    elapsed += Number(process.hrtime.bigint() - t0) / 1e9;
    uops += r.counters.gemmUops;
  }
  return { rate: uops / elapsed, gemmUops: perRun };
}

/** xorshift32 bytes, for the synthetic workload's data. */
function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let k = 0; k < n; k++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[k] = s & 0xff;
  }
  return out;
}

/**
 * One LOAD INP, one LOAD WGT (random data), one LOAD UOP, one GEMM of `n` micro-ops × iterOut × iterIn,
 * FINISH. Micro-op u: dst, src, wgt = u mod half of each depth; factors in = 1, out = iterIn, so every
 * index stays in range when iterOut·iterIn ≤ half of each depth.
 */
export function syntheticWorkload(cfg: VtaConfig, n = 4096, iterOut?: number, iterIn?: number): Workload {
  const t = cfg.tensor;
  const half = (d: number) => Math.max(1, d >> 1);
  // By default the largest square loop (up to 16x16) that the smallest buffer holds.
  if (iterOut === undefined || iterIn === undefined) {
    const room = Math.min(...[t.acc.depth, t.inp.depth, t.wgt.depth].map((d) => d - half(d) + 1));
    let side = 16;
    while (side > 1 && side * side > room) side >>= 1;
    iterOut ??= side;
    iterIn ??= side;
  }
  n = Math.min(n, t.uop.depth);
  const page = 4096;
  const align = (x: number) => Math.ceil(x / page) * page;
  const insnAddr = page;
  const uopAddr = align(insnAddr + 6 * INSN_BYTES);
  const inpAddr = align(uopAddr + n * 4);
  const inpBytes = t.inp.depth * t.inp.elemBytes;
  const wgtAddr = align(inpAddr + inpBytes);
  const wgtBytes = t.wgt.depth * t.wgt.elemBytes;
  const dramBytes = align(wgtAddr + wgtBytes);
  const insns: Insn[] = [
    build.load({ memType: MEM_TYPE.INP, dramBase: inpAddr / t.inp.elemBytes, xSize: t.inp.depth, xStride: t.inp.depth }),
    build.load({ memType: MEM_TYPE.WGT, dramBase: wgtAddr / t.wgt.elemBytes, xSize: t.wgt.depth, xStride: t.wgt.depth, pushNext: true }),
    build.load({ memType: MEM_TYPE.UOP, dramBase: uopAddr / 4, xSize: n, xStride: n }),
    build.gemm({
      popPrev: true,
      uopBgn: 0,
      uopEnd: n,
      iterOut,
      iterIn,
      dstFactorOut: iterIn,
      dstFactorIn: 1,
      srcFactorOut: iterIn,
      srcFactorIn: 1,
      wgtFactorOut: iterIn,
      wgtFactorIn: 1,
    }),
    build.finish(),
  ];
  if (n > t.uop.depth) throw new Error(`synthetic: ${n} micro-ops exceed the UOP buffer (${t.uop.depth})`);
  for (const d of [t.acc.depth, t.inp.depth, t.wgt.depth]) {
    if (half(d) - 1 + iterOut * iterIn > d) throw new Error(`synthetic: ${iterOut}x${iterIn} iterations overrun a buffer of depth ${d}`);
  }
  const image = new Uint8Array(dramBytes);
  image.set(encodeProgram(cfg, insns), insnAddr);
  const uv = new DataView(image.buffer);
  for (let u = 0; u < n; u++) {
    uv.setUint32(uopAddr + 4 * u, encodeUop(cfg, { dst: u % half(t.acc.depth), src: u % half(t.inp.depth), wgt: u % half(t.wgt.depth) }), true);
  }
  image.set(randomBytes(inpBytes, 1), inpAddr);
  image.set(randomBytes(wgtBytes, 2), wgtAddr);
  return { name: `synthetic ${cfg.batch}x${cfg.blockIn}x${cfg.blockOut} (${n} uops x ${iterOut}x${iterIn})`, cfg, image, insnAddr, insnCount: insns.length };
}

/** The blocked-GEMM vectors of `dir`; with `only`, those written for that configuration. */
export function vectorWorkloads(dir: string, only?: VtaConfig): Workload[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.includes('tl_blocked_gemm') && f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
  return files
    .map((f) => loadVector(join(dir, f)))
    .filter((v) => only === undefined || v.config.hash === only.hash)
    .map((v) => ({ name: v.name, cfg: v.config, image: initialDram(v), insnAddr: v.insnAddr, insnCount: v.insnCount }));
}

export interface BenchRow {
  workload: string;
  kind: 'vector' | 'synthetic';
  config: string;
  gemmUopsPerRun: number;
  /** GEMM micro-ops per second. */
  js: number;
  wasm: number;
  /** The better of the two native builds (nativeO3, nativeO2). */
  native: number;
  nativeO3: number;
  nativeO2: number;
  jsRatio: number;
  wasmRatio: number;
  /** WASM GEMM micro-ops per second with the race detector on, and its slowdown (wasm / wasmRaceCheck). */
  wasmRaceCheck: number;
  raceCheckSlowdown: number;
}

export interface BenchReport {
  date: string;
  node: string;
  cpu: string;
  seconds: number;
  nativeFlags: string;
  rows: BenchRow[];
}

export async function runFsimBench(
  options: {
    seconds?: number;
    vectorDir?: string;
    cacheDir?: string;
    log?: (s: string) => void;
    /** Benchmark this configuration: its synthetic stream, and only the vectors written for it. */
    config?: VtaConfig;
  } = {},
): Promise<BenchReport> {
  const seconds = options.seconds ?? 1;
  const cacheDir = options.cacheDir ?? join(REPO_ROOT, 'build', 'bench', 'cache');
  const log = options.log ?? (() => undefined);
  const bin = buildNative(cacheDir);
  const binAlt = buildNative(cacheDir, NATIVE_FLAGS_ALT);
  const wasmKernel = await createWasmGemmKernel();
  const workloads: [Workload, BenchRow['kind']][] = [
    ...vectorWorkloads(options.vectorDir ?? DEFAULT_VECTOR_DIR, options.config).map((w): [Workload, BenchRow['kind']] => [w, 'vector']),
    [syntheticWorkload(options.config ?? defaultConfig()), 'synthetic'],
  ];
  const rows: BenchRow[] = [];
  for (const [w, kind] of workloads) {
    log(`  ${w.name} ...`);
    const js = await measureFsim(w, jsGemmKernel, seconds);
    const wasm = await measureFsim(w, wasmKernel, seconds);
    const wasmRaceCheck = await measureFsim(w, wasmKernel, seconds, { checkRaces: true });
    const jobs = gemmJobs(w);
    const nativeO3 = measureNative(bin, w.cfg, jobs, seconds, cacheDir);
    const nativeO2 = measureNative(binAlt, w.cfg, jobs, seconds, cacheDir);
    const native = Math.max(nativeO3, nativeO2);
    rows.push({
      workload: w.name,
      kind,
      config: w.cfg.name,
      gemmUopsPerRun: js.gemmUops,
      js: js.rate,
      wasm: wasm.rate,
      native,
      nativeO3,
      nativeO2,
      jsRatio: js.rate / native,
      wasmRatio: wasm.rate / native,
      wasmRaceCheck: wasmRaceCheck.rate,
      raceCheckSlowdown: wasm.rate / wasmRaceCheck.rate,
    });
  }
  const os = await import('os');
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    seconds,
    nativeFlags: `g++ ${NATIVE_FLAGS.join(' ')} | g++ ${NATIVE_FLAGS_ALT.join(' ')}`,
    rows,
  };
}

const fmtRate = (x: number) => `${(x / 1e6).toFixed(2)}M`;
const fmtPct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatBenchTable(r: BenchReport): string {
  const head = ['workload', 'uops/run', 'JS uops/s', 'WASM uops/s', 'native -O3', 'native -O2', 'JS/native', 'WASM/native', 'race check'];
  const body = r.rows.map((x) => [
    x.workload,
    String(x.gemmUopsPerRun),
    fmtRate(x.js),
    fmtRate(x.wasm),
    fmtRate(x.nativeO3),
    fmtRate(x.nativeO2),
    fmtPct(x.jsRatio),
    fmtPct(x.wasmRatio),
    `${x.raceCheckSlowdown.toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    line(head),
    line(widths.map((wd) => '-'.repeat(wd))),
    ...body.map(line),
    '',
    `CPU: ${r.cpu}; node ${r.node}; native: ${r.nativeFlags}; >= ${r.seconds} s per measurement.`,
    'Ratios are to the faster native build. Vector rows time whole fsim runs (loads, ALU, stores too);',
    'the native loop runs only their GEMM micro-ops. "race check": WASM time with the race detector on',
    'over WASM time with it off (benchmarks and devices leave it off; vta run turns it on).',
  ].join('\n');
}
