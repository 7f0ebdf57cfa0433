// A decoded GEMM/ALU loop nest and the replaceable GEMM kernel that runs one: types shared by the
// loop decoder, the executors and the machine state (a file of their own so those do not import each other).

import type { Srams } from './srams';

export interface LoopPlan {
  /** Number of micro-ops in [uop_bgn, uop_end). */
  readonly n: number;
  readonly iterOut: number;
  readonly iterIn: number;
  /** Decoded micro-op fields, one entry per micro-op. */
  readonly dst: Int32Array;
  readonly src: Int32Array;
  readonly wgt: Int32Array;
  readonly dstFactorOut: number;
  readonly dstFactorIn: number;
  readonly srcFactorOut: number;
  readonly srcFactorIn: number;
  readonly wgtFactorOut: number;
  readonly wgtFactorIn: number;
  /** Index masks (depth - 1). Indices are always ANDed with them: a no-op when everything is in range
   *  (checked), the hardware's wrap in non-strict mode. */
  readonly dstMask: number;
  readonly srcMask: number;
  readonly wgtMask: number;
}

export interface GemmShape {
  readonly batch: number;
  readonly blockIn: number;
  readonly blockOut: number;
}

/** Runs a whole non-reset GEMM loop nest. Indices in `plan` are already checked (or must be masked). */
export type GemmKernel = (srams: Srams, shape: GemmShape, plan: LoopPlan) => void;
