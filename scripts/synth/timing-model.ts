// Delay models of the FPGA families, for the clock estimate `vta synth` makes before place and route.
// Every figure says where it comes from:
//  - xc7 (Zynq-7020 -1, the Artix-7 fabric): the cell timing yosys itself ships in techlibs/xilinx/
//    cells_sim.v (specify blocks citing prjxray-db's artix7 timings, i.e. Vivado's -1 speed model).
//  - xcup (Zynq UltraScale+): yosys ships no UltraScale+ timing, so the xc7 figures are scaled by the
//    published speed of one design on both families: the MicroBlaze core's Fmax, 265 MHz on Zynq-7000
//    and 661 MHz on Zynq UltraScale+ at each family's fastest grade (UG984, "Maximum Frequencies"), then by
//    speed grade with the data sheet's DSP48 FMAX "with all registers used" at 0.85 V: 645 MHz (-1),
//    775 MHz (-2), 891 MHz (-3) (DS925, "DSP48 Slice Switching Characteristics").
//  - cyclonev: the Cyclone V timing of yosys' techlibs/intel_alm (*_sim.v, `cyclonev` specify blocks).
// Routing delay is in no data sheet: the per-connection net delay (base + per doubling of fanout) and the
// clock margin are this model's assumptions, and the report's range shows what 0.6x to 1.4x of them gives.
// Calibration: the vendor tools re-synthesize, place and retime a better netlist than yosys' LUT mapping.
// Measured once: PicoRV32 (picorv32_axi with TWO_CYCLE_ALU, its README's Vivado 2017.3 closure, 714 MHz on
// Kintex UltraScale+ -2, the fabric of the Zynq UltraScale+ -2) through this flow (yosys synth_xilinx
// -family xcup, this model at grade -2) gives 353 MHz, a period 2.02x too long: every estimate's period is
// multiplied by 1.4 / 2.833 = 0.494. One design, one vendor flow: the factor is assumed for the other
// families and for Quartus; scripts/synth/REPORT.md gives the checks and how far off the estimate can be.

import type { FamilyName } from '../../hw/boards/boards';

/** What a path through or into a cell counts as: a logic level, a hard block stage, or nothing (absorbed). */
export type StageKind = 'lut' | 'mux' | 'carry' | 'lutram' | 'dsp' | 'bram' | 'ff' | 'absorbed';

/** A combinational arc: from an input port (or one bit of it) to an output port (or one bit), in ps. */
export interface Arc {
  readonly from: string;
  readonly to: string;
  readonly delay: number;
  readonly fromBit?: number;
  readonly toBit?: number;
}

/** The timing of one cell instance (its type and parameters decide it). */
export interface CellTiming {
  readonly kind: StageKind;
  /** Output ports that launch a path at the clock edge, with their clock-to-output delay (ps). */
  readonly launch?: Readonly<Record<string, number>>;
  /** Input ports that end a path, with their setup time (ps); other inputs not named in arcs end nothing. */
  readonly capture?: Readonly<Record<string, number>>;
  readonly arcs?: readonly Arc[];
  /** A LUT: interchangeable inputs (the router puts the latest signal on the fastest pin), per-pin delays. */
  readonly lut?: { readonly inputs: readonly string[]; readonly pinDelays: readonly number[]; readonly output: string };
}

export interface TimingModel {
  readonly family: FamilyName;
  /** One line: where the figures come from, and the speed grade. */
  readonly source: string;
  /** The delay of one connection driving `fanout` sinks (ps); `scale` varies the routing assumption. */
  netDelay(fanout: number, scale?: number): number;
  /** Clock uncertainty (jitter and skew) taken off every period (ps). */
  readonly clockMarginPs: number;
  /** The period factor fitted on a published closure (see the header), and what it was fitted on. */
  readonly calibration: number;
  /** A top-level input launches (and an output is captured by) a register outside: its delays (ps). */
  readonly portLaunchPs: number;
  readonly portSetupPs: number;
  /** The timing of a cell, or null for a cell the model does not know (treated as a wire, and counted). */
  cell(type: string, params: Readonly<Record<string, string>>): CellTiming | null;
  /**
   * Whether a connection uses dedicated wiring inside a slice or along a column (no general routing): carry
   * chains, LUT to wide mux or carry, DSP cascades. `fanout` is the driver's number of sinks.
   */
  dedicated(driverType: string, driverPort: string, sinkType: string, sinkPort: string, fanout: number): boolean;
}

/** Xilinx dedicated paths: CO to CI along a carry chain, LUT/F7 into F7/F8/F9 muxes and a LUT into its carry cell's S/DI, DSP cascades. */
function xilinxDedicated(driverType: string, driverPort: string, sinkType: string, sinkPort: string, fanout: number): boolean {
  if (/^CARRY[48]$/.test(driverType) && driverPort === 'CO' && /^CARRY[48]$/.test(sinkType) && sinkPort === 'CI') return true;
  if (/^MUXF[789]$/.test(sinkType) && (sinkPort === 'I0' || sinkPort === 'I1') && /^(LUT[1-6]|MUXF[78])$/.test(driverType) && fanout === 1) return true;
  if (/^CARRY[48]$/.test(sinkType) && (sinkPort === 'S' || sinkPort === 'DI') && /^LUT[1-6]$/.test(driverType) && fanout === 1) return true;
  return /^DSP48E[12]$/.test(driverType) && /^(P|A|B)COUT$/.test(driverPort) && /^DSP48E[12]$/.test(sinkType);
}

/** Cyclone V: the carry chain between arithmetic half-ALMs, and an ALUT into its own ALM's adder. */
function cycloneVDedicated(driverType: string, driverPort: string, sinkType: string, sinkPort: string): boolean {
  return driverType === 'MISTRAL_ALUT_ARITH' && driverPort === 'CO' && sinkType === 'MISTRAL_ALUT_ARITH' && sinkPort === 'CI';
}

/** A yosys parameter as a number (yosys writes binary strings for bit vectors). */
export function paramNumber(params: Readonly<Record<string, string>>, name: string, fallback: number): number {
  const v = params[name];
  if (v === undefined) return fallback;
  if (/^[01]+$/.test(v)) return parseInt(v, 2);
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}
const paramString = (params: Readonly<Record<string, string>>, name: string, fallback: string) => {
  const v = params[name];
  if (v === undefined) return fallback;
  return v.replace(/^"|"$/g, '').trim();
};

// ---- Xilinx 7-series, from yosys' techlibs/xilinx/cells_sim.v (prjxray-db artix7 timings, ps) ----

/** LUT pin delays, slowest pin (I0) first. */
const XC7_LUT: Readonly<Record<number, readonly number[]>> = {
  2: [238, 127],
  3: [407, 238, 127],
  4: [472, 407, 238, 127],
  5: [631, 472, 407, 238, 127],
  6: [642, 631, 472, 407, 238, 127],
};
/** CARRY4 arcs [from, fromBit, to, toBit, ps] (CYINIT left out: a constant in practice). */
const XC7_CARRY4: readonly (readonly [string, number, string, number, number])[] = [
  ['S', 0, 'O', 0, 223],
  ['CI', 0, 'O', 0, 222],
  ['DI', 0, 'O', 1, 407],
  ['S', 0, 'O', 1, 400],
  ['S', 1, 'O', 1, 205],
  ['CI', 0, 'O', 1, 334],
  ['DI', 0, 'O', 2, 556],
  ['DI', 1, 'O', 2, 537],
  ['S', 0, 'O', 2, 523],
  ['S', 1, 'O', 2, 558],
  ['S', 2, 'O', 2, 226],
  ['CI', 0, 'O', 2, 239],
  ['DI', 0, 'O', 3, 615],
  ['DI', 1, 'O', 3, 596],
  ['DI', 2, 'O', 3, 438],
  ['S', 0, 'O', 3, 582],
  ['S', 1, 'O', 3, 618],
  ['S', 2, 'O', 3, 330],
  ['S', 3, 'O', 3, 227],
  ['CI', 0, 'O', 3, 313],
  ['DI', 0, 'CO', 0, 379],
  ['S', 0, 'CO', 0, 340],
  ['CI', 0, 'CO', 0, 271],
  ['DI', 0, 'CO', 1, 465],
  ['DI', 1, 'CO', 1, 445],
  ['S', 0, 'CO', 1, 433],
  ['S', 1, 'CO', 1, 469],
  ['CI', 0, 'CO', 1, 157],
  ['DI', 0, 'CO', 2, 540],
  ['DI', 1, 'CO', 2, 520],
  ['DI', 2, 'CO', 2, 356],
  ['S', 0, 'CO', 2, 512],
  ['S', 1, 'CO', 2, 548],
  ['S', 2, 'CO', 2, 292],
  ['CI', 0, 'CO', 2, 228],
  ['DI', 0, 'CO', 3, 526],
  ['DI', 1, 'CO', 3, 507],
  ['DI', 2, 'CO', 3, 398],
  ['DI', 3, 'CO', 3, 385],
  ['S', 0, 'CO', 3, 508],
  ['S', 1, 'CO', 3, 528],
  ['S', 2, 'CO', 3, 378],
  ['S', 3, 'CO', 3, 380],
  ['CI', 0, 'CO', 3, 114],
];
const carryArcs = (table: typeof XC7_CARRY4, offset = 0, scale = 1): Arc[] =>
  table.map(([from, fromBit, to, toBit, d]) => ({ from, fromBit: from === 'CI' ? undefined : fromBit + offset, to, toBit: toBit + offset, delay: d * scale }));

/** CARRY8 (UltraScale+) as two CARRY4 halves in series: the second half's CI is the first half's CO[3]. */
function carry8Arcs(): Arc[] {
  const low = carryArcs(XC7_CARRY4);
  const high: Arc[] = [];
  for (const a of carryArcs(XC7_CARRY4, 4)) {
    if (a.from !== 'CI') {
      high.push(a);
      continue;
    }
    // CI of the upper half: every low input's path to CO[3], then through the upper half.
    for (const l of low.filter((x) => x.to === 'CO' && x.toBit === 3))
      high.push({ from: l.from, fromBit: l.fromBit, to: a.to, toBit: a.toBit, delay: l.delay + a.delay });
  }
  return [...low, ...high];
}

/** DSP48E1 per yosys' cells_sim.v: setup at a registered input, clock-to-P, or a combinational arc. */
function dspTiming(params: Readonly<Record<string, string>>): CellTiming {
  const reg = (n: string) => paramNumber(params, n, 1) !== 0;
  const [A, B, C, D, AD, M, P] = ['AREG', 'BREG', 'CREG', 'DREG', 'ADREG', 'MREG', 'PREG'].map(reg);
  const mult = paramString(params, 'USE_MULT', 'MULTIPLY') !== 'NONE';
  const dport = paramString(params, 'USE_DPORT', 'FALSE') === 'TRUE' || paramString(params, 'AMULTSEL', 'A') === 'AD';
  const capture: Record<string, number> = {};
  const arcs: Arc[] = [];
  const aReq = A ? 254 : mult && !dport ? (M ? 1416 : P ? 2739 : null) : mult ? (M ? 2400 : AD ? 1283 : P ? 3723 : null) : P ? 1441 : null;
  const bReq = B ? 324 : M ? 1285 : P ? (mult ? 2608 : 1428) : null;
  const cReq = C ? 168 : P ? 1244 : null;
  const dReq = !(mult && dport) ? null : D ? 248 : AD ? 1195 : M ? 2310 : P ? 3635 : null;
  const comb = (port: string, req: number | null, delay: number) => {
    if (req !== null) capture[port] = req;
    else arcs.push({ from: port, to: 'P', delay }, { from: port, to: 'PCOUT', delay: delay + 148 });
  };
  comb('A', aReq, mult ? (dport ? 3806 : 2823) : 1523);
  comb('B', bReq, mult ? 2690 : 1509);
  comb('C', cReq, 1325);
  if (mult && dport) comb('D', dReq, 3717);
  if (P) capture.PCIN = 1025;
  else arcs.push({ from: 'PCIN', to: 'P', delay: 1107 }, { from: 'PCIN', to: 'PCOUT', delay: 1255 });
  let launch: Record<string, number> | undefined;
  if (P || A || AD || B || C || D || M) {
    const arrival = P ? 329 : C ? 1687 : M ? 1671 : mult && dport ? (A ? 3935 : D ? 3908 : AD ? 2958 : 2813) : mult ? (A ? 2952 : 2813) : A ? 1632 : 1616;
    launch = { P: arrival, PCOUT: arrival + 106 };
  }
  return { kind: 'dsp', capture, arcs, launch };
}

/** Block RAM (RAMB18E1/RAMB36E1, and the E2 names): every output launches, every input ends a path. */
function bramTiming(params: Readonly<Record<string, string>>, outputs: readonly string[], inputs: readonly string[]): CellTiming {
  const launch: Record<string, number> = {};
  for (const o of outputs) {
    const side = /B/.test(o.replace(/^DO(UT)?P?/, '').slice(0, 1)) ? 'B' : 'A';
    const registered = paramNumber(params, `DO${side}_REG`, paramNumber(params, `OREG_${side}`, 0)) !== 0;
    launch[o] = registered ? 882 : 2454;
  }
  const capture: Record<string, number> = {};
  for (const i of inputs) {
    if (/^CLK/.test(i)) continue;
    capture[i] = /^DI/.test(i) ? 737 : /^WE/.test(i) ? 532 : /^REGCE/.test(i) ? 360 : /^RST/.test(i) ? 342 : 566; // EN/other: as ADDR
  }
  return { kind: 'bram', launch, capture };
}

/** Ports of the Xilinx cells the timing model treats generically (inputs, outputs). */
const XILINX_BRAM_PORTS: Readonly<Record<string, [string[], string[]]>> = {
  RAMB18E1: [
    [
      'ADDRARDADDR',
      'ADDRBWRADDR',
      'DIADI',
      'DIBDI',
      'DIPADIP',
      'DIPBDIP',
      'WEA',
      'WEBWE',
      'ENARDEN',
      'ENBWREN',
      'REGCEAREGCE',
      'REGCEB',
      'RSTRAMARSTRAM',
      'RSTRAMB',
      'RSTREGARSTREG',
      'RSTREGB',
    ],
    ['DOADO', 'DOBDO', 'DOPADOP', 'DOPBDOP'],
  ],
  RAMB18E2: [
    [
      'ADDRARDADDR',
      'ADDRBWRADDR',
      'DINADIN',
      'DINBDIN',
      'DINPADINP',
      'DINPBDINP',
      'WEA',
      'WEBWE',
      'ENARDEN',
      'ENBWREN',
      'REGCEAREGCE',
      'REGCEB',
      'RSTRAMARSTRAM',
      'RSTRAMB',
      'RSTREGARSTREG',
      'RSTREGB',
    ],
    ['DOUTADOUT', 'DOUTBDOUT', 'DOUTPADOUTP', 'DOUTPBDOUTP'],
  ],
};

function xilinxCell(type: string, params: Readonly<Record<string, string>>, scale: number): CellTiming | null {
  const s = (d: number) => d * scale;
  const lut = /^LUT([1-6])$/.exec(type);
  if (lut) {
    const k = Number(lut[1]);
    // A LUT1 is a buffer or inverter the placer folds into its neighbours, as an INV.
    if (k === 1) return { kind: 'absorbed', arcs: [{ from: 'I0', to: 'O', delay: 0 }] };
    return { kind: 'lut', lut: { inputs: Array.from({ length: k }, (_, i) => `I${i}`), pinDelays: XC7_LUT[k].map(s), output: 'O' } };
  }
  if (type === 'INV') return { kind: 'absorbed', arcs: [{ from: 'I', to: 'O', delay: 0 }] };
  // Clock buffers drive clock pins only: no data path goes through them.
  if (/^BUF(G|GCE|GCTRL|HCE|G_PS)$/.test(type)) return { kind: 'absorbed' };
  if (type === 'MUXF7')
    return {
      kind: 'mux',
      arcs: [
        { from: 'I0', to: 'O', delay: s(217) },
        { from: 'I1', to: 'O', delay: s(223) },
        { from: 'S', to: 'O', delay: s(296) },
      ],
    };
  if (type === 'MUXF8' || type === 'MUXF9')
    return {
      kind: 'mux',
      arcs: [
        { from: 'I0', to: 'O', delay: s(104) },
        { from: 'I1', to: 'O', delay: s(94) },
        { from: 'S', to: 'O', delay: s(273) },
      ],
    };
  if (type === 'CARRY4') return { kind: 'carry', arcs: carryArcs(XC7_CARRY4, 0, scale) };
  if (type === 'CARRY8') return { kind: 'carry', arcs: carry8Arcs().map((a) => ({ ...a, delay: a.delay * scale })) };
  if (/^FD[RSCP]E(_1)?$/.test(type)) {
    return { kind: 'ff', launch: { Q: s(303) }, capture: { D: 0, CE: s(109), R: s(404), S: s(404), CLR: s(404), PRE: s(404) } };
  }
  if (/^RAMB(18|36)E[12]$/.test(type)) {
    const [inputs, outputs] = XILINX_BRAM_PORTS[type.replace('36', '18')];
    const t = bramTiming(params, outputs, inputs);
    const scaled = (r?: Readonly<Record<string, number>>) => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, s(v)]));
    return { ...t, launch: scaled(t.launch), capture: scaled(t.capture) };
  }
  if (type === 'URAM288' || type === 'URAM288_BASE') {
    const reg = paramNumber(params, 'OREG_A', 1) !== 0;
    return {
      kind: 'bram',
      launch: { DOUT_A: s(reg ? 882 : 2454), DOUT_B: s(reg ? 882 : 2454) },
      capture: {
        ADDR_A: s(566),
        ADDR_B: s(566),
        DIN_A: s(737),
        DIN_B: s(737),
        EN_A: s(566),
        EN_B: s(566),
        RDB_WR_A: s(532),
        RDB_WR_B: s(532),
        BWE_A: s(532),
        BWE_B: s(532),
      },
    };
  }
  if (/^DSP48E[12]$/.test(type)) {
    const t = dspTiming(params);
    return {
      kind: 'dsp',
      capture: Object.fromEntries(Object.entries(t.capture ?? {}).map(([k, v]) => [k, s(v)])),
      launch: t.launch && Object.fromEntries(Object.entries(t.launch).map(([k, v]) => [k, s(v)])),
      arcs: t.arcs?.map((a) => ({ ...a, delay: s(a.delay) })),
    };
  }
  // LUT RAM: writes end at the write port (setup), reads are LUT-like from the read address, and the data
  // written appears at the outputs clock-to-out after the write clock.
  const quad = /^RAM(32|64)M(8|16)?$/.exec(type);
  if (quad) {
    const letters = quad[2] === '8' || quad[2] === '16' ? ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'] : ['A', 'B', 'C', 'D'];
    return {
      kind: 'lutram',
      launch: Object.fromEntries(letters.map((l) => [`DO${l}`, s(1163)])),
      capture: { ...Object.fromEntries(letters.map((l) => [`DI${l}`, s(384)])), [`ADDR${letters[letters.length - 1]}`]: s(362), WE: s(654) },
      arcs: letters.map((l) => ({ from: `ADDR${l}`, to: `DO${l}`, delay: s(642) })),
    };
  }
  if (/^RAM(32|64|128|256)X1[SD]$/.test(type)) {
    const addr = ['A0', 'A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A'];
    return {
      kind: 'lutram',
      launch: { SPO: s(1163), DPO: s(1163), O: s(1163) },
      capture: { D: s(384), WE: s(654), ...Object.fromEntries(addr.map((a) => [a, s(362)])) },
      arcs: [
        ...addr.map((a) => ({ from: a, to: 'SPO', delay: s(642) })),
        ...addr.map((a) => ({ from: a, to: 'O', delay: s(642) })),
        ...['DPRA0', 'DPRA1', 'DPRA2', 'DPRA3', 'DPRA4', 'DPRA5', 'DPRA6', 'DPRA'].map((a) => ({ from: a, to: 'DPO', delay: s(642) })),
      ],
    };
  }
  if (/^SRL(C)?(16|32)E?$/.test(type)) {
    return {
      kind: 'lutram',
      launch: { Q: s(1472), Q31: s(1472), Q15: s(1472) },
      capture: { D: s(173), CE: s(173) },
      arcs: ['A0', 'A1', 'A2', 'A3', 'A4', 'A'].map((a) => ({ from: a, to: 'Q', delay: s(631) })),
    };
  }
  return null;
}

// ---- Intel Cyclone V, from yosys' techlibs/intel_alm (cyclonev specify blocks, ps) ----

const MISTRAL_LUT: Readonly<Record<number, readonly number[]>> = {
  2: [400, 97],
  3: [510, 400, 97],
  4: [510, 512, 400, 97],
  5: [583, 510, 512, 400, 97],
  6: [605, 583, 510, 512, 400, 97],
};
const MISTRAL_LUT_PINS = ['A', 'B', 'C', 'D', 'E', 'F'];

function cycloneVCell(type: string): CellTiming | null {
  const lut = /^MISTRAL_ALUT([2-6])$/.exec(type);
  if (lut) {
    const k = Number(lut[1]);
    return { kind: 'lut', lut: { inputs: MISTRAL_LUT_PINS.slice(0, k), pinDelays: MISTRAL_LUT[k], output: 'Q' } };
  }
  if (type === 'MISTRAL_NOT') return { kind: 'absorbed', arcs: [{ from: 'A', to: 'Q', delay: 0 }] };
  if (type === 'MISTRAL_CLKBUF') return { kind: 'absorbed' };
  if (type === 'MISTRAL_ALUT_ARITH') {
    const so: [string, number][] = [
      ['A', 1342],
      ['B', 1323],
      ['C', 927],
      ['D0', 887],
      ['D1', 785],
      ['CI', 368],
    ];
    const co: [string, number][] = [
      ['A', 1082],
      ['B', 1062],
      ['C', 813],
      ['D0', 866],
      ['D1', 1198],
      ['CI', 36],
    ];
    return { kind: 'carry', arcs: [...so.map(([from, delay]) => ({ from, to: 'SO', delay })), ...co.map(([from, delay]) => ({ from, to: 'CO', delay }))] };
  }
  // Setup is negative (-196) in the model; yosys takes 0, as here.
  if (type === 'MISTRAL_FF') return { kind: 'ff', launch: { Q: 731 }, capture: { DATAIN: 0, ENA: 0, SCLR: 0, SLOAD: 0, SDATA: 0 } };
  if (type === 'MISTRAL_M10K') return { kind: 'bram', launch: { B1DATA: 1004 }, capture: { A1ADDR: 125, A1DATA: 97, A1EN: 140, B1ADDR: 125, B1EN: 161 } };
  if (type === 'MISTRAL_MLAB') {
    return { kind: 'lutram', capture: { A1ADDR: 86, A1DATA: 86, A1EN: 86 }, arcs: [{ from: 'B1ADDR', to: 'B1DATA', delay: 487 }] };
  }
  if (/^MISTRAL_MUL(27X27|18X18|9X9)$/.test(type))
    return {
      kind: 'dsp',
      arcs: [
        { from: 'A', to: 'Y', delay: 3732 },
        { from: 'B', to: 'Y', delay: 3928 },
      ],
    };
  return null;
}

/** The fabric-speed factor of UltraScale+ against the 7-series -1 figures (sources in the file header). */
export function ultraScalePlusScale(speedGrade: number): number {
  const DSP_FMAX: Readonly<Record<number, number>> = { 1: 645, 2: 775, 3: 891 };
  const fastestGrade = 265 / 661; // MicroBlaze Fmax, Zynq-7000 vs Zynq UltraScale+, fastest grades (UG984)
  return fastestGrade * (DSP_FMAX[3] / (DSP_FMAX[speedGrade] ?? DSP_FMAX[1]));
}

/** The speed grade of a part number (xczu7ev-ffvc1156-2-e: 2); 1, the slowest, when it has none. */
export function speedGradeOf(part: string | null | undefined): number {
  const m = /-(\d)[a-z]*(-[a-z])?$/i.exec(part ?? '');
  return m ? Number(m[1]) : 1;
}

/** The period factor of the header's PicoRV32 calibration. */
export const VENDOR_FLOW_CALIBRATION = 1.4 / 2.833;

/** Routing assumption (ps): a base per connection plus a step per doubling of the fanout. */
const net =
  (base: number, perDoubling: number) =>
  (fanout: number, scale = 1) =>
    scale * (base + perDoubling * Math.log2(Math.max(1, fanout)));

/** The delay model of `family` (speed grade from the board's part; 1 without a board), or null for none. */
export function timingModel(family: FamilyName, speedGrade = 1): TimingModel | null {
  if (family === 'xc7') {
    return {
      family,
      clockMarginPs: 150,
      portLaunchPs: 303,
      portSetupPs: 0,
      netDelay: net(450, 80),
      calibration: VENDOR_FLOW_CALIBRATION,
      source: 'yosys cells_sim.v (prjxray-db Artix-7 -1) cell delays; routing 450 ps + 80 ps per fanout doubling (assumed)',
      cell: (type, params) => xilinxCell(type, params, 1),
      dedicated: xilinxDedicated,
    };
  }
  if (family === 'xcup') {
    const k = ultraScalePlusScale(speedGrade);
    return {
      family,
      clockMarginPs: 100,
      portLaunchPs: 303 * k,
      portSetupPs: 0,
      netDelay: (f, s = 1) => k * net(450, 80)(f, s),
      calibration: VENDOR_FLOW_CALIBRATION,
      source: `xc7 figures x ${k.toFixed(3)} (UG984 MicroBlaze Fmax 265/661 MHz, DS925 DSP48 FMAX grade -${speedGrade}); routing scaled alike (assumed)`,
      cell: (type, params) => xilinxCell(type, params, k),
      dedicated: xilinxDedicated,
    };
  }
  if (family === 'cyclonev') {
    return {
      family,
      clockMarginPs: 150,
      portLaunchPs: 731,
      portSetupPs: 0,
      netDelay: net(450, 80),
      calibration: VENDOR_FLOW_CALIBRATION,
      source: 'yosys intel_alm Cyclone V cell delays; routing 450 ps + 80 ps per fanout doubling (assumed)',
      cell: (type) => cycloneVCell(type),
      dedicated: cycloneVDedicated,
    };
  }
  return null;
}
