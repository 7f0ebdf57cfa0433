// Instruction and micro-op fields as named wires (`cur_uop_bgn`), so the Verilog reads
// `cur_opcode == 3'd2` rather than `cur_insn[2:0] == 3'd2`.

import { skipInLocations } from '../../dsl';
import type { UInt as UIntV } from '../../dsl';
import type { FieldLayout } from '../layout';

skipInLocations(__filename);

/**
 * A decoder for the fields of `word`: `field(layout, name)` is a wire `<prefix>_<name>` holding those
 * bits, declared on first use. Fields at the same bits share one wire (the GEMM and ALU layouts agree
 * on most); a field whose name is taken at other bits gets its position appended (`cur_src_factor_out_97`).
 */
export function fieldWires(word: UIntV, prefix: string): (layout: FieldLayout, name: string) => UIntV {
  const byBits = new Map<string, UIntV>();
  const names = new Set<string>();
  return (layout, name) => {
    const f = layout.byName[name];
    if (!f) throw new Error(`internal: no field ${name} in the ${layout.what} layout`);
    const key = `${f.lsb}:${f.width}`;
    let w = byBits.get(key);
    if (!w) {
      const wireName = names.has(`${prefix}_${name}`) ? `${prefix}_${name}_${f.lsb}` : `${prefix}_${name}`;
      names.add(wireName);
      w = word.bits(f.lsb + f.width - 1, f.lsb).named(wireName);
      byBits.set(key, w);
    }
    return w;
  };
}
