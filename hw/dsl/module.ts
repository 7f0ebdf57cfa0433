/**
 * Module: the constructor declares ports only (from a config object); build()
 * adds logic and runs with a builder context active; children are created with
 * `this.instance(name, new Child(cfg))` and wired through their ports.
 */
import { captureLoc, fail, Loc } from './errors';
import { current } from './context';
import type { InstancePort, Port } from './ir';
import { flatName, HW, makeHW, signalValue } from './hw';
import type { Shape } from './shape';
import { wire, reg, regNext, regEnable } from './decl';
import { when, switchOn } from './control';
import { fsm } from './fsm';
import { mem } from './mem';
import { elabModule } from './elaborate';

export abstract class Module {
  /** @internal flattened ports, in declaration order */
  readonly _ports: Port[] = [];
  /** @internal where the module object was constructed */
  readonly _loc: Loc | undefined = captureLoc();

  /** The Verilog module name; override to derive it from parameters (e.g. `Queue_UInt8_4`). */
  get name(): string {
    return this.constructor.name;
  }

  /** Adds the logic. Called once by the elaborator with a builder context active. */
  abstract build(): void;

  /**
   * Declare ports (call from the constructor). Leaves are outputs unless
   * flipped (`Flip`/`Input`); names are flattened: `io` + `in.bits.data` ->
   * `io_in_bits_data`. `clock` and `reset` are implicit.
   */
  protected port<S extends Shape>(shape: S, name = 'io'): HW<S> {
    const loc = captureLoc();
    return makeHW(shape, (path, g, flipped) => {
      const n = flatName(name, path);
      if (n === 'clock' || n === 'reset') fail(`port name '${n}' is reserved`, loc);
      if (this._ports.some((p) => p.name === n)) fail(`duplicate port '${n}'`, loc);
      const dir = flipped ? 'input' : 'output';
      this._ports.push({ name: n, dir, width: g.width, signed: g.kind === 'sint', loc });
      return signalValue(g, { owner: this, name: n, kind: 'port', dir, loc });
    });
  }

  /** Instantiate a child module; its ports become signals `${name}_${port}` here. */
  protected instance<M extends Module>(name: string, child: M): M {
    const b = current();
    const loc = captureLoc();
    if (b.module !== this) fail(`instance('${name}') must be called from ${this.name}'s own build()`, loc);
    if (!(child instanceof Module)) fail(`instance('${name}'): not a Module`, loc);
    if ((child as Module) === this) fail(`instance('${name}'): a module cannot instantiate itself`, loc);
    if (b.instances.has(child)) fail(`instance('${name}'): this module object is already instantiated as '${b.instances.get(child)!.name}'`, loc);
    b.claim(name, loc);
    const ir = elabModule(child, loc);
    const ports: InstancePort[] = child._ports.map((p) => {
      const signal = `${name}_${p.name}`;
      b.claim(signal, loc);
      return { port: p.name, signal, dir: p.dir, width: p.width, signed: p.signed };
    });
    b.decls.push({ kind: 'instance', name, module: ir.name, ports, loc });
    b.instances.set(child, { name, loc });
    return child;
  }

  // Builder helpers as methods (the free functions work too, e.g. in helper functions).
  protected readonly wire = wire;
  protected readonly reg = reg;
  protected readonly regNext = regNext;
  protected readonly regEnable = regEnable;
  protected readonly when = when;
  protected readonly switch = switchOn;
  protected readonly fsm = fsm;
  protected readonly mem = mem;
}

/** `instance(name, child)` as a free function, for helpers called inside some module's build(). */
export function instance<M extends Module>(name: string, child: M): M {
  const m = current().module as Module;
  return (m as unknown as { instance(n: string, c: M): M }).instance(name, child);
}
