// The TSIM test fixture core (fixture-core.v, NOT the VTA core) and helpers to build and drive it.

import { readFileSync } from 'fs';
import { join } from 'path';
import { defaultConfig, deriveConfig, DEFAULT_CONFIG_JSON, VtaConfig } from '../../hw/vta/config';
import type { SourceFile } from '../../sim/verilator/build';
import { verilogRegDefines } from '../../sim/tsim/build';

export const FIXTURE_TOP = 'TsimFixtureCore';
export const FIXTURE_DST_OFFSET = 0x10000;
/** Beats per burst of the fixture. */
export const FIXTURE_MAX_BEATS = 16;

export function fixtureText(): string {
  return readFileSync(join(__dirname, 'fixture-core.v'), 'utf8');
}

/** The fixture's Verilog for a bus width: register `define`s from hw/vta/regs.ts, the width, the module. */
export function fixtureVerilog(busBits = 64, defines: readonly string[] = []): SourceFile[] {
  const extra = defines.map((d) => `\`define ${d}\n`).join('');
  return [{ name: 'fixture_core.v', text: `${verilogRegDefines()}\`define FIXTURE_BUS_BITS ${busBits}\n${extra}${fixtureText()}` }];
}

/** A configuration with a given bus width (LOG_BUS_WIDTH). */
export function configWithBus(busBits: number): VtaConfig {
  if (busBits === defaultConfig().busBits) return defaultConfig();
  return deriveConfig({ ...DEFAULT_CONFIG_JSON, LOG_BUS_WIDTH: Math.log2(busBits) });
}

/** Cycles the fixture takes to copy `bytes` (bursts run one after another: AR, R, AW, W, B). */
export function fixtureCycles(bytes: number, busBytes: number, readLatency: number, writeLatency: number, readInterval = 1): number {
  let beats = bytes / busBytes;
  let cycles = 0;
  while (beats > 0) {
    const n = Math.min(FIXTURE_MAX_BEATS, beats);
    // from the AR handshake: first R after readLatency, the other beats, AW (1), n W beats, B after
    // writeLatency, and one cycle to issue the next AR (or, after the last burst, to finish)
    cycles += readLatency + (n - 1) * readInterval + 1 + n + writeLatency + 1;
    beats -= n;
  }
  return cycles;
}
