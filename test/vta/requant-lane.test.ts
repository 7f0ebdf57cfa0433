// The RTL requantization lanes (TensorAlu opcode 5 with REQUANT_BUFF_DEPTH, hw/vta/core/requant-lane.ts)
// under Verilator against the one evaluator (hw/vta/requant.ts requantStage): random words of both modes, narrow and wide,
// every exponent -32..31, INT32_MIN·INT32_MIN saturation, rounding ties, clamp bounds in either order;
// mixed with ordinary ALU ops back to back.

import { deriveConfig, DEFAULT_CONFIG_JSON, withOverrides } from '../../hw/vta/config';
import { VtaComputeUnits } from '../../hw/vta/core/compute-units';
import { REQ_LATENCY } from '../../hw/vta/core/tensor-alu';
import { ALU_OPCODE_REQ, decodeParam, encodeParam, INT32_MAX, INT32_MIN, RequantParam, requantStage } from '../../hw/vta/requant';
import { aluRef, buildStreamSim, packLanes, rng, Row, unpackLanes } from './rtl-sim';

const cfg = deriveConfig(withOverrides(DEFAULT_CONFIG_JSON, { LOG_BATCH: 1, LOG_BLOCK: 3, LOG_WGT_BUFF_SIZE: 16, REQUANT_BUFF_DEPTH: 4 }), 'b2x8-req');

test(`requantization lanes equal requantStage, one op per cycle, latency ${REQ_LATENCY} (other ops 1)`, async () => {
  const sim = await buildStreamSim(new VtaComputeUnits(cfg), 'units_b2x8_req');
  const lanes = cfg.batch * cfg.blockOut;
  const r = rng(18);
  const i32 = () => r.int(INT32_MIN, INT32_MAX);
  const accOf = () => (r.int(0, 3) === 0 ? r.pick([INT32_MIN, INT32_MAX, -1, 0, 1, 1 << 30, -(1 << 30), 3 << 14, -(3 << 14)]) : i32());
  const word = (k: number): RequantParam => {
    const lo = r.int(-128, 127);
    return {
      mode: r.int(0, 1) === 0 ? 'q31' : 'shift',
      multiplier: r.int(0, 3) === 0 ? r.pick([INT32_MIN, INT32_MAX, 1 << 30, 1 << 15, 0, -1]) : i32(),
      exponent: k % 64 < 64 ? (k % 64) - 32 : 0, // every exponent in turn
      zeroPoint: r.int(-128, 127),
      min: lo,
      max: r.int(0, 9) === 0 ? r.int(-128, 127) : Math.min(127, lo + r.int(0, 255)),
      // a quarter of the words keep the int32 value (bit 62): the lanes must bypass zero point and clamp
      ...(r.int(0, 3) === 0 ? { wide: true } : {}),
    };
  };
  interface Op {
    op: number;
    a: number[];
    b: number[];
    words: RequantParam[];
  }
  const n = 400;
  const ops: (Op | undefined)[] = [];
  for (let t = 0; t < n; t++) {
    if (r.int(0, 9) === 0) {
      ops.push(undefined);
      continue;
    }
    const op = r.int(0, 4) === 0 ? r.int(0, 3) : ALU_OPCODE_REQ;
    ops.push({
      op,
      a: Array.from({ length: lanes }, accOf),
      b: Array.from({ length: lanes }, () => r.int(-40, 40)),
      words: Array.from({ length: cfg.blockOut }, (_, o) => word(t * cfg.blockOut + o)),
    });
  }
  // exact ties of both roundings on every lane of ops 1..64: SaturatingRoundingDoublingHighMul(x, 2^30) = x/2
  // exactly for even x, so x = 2·(±(2j+1)·2^(R-1)) puts RoundingDivideByPOT by R on a tie; and x·M = ±3·2^30
  // is a tie of the high multiply itself
  for (let k = 1; k <= 64; k++) {
    const o = ops[k] ?? (ops[k] = { op: 0, a: [], b: Array(lanes).fill(0), words: [] });
    o.op = ALU_OPCODE_REQ;
    const R = ((k - 1) % 30) + 1;
    o.words = Array.from({ length: cfg.blockOut }, (_, c) =>
      c === 0
        ? { mode: 'q31', multiplier: 3 << 15, exponent: 0, zeroPoint: 0, min: -128, max: 127 }
        : { mode: 'q31', multiplier: 2 ** 30, exponent: -R, zeroPoint: c - 4, min: -128, max: 127 },
    );
    o.a = Array.from({ length: lanes }, (_, i) => {
      if (i % cfg.blockOut === 0) return (i & 1 ? -1 : 1) * (1 << 15);
      const j = R > 28 ? 0 : r.int(0, 3);
      return 2 * (i & 1 ? -1 : 1) * (2 * j + 1) * 2 ** (R - 1);
    });
  }
  // the saturating case, on lane 0 of the first op
  Object.assign(ops[0]!, { op: ALU_OPCODE_REQ });
  ops[0]!.a[0] = INT32_MIN;
  ops[0]!.words[0] = { mode: 'q31', multiplier: INT32_MIN, exponent: 0, zeroPoint: 0, min: -128, max: 127 };
  const paramBus = (ws: RequantParam[]) => {
    const bytes = new Uint8Array(ws.length * 8);
    ws.forEach((w, i) => encodeParam(w, bytes, i * 8));
    return packLanes(
      Array.from({ length: ws.length }, (_, i) => new DataView(bytes.buffer).getBigUint64(i * 8, true)),
      64,
    );
  };
  const rows: Row[] = Array.from({ length: n + 2 + REQ_LATENCY }, (_, t) => ({ reset: t === 0 }));
  ops.forEach((o, i) => {
    if (o) {
      Object.assign(rows[1 + i], {
        io_alu_in_valid: 1,
        io_alu_in_op: o.op,
        io_alu_in_a: packLanes(o.a, 32),
        io_alu_in_b: packLanes(o.b, 32),
        io_alu_in_param: paramBus(o.words),
      });
    }
  });
  const out = await sim.run(rows);
  let reqChecked = 0;
  // op i enters in row 1 + i: an ordinary op's result is on out_* one row later, a REQ's on req_* REQ_LATENCY
  // rows later (valid only then: REQs may follow each other every cycle)
  let reqValidRows = 0;
  for (let t = 1; t < rows.length; t++) if (out[t].io_alu_req_valid) reqValidRows++;
  for (let i = 0; i < n; i++) {
    const o = ops[i];
    if (!o) continue;
    const isReq = o.op === ALU_OPCODE_REQ;
    const t = 1 + i + (isReq ? REQ_LATENCY : 1);
    if (isReq) expect([t, out[t].io_alu_req_valid]).toEqual([t, 1n]);
    const got = unpackLanes(isReq ? out[t].io_alu_req_acc : out[t].io_alu_out_acc, lanes, 32);
    const want = isReq
      ? o.a.map((a, i) =>
          BigInt(requantStage(a, decodeParam(new Uint8Array(new BigUint64Array([BigInt.asUintN(64, paramBus([o.words[i % cfg.blockOut]]))]).buffer)))),
        )
      : o.a.map((a, i) => aluRef(cfg, o.op, BigInt(a), BigInt(o.b[i])));
    expect([t, o.op, got]).toEqual([t, o.op, want]);
    if (isReq) reqChecked++;
  }
  expect(reqChecked).toBeGreaterThan(250);
  const wideOutside = ops
    .filter((o) => o?.op === ALU_OPCODE_REQ)
    .flatMap((o) => o!.words.filter((w, c) => w.wide && o!.a.some((a, i) => i % cfg.blockOut === c && Math.abs(requantStage(a, w)) > 128)));
  expect(wideOutside.length).toBeGreaterThan(20); // wide results outside int8 were compared
  expect(reqValidRows).toBe(reqChecked);
  expect(requantStage(INT32_MIN, ops[0]!.words[0])).toBe(127);
});
