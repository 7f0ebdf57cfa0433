// The five on-chip buffers, all typed-array views into ONE WebAssembly.Memory so that a WebAssembly
// kernel (e.g. a SIMD GEMM) can read and write them in place by byte offset.
//
// Element-major layout (an element is one SRAM word, laid out exactly like its DRAM element):
//   inp[idx*BATCH*BLOCK_IN  + b*BLOCK_IN + i]   Int8Array
//   wgt[idx*BLOCK_OUT*BLOCK_IN + o*BLOCK_IN + i] Int8Array
//   acc[idx*BATCH*BLOCK_OUT + b*BLOCK_OUT + o]   Int32Array (little-endian in memory)
//   out[idx*BATCH*BLOCK_OUT + b*BLOCK_OUT + o]   Int8Array
//   uop[idx]                                     Uint32Array, raw micro-op words, decoded on the fly
// Every buffer starts on a 64-byte boundary (so 16-byte SIMD loads are aligned). After the buffers, a
// scratch region of SCRATCH_BYTES is reserved for kernels.

import type { TensorKind, VtaConfig } from '../../hw/vta/config';
import { decodeParam, paramScheme, REQ_LANE_BYTES, RequantScheme } from '../../hw/vta/requant';

const WASM_PAGE = 65536;
const ALIGN = 64;
/** Free bytes after the buffers for kernels' own use. */
export const SCRATCH_BYTES = 65536;

/** The part of WebAssembly.Memory used here (the project's TypeScript lib has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

export type SramOffsets = Readonly<Record<TensorKind, number>> & { readonly scratch: number; readonly end: number };

export class Srams {
  /** The one memory holding every buffer; never grown, so the views below stay valid. */
  readonly memory: WasmMemory;
  /** Byte offset of each buffer (and of the scratch region) inside `memory`. */
  readonly offsets: SramOffsets;
  /** A byte view of the whole memory (for DMA copies). */
  readonly bytes: Uint8Array;
  readonly uop: Uint32Array;
  readonly inp: Int8Array;
  readonly wgt: Int8Array;
  readonly acc: Int32Array;
  readonly out: Int8Array;
  /** The requantization stage's parameter buffer (8-byte words, REQUANT.md), or null without the stage. */
  readonly req: Uint8Array | null;

  constructor(readonly cfg: VtaConfig) {
    const t = cfg.tensor;
    let pos = 0;
    const place = (bytes: number): number => {
      const at = pos;
      pos = Math.ceil((pos + bytes) / ALIGN) * ALIGN;
      return at;
    };
    const offsets = {
      uop: place(t.uop.depth * t.uop.elemBytes),
      inp: place(t.inp.depth * t.inp.elemBytes),
      wgt: place(t.wgt.depth * t.wgt.elemBytes),
      acc: place(t.acc.depth * t.acc.elemBytes),
      out: place(t.out.depth * t.out.elemBytes),
      scratch: place(SCRATCH_BYTES),
      end: pos,
    };
    this.offsets = Object.freeze(offsets);
    const pages = Math.ceil(pos / WASM_PAGE);
    this.memory = new wasm.Memory({ initial: pages, maximum: pages });
    const buf = this.memory.buffer;
    this.bytes = new Uint8Array(buf);
    this.uop = new Uint32Array(buf, offsets.uop, t.uop.depth);
    this.inp = new Int8Array(buf, offsets.inp, t.inp.depth * t.inp.rows * t.inp.cols);
    this.wgt = new Int8Array(buf, offsets.wgt, t.wgt.depth * t.wgt.rows * t.wgt.cols);
    this.acc = new Int32Array(buf, offsets.acc, t.acc.depth * t.acc.rows * t.acc.cols);
    this.out = new Int8Array(buf, offsets.out, t.out.depth * t.out.rows * t.out.cols);
    this.req = cfg.requant ? new Uint8Array(cfg.requant.depth * cfg.requant.elemBytes) : null;
  }

  /** Decoded parameter entries of `req` (ALU REQ reads each many times); forgotten when a LOAD writes REQ. */
  private reqSchemes: (RequantScheme[] | undefined)[] = [];

  /** The schemes of parameter entry `p`'s BLOCK_OUT lane words, decoded on first use. */
  reqEntry(p: number): RequantScheme[] {
    let e = this.reqSchemes[p];
    if (!e) {
      const blockOut = this.cfg.blockOut;
      e = Array.from({ length: blockOut }, (_, c) => paramScheme(decodeParam(this.req!, (p * blockOut + c) * REQ_LANE_BYTES)));
      this.reqSchemes[p] = e;
    }
    return e;
  }

  forgetReqSchemes(): void {
    this.reqSchemes = [];
  }

  /** Byte offset of element `idx` of buffer `kind` inside `memory`. */
  elemOffset(kind: TensorKind, idx: number): number {
    return this.offsets[kind] + idx * this.cfg.tensor[kind].elemBytes;
  }
}
