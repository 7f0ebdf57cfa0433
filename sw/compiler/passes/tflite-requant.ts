// Maps TFLite's requantization (per-channel Q31 multiplier M_c = m_c / 2^31 * 2^-shift_c, round to nearest) of
// the conv2d/dense nodes that run on VTA onto what the tensor ALU can do. Nodes on the CPU, and on a core with the
// requantization stage the nodes it runs, keep TFLite's exact rule.
//
// Without MUL (VTA's ALU: MIN, MAX, ADD, SHR) the multiplier moves into the weights: per output channel a shift
// n_c is chosen so that r_c = M_c * 2^n_c scales the channel's largest |w| to 64..127; w' = round(w * r_c),
// b' = round(b * r_c) + 2^(n_c - 1) (round half up), and the device computes (acc' >> n_c) + zp, clipped. The
// only approximation is the rounding of w * r_c to int8 (and of b * r_c), i.e. about 7 bits per weight.
//
// With MUL the weights stay exact: v = ((acc >> p_c) * q_c + 2^(t_c - 1)) >> t_c, where a worst-case bound of
// |acc| keeps the 32-bit product from overflowing and p_c balances the bits the pre-shift drops against q_c's
// precision; the approximation is q_c's rounding and the dropped low bits of acc.

import type { VtaConfig } from '../../../hw/vta/config';
import { runsInStage } from '../device-requant';
import { CompileError, GemmNode, Graph, makeNode, Node, Requant, Tensor } from '../ir';

export interface TfliteRequantOptions {
  /** The ALU has MUL (ALU_OPS includes it): use the multiplier form. */
  mul: boolean;
  /** The core has the requantization stage: nodes whose rule it runs keep TFLite's multiplier (exact). */
  stage?: VtaConfig;
}

const realMultiplier = (r: Requant, c: number): number => {
  const m = r.multiplier!.length === 1 ? r.multiplier![0] : r.multiplier![c];
  const s = r.shift.length === 1 ? r.shift[0] : r.shift[c];
  return (m / 2 ** 31) * 2 ** -s;
};

function constOf(g: Graph, n: Node, k: number, dtype: string): Tensor {
  const t = g.tensors[n.inputs[k]];
  if (!t?.data || t.dtype !== dtype)
    throw new CompileError(`node ${n.name} (${n.op}): input ${k} must be a constant ${dtype} tensor for the device requantization`);
  return t;
}

function addConst(g: Graph, like: Tensor, data: Int8Array | Int32Array, scale: number[]): string {
  let name = `${like.name}:vta`;
  for (let i = 1; g.tensors[name]; i++) name = `${like.name}:vta${i}`;
  g.tensors[name] = { ...like, name, data, quant: { scale, zeroPoint: scale.map(() => 0), axis: scale.length > 1 ? 0 : undefined } };
  return name;
}

/** Shift-only form: the multiplier folded into the weights and bias. */
function foldIntoWeights(g: Graph, n: GemmNode, r: Requant): void {
  const w = constOf(g, n, 1, 'int8');
  const b = n.inputs[2] ? constOf(g, n, 2, 'int32') : null;
  const O = w.shape[0];
  const per = (w.data as Int8Array).length / O;
  const wd = w.data as Int8Array;
  const w2 = new Int8Array(wd.length);
  const b2 = new Int32Array(O);
  const shift: number[] = [];
  const wScale: number[] = [];
  // the device adds the output zero point before its shift (zp * 2^n in the bias, device-requant.ts): keep
  // |zp| * 2^n within 2^29 so that it and the accumulator stay inside int32
  const maxShift = Math.min(31, 29 - Math.ceil(Math.log2(Math.abs(r.zeroPoint) + 1)));
  for (let c = 0; c < O; c++) {
    const M = realMultiplier(r, c);
    let maxW = 0;
    for (let k = 0; k < per; k++) maxW = Math.max(maxW, Math.abs(wd[c * per + k]));
    // the largest n with M * 2^n * maxW <= 127; a channel of zero weights keeps only its bias
    let nc = maxW ? Math.floor(Math.log2(127 / (maxW * M))) : 0;
    if (maxW && Math.round(maxW * M * 2 ** nc) > 127) nc--;
    nc = Math.min(maxShift, nc);
    if (nc < 0)
      throw new CompileError(`node ${n.name} (${n.op}): channel ${c}'s multiplier ${M} is too large to fold into int8 weights; configure ALU_OPS with MUL`);
    const rc = M * 2 ** nc;
    for (let k = 0; k < per; k++) w2[c * per + k] = Math.round(wd[c * per + k] * rc);
    b2[c] = Math.round((b ? (b.data as Int32Array)[c] : 0) * rc) + (nc > 0 ? 2 ** (nc - 1) : 0);
    shift.push(nc);
    const ws = w.quant?.scale ?? [1];
    wScale.push((ws.length === 1 ? ws[0] : ws[c]) / rc);
  }
  const xs = g.tensors[n.inputs[0]].quant?.scale[0] ?? 1;
  n.inputs[1] = addConst(g, w, w2, wScale);
  const bLike: Tensor = b ?? { name: `${n.name}:bias`, dtype: 'int32', shape: [O] };
  const bName = addConst(
    g,
    bLike,
    b2,
    wScale.map((s) => s * xs),
  );
  if (n.inputs.length > 2) n.inputs[2] = bName;
  else n.inputs.push(bName);
  n.attrs.requant = { shift, rounding: 'floor', zeroPoint: r.zeroPoint, min: r.min, max: r.max };
}

/** MUL form: exact weights, a per-channel multiplier after a pre-shift that rules out overflow. */
function mulForm(g: Graph, n: GemmNode, r: Requant): void {
  const w = constOf(g, n, 1, 'int8');
  const b = n.inputs[2] ? constOf(g, n, 2, 'int32') : null;
  const O = w.shape[0];
  const wd = w.data as Int8Array;
  const per = wd.length / O;
  const zx = g.tensors[n.inputs[0]].quant?.zeroPoint[0] ?? 0;
  const maxIn = Math.max(127 - zx, zx + 128);
  const zpRoom = Math.abs(r.zeroPoint) + 1;
  const preShift: number[] = [];
  const aluMultiplier: number[] = [];
  const shift: number[] = [];
  for (let c = 0; c < O; c++) {
    const M = realMultiplier(r, c);
    let sumW = 0;
    for (let k = 0; k < per; k++) sumW += Math.abs(wd[c * per + k]);
    const A = sumW * maxIn + Math.abs(b ? (b.data as Int32Array)[c] : 0);
    // per pre-shift p: the largest multiplier q (largest t) that keeps the product, the rounding half and the
    // zero point inside int32; the estimated error in output steps is what p drops (2^p * M) plus q's rounding
    // (half a step of q on outputs up to 128); the smallest estimate wins
    // a multiplier TFLite flushed to 0 (a channel whose output is its zero point): multiply by 0
    let best: { p: number; q: number; t: number; err: number } | null = M === 0 ? { p: 0, q: 0, t: 1, err: 0 } : null;
    for (let p = 0; p <= 31 && M > 0; p++) {
      const room = (t: number) => Math.floor((2 ** 31 - zpRoom * 2 ** t) / (Math.floor(A / 2 ** p) + 1));
      let t = Math.min(31, Math.floor(Math.log2(room(0) / M)) - p);
      while (t >= 1 && Math.round(M * 2 ** (p + t)) > room(t)) t--;
      if (t < 1) continue;
      const q = Math.round(M * 2 ** (p + t));
      if (q < 1) continue;
      const err = (p ? M * 2 ** p : 0) + 64 / q;
      if (!best || err < best.err) best = { p, q, t, err };
    }
    const done = best !== null;
    if (best) {
      preShift.push(best.p);
      aluMultiplier.push(best.q);
      shift.push(best.t);
    }
    if (!done) throw new CompileError(`node ${n.name} (${n.op}): no pre-shift/multiplier/shift for channel ${c} (multiplier ${M}, |acc| <= ${A}) fits 32 bits`);
  }
  n.attrs.requant = { shift, preShift, aluMultiplier, rounding: 'nearest', zeroPoint: r.zeroPoint, min: r.min, max: r.max };
}

/** The graph with every VTA conv2d/dense carrying TFLite's multiplier rewritten into the device's form. */
export function lowerTfliteRequant(input: Graph, opts: TfliteRequantOptions): Graph {
  const g: Graph = { ...input, tensors: { ...input.tensors }, nodes: input.nodes.map((n) => makeNode(n.op, { ...n, inputs: [...n.inputs] }, { ...n.attrs })) };
  for (const n of g.nodes) {
    if (n.op !== 'conv2d' && n.op !== 'dense') continue;
    const r = n.attrs.requant;
    if (!r?.multiplier || n.target === 'cpu') continue;
    if (opts.stage && runsInStage(opts.stage, r, g.tensors[n.inputs[1]].shape[0], n.name)) continue;
    if (opts.mul) mulForm(g, n, r);
    else foldIntoWeights(g, n, r);
  }
  return g;
}
