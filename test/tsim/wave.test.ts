// Waveform helpers: the trace's time axis is the configured clock (picoseconds, 100 MHz by default), and
// GTKWave translate filters name each FSM state in the hex GTKWave displays.

import { halfPeriodPs, tsimConfigHeader, DEFAULT_CLOCK_MHZ } from '../../sim/tsim/build';
import { stateFilter } from '../../sim/tsim/wave';
import { emitRtl } from '../../gen/rtl';
import { defaultConfig } from '../../hw/vta/config';

test('the trace clock: 100 MHz by default, 10 ns per cycle, any frequency rounded to picoseconds', () => {
  expect(DEFAULT_CLOCK_MHZ).toBe(100);
  expect(halfPeriodPs(100)).toBe(5000);
  expect(halfPeriodPs(333)).toBe(1502);
  expect(tsimConfigHeader(64, 'fst')).toContain('#define TSIM_TRACE_HALF_PERIOD_PS 5000');
  expect(tsimConfigHeader(64, 'vcd', 250)).toContain('#define TSIM_TRACE_HALF_PERIOD_PS 2000');
  expect(tsimConfigHeader(64, false)).not.toContain('HALF_PERIOD');
  expect(() => halfPeriodPs(0)).toThrow(/MHz/);
});

test('every FSM of the core is in the RTL output with its states; filters use GTKWave hex', () => {
  const fsms = emitRtl(defaultConfig()).fsms!;
  const compute = fsms.find((f) => f.name === 'compute.state')!;
  expect(compute.states.map((s) => s.name)).toEqual(['IDLE', 'LOAD_START', 'LOAD_WAIT', 'LOOP', 'PUSH']);
  expect(fsms.map((f) => f.name)).toEqual(expect.arrayContaining(['fetch.state', 'load.stage', 'store.stage']));
  expect(
    stateFilter({
      name: 'x.st',
      module: 'X',
      width: 5,
      states: [
        { name: 'A', value: 0 },
        { name: 'B', value: 17 },
      ],
    }),
  ).toBe('# X.st: state values of x.st\n00 A\n11 B\n');
});
