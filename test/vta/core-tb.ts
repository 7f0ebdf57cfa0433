// Test helper for the core's control modules: an interactive cycle testbench. The DSL module is built under
// Verilator with the generic stream testbench (cached by content hash), patched to flush every cycle, so a
// TypeScript model (an AXI slave, a host) can react to the outputs of cycle t before choosing the inputs of
// cycle t+1. Inputs keep their last value; outputs are read before the rising edge.

import { spawn, ChildProcessWithoutNullStreams } from 'child_process';
import { Module, elaborate, emitVerilog } from '../../hw/dsl';
import { verilatorBuild } from '../../sim/verilator/build';
import { streamTestbenchCpp, TbPort } from '../../sim/verilator/stream-tb';

export type Val = bigint | number | boolean;

export async function buildInteractive(top: Module, name: string): Promise<{ exe: string; ports: TbPort[]; top: string }> {
  const circuit = elaborate(top);
  const irTop = circuit.modules.find((m) => m.name === circuit.top)!;
  const ports: TbPort[] = irTop.ports.map((p) => ({ name: p.name, width: p.width, dir: p.dir }));
  const out = emitVerilog(circuit, { header: { generator: 'vta-ts test', configHash: name } });
  const cpp = streamTestbenchCpp(circuit.top, ports);
  const marker = 'std::printf("\\n");';
  if (!cpp.includes(marker)) throw new Error('stream testbench changed: no per-cycle newline to flush after');
  const build = await verilatorBuild({
    name,
    top: circuit.top,
    kind: 'exe',
    log: () => undefined,
    verilog: out.order.map((f) => ({ name: f, text: out.files.get(f)! })),
    cpp: [{ name: 'tb.cpp', text: cpp.replace(marker, `${marker} std::fflush(stdout);`) }],
  });
  return { exe: build.artifact, ports, top: circuit.top };
}

export class Tb {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly inputs: TbPort[];
  private readonly outputs: TbPort[];
  private readonly values = new Map<string, bigint>();
  private buf = '';
  private waiting: ((line: string) => void)[] = [];
  private lines: string[] = [];
  cycle = 0;
  /** Outputs of the last `eval()` (before the edge of the current cycle). */
  out: Record<string, bigint> = {};

  constructor(exe: string, ports: TbPort[]) {
    this.inputs = ports.filter((p) => p.dir === 'input' && p.name !== 'clock');
    this.outputs = ports.filter((p) => p.dir === 'output');
    for (const p of this.inputs) this.values.set(p.name, 0n);
    this.proc = spawn(exe, [], { stdio: 'pipe' });
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        const w = this.waiting.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
  }

  set(name: string, v: Val): void {
    const p = this.inputs.find((q) => q.name === name);
    if (!p) throw new Error(`no input ${name}`);
    this.values.set(name, BigInt.asUintN(p.width, typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v)));
  }

  setAll(vals: Record<string, Val>): void {
    for (const [k, v] of Object.entries(vals)) this.set(k, v);
  }

  /** Applies the inputs, returns the outputs seen before the edge, then clocks once. */
  async step(): Promise<Record<string, bigint>> {
    const line = this.inputs.map((p) => this.values.get(p.name)!.toString(16)).join(' ');
    this.proc.stdin.write(`${line}\n`);
    const got = this.lines.shift() ?? (await new Promise<string>((res) => this.waiting.push(res)));
    const vals = got
      .trim()
      .split(/\s+/)
      .map((h) => BigInt(`0x${h}`));
    const o: Record<string, bigint> = {};
    this.outputs.forEach((p, i) => (o[p.name] = vals[i]));
    this.out = o;
    this.cycle++;
    return o;
  }

  async reset(cycles = 2): Promise<void> {
    this.set('reset', 1);
    for (let i = 0; i < cycles; i++) await this.step();
    this.set('reset', 0);
  }

  close(): void {
    this.proc.stdin.end();
  }
}
