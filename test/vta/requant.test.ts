// The one requantization evaluator against an independent BigInt transcription of TFLite Micro's
// reference arithmetic (gemmlowp's SaturatingRoundingDoublingHighMul and RoundingDivideByPOT), on edge
// cases and random values, and the parameter word's encoding.

import {
  decodeParam,
  encodeParam,
  INT32_MAX,
  INT32_MIN,
  multiplyByQuantizedMultiplier,
  RequantParam,
  RequantScheme,
  requantize,
  requantStage,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  schemeParam,
} from '../../hw/vta/requant';
import { mulberry32 } from '../../sim/testing/prng';
import { DEFAULT_CONFIG_JSON, deriveConfig } from '../../hw/vta/config';
import { ALU_OPCODE } from '../../hw/vta/isa';
import { lowerRequant, RequantLowering } from '../../hw/vta/requant-lowering';
import { aluOp } from '../../sim/fsim/alu';

const wrap32 = (v: bigint) => BigInt.asIntN(32, v);

function srdhmRef(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number(wrap32((ab + nudge) / (1n << 31n))); // BigInt division truncates toward zero, as C++
}

function rdbpRef(x: number, e: number): number {
  const X = BigInt(x);
  const mask = (1n << BigInt(e)) - 1n;
  const remainder = X & mask;
  const threshold = (mask >> 1n) + (X < 0n ? 1n : 0n);
  return Number((X >> BigInt(e)) + (remainder > threshold ? 1n : 0n));
}

function mbqmRef(x: number, m: number, shift: number): number {
  const left = Math.max(shift, 0);
  const right = Math.max(-shift, 0);
  return rdbpRef(srdhmRef(Number(wrap32(BigInt(x) << BigInt(left))), m), right);
}

test('SaturatingRoundingDoublingHighMul: saturation, ties and signs', () => {
  expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
  expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(srdhmRef(INT32_MIN, INT32_MAX));
  // a*b = 2^30 exactly: a tie, rounds up to 1; -2^30 rounds toward zero after the nudge to 0
  expect(saturatingRoundingDoublingHighMul(1 << 15, 1 << 15)).toBe(1);
  expect(saturatingRoundingDoublingHighMul(-(1 << 15), 1 << 15)).toBe(0);
  expect(saturatingRoundingDoublingHighMul(-(1 << 15), 3 << 15)).toBe(-1);
  for (const [a, b] of [
    [INT32_MAX, INT32_MAX],
    [INT32_MIN, 1],
    [INT32_MIN + 1, INT32_MIN],
    [-1, INT32_MIN],
    [123456789, -987654321],
  ]) {
    expect(saturatingRoundingDoublingHighMul(a, b)).toBe(srdhmRef(a, b));
  }
});

test('RoundingDivideByPOT: ties away from zero, exponents 0..32', () => {
  expect([5, 6, 7, -5, -6, -7].map((x) => roundingDivideByPOT(x, 2))).toEqual([1, 2, 2, -1, -2, -2]);
  expect([2, -2, 3, -3].map((x) => roundingDivideByPOT(x, 2))).toEqual([1, -1, 1, -1]);
  expect(roundingDivideByPOT(INT32_MIN, 32)).toBe(-1);
  expect(roundingDivideByPOT(INT32_MIN + 1, 32)).toBe(0);
  expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
  for (let e = 0; e <= 32; e++)
    for (const x of [INT32_MIN, INT32_MAX, -1, 1, 2 ** (e - 1 < 0 ? 0 : e - 1), -(2 ** Math.max(e - 1, 0))]) {
      expect(roundingDivideByPOT(x | 0, e)).toBe(rdbpRef(x | 0, e));
    }
  expect(() => roundingDivideByPOT(1, 33)).toThrow(/outside 0..32/);
});

test('MultiplyByQuantizedMultiplier equals the BigInt transcription on random values, both shift signs', () => {
  const rnd = mulberry32(18);
  const i32 = () => (rnd() * 2 ** 32) | 0;
  for (let k = 0; k < 20000; k++) {
    const x = k % 7 === 0 ? [INT32_MIN, INT32_MAX, 0, -1][k % 4] : i32();
    const m = k % 11 === 0 ? [INT32_MIN, INT32_MAX, 2 ** 30][k % 3] : i32();
    const shift = Math.floor(rnd() * 64) - 32;
    expect(multiplyByQuantizedMultiplier(x, m, shift)).toBe(mbqmRef(x, m, shift));
  }
});

test('requantize: each scheme, zero point added exactly, clamp', () => {
  const out = { zeroPoint: 0, min: -128, max: 127 };
  expect(requantize(-5, { kind: 'shift', shift: 2, rounding: 'floor', ...out })).toBe(-2);
  expect(requantize(-6, { kind: 'shift', shift: 2, rounding: 'half-up', ...out })).toBe(-1);
  expect(requantize(3, { kind: 'shift', shift: -2, rounding: 'floor', ...out })).toBe(12);
  expect(requantize(-1, { kind: 'shift', shift: 32, rounding: 'floor', ...out })).toBe(-1);
  expect(requantize(1000, { kind: 'q31', multiplier: 2 ** 30, exponent: -1, zeroPoint: -3, min: -128, max: 127 })).toBe(127);
  expect(requantize(10, { kind: 'q31', multiplier: 2 ** 30, exponent: -1, zeroPoint: -3, min: -128, max: 127 })).toBe(0);
  // INT32_MAX + 1 does not wrap to INT32_MIN
  expect(requantize(INT32_MAX, { kind: 'shift', shift: 0, rounding: 'floor', zeroPoint: 1, min: -128, max: 127 })).toBe(127);
  expect(requantize(40, { kind: 'alu-mul', preShift: 1, multiplier: 3, shift: 2, rounding: 'floor', ...out })).toBe(15);
});

test('parameter words: encode/decode round trip; the stage is the evaluator of the decoded scheme', () => {
  const rnd = mulberry32(7);
  const bytes = new Uint8Array(8);
  for (let k = 0; k < 2000; k++) {
    const p: RequantParam = {
      mode: rnd() < 0.5 ? 'q31' : 'shift',
      multiplier: (rnd() * 2 ** 32) | 0,
      exponent: Math.floor(rnd() * 64) - 32,
      zeroPoint: Math.floor(rnd() * 256) - 128,
      min: Math.floor(rnd() * 256) - 128,
      max: Math.floor(rnd() * 256) - 128,
      ...(rnd() < 0.25 ? { wide: true } : {}),
    };
    encodeParam(p, bytes);
    expect(decodeParam(bytes)).toEqual(p);
    expect((bytes[7] >> 6) & 1).toBe(p.wide ? 1 : 0); // bit 62
    const acc = (rnd() * 2 ** 32) | 0;
    const v =
      p.mode === 'q31'
        ? mbqmRef(acc, p.multiplier, p.exponent)
        : p.exponent >= 0
          ? Number(wrap32(BigInt(acc) << BigInt(p.exponent)))
          : Number(BigInt(acc) >> BigInt(-p.exponent));
    expect(requantStage(acc, p)).toBe(p.wide ? v : Math.min(p.max, Math.max(p.min, v + p.zeroPoint)));
  }
  expect(() => encodeParam({ mode: 'q31', multiplier: 0, exponent: 32, zeroPoint: 0, min: 0, max: 0 })).toThrow(/exponent = 32 outside/);
  expect(schemeParam({ kind: 'shift', shift: 3, rounding: 'half-up', zeroPoint: 0, min: -128, max: 127 })).toMatch(/floor/);
  expect(schemeParam({ kind: 'q31', multiplier: 5, exponent: -3, zeroPoint: 2, min: -128, max: 127 })).toEqual({
    mode: 'q31',
    multiplier: 5,
    exponent: -3,
    zeroPoint: 2,
    min: -128,
    max: 127,
  });
});

describe('lowering: the stage when the configuration has it, else ALU micro-ops, else the CPU', () => {
  const base = deriveConfig(DEFAULT_CONFIG_JSON);
  const withMul = deriveConfig({ ...DEFAULT_CONFIG_JSON, ALU_OPS: ['MIN', 'MAX', 'ADD', 'SHR', 'MUL'] });
  const withStage = deriveConfig({ ...DEFAULT_CONFIG_JSON, REQUANT_BUFF_DEPTH: 16 });
  const runSteps = (acc: number, l: Extract<RequantLowering, { engine: 'alu' }>) =>
    l.steps.reduce((v, s) => aluOp(ALU_OPCODE[s.op], v, s.imm), (acc + l.biasAdd) | 0);

  test('ALU micro-ops compute the evaluator (no 32-bit wrap in range)', () => {
    const rnd = mulberry32(3);
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    for (let k = 0; k < 3000; k++) {
      const out = { zeroPoint: int(-20, 20), min: int(-128, 0), max: int(0, 127) };
      const rounding = rnd() < 0.5 ? ('floor' as const) : ('half-up' as const);
      const r: RequantScheme =
        k % 2
          ? { kind: 'shift', shift: int(-3, 20), rounding, ...out }
          : { kind: 'alu-mul', preShift: int(0, 6), multiplier: int(-3000, 3000), shift: int(0, 14), rounding, ...out };
      const l = lowerRequant(withMul, r);
      if (l.engine !== 'alu') throw new Error(`expected ALU, got ${JSON.stringify(l)}`);
      const acc = int(-(2 ** 20), 2 ** 20);
      expect([k, runSteps(acc, l)]).toEqual([k, requantize(acc, r)]);
    }
  });

  test('the stage runs Q31 and floor shifts; the reasons name what is missing', () => {
    const q31: RequantScheme = { kind: 'q31', multiplier: 1 << 30, exponent: -3, zeroPoint: 1, min: -128, max: 127 };
    expect(lowerRequant(withStage, q31)).toEqual({
      engine: 'stage',
      param: { mode: 'q31', multiplier: 1 << 30, exponent: -3, zeroPoint: 1, min: -128, max: 127 },
    });
    expect(lowerRequant(base, q31)).toEqual({
      engine: 'cpu',
      reason: expect.stringMatching(/needs the requantization stage; the configuration has no requantization stage/),
    });
    const mul: RequantScheme = { kind: 'alu-mul', preShift: 0, multiplier: 5, shift: 2, rounding: 'floor', zeroPoint: 0, min: -128, max: 127 };
    expect(lowerRequant(base, mul)).toEqual({ engine: 'cpu', reason: expect.stringMatching(/needs MUL in ALU_OPS/) });
    expect(lowerRequant(withStage, { kind: 'shift', shift: 7, rounding: 'floor', zeroPoint: 0, min: 0, max: 127 }).engine).toBe('stage');
    expect(lowerRequant(withStage, { kind: 'shift', shift: 7, rounding: 'half-up', zeroPoint: 0, min: 0, max: 127 })).toMatchObject({
      engine: 'alu',
      biasAdd: 64,
    });
  });
});
