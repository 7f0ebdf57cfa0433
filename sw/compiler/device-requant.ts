// An IR requantization as the operator library's conv2d/dense epilogue: the VTA scheme (one shift), the
// tflite-requant pass's forms (per-channel shifts; the ALU-MUL form) and output zero points, so that the device
// computes exactly the integer reference's requantValue. What the epilogue cannot hold (the zero point and the
// rounding half of the shift-only form) is returned as a per-channel amount to add to the bias.

import type { Epilogue } from '../ops/conv2d';
import { CompileError, Requant } from './ir';

export interface DeviceRequant {
  shift: number;
  epilogue: Omit<Epilogue, 'shift' | 'relu'>;
  /** Per channel: add to the bias (null: nothing). */
  biasAdd: number[] | null;
}

const at = (a: number[], c: number) => (a.length === 1 ? a[0] : a[c]);

export function deviceRequant(r: Requant, channels: number, where: string): DeviceRequant {
  if (r.multiplier) throw new CompileError(`${where}: TFLite's Q31 multiplier cannot run on the tensor ALU; the tflite-requant pass lowers it`);
  const shifts = Array.from({ length: channels }, (_, c) => at(r.shift, c));
  for (const s of shifts) if (!Number.isInteger(s) || s < 0 || s > 31) throw new CompileError(`${where}: shift ${s} outside 0..31`);
  const epilogue: DeviceRequant['epilogue'] = { min: r.min, max: r.max };
  const oneShift = shifts.every((s) => s === shifts[0]);
  if (!oneShift) epilogue.channelShift = shifts;
  // ((v + round) >> s) + zp = (v + round + zp * 2^s) >> s
  const add = shifts.map((s) => (r.rounding === 'nearest' && s > 0 ? 2 ** (s - 1) : 0) + r.zeroPoint * 2 ** s);
  if (r.aluMultiplier) {
    const pre = Array.from({ length: channels }, (_, c) => at(r.preShift ?? [0], c));
    if (pre.some((p) => p !== 0)) epilogue.preShift = pre;
    epilogue.multiplier = Array.from({ length: channels }, (_, c) => at(r.aluMultiplier!, c));
    epilogue.addend = add;
    return { shift: oneShift ? shifts[0] : 0, epilogue, biasAdd: null };
  }
  return { shift: oneShift ? shifts[0] : 0, epilogue, biasAdd: add.some((v) => v !== 0) ? add : null };
}
