// One differential check: the same program on a reference device and a device under test, all of DRAM
// compared byte for byte afterwards.

import type { Device } from '../device';
import { formatRace } from '../fsim/race';
import { programImage, RandomProgram } from '../testing/random-program';

export interface ByteMismatch {
  addr: number;
  expected: number;
  actual: number;
}

export interface CheckOutcome {
  ok: boolean;
  /** The device under test's failure (deadlock, fault, ...) or the reference's, prefixed. */
  error?: string;
  mismatchCount: number;
  mismatches: ByteMismatch[];
  cycles: number | null;
  /** Final DRAM of the reference, for saving a replayable vector. */
  referenceDram?: Uint8Array;
}

export async function checkProgram(ref: Device, dut: Device, p: RandomProgram, limit = 8): Promise<CheckOutcome> {
  const image = programImage(p);
  ref.loadImage(image);
  dut.loadImage(image);
  try {
    // The random programs are race-free by construction; fsim's race detector checks that they are.
    const r = await ref.run(p.insnAddr, p.insnCount, { checkRaces: true });
    if (r.races?.length) {
      return { ok: false, error: `reference: ${r.races.length} race(s), the first: ${formatRace(r.races[0])}`, mismatchCount: 0, mismatches: [], cycles: null };
    }
  } catch (e) {
    return { ok: false, error: `reference: ${(e as Error).message}`, mismatchCount: 0, mismatches: [], cycles: null };
  }
  const want = ref.read(0, p.dramBytes);
  let cycles: number | null;
  try {
    cycles = (await dut.run(p.insnAddr, p.insnCount)).cycles;
  } catch (e) {
    return { ok: false, error: (e as Error).message, mismatchCount: 0, mismatches: [], cycles: null, referenceDram: want };
  }
  const got = dut.read(0, p.dramBytes);
  // memcmp first: almost every program matches, and a byte loop over the DRAM was an eighth of a check
  if (want.length === got.length && Buffer.from(want.buffer, want.byteOffset, want.length).equals(Buffer.from(got.buffer, got.byteOffset, got.length))) {
    return { ok: true, mismatchCount: 0, mismatches: [], cycles, referenceDram: want };
  }
  const mismatches: ByteMismatch[] = [];
  let mismatchCount = 0;
  for (let a = 0; a < want.length; a++) {
    if (want[a] !== got[a]) {
      if (mismatches.length < limit) mismatches.push({ addr: a, expected: want[a], actual: got[a] });
      mismatchCount++;
    }
  }
  return { ok: mismatchCount === 0, mismatchCount, mismatches, cycles, referenceDram: want };
}
