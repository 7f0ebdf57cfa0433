/**
 * Behaviour under Verilator: a top module instantiating the GEMM-style
 * DotProduct and the tensor-ALU-style AluLanes, driven by a tiny C++
 * testbench with random vectors; results are checked against a TS model
 * (signed multiply, sign extension, adder tree, min/max, arithmetic shift).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Bundle, Flip, Module, Queue, SInt, UInt, Vec, emitVerilog, instance, connect } from '../../hw/dsl';
import { AluLanes, DotProduct, PackedGemv } from './examples';

class SimTop extends Module {
  readonly io = this.port(
    Bundle({
      a: Flip(Vec(4, SInt(8))),
      b: Flip(Vec(4, SInt(8))),
      acc: Flip(SInt(32)),
      dot: SInt(32),
      op: Flip(UInt(2)),
      x: Flip(Vec(2, SInt(32))),
      y: Flip(Vec(2, SInt(32))),
      sh: Flip(UInt(5)),
      alu: Vec(2, SInt(32)),
    }),
  );
  build(): void {
    const dp = instance('dp', new DotProduct(4));
    connect(dp.io.a, this.io.a);
    connect(dp.io.b, this.io.b);
    dp.io.acc.set(this.io.acc);
    this.io.dot.set(dp.io.out);
    const alu = instance('alu', new AluLanes());
    alu.io.op.set(this.io.op);
    connect(alu.io.a, this.io.x);
    connect(alu.io.b, this.io.y);
    alu.io.sh.set(this.io.sh);
    connect(this.io.alu, alu.io.out);
  }
}

const TB = `
#include "VSimTop.h"
#include <cstdio>
#include <cstdint>
int main() {
  VSimTop t;
  t.clock = 0; t.reset = 1; t.eval(); t.clock = 1; t.eval(); t.clock = 0; t.reset = 0; t.eval();
  int a[4], b[4], acc, op, x[2], y[2], sh;
  while (scanf("%d %d %d %d %d %d %d %d %d %d %d %d %d %d %d", &a[0], &a[1], &a[2], &a[3], &b[0], &b[1], &b[2], &b[3],
               &acc, &op, &x[0], &x[1], &y[0], &y[1], &sh) == 15) {
    t.io_a_0 = (uint8_t)a[0]; t.io_a_1 = (uint8_t)a[1]; t.io_a_2 = (uint8_t)a[2]; t.io_a_3 = (uint8_t)a[3];
    t.io_b_0 = (uint8_t)b[0]; t.io_b_1 = (uint8_t)b[1]; t.io_b_2 = (uint8_t)b[2]; t.io_b_3 = (uint8_t)b[3];
    t.io_acc = (uint32_t)acc; t.io_op = op; t.io_x_0 = (uint32_t)x[0]; t.io_x_1 = (uint32_t)x[1];
    t.io_y_0 = (uint32_t)y[0]; t.io_y_1 = (uint32_t)y[1]; t.io_sh = sh;
    t.eval();
    int alu0 = (int32_t)t.io_alu_0, alu1 = (int32_t)t.io_alu_1;
    t.clock = 1; t.eval(); t.clock = 0; t.eval();
    printf("%d %d %d\\n", alu0, alu1, (int32_t)t.io_dot);
  }
  return 0;
}
`;

function rnd(lo: number, hi: number): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

test('DotProduct and AluLanes match a TS model under Verilator', () => {
  const out = emitVerilog(new SimTop());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vta-dsl-sim-'));
  try {
    for (const [f, t] of out.files) fs.writeFileSync(path.join(dir, f), t);
    fs.writeFileSync(path.join(dir, 'tb.cpp'), TB);
    const build = spawnSync(
      'verilator',
      ['--cc', '--exe', '--build', '-j', '2', '-Wall', '-O1', '--top-module', 'SimTop', ...out.order, 'tb.cpp', '-Mdir', 'obj'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(build.error).toBeUndefined();
    if (build.status !== 0) throw new Error(build.stdout + build.stderr);

    const vecs: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const edge = i < 4;
      vecs.push([
        ...Array.from({ length: 8 }, () => (edge ? [-128, 127][i % 2] : rnd(-128, 127))),
        rnd(-(2 ** 31), 2 ** 31 - 1),
        i % 4,
        rnd(-(2 ** 31), 2 ** 31 - 1),
        rnd(-1000, 1000),
        rnd(-(2 ** 31), 2 ** 31 - 1),
        rnd(-5, 5),
        rnd(0, 31),
      ]);
    }
    const run = spawnSync(path.join(dir, 'obj', 'VSimTop'), [], { input: vecs.map((v) => v.join(' ')).join('\n') + '\n', encoding: 'utf8' });
    const got = run.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number));
    expect(got.length).toBe(vecs.length);
    vecs.forEach((v, i) => {
      const [a0, a1, a2, a3, b0, b1, b2, b3, acc, op, x0, x1, y0, y1, sh] = v;
      const dot = (a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 + acc) | 0;
      const alu = (x: number, y: number): number => [Math.min(x, y), Math.max(x, y), (x + y) | 0, x >> sh][op];
      expect(got[i]).toEqual([alu(x0, y0), alu(x1, y1), dot]);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const TB2 = `
#include "VPackedGemv_4x2.h"
#include <cstdio>
#include <cstdint>
int main() {
  VPackedGemv_4x2 t;
  t.clock = 0; t.reset = 1; t.eval(); t.clock = 1; t.eval(); t.clock = 0; t.reset = 0; t.eval();
  unsigned v; unsigned inp; unsigned long long wgt, acc;
  while (scanf("%u %u %llu %llu", &v, &inp, &wgt, &acc) == 4) {
    t.io_valid = v; t.io_inp = inp; t.io_wgt = wgt; t.io_acc = acc;
    t.eval(); t.clock = 1; t.eval(); t.clock = 0; t.eval();
    printf("%u %llu\\n", (unsigned)t.io_outValid, (unsigned long long)t.io_out);
  }
  return 0;
}
`;

test('PackedGemv (packed buses, 2-stage pipeline) matches a TS model under Verilator', () => {
  const out = emitVerilog(new PackedGemv(4, 2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vta-dsl-sim-'));
  try {
    for (const [f, t] of out.files) fs.writeFileSync(path.join(dir, f), t);
    fs.writeFileSync(path.join(dir, 'tb.cpp'), TB2);
    const build = spawnSync(
      'verilator',
      ['--cc', '--exe', '--build', '-j', '2', '-Wall', '-O1', '--top-module', out.top, ...out.order, 'tb.cpp', '-Mdir', 'obj'],
      { cwd: dir, encoding: 'utf8' },
    );
    if (build.status !== 0) throw new Error(build.stdout + build.stderr);
    const bytes = (n: number): number[] => Array.from({ length: n }, () => rnd(-128, 127));
    const lanes = (xs: number[], w: number): bigint => xs.reduce((acc, x, i) => acc | ((BigInt(x) & ((1n << BigInt(w)) - 1n)) << BigInt(i * w)), 0n);
    const vecs = Array.from({ length: 200 }, (_, i) => ({
      valid: i % 3 !== 2 ? 1 : 0,
      inp: bytes(4),
      wgt: [bytes(4), bytes(4)],
      acc: [rnd(-(2 ** 31), 2 ** 31 - 1), rnd(-(2 ** 31), 2 ** 31 - 1)],
    }));
    const input = vecs.map((v) => `${v.valid} ${lanes(v.inp, 8)} ${lanes([...v.wgt[0], ...v.wgt[1]], 8)} ${lanes(v.acc, 32)}`).join('\n') + '\n';
    const run = spawnSync(path.join(dir, 'obj', `V${out.top}`), [], { input, encoding: 'utf8' });
    const got = run.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    expect(got.length).toBe(vecs.length);
    let lastOut: bigint | undefined;
    for (let i = 1; i < vecs.length; i++) {
      // Output after the edge of cycle i reflects input i-1 (inputs registered, then the result).
      const v = vecs[i - 1];
      expect(Number(got[i][0])).toBe(v.valid);
      if (v.valid) {
        const res = v.wgt.map((row, j) => (row.reduce((s, w, k) => s + w * v.inp[k], 0) + v.acc[j]) | 0);
        lastOut = lanes(res, 32);
      }
      if (lastOut !== undefined) expect(BigInt(got[i][1])).toBe(lastOut);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const TB3 = `
#include "VQueue_U8_3.h"
#include <cstdio>
int main() {
  VQueue_U8_3 t;
  t.clock = 0; t.reset = 1; t.eval(); t.clock = 1; t.eval(); t.clock = 0; t.reset = 0; t.eval();
  unsigned ev, bits, dr;
  while (scanf("%u %u %u", &ev, &bits, &dr) == 3) {
    t.io_enq_valid = ev; t.io_enq_bits = bits; t.io_deq_ready = dr; t.eval();
    printf("%u %u %u %u\\n", (unsigned)t.io_enq_ready, (unsigned)t.io_deq_valid, (unsigned)t.io_deq_bits, (unsigned)t.io_count);
    t.clock = 1; t.eval(); t.clock = 0; t.eval();
  }
  return 0;
}
`;

test('Queue (3 entries, non-power-of-2) behaves as a FIFO under Verilator', () => {
  const out = emitVerilog(new Queue(UInt(8), 3));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vta-dsl-sim-'));
  try {
    for (const [f, t] of out.files) fs.writeFileSync(path.join(dir, f), t);
    fs.writeFileSync(path.join(dir, 'tb.cpp'), TB3);
    const build = spawnSync('verilator', ['--cc', '--exe', '--build', '-j', '2', '-Wall', '--top-module', out.top, ...out.order, 'tb.cpp', '-Mdir', 'obj'], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(build.stdout + build.stderr);
    const steps = Array.from({ length: 400 }, () => [rnd(0, 1), rnd(0, 255), Math.random() < 0.4 ? 1 : 0]);
    const run = spawnSync(path.join(dir, 'obj', `V${out.top}`), [], { input: steps.map((s) => s.join(' ')).join('\n') + '\n', encoding: 'utf8' });
    const got = run.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number));
    const q: number[] = [];
    steps.forEach(([ev, bits, dr], i) => {
      const enqReady = q.length < 3 ? 1 : 0;
      const deqValid = q.length > 0 ? 1 : 0;
      expect([got[i][0], got[i][1], got[i][3]]).toEqual([enqReady, deqValid, q.length]);
      if (deqValid) expect(got[i][2]).toBe(q[0]);
      const deq = deqValid && dr;
      if (ev && enqReady) q.push(bits);
      if (deq) q.shift();
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
