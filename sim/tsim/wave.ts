// What a waveform needs beside it to be read: a GTKWave save file that opens it with the clock, the
// progress counter and every FSM state register shown by state name (through translate filter files,
// one per FSM, `value NAME` in the hex GTKWave displays), and the time window it covers.

import { mkdirSync, writeFileSync } from 'fs';
import { basename, join, resolve } from 'path';
import type { ManifestFsm } from '../../gen/manifest';
import { halfPeriodPs } from './build';
import { TSIM_TOP } from './shell';

/** Where the core sits in a TSIM waveform's hierarchy (Verilator's `TOP`, the shell, its `core` instance). */
export const CORE_SCOPE = `TOP.${TSIM_TOP}.core`;

export interface WaveViews {
  /** The GTKWave save file (`<trace>.gtkw`). */
  gtkw: string;
  /** The translate filter files, one per FSM. */
  filters: string[];
}

/** GTKWave's hex text of a value: one digit per 4 bits of the signal, zero-padded. */
function hexText(value: number, width: number): string {
  return value.toString(16).padStart(Math.ceil(width / 4), '0');
}

/** A translate filter: the hex GTKWave shows for each state, then the state's name. */
export function stateFilter(fsm: ManifestFsm): string {
  return [
    `# ${fsm.module}.${fsm.name.split('.').pop()}: state values of ${fsm.name}`,
    ...fsm.states.map((s) => `${hexText(s.value, fsm.width)} ${s.name}`),
    '',
  ].join('\n');
}

const signal = (path: string, width: number): string => `${CORE_SCOPE}.${path}${width > 1 ? `[${width - 1}:0]` : ''}`;

/**
 * Writes `<trace>.gtkw` and `<trace>.states/*.txt` beside the waveform. `window` is the traced model
 * cycles; the file's times are picoseconds, `2 * halfPeriodPs(clockMhz)` per cycle.
 */
export function writeWaveViews(tracePath: string, fsms: readonly ManifestFsm[], window: { first: number; end: number }, clockMhz: number): WaveViews {
  const trace = resolve(tracePath);
  const gtkw = `${trace}.gtkw`;
  const dir = `${trace}.states`;
  mkdirSync(dir, { recursive: true });
  const period = 2 * halfPeriodPs(clockMhz);
  const filters: string[] = [];
  const lines = [
    `[*] ${basename(trace)}: TSIM waveform, ${clockMhz} MHz (${period / 1000} ns per cycle), cycles ${window.first}..${window.end}`,
    `[dumpfile] "${trace}"`,
    `[savefile] "${gtkw}"`,
    `[timestart] ${window.first * period}`,
    `[treeopen] TOP.`,
    `[treeopen] TOP.${TSIM_TOP}.`,
    '@28',
    `TOP.${TSIM_TOP}.clock`,
    `TOP.${TSIM_TOP}.reset`,
    '@22',
    signal('debug_progress', 32),
  ];
  fsms.forEach((fsm, i) => {
    const file = join(dir, `${fsm.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.txt`);
    writeFileSync(file, stateFilter(fsm));
    filters.push(file);
    // 0x2022 = hex, right-justified, translated by the filter file `^<n>` names.
    lines.push('@2022', `^${i + 1} ${file}`, signal(fsm.name, fsm.width));
  });
  writeFileSync(gtkw, `${lines.join('\n')}\n`);
  return { gtkw, filters };
}
