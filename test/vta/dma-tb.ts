// Shared pieces of the TensorLoad / Store Verilator tests: a DRAM whose contents are a hash of the address
// (so no preload is needed and every address in 2^32 is distinct), in hardware and in TypeScript, and the
// stream-testbench plumbing (build once per design, run rows of inputs, get rows of outputs).

import { mulberry32 } from '../../sim/testing/prng';
import { Module, U, cat, emitVerilog } from '../../hw/dsl';
import type { UInt as UIntV } from '../../hw/dsl';
import { verilatorBuild } from '../../sim/verilator/build';
import { runStreamTestbench, streamTestbenchCpp, TbPort } from '../../sim/verilator/stream-tb';

export const HASH_MUL = 0x9e3779b1;

/** The 32-bit DRAM word at word address `w` (byte address 4w). */
export function dramWord(w: number): number {
  return (Math.imul(w >>> 0, HASH_MUL) ^ (w >>> 13)) >>> 0;
}

/** `n` bytes of the hash DRAM from byte address `a` (mod 2^32), as a little-endian bigint. */
export function dramBytes(a: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) {
    const addr = (a + i) >>> 0;
    const byte = (dramWord(addr >>> 2) >>> (8 * (addr & 3))) & 0xff;
    v = (v << 8n) | BigInt(byte);
  }
  return v;
}

/** The beat at bus-aligned byte address `addr` of the hash DRAM, in hardware. */
export function dramBeat(addr: UIntV, busBits: number): UIntV {
  const words: UIntV[] = [];
  const wa = addr.shr(2);
  for (let j = 0; j < busBits / 32; j++) {
    const w = wa.add(j);
    words.push(w.mul(U(HASH_MUL, 32)).bits(31, 0).xor(w.shr(13)));
  }
  return cat(...words.reverse());
}

export const rng = mulberry32;

export interface BuiltTb {
  exe: string;
  ports: TbPort[];
  inputs: string[];
  outputs: string[];
}

/** Emits `top`, builds it with the stream testbench (cached), and lists its ports. */
export async function buildTb(name: string, top: Module): Promise<BuiltTb> {
  const out = emitVerilog(top);
  const ports: TbPort[] = [{ name: 'reset', width: 1, dir: 'input' }, ...top._ports.map((p) => ({ name: p.name, width: p.width, dir: p.dir }))];
  const build = await verilatorBuild({
    name,
    top: out.top,
    kind: 'exe',
    log: () => undefined,
    verilog: out.order.map((f) => ({ name: f, text: out.files.get(f)! })),
    cpp: [{ name: 'tb.cpp', text: streamTestbenchCpp(out.top, ports) }],
  });
  return {
    exe: build.artifact,
    ports,
    inputs: ports.filter((p) => p.dir === 'input').map((p) => p.name.replace(/^io_/, '')),
    outputs: ports.filter((p) => p.dir === 'output').map((p) => p.name.replace(/^io_/, '')),
  };
}

/** Runs rows of named inputs (port names without `io_`; missing ones are 0); returns rows of named outputs. */
export async function runTb(tb: BuiltTb, rows: readonly Record<string, bigint | number | boolean>[]): Promise<Record<string, bigint>[]> {
  const cycles = rows.map((r) => tb.inputs.map((n) => BigInt(r[n] ?? 0)));
  const out = await runStreamTestbench(tb.exe, tb.ports, cycles);
  return out.map((vals) => Object.fromEntries(tb.outputs.map((n, i) => [n, vals[i]])));
}
