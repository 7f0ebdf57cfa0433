/**
 * Every rule of the DSL throws an HdlError whose message names the user's
 * source file and line (here: this file) and the signals involved.
 */
import { Bool, Bundle, Flip, HdlError, Module, SInt, UInt, Vec, elaborate, instance, mem, reg, switchOn, when, wire } from '../../hw/dsl';
import type { UIntValue } from '../../hw/dsl';
import { locOf } from './helpers';

const F = __filename;

/** Elaborate a one-off module; returns the thrown HdlError. */
function errorOf(build: (io: { a: UInt; b: UInt; s: SInt; o: UInt; ob: Bool }) => void): HdlError {
  class T extends Module {
    readonly io = this.port(Bundle({ a: Flip(UInt(8)), b: Flip(UInt(4)), s: Flip(SInt(8)), o: UInt(8), ob: Bool() }));
    build(): void {
      build(this.io);
    }
  }
  try {
    elaborate(new T());
  } catch (e) {
    if (e instanceof HdlError) return e;
    throw e;
  }
  throw new Error('expected an HdlError');
}

function expectAt(e: HdlError, tag: string, ...parts: (string | RegExp)[]): void {
  expect(e.message.startsWith(`${locOf(F, tag)}: `)).toBe(true);
  for (const p of parts) expect(e.message).toMatch(p);
}

describe('HdlError messages name the source line and signals', () => {
  test('width mismatch on set', () => {
    const e = errorOf((io) => {
      io.o.set(io.b); // @width
      io.ob.set(false);
    });
    expectAt(e, 'width', "width mismatch: 'io_o' is UInt(8) but 'io_b' is UInt(4)", /zext/);
  });

  test('literal too wide (assignment and operator)', () => {
    const e1 = errorOf((io) => {
      io.o.set(256); // @lit1
    });
    expectAt(e1, 'lit1', /literal 256 does not fit UInt\(8\) of 'io_o'/);
    const e2 = errorOf((io) => {
      io.o.set(io.a.add(300)); // @lit2
    });
    expectAt(e2, 'lit2', /literal 300 does not fit UInt\(8\) of add with 'io_a'/);
    const e3 = errorOf((io) => {
      io.o.set(io.s.lt(-129).asUInt().zext(8)); // @lit3
    });
    expectAt(e3, 'lit3', /literal -129 does not fit SInt\(8\)/);
  });

  test('wire not assigned on some path (no latches)', () => {
    const e = errorOf((io) => {
      const w = wire('w', UInt(8)); // @wiredecl
      when(io.a.eq(0), () => w.set(1)); // @gap
      io.o.set(w);
      io.ob.set(false);
    });
    expectAt(e, 'wiredecl', "wire 'w' is not assigned on every path", `the when at ${locOf(F, 'gap')}`);
  });

  test('a switch without default does not fully assign', () => {
    const e = errorOf((io) => {
      const w = wire('w', Bool()); // @swdecl
      switchOn(io.b)
        .is(0, () => w.set(true))
        .is(1, () => w.set(false));
      io.ob.set(w);
      io.o.set(0);
    });
    expectAt(e, 'swdecl', "wire 'w' is not assigned on every path", /switch/);
  });

  test('output never assigned', () => {
    const e = errorOf((io) => {
      io.o.set(0);
    });
    // The port was declared in errorOf's class on the line below.
    expect(e.message).toMatch(/output port 'io_ob' is never assigned/);
    expect(e.message).toMatch(/^test\/dsl\/errors\.test\.ts:\d+: /);
  });

  test('double driver: an instance output, and an input port', () => {
    class Child extends Module {
      readonly io = this.port(Bundle({ x: Flip(UInt(8)), y: UInt(8) }));
      build(): void {
        this.io.y.set(this.io.x);
      }
    }
    const e1 = errorOf((io) => {
      const c = new Child();
      const child = instance('c', c);
      child.io.x.set(io.a);
      child.io.y.set(io.a); // @dd1
      io.o.set(child.io.y);
      io.ob.set(false);
    });
    expectAt(e1, 'dd1', "double driver: 'c_io_y' is an output of instance 'c'");
    const e2 = errorOf((io) => {
      io.a.set(1); // @dd2
    });
    expectAt(e2, 'dd2', "cannot drive input port 'io_a'");
  });

  test('combinational loop names the signals in order', () => {
    const e = errorOf((io) => {
      const p = wire('p', UInt(8)); // @loop
      const q = wire('q', UInt(8));
      const r = wire('r', UInt(8));
      p.set(r.add(io.a));
      q.set(p);
      r.set(q);
      io.o.set(r);
      io.ob.set(false);
    });
    expectAt(e, 'loop', 'combinational loop: p -> q -> r -> p');
  });

  test('and/or/xor of unequal widths', () => {
    const e = errorOf((io) => {
      io.o.set(io.a.and(io.b as unknown as UIntValue)); // @andw
    });
    expectAt(e, 'andw', "and: width mismatch: 'io_a' is 8 bits but 'io_b' is 4 bits");
  });

  test('UInt/SInt mixing is a runtime error too (and a compile error)', () => {
    const e = errorOf((io) => {
      io.o.set(io.a.add(io.s as never)); // @mix
    });
    expectAt(e, 'mix', "add: cannot mix UInt(8) 'io_a' with SInt(8) 'io_s'", /asUInt/);
    const e2 = errorOf((io) => {
      io.o.set(io.s as never); // @mix2
    });
    expectAt(e2, 'mix2', "type mismatch: cannot assign SInt(8) 'io_s' to UInt(8) 'io_o'");
  });

  test('duplicate module name with different IR', () => {
    class Pass extends Module {
      readonly io;
      constructor(readonly w: number) {
        super();
        this.io = this.port(Bundle({ i: Flip(UInt(w)), o: UInt(w) }));
      }
      get name(): string {
        return 'Pass';
      } // not derived from w: a bug the elaborator catches
      build(): void {
        this.io.o.set(this.io.i);
      }
    }
    const e = errorOf((io) => {
      const a = instance('a', new Pass(8));
      const b = instance('b', new Pass(4)); // @dup
      a.io.i.set(io.a);
      b.io.i.set(io.b);
      io.o.set(a.io.o);
      io.ob.set(b.io.o.orR());
    });
    expectAt(e, 'dup', "module name 'Pass' is used for two different designs");
  });

  test('equal names with equal IR are deduplicated', () => {
    class Pass extends Module {
      readonly io = this.port(Bundle({ i: Flip(UInt(8)), o: UInt(8) }));
      build(): void {
        this.io.o.set(this.io.i);
      }
    }
    class Top extends Module {
      readonly io = this.port(Bundle({ i: Flip(UInt(8)), o: Vec(2, UInt(8)) }));
      build(): void {
        const a = this.instance('a', new Pass());
        const b = this.instance('b', new Pass());
        a.io.i.set(this.io.i);
        b.io.i.set(this.io.i);
        this.io.o[0].set(a.io.o);
        this.io.o[1].set(b.io.o);
      }
    }
    const c = elaborate(new Top());
    expect(c.modules.map((m) => m.name)).toEqual(['Pass', 'Top']);
  });

  test('memory address width and reg without driver', () => {
    const e = errorOf((io) => {
      const m = mem('m', { depth: 16, elem: UInt(8), readUnderWrite: 'old' });
      io.o.set(m.readAsync(io.a)); // @addr
    });
    expectAt(e, 'addr', 'm.readAsync: address', /needs 4/);
    const e2 = errorOf((io) => {
      const r = reg('r', UInt(8)); // @noreg
      io.o.set(r);
      io.ob.set(false);
    });
    expectAt(e2, 'noreg', "reg 'r' is never assigned and has no init");
  });

  test('when condition must be a Bool, names must be unique', () => {
    const e = errorOf((io) => {
      when(io.a as never, () => undefined); // @cond
    });
    expectAt(e, 'cond', 'when: the condition must be a Bool');
    const e2 = errorOf((io) => {
      wire('x', UInt(8), { default: 0 });
      wire('x', UInt(8), { default: 0 }); // @dupname
      io.o.set(0);
      io.ob.set(false);
    });
    expectAt(e2, 'dupname', "name 'x' is already used in module T");
  });

  test('type errors are compile-time errors', () => {
    const e = errorOf((io) => {
      // @ts-expect-error UInt and SInt do not mix
      io.o.set(io.s);
      io.ob.set(false);
    });
    expect(e.message).toMatch(/type mismatch/);
  });
});
