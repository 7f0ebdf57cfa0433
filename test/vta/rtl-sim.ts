// Test helper: elaborate a DSL module, build it under Verilator with the generic stream testbench
// (cached by content hash), and run it cycle by cycle with inputs and outputs addressed by port name.

import { mulberry32 } from '../../sim/testing/prng';
import { Module, elaborate, emitVerilog } from '../../hw/dsl';
import { verilatorBuild } from '../../sim/verilator/build';
import { runStreamTestbench, streamTestbenchCpp, TbPort } from '../../sim/verilator/stream-tb';

export type Row = Record<string, bigint | number | boolean>;

export interface StreamSim {
  top: string;
  ports: TbPort[];
  /** Runs the rows (one per cycle; missing inputs are 0) and returns every output per cycle. */
  run(rows: readonly Row[]): Promise<Record<string, bigint>[]>;
}

export async function buildStreamSim(top: Module, name: string): Promise<StreamSim> {
  const circuit = elaborate(top);
  const irTop = circuit.modules.find((m) => m.name === circuit.top)!;
  const ports: TbPort[] = irTop.ports.map((p) => ({ name: p.name, width: p.width, dir: p.dir }));
  const out = emitVerilog(circuit, { header: { generator: 'vta-ts test', configHash: name } });
  const build = await verilatorBuild({
    name,
    top: circuit.top,
    kind: 'exe',
    log: () => undefined,
    verilog: out.order.map((f) => ({ name: f, text: out.files.get(f)! })),
    cpp: [{ name: 'tb.cpp', text: streamTestbenchCpp(circuit.top, ports) }],
  });
  const inputs = ports.filter((p) => p.dir === 'input' && p.name !== 'clock');
  const outputs = ports.filter((p) => p.dir === 'output');
  return {
    top: circuit.top,
    ports,
    async run(rows) {
      for (const r of rows) {
        for (const k of Object.keys(r)) {
          if (!inputs.some((p) => p.name === k)) throw new Error(`no input port ${k} on ${circuit.top}`);
        }
      }
      const cycles = rows.map((r) =>
        inputs.map((p) => {
          const v = r[p.name] ?? 0n;
          return BigInt.asUintN(p.width, typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v));
        }),
      );
      const res = await runStreamTestbench(build.artifact, ports, cycles);
      return res.map((vals) => Object.fromEntries(outputs.map((p, i) => [p.name, vals[i]])));
    },
  };
}

/** Packs signed lanes (lane 0 in the low bits) into one bus. */
export function packLanes(lanes: readonly (number | bigint)[], bits: number): bigint {
  let v = 0n;
  for (let i = lanes.length - 1; i >= 0; i--) v = (v << BigInt(bits)) | BigInt.asUintN(bits, BigInt(lanes[i]));
  return v;
}

/** Splits a bus into signed lanes. */
export function unpackLanes(bus: bigint, n: number, bits: number): bigint[] {
  return Array.from({ length: n }, (_, i) => BigInt.asIntN(bits, bus >> BigInt(i * bits)));
}

/** A small deterministic PRNG (mulberry32). */
export function rng(seed: number): { int(lo: number, hi: number): number; pick<T>(xs: readonly T[]): T } {
  const next = mulberry32(seed);
  return {
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

import { DEFAULT_CONFIG_JSON, deriveConfig, VtaConfig, VtaConfigJson, withOverrides } from '../../hw/vta/config';

/** The three configurations the RTL tests cover (with MUL and pipeline depths varied between them). */
export function rtlTestConfigs(): { label: string; cfg: VtaConfig }[] {
  const mk = (label: string, o: Partial<VtaConfigJson>) => ({ label, cfg: deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, o), label) });
  return [
    mk('1x16x16', {}),
    mk('2x8x8', { LOG_BATCH: 1, LOG_BLOCK: 3, LOG_WGT_BUFF_SIZE: 16, ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'], GEMM_PIPELINE_DEPTH: 1 }),
    mk('1x32x32', { LOG_BLOCK: 5, ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'], GEMM_PIPELINE_DEPTH: 3 }),
  ];
}

/** The reference lane, straight from SEMANTICS.md. */
export function aluRef(cfg: VtaConfig, op: number, a: bigint, b: bigint): bigint {
  switch (op) {
    case 0:
      return a < b ? a : b;
    case 1:
      return a > b ? a : b;
    case 2:
      return BigInt.asIntN(32, a + b);
    case 3: {
      if (b >= 0n) return a >> (b > 31n ? 31n : b);
      const s = -b;
      return s >= 32n ? 0n : BigInt.asIntN(32, a << s);
    }
    case 4:
      return cfg.aluOps.includes('MUL') ? BigInt.asIntN(32, a * b) : a;
    default:
      return a;
  }
}
