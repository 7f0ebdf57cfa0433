/** The IR is plain JSON-able data with source locations; elaboration dedups and checks across instances. */
import { Bool, Bundle, Flip, HdlError, Module, UInt, elaborate, instance, wire } from '../../hw/dsl';
import { Counter, LibUser } from './examples';
import { locOf } from './helpers';

test('Circuit IR round-trips through JSON and keeps locations', () => {
  const c = elaborate(new Counter(4));
  expect(JSON.parse(JSON.stringify(c))).toEqual(c);
  expect(c.top).toBe('Counter_w4');
  const m = c.modules[0];
  expect(m.ports.map((p) => `${p.dir} ${p.name}:${p.width}`)).toEqual([
    'input clock:1',
    'input reset:1',
    'input io_en:1',
    'output io_count:4',
    'output io_wrap:1',
  ]);
  expect(m.decls).toEqual([expect.objectContaining({ kind: 'reg', name: 'cnt', width: 4, init: { kind: 'lit', value: '0', width: 4, signed: false } })]);
  const when = m.body.find((s) => s.kind === 'when')!;
  expect(when.loc).toMatch(/^test\/dsl\/examples\.ts:\d+$/);
  expect(when).toMatchObject({ kind: 'when', cond: { kind: 'ref', name: 'io_en' }, then: [{ kind: 'connect', target: 'cnt' }], else: [] });
});

test('modules come children first and are deduplicated by name', () => {
  const c = elaborate(new LibUser());
  expect(c.modules.map((m) => m.name)).toEqual(['Queue_V4xS8_3', 'LibUser']);
  const inst = c.modules[1].decls.find((d) => d.kind === 'instance')!;
  expect(inst).toMatchObject({ kind: 'instance', name: 'q', module: 'Queue_V4xS8_3' });
});

test('combinational loops through an instance are found', () => {
  class Buf extends Module {
    readonly io = this.port(Bundle({ i: Flip(UInt(4)), o: UInt(4) }));
    build(): void {
      this.io.o.set(this.io.i.not());
    }
  }
  class Top extends Module {
    readonly io = this.port(Bundle({ o: UInt(4), b: Bool() }));
    build(): void {
      const b = instance('b', new Buf());
      const w = wire('w', UInt(4)); // @instloop
      w.set(b.io.o);
      b.io.i.set(w);
      this.io.o.set(w);
      this.io.b.set(false);
    }
  }
  expect(() => elaborate(new Top())).toThrow(HdlError);
  expect(() => elaborate(new Top())).toThrow(`${locOf(__filename, 'instloop')}: combinational loop: w -> b_io_i -> b_io_o -> w`);
});
