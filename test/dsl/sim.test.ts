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
import { Bundle, Flip, Module, SInt, UInt, Vec, emitVerilog, instance, connect } from '../../hw/dsl';
import { AluLanes, DotProduct } from './examples';

class SimTop extends Module {
  readonly io = this.port(Bundle({
    a: Flip(Vec(4, SInt(8))), b: Flip(Vec(4, SInt(8))), acc: Flip(SInt(32)), dot: SInt(32),
    op: Flip(UInt(2)), x: Flip(Vec(2, SInt(32))), y: Flip(Vec(2, SInt(32))), sh: Flip(UInt(5)), alu: Vec(2, SInt(32)),
  }));
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

function rnd(lo: number, hi: number): number { return lo + Math.floor(Math.random() * (hi - lo + 1)); }

test('DotProduct and AluLanes match a TS model under Verilator', () => {
  const out = emitVerilog(new SimTop());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vta-dsl-sim-'));
  try {
    for (const [f, t] of out.files) fs.writeFileSync(path.join(dir, f), t);
    fs.writeFileSync(path.join(dir, 'tb.cpp'), TB);
    const build = spawnSync('verilator', ['--cc', '--exe', '--build', '-j', '2', '-Wall', '-O1', '--top-module', 'SimTop', ...out.order, 'tb.cpp', '-Mdir', 'obj'], { cwd: dir, encoding: 'utf8' });
    expect(build.error).toBeUndefined();
    if (build.status !== 0) throw new Error(build.stdout + build.stderr);

    const vecs: number[][] = [];
    for (let i = 0; i < 300; i++) {
      const edge = i < 4;
      vecs.push([
        ...Array.from({ length: 8 }, () => (edge ? [-128, 127][i % 2] : rnd(-128, 127))),
        rnd(-(2 ** 31), 2 ** 31 - 1), i % 4,
        rnd(-(2 ** 31), 2 ** 31 - 1), rnd(-1000, 1000), rnd(-(2 ** 31), 2 ** 31 - 1), rnd(-5, 5), rnd(0, 31),
      ]);
    }
    const run = spawnSync(path.join(dir, 'obj', 'VSimTop'), [], { input: vecs.map((v) => v.join(' ')).join('\n') + '\n', encoding: 'utf8' });
    const got = run.stdout.trim().split('\n').map((l) => l.split(' ').map(Number));
    expect(got.length).toBe(vecs.length);
    vecs.forEach((v, i) => {
      const [a0, a1, a2, a3, b0, b1, b2, b3, acc, op, x0, x1, y0, y1, sh] = v;
      const dot = (a0 * b0 + a1 * b1 + a2 * b2 + a3 * b3 + acc) | 0;
      const alu = (x: number, y: number): number =>
        [Math.min(x, y), Math.max(x, y), (x + y) | 0, x >> sh][op];
      expect(got[i]).toEqual([alu(x0, y0), alu(x1, y1), dot]);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
