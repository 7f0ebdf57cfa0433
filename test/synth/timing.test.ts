// The clock estimate's analysis on small hand-written netlists in yosys' write_json form (no yosys run):
// arrival times through LUTs (latest input on the fastest pin), carry chains on dedicated wiring, block
// RAM and DSP stages, the hierarchy flattened with per-module worst paths and hierarchical names, a
// combinational loop that does not hang, and a netlist that is not yosys' is one clear error. The delays
// come from the model (timing-model.ts), so the expected periods are computed from its figures.

import { NetlistParseError, parseBlif, parseYosysJson } from '../../scripts/synth/netlist';
import { analyseTiming } from '../../scripts/synth/timing';
import { speedGradeOf, timingModel, ultraScalePlusScale, VENDOR_FLOW_CALIBRATION } from '../../scripts/synth/timing-model';

type Bits = (number | string)[];
const cell = (type: string, connections: Record<string, Bits>, outputs: string[], parameters: Record<string, string> = {}) => ({
  type,
  parameters,
  port_directions: Object.fromEntries(Object.keys(connections).map((p) => [p, outputs.includes(p) ? 'output' : 'input'])),
  connections,
});
const ff = (d: number, q: number) => cell('FDRE', { C: [2], CE: ['1'], R: ['0'], D: [d], Q: [q] }, ['Q']);
const netlist = (modules: Record<string, unknown>) => parseYosysJson(JSON.stringify({ creator: 'test', modules }));

const xc7 = timingModel('xc7')!;
const period = (requiredPs: number) => Math.round((requiredPs + xc7.clockMarginPs) * xc7.calibration) / 1000;
const NET1 = xc7.netDelay(1);

test('a register-to-register path through two LUTs: launch, routing, the fastest pin, setup, margin and calibration', () => {
  const text = netlist({
    top: {
      ports: { clk: { direction: 'input', bits: [2] }, q: { direction: 'output', bits: [13] } },
      cells: {
        r1: ff(12, 10),
        l1: cell('LUT2', { I0: [10], I1: ['0'], O: [11] }, ['O']),
        l2: cell('LUT3', { I0: ['1'], I1: [11], I2: ['0'], O: [12] }, ['O']),
        r2: ff(12, 13),
      },
      netnames: { state: { bits: [10] }, out_q: { bits: [13] }, $auto$x: { hide_name: 1, bits: [11] } },
    },
  });
  const t = analyseTiming(text, 'top', xc7);
  // 303 clock-to-Q, then per LUT a connection (fanout 1) and the fastest pin (127 ps); r1's D and r2's D share net 12.
  const atL2 = 303 + NET1 + 127 + NET1 + 127;
  expect(t.periodNs).toBeCloseTo(period(atL2 + xc7.netDelay(2)), 3);
  expect(t.levels).toBe(2);
  expect(t.stages).toEqual({ lut: 2 });
  expect(t.from).toBe('state');
  expect(['state', 'out_q']).toContain(t.to);
  expect(t.path.map((c) => c.type)).toEqual(['FDRE', 'LUT2', 'LUT3']);
  expect(t.fmaxMHz).toBeCloseTo(1000 / t.periodNs, 0);
  expect(t.fmaxRangeMHz[0]).toBeLessThan(t.fmaxMHz);
  expect(t.fmaxRangeMHz[1]).toBeGreaterThan(t.fmaxMHz);
  expect(t.uncalibratedFmaxMHz).toBeCloseTo(t.fmaxMHz * xc7.calibration, 0);
});

test("the latest input takes the LUT's fastest pin, the earlier one a slower pin", () => {
  // a (a port, launched outside) and b (a register) into one LUT2; the later-arriving one decides.
  const text = netlist({
    top: {
      ports: { clk: { direction: 'input', bits: [2] }, a: { direction: 'input', bits: [3] } },
      cells: { rb: ff(20, 10), l: cell('LUT2', { I0: [3], I1: [10], O: [11] }, ['O']), rq: ff(11, 12) },
      netnames: { b: { bits: [10] }, q: { bits: [12] } },
    },
  });
  const t = analyseTiming(text, 'top', xc7);
  const port = xc7.portLaunchPs + NET1;
  const reg = 303 + NET1;
  const out = Math.max(Math.max(port, reg) + 127, Math.min(port, reg) + 238);
  expect(t.periodNs).toBeCloseTo(period(out + NET1), 3);
});

test('a carry chain rides its dedicated wiring: CO[3] to the next CI adds no routing', () => {
  const co = (base: number) => [base, base + 1, base + 2, base + 3];
  const text = netlist({
    top: {
      ports: { clk: { direction: 'input', bits: [2] } },
      cells: {
        r: ff(50, 10),
        c1: cell('CARRY4', { CI: ['0'], CYINIT: ['0'], S: [10, '0', '0', '0'], DI: ['0', '0', '0', '0'], O: co(20), CO: co(30) }, ['O', 'CO']),
        c2: cell('CARRY4', { CI: [33], CYINIT: ['0'], S: ['0', '0', '0', '0'], DI: ['0', '0', '0', '0'], O: co(40), CO: [44, 45, 46, 47] }, ['O', 'CO']),
        q: ff(47, 48),
      },
      netnames: { r_q: { bits: [10] }, carry_q: { bits: [48] } },
    },
  });
  const t = analyseTiming(text, 'top', xc7);
  // 303 + routing + S[0]->CO[3] (508) + CI->CO[3] (114, no routing) + routing + setup 0
  expect(t.periodNs).toBeCloseTo(period(303 + NET1 + 508 + 114 + NET1), 3);
  expect(t.stages).toEqual({ carry: 2 });
  expect(t.levels).toBe(2);
  expect(t.to).toBe('carry_q');
});

test('block RAM and DSP stages: clock-to-out of a RAM without output register, a combinational multiply', () => {
  const bits = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
  const text = netlist({
    top: {
      ports: { clk: { direction: 'input', bits: [2] } },
      cells: {
        mem: cell('RAMB18E1', { CLKARDCLK: [2], ADDRARDADDR: bits(100, 14), DOADO: bits(200, 16) }, ['DOADO'], { DOA_REG: '00000000000000000000000000000000' }),
        mul: cell('DSP48E1', { CLK: [2], A: [200, ...Array(29).fill('0')], B: Array(18).fill('0'), P: bits(300, 48) }, ['P'], {
          AREG: '0',
          BREG: '0',
          CREG: '0',
          MREG: '0',
          PREG: '0',
          ADREG: '0',
          DREG: '0',
          USE_MULT: 'MULTIPLY',
          USE_DPORT: 'FALSE',
        }),
        r: ff(300, 400),
      },
      netnames: { product: { bits: [400] } },
    },
  });
  const t = analyseTiming(text, 'top', xc7);
  expect(t.periodNs).toBeCloseTo(period(2454 + NET1 + 2823 + NET1), 3);
  expect(t.stages).toEqual({ bram: 1, dsp: 1 });
  expect(t.levels).toBe(0);
  expect(t.from).toBe('mem (RAMB18E1 DOADO)');
});

test('the hierarchy is flattened: paths cross instances, names are hierarchical, each module has its worst path', () => {
  const text = netlist({
    stage: {
      ports: { clk: { direction: 'input', bits: [2] }, d: { direction: 'input', bits: [3] }, q: { direction: 'output', bits: [5] } },
      cells: { r: ff(3, 4), l: cell('LUT2', { I0: [4], I1: ['0'], O: [5] }, ['O']) },
      netnames: { held: { bits: [4] } },
    },
    top: {
      ports: { clk: { direction: 'input', bits: [2] }, q: { direction: 'output', bits: [9] } },
      cells: {
        s0: { type: 'stage', connections: { clk: [2], d: [7], q: [8] } },
        s1: { type: 'stage', connections: { clk: [2], d: [8], q: [9] } },
        seed: ff(9, 7),
      },
      netnames: { seed_q: { bits: [7] } },
    },
  });
  const t = analyseTiming(text, 'top', xc7);
  expect(t.from).toMatch(/^s[01]\/held$/);
  expect(Object.keys(t.perModule).sort()).toEqual(['stage', 'top']);
  expect(t.perModule.top.fmaxMHz).toBe(t.fmaxMHz);
  expect(t.perModule.stage.to).toMatch(/^s1\/held$/);
  expect(t.path.map((c) => c.cell)).toEqual([expect.stringMatching(/^s[01]\/r$/), expect.stringMatching(/^s[01]\/l$/)]);
});

test('a combinational loop does not hang; unknown cells count and pass as wires', () => {
  const text = netlist({
    top: {
      ports: { clk: { direction: 'input', bits: [2] } },
      cells: {
        a: cell('LUT2', { I0: [11], I1: ['0'], O: [10] }, ['O']),
        b: cell('LUT2', { I0: [10], I1: ['0'], O: [11] }, ['O']),
        x: cell('MYSTERY', { I: [11], O: [12] }, ['O']),
        r: ff(12, 13),
      },
    },
  });
  const t = analyseTiming(text, 'top', xc7);
  expect(t.unknownCells).toEqual({ MYSTERY: 1 });
  expect(t.fmaxMHz).toBeGreaterThan(0);
});

test('not a yosys netlist: one clear error', () => {
  expect(() => parseYosysJson('{')).toThrow(NetlistParseError);
  expect(() => parseYosysJson('{"creator": "x"}')).toThrow(/no "modules" object/);
  expect(() => parseBlif('.subckt LUT2 I0=a O=b', '')).toThrow(/netlist\.blif: line 1: \.subckt outside a \.model/);
  expect(() => parseBlif('# nothing', '')).toThrow(/no \.model/);
  expect(() => analyseTiming(netlist({ other: {} }), 'top', xc7)).toThrow(/the top module top is missing/);
});

test('BLIF as vta synth reads it: models, instances with .cname, parameters, buffers, pin directions from the library list', () => {
  const blif = [
    '# Generated by Yosys',
    '',
    '.model top',
    '.inputs clk a[0] a[1]',
    '.outputs q',
    '.names $false',
    '.names $true',
    '1',
    '.names $undef',
    '.subckt stage clk=clk d[0]=a[0] d[1]=a[1] \\',
    '  q=mid',
    '.cname s0',
    '.names mid q',
    '1 1',
    '.end',
    '',
    '.model stage',
    '.inputs clk d[0] d[1]',
    '.outputs q',
    '.subckt FDRE C=clk CE=$true R=$false D=d[0] Q=held',
    '.cname $auto$ff$1',
    '.param INIT 0',
    '.subckt LUT2 I0=held I1=$false O=q',
    '.cname $abc$7',
    '.param INIT 0110',
    '.end',
  ].join('\n');
  const n = parseBlif(blif, 'FDRE/Q\nLUT2/O\nstage/q\n');
  expect([...n.keys()]).toEqual(['top', 'stage']);
  const top = n.get('top')!;
  expect(top.ports).toEqual([
    { name: 'clk', dir: 'input', nets: ['clk'] },
    { name: 'a', dir: 'input', nets: ['a[0]', 'a[1]'] },
    { name: 'q', dir: 'output', nets: ['mid'] },
  ]);
  expect(top.cells[0]).toMatchObject({ name: 's0', type: 'stage', pins: { clk: ['clk'], d: ['a[0]', 'a[1]'], q: ['mid'] } });
  expect([...top.cells[0].outputs]).toEqual(['q']);
  expect(top.cells).toHaveLength(1); // the buffer joins mid and q into one net
  const ff = n.get('stage')!.cells[0];
  expect(ff).toMatchObject({ name: '$auto$ff$1', type: 'FDRE', params: { INIT: '0' }, pins: { D: ['d[0]'], Q: ['held'] } });
  expect([...ff.outputs]).toEqual(['Q']);
  const t = analyseTiming(n, 'top', xc7);
  expect(t.from).toBe('s0/held');
  expect(t.to).toBe('q'); // the output port
  expect(t.levels).toBe(1);
});

test('the models: UltraScale+ is the 7-series scaled by the published Fmax ratios, the grade from the part; ecp5 has none', () => {
  expect(speedGradeOf('xczu7ev-ffvc1156-2-e')).toBe(2);
  expect(speedGradeOf('xczu3eg-sbva484-1-i')).toBe(1);
  expect(speedGradeOf('xc7z020clg400-1')).toBe(1);
  expect(speedGradeOf(null)).toBe(1);
  expect(ultraScalePlusScale(1)).toBeCloseTo((265 / 661) * (891 / 645), 6);
  expect(ultraScalePlusScale(2)).toBeCloseTo((265 / 661) * (891 / 775), 6);
  const xcup = timingModel('xcup', 2)!;
  expect(xcup.netDelay(4)).toBeCloseTo(xc7.netDelay(4) * ultraScalePlusScale(2), 6);
  expect(xcup.cell('FDRE', {})!.launch!.Q).toBeCloseTo(303 * ultraScalePlusScale(2), 6);
  expect(xc7.calibration).toBe(VENDOR_FLOW_CALIBRATION);
  expect(timingModel('ecp5')).toBeNull();
  expect(timingModel('cyclonev')!.cell('MISTRAL_ALUT6', {})!.lut!.pinDelays).toEqual([605, 583, 510, 512, 400, 97]);
});
