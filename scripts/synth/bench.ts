// `vta bench synth`: the synthesis table. VTA's default configuration and each board preset, then the
// 1x32x32 and 2x16x16 shapes with each board preset, each synthesised (serially: a full core takes about a
// CPU-minute and 0.7 GB) for its board's family and checked against its budgets. JSON and an SVG chart.

import { writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { outputFileFlag } from '../../util/output-dir';
import { CommandSpec, formatUsage, parseArgs } from '../../cli/args';
import { CliIo, EXIT_FAILURE, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { BOARD_NAMES, boardByName, ResourceName } from '../../hw/boards/boards';
import { boardPreset } from '../../hw/boards/presets';
import { DEFAULT_CONFIG_JSON, deriveConfig, parseGemmShape, VtaConfigJson, withOverrides } from '../../hw/vta/config';
import type { FitEntry, SynthReport } from './report';
import { synthesize } from './synthesize';

const REPO_ROOT = resolve(__dirname, '../..');

export interface SynthBenchCase {
  readonly label: string;
  readonly board: string;
  /** Apply the board's preset (false: VTA's default hardware, measured against the board). */
  readonly preset: boolean;
  readonly overrides: Partial<VtaConfigJson>;
}

export function synthBenchCases(): SynthBenchCase[] {
  const cases: SynthBenchCase[] = [{ label: 'default', board: 'pynq-z1', preset: false, overrides: {} }];
  for (const b of BOARD_NAMES) cases.push({ label: `${b} preset`, board: b, preset: true, overrides: {} });
  for (const shape of ['1x32x32', '2x16x16']) {
    for (const b of BOARD_NAMES) cases.push({ label: `${shape} ${b}`, board: b, preset: true, overrides: parseGemmShape(shape) });
  }
  return cases;
}

export interface SynthBenchRow {
  readonly label: string;
  readonly board: string;
  readonly configName: string;
  readonly configHash: string;
  readonly family: string;
  readonly resources: SynthReport['resources'] | null;
  readonly fit: SynthReport['fit'];
  readonly seconds: number | null;
  readonly cached: boolean;
  /** Why there is no synthesis (the configuration cannot be generated, yosys failed). */
  readonly error: string | null;
}

export interface SynthBenchReport {
  readonly schema: 'vta-synth-bench/1';
  readonly yosysVersion: string | null;
  readonly rows: readonly SynthBenchRow[];
}

export async function runSynthBench(opts: { cases?: SynthBenchCase[]; log: (line: string) => void; signal?: AbortSignal }): Promise<SynthBenchReport> {
  const rows: SynthBenchRow[] = [];
  let yosysVersion: string | null = null;
  const cases = opts.cases ?? synthBenchCases();
  for (const [i, c] of cases.entries()) {
    const board = boardByName(c.board);
    const base = c.preset ? withOverrides(DEFAULT_CONFIG_JSON, boardPreset(board)) : DEFAULT_CONFIG_JSON;
    const row = { label: c.label, board: c.board, family: board.family };
    let cfg;
    try {
      cfg = deriveConfig(withOverrides(base, c.overrides), c.label);
    } catch (e) {
      rows.push({ ...row, configName: '-', configHash: '-', resources: null, fit: null, seconds: null, cached: false, error: (e as Error).message });
      opts.log(`[${i + 1}/${cases.length}] ${c.label}: cannot be generated: ${(e as Error).message}`);
      continue;
    }
    opts.log(`[${i + 1}/${cases.length}] ${c.label}: ${cfg.name} (${cfg.hash}) for ${board.part}`);
    try {
      const r = await synthesize({ cfg, board, progress: (l) => opts.log(`    ${l}`), signal: opts.signal });
      yosysVersion = r.yosysVersion;
      rows.push({ ...row, configName: cfg.name, configHash: cfg.hash, resources: r.resources, fit: r.fit, seconds: r.seconds, cached: r.cached, error: null });
    } catch (e) {
      if ((e as Error).name === 'SynthAborted') throw e;
      rows.push({ ...row, configName: cfg.name, configHash: cfg.hash, resources: null, fit: null, seconds: null, cached: false, error: (e as Error).message });
      opts.log(`    failed: ${(e as Error).message}`);
    }
  }
  return { schema: 'vta-synth-bench/1', yosysVersion, rows };
}

const fmtPct = (f: FitEntry | undefined): string => (f ? (f.pct === null ? `${f.used}/0` : `${f.pct.toFixed(1)}%`) : '-');
const fmtNum = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** The synthesis table as text: resources, % of the board, fit, seconds. */
export function formatSynthBenchTable(rep: SynthBenchReport): string {
  const head = ['case', 'config', 'family', 'LUT', 'FF', 'DSP', 'BRAM', 'URAM', 'LUT%', 'FF%', 'DSP%', 'BRAM%', 'fit', 's'];
  const body = rep.rows.map((r) => {
    if (!r.resources) return [r.label, r.configName, r.family, 'error:', (r.error ?? '').slice(0, 60), '', '', '', '', '', '', '', '-', '-'];
    const f = r.fit ?? { ok: true };
    return [
      r.label,
      r.configName,
      r.family,
      ...(['lut', 'ff', 'dsp', 'bram36', 'uram'] as const).map((k) => fmtNum(r.resources![k])),
      ...(['lut', 'ff', 'dsp', 'bram36'] as const).map((k) => fmtPct(f[k])),
      f.ok ? 'yes' : 'NO',
      r.seconds === null ? '-' : `${r.seconds}${r.cached ? '*' : ''}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), ...body.map(line), '(BRAM in the family unit: RAMB36 on Xilinx, M10K on Cyclone V; * = seconds of the cached run)'].join('\n');
}

const CHART_RESOURCES: readonly ResourceName[] = ['lut', 'ff', 'dsp', 'bram36', 'uram'];
const COLORS: Readonly<Record<string, string>> = { lut: '#4e79a7', ff: '#59a14f', dsp: '#e15759', bram36: '#f28e2b', uram: '#b07aa1' };

/** An SVG bar chart: % of the board used per resource, one group of bars per case, 100% marked. */
export function synthBenchSvg(rep: SynthBenchReport): string {
  const rows = rep.rows.filter((r) => r.fit);
  const barW = 12;
  const groupW = CHART_RESOURCES.length * barW + 24;
  const left = 60;
  const top = 70;
  const h = 260;
  // The axis reaches the largest bar (rounded up to 50%) so over-budget cases read off the grid too.
  const maxPct = Math.ceil(Math.max(120, ...rows.flatMap((r) => CHART_RESOURCES.map((k) => r.fit?.[k]?.pct ?? 0))) / 50) * 50;
  const y = (pct: number) => top + h - (Math.min(pct, maxPct) / maxPct) * h;
  const ticks = [0, 25, 50, 75, 100];
  for (let t = 150; t <= maxPct; t += 50) ticks.push(t);
  const width = Math.max(560, left + rows.length * groupW + 160);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + h + 150}" font-family="sans-serif" font-size="11">`);
  parts.push(`<text x="${left}" y="20" font-size="14">Synthesis estimate (yosys ${rep.yosysVersion ?? '?'}): % of each board's resources</text>`);
  parts.push(`<text transform="translate(16,${top + h / 2}) rotate(-90)" text-anchor="middle">% of the board</text>`);
  for (const pct of ticks) {
    parts.push(
      `<line x1="${left}" x2="${left + rows.length * groupW}" y1="${y(pct)}" y2="${y(pct)}" stroke="${pct === 100 ? '#c00' : '#ddd'}"${pct === 100 ? ' stroke-dasharray="4 3"' : ''}/>`,
    );
    parts.push(`<text x="${left - 6}" y="${y(pct) + 4}" text-anchor="end">${pct}%</text>`);
  }
  rows.forEach((r, g) => {
    const x0 = left + g * groupW + 12;
    CHART_RESOURCES.forEach((k, j) => {
      const pct = r.fit?.[k]?.pct;
      if (pct === undefined || pct === null) return;
      const x = x0 + j * barW;
      parts.push(
        `<rect x="${x}" y="${y(pct)}" width="${barW - 2}" height="${top + h - y(pct)}" fill="${COLORS[k]}"><title>${r.label} ${k}: ${r.fit?.[k]?.used} / ${r.fit?.[k]?.budget} (${pct}%)</title></rect>`,
      );
      // over budget: the percentage on the bar, since that is the number the user must bring down
      if (pct > 100) parts.push(`<text transform="translate(${x + barW / 2},${y(pct) - 3}) rotate(-90)" font-size="9">${Math.round(pct)}%</text>`);
    });
    const cx = x0 + (CHART_RESOURCES.length * barW) / 2;
    parts.push(
      `<text transform="translate(${cx},${top + h + 12}) rotate(40)" fill="${r.fit?.ok ? '#000' : '#c00'}">${r.label}${r.fit?.ok ? '' : ' (does not fit)'}</text>`,
    );
  });
  CHART_RESOURCES.forEach((k, j) => {
    const ly = top + j * 16;
    const lx = left + rows.length * groupW + 20;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${COLORS[k]}"/><text x="${lx + 14}" y="${ly + 9}">${k}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

const BENCH_SPEC: CommandSpec = {
  command: 'vta bench synth',
  flags: [
    { name: 'json', type: 'string', metavar: 'FILE', help: 'results (default build/bench/synth.json)' },
    { name: 'svg', type: 'string', metavar: 'FILE', help: 'bar chart of % used per resource per case (default build/bench/synth.svg)' },
    { name: 'only', type: 'string', metavar: 'LABELS', help: 'comma-separated case labels to run (default all)' },
  ],
};
const BENCH_DESCRIPTION =
  "Synthesises, one after another, VTA's default configuration (against the Pynq-Z1), each board preset,\n" +
  "and 1x32x32 and 2x16x16 with each board preset, for the board's family; prints resources, % of the\n" +
  'board, fit and seconds. Full cores take about a CPU-minute each; results are cached (vta synth shares\n' +
  'the cache). Case labels: ' +
  synthBenchCases()
    .map((c) => c.label)
    .join(', ') +
  '.';

/** The help text of `vta bench synth`. */
export const SYNTH_BENCH_USAGE = formatUsage(BENCH_SPEC, BENCH_DESCRIPTION);

export async function runSynthBenchCommand(argv: string[], io: CliIo = processIo): Promise<number> {
  const args = parseArgs(BENCH_SPEC, argv);
  if (args.help) {
    io.stdout(SYNTH_BENCH_USAGE);
    return EXIT_OK;
  }
  return runSynthBenchSection(io, {
    json: args.string('json'),
    svg: args.string('svg'),
    only: args
      .string('only')
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  });
}

/** The synthesis section of `vta bench` (and all of `vta bench synth`). */
export async function runSynthBenchSection(io: CliIo, o: { json?: string; svg?: string; only?: string[] } = {}): Promise<number> {
  let cases = synthBenchCases();
  if (o.only) {
    const unknown = o.only.filter((l) => !cases.some((c) => c.label === l));
    if (unknown.length) throw new UsageError(`--only: unknown case ${JSON.stringify(unknown[0])}; cases: ${cases.map((c) => c.label).join(', ')}`);
    cases = cases.filter((c) => o.only!.includes(c.label));
  }
  const json = outputFileFlag(o.json, join(REPO_ROOT, 'build', 'bench', 'synth.json'), '--json');
  const svg = outputFileFlag(o.svg, join(REPO_ROOT, 'build', 'bench', 'synth.svg'), '--svg');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let rep: SynthBenchReport;
  try {
    rep = await runSynthBench({ cases, log: (l) => io.stderr(`${l}\n`), signal: controller.signal });
  } catch (e) {
    if ((e as Error).name === 'SynthAborted') {
      io.stderr('vta bench synth: stopped (Ctrl-C)\n');
      return 130;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  io.stdout(`\nSynthesis estimates (yosys ${rep.yosysVersion ?? '?'})\n${formatSynthBenchTable(rep)}\n`);
  for (const [path, text] of [
    [json, `${JSON.stringify(rep, null, 2)}\n`],
    [svg, synthBenchSvg(rep)],
  ] as const)
    writeFileSync(path, text);
  io.stdout(`wrote ${json} and ${svg}\n`);
  return rep.rows.some((r) => r.error) ? EXIT_FAILURE : EXIT_OK;
}
