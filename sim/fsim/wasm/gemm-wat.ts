// The WebAssembly text of the SIMD GEMM kernel. It is generated here (not written out by hand in full)
// because the kernel is one loop nest with several bodies and two ways of fetching micro-ops; the
// generator only pastes text together, and wabt (gemm.ts) assembles and validates the result.
//
// Each exported function runs a WHOLE GEMM instruction (vta-reference §5.1):
//   for o < iterOut, i < iterIn, u < n:
//     dst = (uop.dst + o·dFo + i·dFi) & dMask, likewise src (sMask) and wgt (wMask)
//     body(dst, src, wgt)
// over the SRAMs in the imported memory, at the byte offsets it is given. The masks are depth - 1: a
// no-op for checked, in-range indices, and the hardware's wrap otherwise.
//
// Micro-op fetch, two variants:
//   raw_*: reads raw 32-bit micro-op words at uopPtr (= uop SRAM offset + 4·uop_bgn) and extracts the
//          fields: dst = w & fdm, src = (w >>> fss) & fsm, wgt = (w >>> fws) & fwm.
//   tab_*: reads pre-decoded (dst, src, wgt) int32 triples at uopPtr (12 bytes per micro-op).
//
// Bodies (the caller picks one by geometry; each handles every batch row):
//   reset:   acc[dst] = 0, out[dst] = 0.
//   generic: scalar, any BATCH/BLOCK_IN/BLOCK_OUT.
//   k8:      BLOCK_IN % 8 == 0 and BLOCK_OUT % 4 == 0: 8 lanes at a time.
//   k16:     BLOCK_IN % 16 == 0 and BLOCK_OUT % 4 == 0: 16 lanes at a time.
//   b16:     BLOCK_IN == 16 and BLOCK_OUT % 4 == 0: the input row is extended once and kept in registers.
// SIMD bodies: v128.load8x8_s sign-extends 8 int8 lanes to i16x8, i32x4.dot_i16x8_s multiplies and adds
// pairs into i32x4 (exact: |product sums| < 2^16), four output rows are reduced together by a shuffle
// transpose, added to the accumulator as one i32x4 (wrapping), and their low bytes stored to OUT.
// Micro-ops run in order and each reads ACC from memory after the previous one wrote it, so repeated
// dst indices accumulate exactly as in sequential execution.

export const GEMM_BODIES = ['reset', 'generic', 'k8', 'k16', 'b16'] as const;
export type GemmBody = (typeof GEMM_BODIES)[number];
export type UopFetch = 'raw' | 'tab';

/** Parameters of every exported kernel function, in order. */
export const GEMM_PARAMS = [
  'uopPtr',
  'n',
  'fss',
  'fws',
  'fdm',
  'fsm',
  'fwm',
  'iterOut',
  'iterIn',
  'dFo',
  'dFi',
  'sFo',
  'sFi',
  'wFo',
  'wFi',
  'dMask',
  'sMask',
  'wMask',
  'inpOff',
  'wgtOff',
  'accOff',
  'outOff',
  'batch',
  'blockIn',
  'blockOut',
] as const;

const g = (name: string): string => `(local.get $${name})`;
const add = (a: string, b: string): string => `(i32.add ${a} ${b})`;
const mul = (a: string, b: string): string => `(i32.mul ${a} ${b})`;
const c = (n: number): string => `(i32.const ${n})`;

/** Sums the lanes of v0..v3 into one i32x4 [Σv0, Σv1, Σv2, Σv3]. */
function reduce4(v: [string, string, string, string]): string {
  const lo = '0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
  const hi = '8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31';
  const pair = (a: string, b: string) => `(i32x4.add (i8x16.shuffle ${lo} ${a} ${b}) (i8x16.shuffle ${hi} ${a} ${b}))`;
  const even = '0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27';
  const odd = '4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31';
  return `(local.set $s01 ${pair(v[0], v[1])})
          (local.set $s23 ${pair(v[2], v[3])})
          (i32x4.add (i8x16.shuffle ${even} ${g('s01')} ${g('s23')}) (i8x16.shuffle ${odd} ${g('s01')} ${g('s23')}))`;
}

/** acc[pa..pa+4) += r (wrapping); out[po..po+4) = low bytes; advance pa, po. */
function accumulate4(r: string): string {
  return `(local.set $a (i32x4.add (v128.load ${g('pa')}) ${r}))
          (v128.store ${g('pa')} ${g('a')})
          (v128.store32_lane 0 ${g('po')} (i8x16.shuffle 0 4 8 12 0 0 0 0 0 0 0 0 0 0 0 0 ${g('a')} ${g('a')}))
          (local.set $pa ${add(g('pa'), c(16))})
          (local.set $po ${add(g('po'), c(4))})`;
}

const dot = (x: string, wAddr: string, offset = 0): string => `(i32x4.dot_i16x8_s ${x} (v128.load8x8_s${offset ? ` offset=${offset}` : ''} ${wAddr}))`;

/** The per-micro-op body; $pi, $pw, $pa, $po point at inp[src], wgt[wgt], acc[dst], out[dst]. */
function body(kind: GemmBody): string {
  switch (kind) {
    case 'reset':
      return `(memory.fill ${g('pa')} ${c(0)} ${mul(g('ae'), c(4))})
              (memory.fill ${g('po')} ${c(0)} ${g('ae')})`;
    case 'generic':
      return `(local.set $b ${g('batch')})
      (loop $lb
        (local.set $q ${g('pw')})
        (local.set $o ${g('blockOut')})
        (loop $lo
          (local.set $sum ${c(0)})
          (local.set $k ${c(0)})
          (loop $lk
            (local.set $sum ${add(g('sum'), mul(`(i32.load8_s ${add(g('pi'), g('k'))})`, `(i32.load8_s ${add(g('q'), g('k'))})`))})
            (local.set $k ${add(g('k'), c(1))})
            (br_if $lk (i32.lt_u ${g('k')} ${g('blockIn')})))
          (local.set $sum ${add(`(i32.load ${g('pa')})`, g('sum'))})
          (i32.store ${g('pa')} ${g('sum')})
          (i32.store8 ${g('po')} ${g('sum')})
          (local.set $pa ${add(g('pa'), c(4))})
          (local.set $po ${add(g('po'), c(1))})
          (local.set $q ${add(g('q'), g('blockIn'))})
          (br_if $lo (local.tee $o (i32.sub ${g('o')} ${c(1)}))))
        (local.set $pi ${add(g('pi'), g('blockIn'))})
        (br_if $lb (local.tee $b (i32.sub ${g('b')} ${c(1)}))))`;
    case 'b16':
      return `(local.set $b ${g('batch')})
      (loop $lb
        (local.set $x0 (v128.load8x8_s ${g('pi')}))
        (local.set $x1 (v128.load8x8_s offset=8 ${g('pi')}))
        (local.set $q ${g('pw')})
        (local.set $o ${g('bo4')})
        (loop $lo
          ${accumulate4(
            reduce4(
              [0, 16, 32, 48].map((off) => `(i32x4.add ${dot(g('x0'), g('q'), off)} ${dot(g('x1'), g('q'), off + 8)})`) as [string, string, string, string],
            ),
          )}
          (local.set $q ${add(g('q'), c(64))})
          (br_if $lo (local.tee $o (i32.sub ${g('o')} ${c(1)}))))
        (local.set $pi ${add(g('pi'), c(16))})
        (br_if $lb (local.tee $b (i32.sub ${g('b')} ${c(1)}))))`;
    case 'k8':
    case 'k16': {
      const step = kind === 'k8' ? 8 : 16;
      // Row pointers q, q+bi, q+2bi, q+3bi, each advanced by k; x is the input chunk at pi+k.
      const acc1 = (v: string, row: string) =>
        step === 8
          ? `(local.set ${v} (i32x4.add (local.get ${v}) ${dot(g('x0'), row)}))`
          : `(local.set ${v} (i32x4.add (local.get ${v}) (i32x4.add ${dot(g('x0'), row)} ${dot(g('x1'), row, 8)})))`;
      return `(local.set $b ${g('batch')})
      (loop $lb
        (local.set $q ${g('pw')})
        (local.set $o ${g('bo4')})
        (loop $lo
          (local.set $v0 (v128.const i32x4 0 0 0 0))
          (local.set $v1 (v128.const i32x4 0 0 0 0))
          (local.set $v2 (v128.const i32x4 0 0 0 0))
          (local.set $v3 (v128.const i32x4 0 0 0 0))
          (local.set $k ${c(0)})
          (loop $lk
            (local.set $x0 (v128.load8x8_s ${add(g('pi'), g('k'))}))
            ${step === 16 ? `(local.set $x1 (v128.load8x8_s offset=8 ${add(g('pi'), g('k'))}))` : ''}
            (local.set $r0 ${add(g('q'), g('k'))})
            ${acc1('$v0', g('r0'))}
            (local.set $r0 ${add(g('r0'), g('blockIn'))})
            ${acc1('$v1', g('r0'))}
            (local.set $r0 ${add(g('r0'), g('blockIn'))})
            ${acc1('$v2', g('r0'))}
            (local.set $r0 ${add(g('r0'), g('blockIn'))})
            ${acc1('$v3', g('r0'))}
            (local.set $k ${add(g('k'), c(step))})
            (br_if $lk (i32.lt_u ${g('k')} ${g('blockIn')})))
          ${accumulate4(reduce4([g('v0'), g('v1'), g('v2'), g('v3')]))}
          (local.set $q ${add(g('q'), g('bi4'))})
          (br_if $lo (local.tee $o (i32.sub ${g('o')} ${c(1)}))))
        (local.set $pi ${add(g('pi'), g('blockIn'))})
        (br_if $lb (local.tee $b (i32.sub ${g('b')} ${c(1)}))))`;
    }
  }
}

function fetch(kind: UopFetch): string {
  if (kind === 'tab') {
    return `(local.set $d (i32.and ${add('(i32.load (local.get $up))', g('dOff'))} ${g('dMask')}))
          (local.set $s (i32.and ${add('(i32.load offset=4 (local.get $up))', g('sOff'))} ${g('sMask')}))
          (local.set $w (i32.and ${add('(i32.load offset=8 (local.get $up))', g('wOff'))} ${g('wMask')}))
          (local.set $up ${add(g('up'), c(12))})`;
  }
  return `(local.set $word (i32.load (local.get $up)))
          (local.set $d (i32.and ${add(`(i32.and ${g('word')} ${g('fdm')})`, g('dOff'))} ${g('dMask')}))
          (local.set $s (i32.and ${add(`(i32.and (i32.shr_u ${g('word')} ${g('fss')}) ${g('fsm')})`, g('sOff'))} ${g('sMask')}))
          (local.set $w (i32.and ${add(`(i32.and (i32.shr_u ${g('word')} ${g('fws')}) ${g('fwm')})`, g('wOff'))} ${g('wMask')}))
          (local.set $up ${add(g('up'), c(4))})`;
}

function func(kind: GemmBody, uops: UopFetch): string {
  const params = GEMM_PARAMS.map((p) => `(param $${p} i32)`).join(' ');
  const i32Locals = [
    'ie',
    'we',
    'ae',
    'bo4',
    'bi4',
    'oo',
    'ii',
    'u',
    'up',
    'word',
    'd',
    's',
    'w',
    'dOut',
    'sOut',
    'wOut',
    'dOff',
    'sOff',
    'wOff',
    'pi',
    'pw',
    'pa',
    'po',
    'b',
    'o',
    'k',
    'q',
    'r0',
    'sum',
  ];
  const vLocals = ['x0', 'x1', 'v0', 'v1', 'v2', 'v3', 's01', 's23', 'a'];
  return `
  (func $${uops}_${kind} (export "${uops}_${kind}") ${params}
    ${i32Locals.map((l) => `(local $${l} i32)`).join(' ')}
    ${vLocals.map((l) => `(local $${l} v128)`).join(' ')}
    (if (i32.or (i32.or (i32.eqz ${g('n')}) (i32.eqz ${g('iterOut')})) (i32.eqz ${g('iterIn')})) (then (return)))
    (local.set $ie ${mul(g('batch'), g('blockIn'))})
    (local.set $we ${mul(g('blockOut'), g('blockIn'))})
    (local.set $ae ${mul(g('batch'), g('blockOut'))})
    (local.set $bo4 (i32.shr_u ${g('blockOut')} ${c(2)}))
    (local.set $bi4 (i32.shl ${g('blockIn')} ${c(2)}))
    (local.set $oo ${g('iterOut')})
    (loop $l_out
      (local.set $ii ${g('iterIn')})
      (local.set $dOff ${g('dOut')})
      (local.set $sOff ${g('sOut')})
      (local.set $wOff ${g('wOut')})
      (loop $l_in
        (local.set $up ${g('uopPtr')})
        (local.set $u ${g('n')})
        (loop $l_uop
          ${fetch(uops)}
          (local.set $pi ${add(g('inpOff'), mul(g('s'), g('ie')))})
          (local.set $pw ${add(g('wgtOff'), mul(g('w'), g('we')))})
          (local.set $pa ${add(g('accOff'), mul(g('d'), `(i32.shl ${g('ae')} ${c(2)})`))})
          (local.set $po ${add(g('outOff'), mul(g('d'), g('ae')))})
          ${body(kind)}
          (br_if $l_uop (local.tee $u (i32.sub ${g('u')} ${c(1)}))))
        (local.set $dOff ${add(g('dOff'), g('dFi'))})
        (local.set $sOff ${add(g('sOff'), g('sFi'))})
        (local.set $wOff ${add(g('wOff'), g('wFi'))})
        (br_if $l_in (local.tee $ii (i32.sub ${g('ii')} ${c(1)}))))
      (local.set $dOut ${add(g('dOut'), g('dFo'))})
      (local.set $sOut ${add(g('sOut'), g('sFo'))})
      (local.set $wOut ${add(g('wOut'), g('wFo'))})
      (br_if $l_out (local.tee $oo (i32.sub ${g('oo')} ${c(1)}))))
  )`;
}

/** The whole module: imports `env.memory`, exports `<raw|tab>_<body>` for every body. */
export function gemmWat(): string {
  const funcs: string[] = [];
  for (const uops of ['raw', 'tab'] as const) for (const kind of GEMM_BODIES) funcs.push(func(kind, uops));
  return `(module
  (import "env" "memory" (memory 1))
  ${funcs.join('\n')}
)
`;
}
