// An IR requantization as the operator library's conv2d/dense epilogue. On a core with the requantization
// stage every scheme it can run goes there (hw/vta/requant-lowering.ts): TFLite's Q31 rule exactly, VTA's
// shift and clip in one ALU REQ. Otherwise the tensor ALU runs it: the VTA scheme (one shift), the
// tflite-requant pass's forms (per-channel shifts; the ALU-MUL form) and output zero points, so that the device
// computes exactly the integer reference's requantValue. What the epilogue cannot hold (the zero point and the
// rounding half of the shift-only form) is returned as a per-channel amount to add to the bias.

import type { VtaConfig } from '../../hw/vta/config';
import { RequantParam } from '../../hw/vta/requant';
import { lowerRequant } from '../../hw/vta/requant-lowering';
import type { Epilogue } from '../ops/conv2d';
import { channelScheme, CompileError, Requant } from './ir';

export interface DeviceRequant {
  shift: number;
  epilogue: Omit<Epilogue, 'shift' | 'relu'>;
  /** Per channel: add to the bias (null: nothing). */
  biasAdd: number[] | null;
}

const at = (a: number[], c: number) => (a.length === 1 ? a[0] : a[c]);

/** The scheme in the requantization stage, or null when the core has none or a channel's scheme does not fit it. */
function stageRequant(cfg: VtaConfig, r: Requant, channels: number, where: string): DeviceRequant | null {
  if (!cfg.requant) return null;
  const params: RequantParam[] = [];
  const half: number[] = [];
  // per-channel arrays cover the model's channels; the lanes past them (padding to a block) are left to
  // stageParamTable, which zeroes them
  const perChannel = Math.max(r.shift.length, r.multiplier?.length ?? 1);
  const real = perChannel > 1 ? Math.min(perChannel, channels) : channels;
  for (let c = 0; c < real; c++) {
    let scheme = channelScheme(r, c, where);
    let h = 0;
    // the stage shifts with floor rounding: half-up adds 2^(s-1) to the bias first
    if (scheme.kind === 'shift' && scheme.rounding === 'half-up') {
      h = scheme.shift > 0 ? 2 ** (scheme.shift - 1) : 0;
      scheme = { ...scheme, rounding: 'floor' };
    }
    const low = lowerRequant(cfg, scheme);
    if (low.engine !== 'stage') return null;
    params.push(low.param);
    half.push(h);
  }
  return { shift: 0, epilogue: { stage: params }, biasAdd: half.some((v) => v !== 0) ? half : null };
}

/** Whether every channel of `r` runs in `cfg`'s requantization stage (false without one). */
export function runsInStage(cfg: VtaConfig, r: Requant, channels: number, where: string): boolean {
  return stageRequant(cfg, r, channels, where) !== null;
}

export function deviceRequant(r: Requant, channels: number, where: string, cfg?: VtaConfig): DeviceRequant {
  const staged = cfg ? stageRequant(cfg, r, channels, where) : null;
  if (staged) return staged;
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
