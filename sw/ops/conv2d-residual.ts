// A residual add fused into the conv2d that produces one of its operands (as TVM fuses ResNet's shortcut):
// out = clamp((conv + residual) >> shift) with conv the conv2d's own int8 output. After a tile's epilogue its
// accumulators hold that int8 (or it plus the requantization offset, see requantOffset), so one extra pipeline step
// per tile loads the residual tile into the step's INP slot (int8, overlapped with the other thread's GEMMs), one GEMM
// micro-op per vector adds it through an identity block in WGT, and a second epilogue (one ALU REQ with the
// requantization stage, else shift and clamp on the ALU) writes the sum. The result equals the separate add's.

import { MEM_TYPE } from '../../hw/vta/config';
import type { RequantParam } from '../../hw/vta/requant';
import type { DeviceBuffer, Runtime } from '../runtime';
import { addGemmIssue, scaledIdentities } from './add-gemm';
import { emitRequant } from './epilogue';
import { OperatorError } from './errors';

export interface ConvResidual {
  /** Packed int8 activation of the conv2d's output shape [N/B, O/BO, OH, OW, B, BO]. */
  input: DeviceBuffer;
  /** The add's requantization: clamp((conv + residual) >> shift, min, max), an int8. */
  shift: number;
  min: number;
  max: number;
  /** What the residual's values can be (default the whole int8 range); see innerClampRedundant. */
  range?: readonly [number, number];
}

/**
 * Whether the conv2d's own clamp to [lo, hi] can be left out before a fused add without a shift: for
 * v > hi, clamp(hi + r) and clamp(v + r) are both the add's max when hi + r >= max for every residual r;
 * for v < lo both are its min when lo + r <= min. (ResNet's identity shortcut: r >= 0 after a ReLU, the add
 * clamps to [0, 127], the conv2d to [-128, 127].)
 */
export function innerClampRedundant(r: ConvResidual, lo: number, hi: number): boolean {
  const [rMin, rMax] = r.range ?? [-128, 127];
  return r.shift === 0 && hi + rMin >= r.max && lo + rMax <= r.min;
}

export function checkResidual(cfg: Runtime['config'], r: ConvResidual, outBytes: number, name: string): void {
  // the residual's int8 vectors are INP vectors, added by GEMM against an identity block: addGemm's needs
  const issue = addGemmIssue(cfg);
  if (issue) throw new OperatorError(`${name}: a fused residual add needs ${issue}`);
  if (!Number.isInteger(r.shift) || r.shift < 0 || r.shift > 31) throw new OperatorError(`${name}: residual shift must be an integer in 0..31, got ${r.shift}`);
  for (const [what, v] of [
    ['min', r.min],
    ['max', r.max],
  ] as const) {
    if (!Number.isInteger(v) || v < -128 || v > 127) throw new OperatorError(`${name}: residual ${what} ${v} must be an int8`);
  }
  if (r.range && !(Number.isInteger(r.range[0]) && Number.isInteger(r.range[1]) && -128 <= r.range[0] && r.range[0] <= r.range[1] && r.range[1] <= 127)) {
    throw new OperatorError(`${name}: residual range [${r.range.join(', ')}] must be an int8 interval`);
  }
  if (r.input.bytes < outBytes) throw new OperatorError(`${name}: the residual buffer has ${r.input.bytes} bytes, the output needs ${outBytes}`);
}

/** The requantization stage's word of the residual epilogue (the same for every channel). */
export function residualParam(r: ConvResidual): RequantParam {
  return { mode: 'shift', multiplier: 0, exponent: -r.shift, zeroPoint: 0, min: r.min, max: r.max };
}

/** What a tile's residual step needs to know about the conv2d's emission. */
export interface ResidualTile {
  accBase: number;
  inpBase: number;
  nOut: number;
  /** Output blocks of the tile and where each one's rows start in the packed output (element index). */
  blocks: number[];
  th: number;
  tw: number;
  /** Output row pitch in elements (OW). */
  rowPitch: number;
}

/**
 * The fused add's emitter: `identity` is the WGT entry that holds the identity block (loaded by the first step);
 * `stageEntry` the parameter buffer entry of residualParam (null: the ALU epilogue, with the conv's `offset`).
 */
export function residualEmitter(rt: Runtime, r: ConvResidual, identity: number, stageEntry: number | null, offset: number) {
  const identityBuf = scaledIdentities(rt, [1]);
  return {
    /** Load stage of the first step: the identity block into WGT. */
    loadIdentity(): void {
      rt.loadBuffer2D(identityBuf, 0, MEM_TYPE.WGT, identity, 1, 1, 1);
    },
    /** Load stage of the tile's residual step: its residual rows into the step's INP slot. */
    load(t: ResidualTile): void {
      const hw = t.th * t.tw;
      t.blocks.forEach((elem, k) => rt.loadBuffer2D(r.input, elem, MEM_TYPE.INP, t.inpBase + k * hw, t.th, t.tw, t.rowPitch));
    },
    /** Compute stage: ACC += residual, then the add's shift and clamp. */
    compute(t: ResidualTile): void {
      rt.pushGemm(
        rt.kernel(`residual:a${t.accBase}:i${t.inpBase}:w${identity}:n${t.nOut}`, (k) => k.loop(t.nOut, 1, 1, 0).push(t.accBase, t.inpBase, identity)),
      );
      if (stageEntry !== null) {
        rt.pushRequant(rt.kernel(`req-residual:a${t.accBase}:p${stageEntry}:n${t.nOut}`, (k) => k.loop(t.nOut, 1, 0).push(t.accBase, stageEntry)));
      } else {
        emitRequant(rt, t.accBase, t.nOut, { shift: r.shift, relu: false, min: r.min, max: r.max, offset });
      }
    },
    free(): void {
      rt.free(identityBuf);
    },
  };
}
