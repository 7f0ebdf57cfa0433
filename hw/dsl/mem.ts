/**
 * Memories with explicit ports. Each port is printed from a fixed template
 * that Vivado and Yosys infer as block RAM (sync read) or LUT RAM (async read):
 *  - `readSync(addr, en)`: one-cycle latency. Policy 'old' / 'undefined':
 *    registered read data; policy 'new': registered address (write-first).
 *  - `readAsync(addr)`: combinational read.
 *  - `write(addr, data, en, mask?)`: one `always @(posedge clock)` per port;
 *    an optional mask enables Vec lanes (one bit per element) or bytes.
 */
import { captureLoc, fail } from './errors';
import { current } from './context';
import type { Decl, Expr, ReadPolicy } from './ir';
import { HW, HWAny, leavesOf, makeAny, packBits } from './hw';
import { bitWidth, Shape } from './shape';
import { Bits, Bool, UInt, cat, groundExpr, litExpr, log2Ceil, sliceExpr } from './value';
import { andE, pathCondition } from './control';

export interface MemOptions<S extends Shape> {
  depth: number;
  elem: S;
  /** What a sync read returns when the same address is written in the same cycle. */
  readUnderWrite: ReadPolicy;
}

/** A memory handle (typed view; the implementation below works on untyped values). */
export interface Mem<S extends Shape> {
  readonly name: string;
  readonly addrWidth: number;
  /** Word width in bits (all leaves of `elem`, element 0 / first field in the low bits). */
  readonly width: number;
  /** Registered read: data appears the cycle after `en` (ANDed with enclosing when conditions). */
  readSync(addr: UInt, en?: Bool | boolean): HW<S>;
  /** Combinational read. */
  readAsync(addr: UInt): HW<S>;
  /** Clocked write when `en` (and the enclosing when conditions) hold; optional lane/byte mask. */
  write(addr: UInt, data: HW<S>, en?: Bool | boolean, mask?: readonly Bool[] | UInt): void;
}

class MemImpl {
  readonly addrWidth: number;
  readonly width: number;
  private nRead = 0;
  private nWrite = 0;
  constructor(
    readonly name: string,
    readonly opts: MemOptions<Shape>,
    private readonly decl: Decl & { kind: 'mem' },
  ) {
    this.addrWidth = decl.addrWidth;
    this.width = decl.width;
  }

  private checkAddr(addr: UInt, op: string): void {
    if (!(addr instanceof UInt)) fail(`${this.name}.${op}: the address must be a UInt`);
    if (addr.width !== this.addrWidth)
      fail(`${this.name}.${op}: address ${addr.describe()} is ${addr.width} bits but depth ${this.opts.depth} needs ${this.addrWidth}; use zext/trunc`);
  }

  private unpack(data: Expr): HWAny {
    let off = 0;
    return makeAny(this.opts.elem, (_p, g) => {
      const e = sliceExpr(data, off + g.width - 1, off);
      off += g.width;
      return groundExpr(g.kind, e);
    });
  }

  /** Registered read: data appears the cycle after `en`, and holds while `en` is low. */
  readSync(addr: UInt, en: Bool | boolean = true): HWAny {
    const b = current();
    const loc = captureLoc();
    this.checkAddr(addr, 'readSync');
    const port = `${this.name}_rd${this.nRead++}`;
    b.claim(port, loc);
    if (this.opts.readUnderWrite === 'new') b.claim(`${port}_addr`, loc);
    let ee: Expr = en instanceof Bool ? en.expr : litExpr(en, 1, false, 'read enable');
    const pc = pathCondition();
    if (pc) ee = andE(pc, ee);
    this.decl.readPorts.push({ name: port, kind: 'sync', addr: addr.expr, en: ee, loc });
    return this.unpack({ kind: 'memread', mem: this.name, port, width: this.width, signed: false });
  }

  /** Combinational read. */
  readAsync(addr: UInt): HWAny {
    const b = current();
    const loc = captureLoc();
    this.checkAddr(addr, 'readAsync');
    const port = `${this.name}_ra${this.nRead++}`;
    b.claim(port, loc);
    this.decl.readPorts.push({ name: port, kind: 'async', addr: addr.expr, loc });
    return this.unpack({ kind: 'memread', mem: this.name, port, addr: addr.expr, width: this.width, signed: false });
  }

  /**
   * Write `data` at `addr` on the clock edge when `en` (and the enclosing when
   * conditions) hold. `mask`: for a Vec element, one Bool per element (or a
   * UInt with one bit per element); otherwise a UInt byte mask (bit i enables
   * bits [8i+7:8i]).
   */
  write(addr: UInt, data: HWAny, en: Bool | boolean = true, mask?: readonly Bool[] | UInt): void {
    const b = current();
    const loc = captureLoc();
    this.checkAddr(addr, 'write');
    this.nWrite++;
    const dv = data;
    const parts = leavesOf(dv as HWAny, this.opts.elem as Shape);
    const packed = cat(...packBits(dv as HWAny));
    if (packed.width !== this.width) fail(`${this.name}.write: data is ${packed.width} bits, memory words are ${this.width}`);
    parts.forEach(({ v }) => {
      if (!(v instanceof Bits)) fail(`${this.name}.write: bad data`);
    });
    const ee = en instanceof Bool ? en.expr : litExpr(en, 1, false, 'write enable');
    let maskE: Expr | undefined;
    let laneWidth: number | undefined;
    if (mask !== undefined) {
      const elem = this.opts.elem as Shape;
      const m = Array.isArray(mask) ? cat(...[...(mask as Bool[])].reverse()) : (mask as UInt);
      if (elem.kind === 'vec') {
        laneWidth = bitWidth(elem.elem as Shape);
        if (m.width !== elem.length) fail(`${this.name}.write: mask has ${m.width} bits but the element has ${elem.length} lanes`);
      } else {
        laneWidth = 8;
        if (this.width % 8 !== 0) fail(`${this.name}.write: a byte mask needs a word width that is a multiple of 8 (is ${this.width})`);
        if (m.width !== this.width / 8) fail(`${this.name}.write: byte mask has ${m.width} bits, expected ${this.width / 8}`);
      }
      maskE = m.expr;
    }
    const stmt = { kind: 'memwrite' as const, mem: this.name, addr: addr.expr, data: packed.expr, en: ee, loc, ...(maskE ? { mask: maskE, laneWidth } : {}) };
    b.push(stmt);
  }
}

/** Declare a memory of `depth` words of shape `elem`. */
export function mem<S extends Shape>(name: string, opts: MemOptions<S>): Mem<S> {
  const b = current();
  const loc = captureLoc();
  if (!Number.isInteger(opts.depth) || opts.depth < 2) fail(`mem '${name}': depth must be an integer >= 2`, loc);
  if (!['old', 'new', 'undefined'].includes(opts.readUnderWrite)) fail(`mem '${name}': readUnderWrite must be 'old', 'new' or 'undefined'`, loc);
  b.claim(name, loc);
  const decl: Decl & { kind: 'mem' } = {
    kind: 'mem',
    name,
    depth: opts.depth,
    width: bitWidth(opts.elem),
    signed: false,
    addrWidth: log2Ceil(opts.depth),
    policy: opts.readUnderWrite,
    readPorts: [],
    loc,
  };
  b.decls.push(decl);
  return new MemImpl(name, opts, decl) as unknown as Mem<S>;
}
