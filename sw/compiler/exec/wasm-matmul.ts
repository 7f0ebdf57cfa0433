// A WebAssembly SIMD matrix product for the CPU executors' convolutions: out[o][p] += Σ_k w[o][k]·col[k][p]
// in doubles, four output channels by four output positions per block (eight f64x2 accumulators), k in
// ascending order. Each output is the same sequence of rounded multiplies and adds as the plain loop
// (`out += w·c`, no fused multiply-add), so results are bit-identical to it: exact for integer data,
// unchanged for float data. Assembled once per process by wabt (`loadHostMatmul`); until then, or where
// WebAssembly SIMD is missing, `hostMatmul()` is null and the callers keep their JavaScript loops.

import wabtInit from 'wabt';
import { wasmApi, WasmMemoryLike, WasmModuleObject } from '../../../sim/fsim/wasm/wasm-api';

/** Rows and columns the kernel works on at once: operands are padded to multiples of these. */
export const MATMUL_BLOCK = 4;

const PAGE = 65536;

function matmulWat(): string {
  const acc = Array.from({ length: 8 }, (_, i) => `$a${i}`);
  // accumulator 2r (+1): output row r, columns p..p+1 (p+2..p+3)
  const rowPtr = (r: number): string => (r === 0 ? '(local.get $op)' : `(i32.add (local.get $op) (i32.mul (local.get $rowP) (i32.const ${r})))`);
  const loads = acc.map((a, i) => `(local.set ${a} (v128.load offset=${(i % 2) * 16} ${rowPtr(i >> 1)}))`).join('\n          ');
  const stores = acc.map((a, i) => `(v128.store offset=${(i % 2) * 16} ${rowPtr(i >> 1)} (local.get ${a}))`).join('\n          ');
  const body = [0, 1, 2, 3]
    .map(
      (r) => `(local.set $s (f64x2.splat (f64.load (local.get $w${r}))))
            (local.set $a${2 * r} (f64x2.add (local.get $a${2 * r}) (f64x2.mul (local.get $s) (local.get $c0))))
            (local.set $a${2 * r + 1} (f64x2.add (local.get $a${2 * r + 1}) (f64x2.mul (local.get $s) (local.get $c1))))`,
    )
    .join('\n            ');
  const wStep = [0, 1, 2, 3].map((r) => `(local.set $w${r} (i32.add (local.get $w${r}) (i32.const 8)))`).join('\n            ');
  return `(module
  (import "env" "memory" (memory 1))
  ;; mm(w, col, out, O, K, P): byte offsets of w[O][K], col[K][P], out[O][P] (f64, O and P multiples of 4, K >= 1)
  (func (export "mm") (param $w i32) (param $col i32) (param $out i32) (param $O i32) (param $K i32) (param $P i32)
    (local $o i32) (local $p i32) (local $k i32) (local $op i32) (local $cp i32) (local $rowW i32) (local $rowP i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    ${acc.map((a) => `(local ${a} v128)`).join(' ')} (local $c0 v128) (local $c1 v128) (local $s v128)
    (local.set $rowW (i32.shl (local.get $K) (i32.const 3)))
    (local.set $rowP (i32.shl (local.get $P) (i32.const 3)))
    (loop $rows
      (local.set $p (i32.const 0))
      (loop $cols
        (local.set $op (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $o) (local.get $P)) (local.get $p)) (i32.const 3))))
          ${loads}
        (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $o) (local.get $rowW))))
        (local.set $w1 (i32.add (local.get $w0) (local.get $rowW)))
        (local.set $w2 (i32.add (local.get $w1) (local.get $rowW)))
        (local.set $w3 (i32.add (local.get $w2) (local.get $rowW)))
        (local.set $cp (i32.add (local.get $col) (i32.shl (local.get $p) (i32.const 3))))
        (local.set $k (local.get $K))
        (loop $ks
            (local.set $c0 (v128.load (local.get $cp)))
            (local.set $c1 (v128.load offset=16 (local.get $cp)))
            ${body}
            ${wStep}
            (local.set $cp (i32.add (local.get $cp) (local.get $rowP)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br_if $ks (local.get $k)))
          ${stores}
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br_if $cols (i32.lt_u (local.get $p) (local.get $P))))
      (local.set $o (i32.add (local.get $o) (i32.const 4)))
      (br_if $rows (i32.lt_u (local.get $o) (local.get $O))))))`;
}

interface WasmMemoryGrowable extends WasmMemoryLike {
  grow(pages: number): number;
}

/** The kernel over its own memory: views sized for one product at a time, grown on demand. */
export interface HostMatmul {
  /**
   * Views for one product of O' = roundUp(O, 4) rows, K, P' = roundUp(P, 4) columns: fill `w` ([O'][K]),
   * `col` ([K][P']) and `out` ([O'][P'], the starting sums, e.g. the bias), then call `run()`; `out` then
   * holds the sums. The views are valid until the next `views` call.
   */
  views(O: number, K: number, P: number): { w: Float64Array; col: Float64Array; out: Float64Array; run: () => void };
}

let compiledModule: WasmModuleObject | null = null;
let loading: Promise<void> | null = null;
let instance: HostMatmul | null = null;

export const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

function instantiate(mod: WasmModuleObject): HostMatmul {
  const memory = new (wasmApi.Memory as unknown as new (d: { initial: number }) => WasmMemoryGrowable)({ initial: 1 });
  const inst = new wasmApi.Instance(mod, { env: { memory } });
  const mm = inst.exports.mm as (w: number, col: number, out: number, O: number, K: number, P: number) => void;
  return {
    views(O, K, P) {
      const Op = roundUp(O, MATMUL_BLOCK);
      const Pp = roundUp(P, MATMUL_BLOCK);
      const wBytes = Op * K * 8;
      const colBytes = K * Pp * 8;
      const outBytes = Op * Pp * 8;
      const need = wBytes + colBytes + outBytes;
      if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      const buf = memory.buffer;
      return {
        w: new Float64Array(buf, 0, Op * K),
        col: new Float64Array(buf, wBytes, K * Pp),
        out: new Float64Array(buf, wBytes + colBytes, Op * Pp),
        run: () => mm(0, wBytes, wBytes + colBytes, Op, K, Pp),
      };
    },
  };
}

/** Assembles the kernel once per process; later `hostMatmul()` calls return it. Never rejects. */
export function loadHostMatmul(): Promise<void> {
  if (!loading) {
    loading = (async () => {
      try {
        const wabt = await wabtInit();
        const mod = wabt.parseWat('host-matmul.wat', matmulWat(), { simd: true });
        try {
          mod.resolveNames();
          mod.validate();
          compiledModule = new wasmApi.Module(mod.toBinary({}).buffer);
        } finally {
          mod.destroy();
        }
      } catch {
        compiledModule = null; // no WebAssembly SIMD here: the JavaScript loops run instead
      }
    })();
  }
  return loading;
}

/** The kernel once `loadHostMatmul()` has resolved (one instance per thread), else null. */
export function hostMatmul(): HostMatmul | null {
  if (!compiledModule) return null;
  if (!instance) instance = instantiate(compiledModule);
  return instance;
}
