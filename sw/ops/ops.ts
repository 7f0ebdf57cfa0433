// Host-level operators: NCHW/OIHW typed arrays in, NCHW int8 out. Each packs (layout.ts), allocates and
// copies to the device, runs the packed operator through the runtime, copies back, unpacks and frees.

import type { VtaConfig } from '../../hw/vta/config';
import type { Runtime, DeviceBuffer, RuntimeStats } from '../runtime';
import { snapshotStats, statsSince } from '../runtime/stats';
import { aluElementwise, AluEpilogue, maxPoolPacked } from './alu';
import { Conv2dGeometry, conv2dPacked, Conv2dPlan, Epilogue, outputSize } from './conv2d';
import { OperatorError } from './errors';
import { ceilDiv, packActivations, packBias, packWeights, roundUp, Shape4, unpackActivations } from './layout';
import { pads4, strides2 } from './reference';

/**
 * What every operator returns, and its reference (reference.ts) too: the int8 output, row-major
 * (NCHW for 4-D operators, [M, N] for dense), and its shape.
 */
export interface OpResult {
  readonly out: Int8Array;
  readonly shape: readonly number[];
}

/** An operator run on the device also says what this call did (runs, instructions, counters, cycles). */
export interface DeviceOpResult extends OpResult {
  readonly stats: RuntimeStats;
}

/** Runs one operator call and adds the runtime statistics of just this call to its result. */
async function measured<T extends OpResult>(rt: Runtime, call: () => Promise<T>): Promise<T & { stats: RuntimeStats }> {
  const before = snapshotStats(rt.stats);
  const r = await call();
  return { ...r, stats: statsSince(rt.stats, before) };
}

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number] | [number, number, number, number];
  groups?: number;
  shift?: number;
  relu?: boolean;
  /** Requantization beyond one shift: clip bounds, per-channel shifts, the MUL form (see Epilogue). */
  epilogue?: Omit<Epilogue, 'shift' | 'relu'>;
  /** Zero point of the input: the convolution sums (x - z) * w over the taps inside the image (TFLite's semantics; see zero-point.ts). */
  inputZeroPoint?: number;
  /** Zero-fill channels to block multiples (default true); false rejects such shapes. */
  padChannels?: boolean;
  plan?: Conv2dPlan;
  name?: string;
  /**
   * A residual add fused into the conv2d: out = clamp((conv + x) >> shift, min, max), with conv its own int8 output
   * and x int8 of the output's shape (conv2d-residual.ts). Defaults: shift 0, bounds -128, 127.
   */
  residual?: { x: Int8Array; shift?: number; min?: number; max?: number; range?: [number, number] };
}

function expectType(name: string, what: string, a: unknown, ctor: Int8ArrayConstructor | Int32ArrayConstructor): void {
  if (!(a instanceof ctor)) {
    throw new OperatorError(
      `${name}: ${what} must be an ${ctor.name} (${ctor === Int8Array ? 'int8' : 'int32'}), got ${(a as object)?.constructor?.name ?? typeof a}`,
    );
  }
}

function shape4(name: string, what: string, s: readonly number[]): Shape4 {
  if (s.length !== 4) throw new OperatorError(`${name}: ${what} shape must have 4 dimensions (NCHW/OIHW), got [${s.join(', ')}]`);
  return [s[0], s[1], s[2], s[3]];
}

async function withBuffers<T>(rt: Runtime, sizes: number[], f: (bufs: DeviceBuffer[]) => Promise<T>): Promise<T> {
  const bufs: DeviceBuffer[] = [];
  try {
    for (const s of sizes) bufs.push(rt.alloc(Math.max(1, s)));
    return await f(bufs);
  } finally {
    for (const b of bufs) rt.free(b);
  }
}

const asInt8 = (u: Uint8Array) => new Int8Array(u.buffer, u.byteOffset, u.byteLength);

/** The packed geometry conv2d runs (batch and channels rounded up to the blocks). */
export function packedConv2dGeometry(
  cfg: VtaConfig,
  [N, C, H, W]: Shape4,
  [O, , KH, KW]: Shape4,
  o: Pick<Conv2dOptions, 'stride' | 'padding' | 'groups'>,
): Conv2dGeometry {
  const [sh, sw] = strides2(o.stride);
  const [pt, pb, pl, pr] = pads4(o.padding);
  return {
    N: roundUp(N, cfg.batch),
    C: roundUp(C, cfg.blockIn),
    H,
    W,
    O: roundUp(O, cfg.blockOut),
    KH,
    KW,
    strideH: sh,
    strideW: sw,
    padTop: pt,
    padBottom: pb,
    padLeft: pl,
    padRight: pr,
    groups: o.groups ?? 1,
  };
}

/** dense [M,K] x [N,K]^T as the conv2d it runs as: NCHW [BATCH, K, 1, M/BATCH] by OIHW [N, K, 1, 1]. */
export function denseAsConv2d(cfg: VtaConfig, M: number, K: number, N: number): { xShape: Shape4; wShape: Shape4 } {
  return { xShape: [cfg.batch, K, 1, ceilDiv(M, cfg.batch)], wShape: [N, K, 1, 1] };
}

/** A transposed conv2d as the stride-1 conv2d it runs as (zero-inserted input, flipped kernel, K-1-p borders). */
export function conv2dTransposeAsConv2d(
  [N, C, H, W]: Shape4,
  [, O, KH, KW]: Shape4,
  stride: number,
  padding: number,
  outputPadding: number,
): { xShape: Shape4; wShape: Shape4; padding: [number, number, number, number] } {
  const padH = KH - 1 - padding;
  const padW = KW - 1 - padding;
  return {
    xShape: [N, C, (H - 1) * stride + 1, (W - 1) * stride + 1],
    wShape: [O, C, KH, KW],
    padding: [padH, padH + outputPadding, padW, padW + outputPadding],
  };
}

/** int8 conv2d (grouped), int32 bias, requantized to int8: x [N,C,H,W], w [O,C/groups,KH,KW]. */
export async function conv2d(
  rt: Runtime,
  x: Int8Array,
  xShape: readonly number[],
  w: Int8Array,
  wShape: readonly number[],
  bias: Int32Array | null,
  o: Conv2dOptions = {},
): Promise<DeviceOpResult & { shape: Shape4; plan: Conv2dPlan }> {
  return measured(rt, () => conv2dCall(rt, x, xShape, w, wShape, bias, o));
}

async function conv2dCall(
  rt: Runtime,
  x: Int8Array,
  xShape: readonly number[],
  w: Int8Array,
  wShape: readonly number[],
  bias: Int32Array | null,
  o: Conv2dOptions,
): Promise<OpResult & { shape: Shape4; plan: Conv2dPlan }> {
  const name = o.name ?? 'conv2d';
  const cfg = rt.config;
  expectType(name, 'input', x, Int8Array);
  expectType(name, 'weights', w, Int8Array);
  if (bias !== null) expectType(name, 'bias', bias, Int32Array);
  const [N, C, H, W] = shape4(name, 'input', xShape);
  const [O, Ig, KH, KW] = shape4(name, 'weights', wShape);
  const groups = o.groups ?? 1;
  if (C % groups || O % groups || Ig !== C / groups) {
    throw new OperatorError(`${name}: weights [${wShape.join(', ')}] do not match ${C} input channels in ${groups} group(s) (expected I = ${C / groups})`);
  }
  const pad = o.padChannels ?? true;
  if (groups > 1 && ((C / groups) % cfg.blockIn || (O / groups) % cfg.blockOut)) {
    throw new OperatorError(
      `${name}: with ${groups} groups, channels per group (${C / groups} in, ${O / groups} out) must be multiples of BLOCK_IN ${cfg.blockIn} / BLOCK_OUT ${cfg.blockOut}`,
    );
  }
  const [sh, sw] = strides2(o.stride);
  const [pt, pb, pl, pr] = pads4(o.padding);
  const g = packedConv2dGeometry(cfg, [N, C, H, W], [O, Ig, KH, KW], { stride: [sh, sw], padding: [pt, pb, pl, pr], groups });
  const { N: Np, O: Op } = g;
  const xp = packActivations(cfg, x, [N, C, H, W], 'inp', { pad, name: `${name} input` });
  const wp = packWeights(cfg, w, [O, Ig, KH, KW], { pad, name: `${name} weights` });
  const bp = bias ? packBias(cfg, bias, O) : null;
  const { OH, OW } = outputSize(g);
  const outBytes = (Np / cfg.batch) * (Op / cfg.blockOut) * OH * OW * cfg.tensor.out.elemBytes;
  const res = o.residual;
  if (res) expectType(name, 'residual', res.x, Int8Array);
  if (res?.range) {
    const [lo, hi] = res.range;
    const k = res.x.findIndex((v) => v < lo || v > hi);
    if (k >= 0) throw new OperatorError(`${name}: residual value ${res.x[k]} at ${k} is outside its declared range [${lo}, ${hi}]`);
  }
  const rp = res ? packActivations(cfg, res.x, [N, O, OH, OW], 'out', { pad, name: `${name} residual` }) : null;
  return withBuffers(rt, [xp.length, wp.length, bp ? bp.byteLength : 1, outBytes, rp ? rp.length : 1], async ([bx, bw, bb, bo, br]) => {
    rt.copyToDevice(bx, xp);
    rt.copyToDevice(bw, wp);
    if (bp) rt.copyToDevice(bb, bp);
    if (rp) rt.copyToDevice(br, rp);
    const plan = await conv2dPacked(
      rt,
      { input: bx, weight: bw, bias: bp ? bb : null, output: bo },
      g,
      { ...o.epilogue, shift: o.shift ?? 0, relu: o.relu ?? false },
      {
        plan: o.plan,
        name,
        inputZeroPoint: o.inputZeroPoint,
        residual: res ? { input: br, shift: res.shift ?? 0, min: res.min ?? -128, max: res.max ?? 127, range: res.range } : undefined,
      },
    );
    const packed = asInt8(rt.copyFromDevice(bo, outBytes));
    const shape: Shape4 = [N, O, OH, OW];
    const full = unpackActivations(cfg, packed, [Np, Op, OH, OW], 'out');
    return { out: O === Op && N === Np ? full : sliceNC(full, [Np, Op, OH, OW], shape), shape, plan };
  });
}

function sliceNC(a: Int8Array, [, Cp, H, W]: Shape4, [N, C]: Shape4): Int8Array {
  const out = new Int8Array(N * C * H * W);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) out.set(a.subarray((n * Cp + c) * H * W, (n * Cp + c + 1) * H * W), (n * C + c) * H * W);
  return out;
}

/**
 * int8 dense: x [M,K] times w [N,K] transposed plus int32 bias [N], requantized to int8 [M,N]. Runs as a
 * 1x1 convolution whose width is the M/BATCH row blocks.
 */
export async function dense(
  rt: Runtime,
  x: Int8Array,
  M: number,
  K: number,
  w: Int8Array,
  N: number,
  bias: Int32Array | null,
  o: Pick<Conv2dOptions, 'shift' | 'relu' | 'epilogue' | 'inputZeroPoint' | 'padChannels' | 'plan' | 'name'> = {},
): Promise<DeviceOpResult & { shape: [number, number] }> {
  const name = o.name ?? 'dense';
  const cfg = rt.config;
  expectType(name, 'input', x, Int8Array);
  expectType(name, 'weights', w, Int8Array);
  if (x.length !== M * K) throw new OperatorError(`${name}: input has ${x.length} values, expected M*K = ${M}*${K}`);
  if (w.length !== N * K) throw new OperatorError(`${name}: weights have ${w.length} values, expected N*K = ${N}*${K}`);
  const B = cfg.batch;
  const { xShape, wShape } = denseAsConv2d(cfg, M, K, N);
  const MB = xShape[3];
  // x4[b][k][0][mb] = x[mb*B + b][k]
  const x4 = new Int8Array(B * K * MB);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) x4[((m % B) * K + k) * MB + Math.floor(m / B)] = x[m * K + k];
  const { out, stats } = await conv2d(rt, x4, xShape, w, wShape, bias, {
    shift: o.shift,
    relu: o.relu,
    epilogue: o.epilogue,
    inputZeroPoint: o.inputZeroPoint,
    padChannels: o.padChannels,
    plan: o.plan,
    name,
  });
  const y = new Int8Array(M * N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) y[m * N + n] = out[((m % B) * N + n) * MB + Math.floor(m / B)];
  return { out: y, shape: [M, N], stats };
}

/**
 * Transposed conv2d (DCGAN-style): x [N,Cin,H,W], w [Cin,Cout,KH,KW], PyTorch's output size. Runs as a
 * stride-1 conv over the zero-inserted input with the flipped, transposed kernel; the K-1-p border is the
 * load unit's padding.
 */
export async function conv2dTranspose(
  rt: Runtime,
  x: Int8Array,
  xShape: readonly number[],
  w: Int8Array,
  wShape: readonly number[],
  bias: Int32Array | null,
  o: { stride?: number; padding?: number; outputPadding?: number; shift?: number; relu?: boolean; plan?: Conv2dPlan; name?: string } = {},
): Promise<DeviceOpResult & { shape: Shape4 }> {
  const name = o.name ?? 'conv2d_transpose';
  expectType(name, 'input', x, Int8Array);
  expectType(name, 'weights', w, Int8Array);
  const [N, C, H, W] = shape4(name, 'input', xShape);
  const [Ci, O, KH, KW] = shape4(name, 'weights', wShape);
  if (Ci !== C) throw new OperatorError(`${name}: weights [${wShape.join(', ')}] are [Cin, Cout, KH, KW]; Cin ${Ci} differs from the input's ${C}`);
  const s = o.stride ?? 1;
  const p = o.padding ?? 0;
  const op = o.outputPadding ?? 0;
  if (p > KH - 1 || p > KW - 1) throw new OperatorError(`${name}: padding ${p} must be at most kernel-1`);
  if (op >= s && op > 0) throw new OperatorError(`${name}: output padding ${op} must be smaller than the stride ${s}`);
  const as = conv2dTransposeAsConv2d([N, C, H, W], [Ci, O, KH, KW], s, p, op);
  const [, , DH, DW] = as.xShape;
  const xd = new Int8Array(N * C * DH * DW);
  for (let nc = 0; nc < N * C; nc++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) xd[(nc * DH + y * s) * DW + xx * s] = x[(nc * H + y) * W + xx];
  const wt = new Int8Array(O * C * KH * KW);
  for (let c = 0; c < C; c++)
    for (let oc = 0; oc < O; oc++)
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++) {
          wt[((oc * C + c) * KH + ky) * KW + kx] = w[((c * O + oc) * KH + (KH - 1 - ky)) * KW + (KW - 1 - kx)];
        }
  const r = await conv2d(rt, xd, as.xShape, wt, as.wShape, bias, { stride: 1, padding: as.padding, shift: o.shift, relu: o.relu, plan: o.plan, name });
  return { out: r.out, shape: r.shape, stats: r.stats };
}

async function elementwise(
  rt: Runtime,
  name: string,
  a: Int32Array,
  b: Int32Array | null,
  shape: readonly number[],
  op: 'ADD' | 'MAX' | 'MIN',
  e: AluEpilogue,
): Promise<DeviceOpResult & { shape: Shape4 }> {
  return measured(rt, () => elementwiseCall(rt, name, a, b, shape, op, e));
}

async function elementwiseCall(
  rt: Runtime,
  name: string,
  a: Int32Array,
  b: Int32Array | null,
  shape: readonly number[],
  op: 'ADD' | 'MAX' | 'MIN',
  e: AluEpilogue,
): Promise<OpResult & { shape: Shape4 }> {
  const cfg = rt.config;
  expectType(name, 'a', a, Int32Array);
  if (b) expectType(name, 'b', b, Int32Array);
  const s = shape4(name, 'input', shape);
  const ap = packActivations(cfg, a, s, 'acc', { name: `${name} a` });
  const bp = b ? packActivations(cfg, b, s, 'acc', { name: `${name} b` }) : null;
  const elements = ap.length / (cfg.batch * cfg.blockOut);
  const outBytes = elements * cfg.tensor.out.elemBytes;
  return withBuffers(rt, [ap.byteLength, bp ? bp.byteLength : 1, outBytes], async ([ba, bb, bo]) => {
    rt.copyToDevice(ba, ap);
    if (bp) rt.copyToDevice(bb, bp);
    await aluElementwise(rt, ba, bp ? bb : null, bo, elements, op, e, name);
    const packed = asInt8(rt.copyFromDevice(bo, outBytes));
    const [N, C, H, W] = s;
    const full: Shape4 = [roundUp(N, cfg.batch), roundUp(C, cfg.blockOut), H, W];
    return { out: sliceNC(unpackActivations(cfg, packed, full, 'out'), full, s), shape: s };
  });
}

/** Residual add of two int32 NCHW tensors, then shift / clip / ReLU to int8. */
export const add = (rt: Runtime, a: Int32Array, b: Int32Array, shape: readonly number[], e: AluEpilogue = {}) => elementwise(rt, 'add', a, b, shape, 'ADD', e);
export const relu = (rt: Runtime, a: Int32Array, shape: readonly number[], e: AluEpilogue = {}) =>
  elementwise(rt, 'relu', a, null, shape, 'ADD', { ...e, relu: true });
export const clip = (rt: Runtime, a: Int32Array, shape: readonly number[], min: number, max: number) =>
  elementwise(rt, 'clip', a, null, shape, 'ADD', { min, max });
export const shift = (rt: Runtime, a: Int32Array, shape: readonly number[], amount: number) =>
  elementwise(rt, 'shift', a, null, shape, 'ADD', { shift: amount });

/** Max-pool of an int32 NCHW tensor (pads read as 0), clipped to int8. */
export async function maxPool2d(
  rt: Runtime,
  x: Int32Array,
  shape: readonly number[],
  kernel: number,
  stride: number,
  pad = 0,
  e: AluEpilogue = {},
): Promise<DeviceOpResult & { shape: Shape4 }> {
  return measured(rt, () => maxPoolCall(rt, x, shape, kernel, stride, pad, e));
}

async function maxPoolCall(
  rt: Runtime,
  x: Int32Array,
  shape: readonly number[],
  kernel: number,
  stride: number,
  pad: number,
  e: AluEpilogue,
): Promise<OpResult & { shape: Shape4 }> {
  const cfg = rt.config;
  const name = 'max_pool2d';
  expectType(name, 'input', x, Int32Array);
  const [N, C, H, W] = shape4(name, 'input', shape);
  const Np = roundUp(N, cfg.batch);
  const Cp = roundUp(C, cfg.blockOut);
  const xp = packActivations(cfg, x, [N, C, H, W], 'acc', { name });
  const OH = Math.floor((H + 2 * pad - kernel) / stride) + 1;
  const OW = Math.floor((W + 2 * pad - kernel) / stride) + 1;
  const NB = Np / cfg.batch;
  const CB = Cp / cfg.blockOut;
  const outBytes = NB * CB * Math.max(OH, 0) * Math.max(OW, 0) * cfg.tensor.out.elemBytes;
  return withBuffers(rt, [xp.byteLength, outBytes], async ([bx, bo]) => {
    rt.copyToDevice(bx, xp);
    await maxPoolPacked(rt, bx, bo, { NB, CB, H, W, kernel, stride, pad }, e, name);
    const packed = asInt8(rt.copyFromDevice(bo, outBytes));
    const out = sliceNC(unpackActivations(cfg, packed, [Np, Cp, OH, OW], 'out'), [Np, Cp, OH, OW], [N, C, OH, OW]);
    return { out, shape: [N, C, OH, OW] as Shape4 };
  });
}
