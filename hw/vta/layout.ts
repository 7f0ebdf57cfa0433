// Bit-field layouts packed the way GCC packs VTA's hw_spec.h structs: fields from bit 0 in declaration
// order, and a field never straddles a storage unit (64 bits for instructions, 32 for micro-ops).

import { ConfigError } from './errors';

export interface Field {
  readonly name: string;
  /** Position of the least significant bit. */
  readonly lsb: number;
  readonly width: number;
}

export interface FieldLayout {
  /** What the layout describes, for messages ("GEMM instruction"). */
  readonly what: string;
  readonly totalBits: number;
  readonly fields: readonly Field[];
  readonly byName: Readonly<Record<string, Field>>;
}

export function packFields(
  what: string,
  totalBits: number,
  spec: readonly (readonly [string, number])[],
  where: string,
  unitBits = 64,
  fix = 'lower LOG_UOP_BUFF_SIZE or the other LOG_*_BUFF_SIZE keys that set these field widths',
): FieldLayout {
  const fields: Field[] = [];
  let pos = 0;
  for (const [name, width] of spec) {
    if (width > unitBits) {
      throw new ConfigError(`${where}: ${what} field ${name} needs ${width} bits, more than a ${unitBits}-bit unit`);
    }
    if (width > 0 && Math.floor(pos / unitBits) !== Math.floor((pos + width - 1) / unitBits)) {
      pos = Math.ceil(pos / unitBits) * unitBits;
    }
    fields.push(Object.freeze({ name, lsb: pos, width }));
    pos += width;
  }
  if (pos > totalBits) {
    const detail = fields.map((f) => `${f.name} ${f.width}`).join(' + ');
    const sum = fields.reduce((n, f) => n + f.width, 0);
    const last = fields[fields.length - 1];
    throw new ConfigError(
      `${where}: the ${what} does not fit in ${totalBits} bits: field ${last.name} would end at bit ${pos - 1} ` +
        `(${detail} = ${sum} bits, no field straddling a ${unitBits}-bit unit); ${fix}`,
    );
  }
  const byName: Record<string, Field> = {};
  for (const f of fields) byName[f.name] = f;
  return Object.freeze({ what, totalBits, fields: Object.freeze(fields), byName: Object.freeze(byName) });
}

/** `[msb:lsb]` notation, as in the conformance README's tables. */
export function describeLayout(layout: FieldLayout): string {
  return layout.fields
    .filter((f) => f.width > 0)
    .map((f) => (f.width === 1 ? `${f.name}[${f.lsb}]` : `${f.name}[${f.lsb + f.width - 1}:${f.lsb}]`))
    .join(' ');
}
