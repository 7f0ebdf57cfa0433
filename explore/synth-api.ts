// What exploration needs of `vta synth` (synth/synthesize.ts): one configuration's resources and its fit
// against a board. Loaded lazily by name, so this folder builds in trees without the synthesis flow and
// says so when asked to explore there.

import type { Board } from '../hw/boards/boards';
import type { VtaConfig } from '../hw/vta/config';

export interface FitEntryLike {
  used: number;
  budget: number;
  /** used / budget in percent; null when the device has none. */
  pct: number | null;
  unit: string;
}

export type FitLike = { ok: boolean } & { [resource: string]: FitEntryLike | boolean | undefined };

export interface SynthReportLike {
  resources: Record<string, number>;
  fit: FitLike | null;
  seconds: number;
}

interface SynthModule {
  synthesize(req: { cfg: VtaConfig; board: Board | string; progress?: (line: string) => void }): Promise<SynthReportLike>;
}

export function loadSynth(): SynthModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../synth/synthesize') as SynthModule;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /synth\/synthesize/.test((e as Error).message)) {
      throw new Error('vta explore needs vta synth (synth/synthesize.ts), which this tree does not have');
    }
    throw e;
  }
}
