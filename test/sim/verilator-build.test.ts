import { mkdtempSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { verilatorBuild } from '../../sim/verilator/build';
import { runStreamTestbench, streamTestbenchCpp, TbPort } from '../../sim/verilator/stream-tb';

// A hand-written module: a 100-bit registered adder, wide enough to need Verilator's VlWide ports.
const verilog = `module WideAcc (
  input clock,
  input reset,
  input [99:0] in_a,
  input [7:0] in_b,
  output [99:0] sum,
  output [7:0] b_echo
);
  reg [99:0] acc;
  always @(posedge clock) begin
    if (reset) acc <= 100'd0;
    else acc <= acc + in_a;
  end
  assign sum = acc;
  assign b_echo = in_b;
endmodule
`;
const ports: TbPort[] = [
  { name: 'reset', width: 1, dir: 'input' },
  { name: 'in_a', width: 100, dir: 'input' },
  { name: 'in_b', width: 8, dir: 'input' },
  { name: 'sum', width: 100, dir: 'output' },
  { name: 'b_echo', width: 8, dir: 'output' },
];

test('a Verilator build is cached by content hash and the stream testbench carries wide values', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'vta-vl-'));
  const spec = {
    name: 'wideacc',
    top: 'WideAcc',
    kind: 'exe' as const,
    cacheDir,
    log: () => undefined,
    verilog: [{ name: 'WideAcc.v', text: verilog }],
    cpp: [{ name: 'tb.cpp', text: streamTestbenchCpp('WideAcc', ports) }],
  };
  const first = await verilatorBuild(spec);
  expect(first.cached).toBe(false);
  const again = await verilatorBuild(spec);
  expect(again.cached).toBe(true);
  expect(again.artifact).toBe(first.artifact);

  const big = (1n << 99n) + 12345n;
  const rows = [
    [1n, 0n, 0n],
    [0n, big, 7n],
    [0n, big, 255n],
    [0n, 1n, 0n],
  ];
  const out = await runStreamTestbench(first.artifact, ports, rows);
  const mask = (1n << 100n) - 1n;
  expect(out.map((r) => r[0])).toEqual([0n, 0n, big, (2n * big) & mask]);
  expect(out.map((r) => r[1])).toEqual([0n, 7n, 255n, 0n]);
});
