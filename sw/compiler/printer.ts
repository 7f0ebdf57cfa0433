// Text form of a graph for `vta compile --print`: one line per node with its target, op, attributes and
// tensor types; constants summarised.

import type { Activation, AddRequant, Graph, Node, QuantParams, Requant, Tensor } from './ir';

/** Any attribute's value (ir.ts AttrsOf), or a field of a node's packing record. */
type AttrValue = number | string | boolean | number[] | Activation | Requant | AddRequant;

function fmtNum(x: number): string {
  if (Number.isInteger(x)) return String(x);
  const p = Math.log2(Math.abs(x));
  if (Number.isInteger(p)) return `2^${p}`;
  return Number(x.toPrecision(4)).toString();
}

function fmtList(a: readonly number[], max = 4): string {
  if (a.length <= max) return a.map(fmtNum).join(',');
  return `${a.slice(0, max).map(fmtNum).join(',')},..(${a.length})`;
}

function fmtQuant(q: QuantParams): string {
  const zp = q.zeroPoint.every((z) => z === 0) ? '' : ` zp=${fmtList(q.zeroPoint)}`;
  return `{s=${fmtList(q.scale)}${zp}${q.axis !== undefined && q.scale.length > 1 ? ` axis=${q.axis}` : ''}}`;
}

export function formatTensorType(t: Tensor): string {
  const layout = t.layout && t.layout !== 'NCHW' && t.layout !== 'OIHW' && t.layout !== 'NC' ? ` ${t.layout}` : '';
  return `${t.dtype}[${t.shape.join(',')}]${layout}${t.quant ? fmtQuant(t.quant) : ''}`;
}

function isRequant(v: object): v is Requant {
  return 'shift' in v && 'rounding' in v;
}

function fmtRequant(r: Requant): string {
  const mul =
    (r.multiplier ? ` mul=${fmtList(r.multiplier, 2)}` : '') +
    (r.aluMultiplier ? ` pre=${fmtList(r.preShift ?? [0])} alu-mul=${fmtList(r.aluMultiplier, 2)}` : '');
  const zp = r.zeroPoint ? ` zp=${r.zeroPoint}` : '';
  return `shr ${fmtList(r.shift)}${mul}${zp} clip[${r.min},${r.max}]${r.rounding === 'nearest' ? ' nearest' : ''}`;
}

function fmtAttr(v: AttrValue): string {
  if (Array.isArray(v)) return `[${v.join(',')}]`;
  if (typeof v === 'object') {
    if ('kind' in v) {
      const a = v as Activation;
      return a.kind === 'clip' ? `clip(${fmtNum(a.min)},${fmtNum(a.max)})` : a.kind;
    }
    if (isRequant(v)) return `{${fmtRequant(v)}}`;
    const a = v as AddRequant;
    return `{in shl ${a.inputShift.join(',')}${a.inputMultiplier ? ` mul ${a.inputMultiplier.join(',')}` : ''}${a.inputPostShift ? ` shr ${a.inputPostShift.join(',')}` : ''}; ${fmtRequant(a.requant)}}`;
  }
  return typeof v === 'number' ? fmtNum(v) : String(v);
}

/** The pack pass's record (ir.ts PackedGemm) as attributes named packedInput, packedWeight, ..., in its order. */
function packedEntries(n: Node): [string, AttrValue][] {
  return Object.entries(n.packed ?? {}).map(([k, v]) => [`packed${k[0].toUpperCase()}${k.slice(1)}`, v]);
}

/** The graph as text, `title` on the first line. */
export function formatGraph(g: Graph, title = g.name): string {
  const lines = [`graph ${title}: ${g.nodes.length} nodes`];
  for (const i of g.inputs) lines.push(`  input  %${i}: ${formatTensorType(g.tensors[i])}`);
  const name = (t: string) => {
    if (!t) return '_';
    const tt = g.tensors[t];
    return tt?.data ? `$${t}` : `%${t}`;
  };
  for (const n of g.nodes) {
    const attrs = [...Object.entries(n.attrs), ...packedEntries(n)]
      .filter(([, v]) => !(typeof v === 'object' && !Array.isArray(v) && 'kind' in v && (v as Activation).kind === 'none'))
      .map(([k, v]) => `${k}=${fmtAttr(v)}`)
      .join(' ');
    const outs = n.outputs.map((o) => `%${o}: ${g.tensors[o] ? formatTensorType(g.tensors[o]) : '?'}`).join(', ');
    const consts = n.inputs.filter((i) => i && g.tensors[i]?.data).map((i) => `$${i}: ${formatTensorType(g.tensors[i])}`);
    lines.push(`  ${(n.target ?? '').padEnd(3)} ${n.name}: ${n.op}(${n.inputs.map(name).join(', ')})${attrs ? ' ' + attrs : ''} -> ${outs}`);
    if (consts.length) lines.push(`        consts ${consts.join(', ')}`);
  }
  for (const o of g.outputs) lines.push(`  output %${o}: ${g.tensors[o] ? formatTensorType(g.tensors[o]) : '?'}`);
  return lines.join('\n');
}
