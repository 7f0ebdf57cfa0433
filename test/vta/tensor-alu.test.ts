// TensorAlu under Verilator (inside the VtaComputeUnits wrapper) against the SEMANTICS.md lane
// definitions: MIN/MAX signed, ADD wrapping, SHR with amounts -40..40 and INT32_MIN/MAX, MUL overflow
// (where the configuration has MUL; otherwise opcode 4 leaves a), back to back with latency 1.

import { VtaComputeUnits } from '../../hw/vta/core/compute-units';
import { aluRef, buildStreamSim, packLanes, rng, rtlTestConfigs, Row, unpackLanes } from './rtl-sim';

const MIN32 = -(2 ** 31);
const MAX32 = 2 ** 31 - 1;

describe.each(rtlTestConfigs())('TensorAlu $label', ({ label, cfg }) => {
  test('matches the reference lane by lane, one op per cycle, latency 1', async () => {
    const sim = await buildStreamSim(new VtaComputeUnits(cfg), `units_${label}`);
    const lanes = cfg.batch * cfg.blockOut;
    const r = rng(99 + lanes);
    const anyInt = (): number => r.int(MIN32, MAX32);
    const special = [MIN32, MIN32 + 1, -1, 0, 1, MAX32 - 1, MAX32, 65535, -32768, 46341, -46341];
    const a32 = (): number => (r.int(0, 2) === 0 ? r.pick(special) : anyInt());
    const shAmt = (): number => (r.int(0, 9) === 0 ? r.pick([MIN32, MAX32, MIN32 + 1, 32, -32, 31, -31]) : r.int(-40, 40));
    const n = 200;
    interface Op {
      op: number;
      a: number[];
      b: number[];
    }
    const ops: (Op | undefined)[] = [];
    for (let t = 0; t < n; t++) {
      if (t > 60 && r.int(0, 6) === 0) {
        ops.push(undefined);
        continue;
      }
      const op = t < 10 ? t % 5 : r.int(0, 4);
      const imm = r.int(0, 3) === 0; // a broadcast immediate, as Compute drives it
      const bImm = op === 3 ? r.int(-40, 40) : r.int(-32768, 32767);
      ops.push({
        op,
        a: Array.from({ length: lanes }, a32),
        b: Array.from({ length: lanes }, () => (imm ? bImm : op === 3 ? shAmt() : a32())),
      });
    }
    const rows: Row[] = Array.from({ length: n + 3 }, (_, t) => ({ reset: t === 0 }));
    ops.forEach((o, i) => {
      if (o) Object.assign(rows[1 + i], { io_alu_in_valid: 1, io_alu_in_op: o.op, io_alu_in_a: packLanes(o.a, 32), io_alu_in_b: packLanes(o.b, 32) });
    });
    const out = await sim.run(rows);
    for (let t = 0; t < rows.length; t++) {
      const o = t >= 2 ? ops[t - 2] : undefined;
      expect([label, t, out[t].io_alu_out_valid]).toEqual([label, t, o ? 1n : 0n]);
      if (!o) continue;
      const want = o.a.map((a, i) => aluRef(cfg, o.op, BigInt(a), BigInt(o.b[i])));
      expect([t, o.op, unpackLanes(out[t].io_alu_out_acc, lanes, 32)]).toEqual([t, o.op, want]);
      expect(unpackLanes(out[t].io_alu_out_low, lanes, 8)).toEqual(want.map((v) => BigInt.asIntN(8, v)));
    }
  });
});
