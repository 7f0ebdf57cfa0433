// `vta explore`: a design space through synthesis, fit, tuned workload cycles and the Pareto front.

import { cpus } from 'os';
import { join } from 'path';
import { writeFileSync } from 'fs';
import { Command, defineCommand } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { watchInterrupts } from '../../util/interrupt';
import { EXECUTOR_FLAGS, executorFromArgs } from '../../cli/executor-flags';
import { boardByName, BOARD_NAMES } from '../../hw/boards/boards';
import { SHIPPED_DB } from '../../sw/tune/db';
import { loadScheduleDb, MEASURE_HELP, measureFlag } from '../../sw/tune/command';
import { resolveWorkload, WORKLOAD_HELP } from '../../sw/workloads/resolve';
import { explore, formatExploreTable, PrunedPoint } from './explore';
import { FitReport as BoundReport, lowerBound } from '../fpga/fit';
import type { FitReport } from '../synth/report';
import { defaultSynthCacheDir, expectedSynthSeconds } from '../synth/synthesize';
import { outputFileFlag } from '../../util/output-dir';
import { formatDuration } from '../../util/status';
import { exploreHtml } from './html';
import { expandSpace, loadSpace, SpaceError } from './space';

const SPEC: CommandSpec = {
  command: 'vta explore',
  flags: [
    { name: 'space', type: 'string', metavar: 'FILE.json', help: 'the design space: knob values and frequencies (see scripts/explore/spaces/)' },
    { name: 'workload', type: 'string', metavar: 'NAME|FILE.onnx', help: `${WORKLOAD_HELP}; default the space's, else resnet18` },
    { name: 'board', type: 'string', metavar: 'NAME', help: `the board every point must fit (${BOARD_NAMES.join(', ')}; default the space's)` },
    { name: 'target', type: 'string', metavar: 'tsim|fsim', help: `tuned schedules per point: ${MEASURE_HELP}` },
    { name: 'trials', type: 'int', metavar: 'N', help: 'schedules measured per layer and point (default 4)' },
    { name: 'db', type: 'string', metavar: 'FILE', help: 'schedule database: read, and new records written (default build/explore/schedules.jsonl)' },
    { name: 'json', type: 'string', metavar: 'FILE', help: 'write points and the Pareto front as JSON' },
    { name: 'html', type: 'string', metavar: 'FILE', help: 'write an offline HTML page with the scatter plot and the table' },
    { name: 'jobs', type: 'int', metavar: 'N', help: 'parallel worker processes (default: the number of cores)' },
    ...EXECUTOR_FLAGS,
  ],
};

const DESCRIPTION =
  'For each point of the space (the cartesian product of its knob values): generate the Verilog,\n' +
  "synthesise it (vta synth, cached) and keep it only if it fits the board; then tune the workload's\n" +
  'layers for it (the schedule database first) and report cycles, GOPS at each frequency, GOPS per DSP\n' +
  "and per BRAM. Points are named by VTA's configuration string (e.g. 1x16_i8w8a32_15_15_18_17).";

/** A lower bound's rows in the shape of vta synth's fit (what the report and the page show). */
function boundFit(b: BoundReport): FitReport {
  const entries = Object.fromEntries(
    b.rows.map((r) => [
      r.resource,
      { used: r.used, budget: r.available, pct: r.available ? Math.round((10000 * r.used) / r.available) / 100 : null, unit: r.unit },
    ]),
  );
  return { ok: b.fits, ...entries };
}

export const exploreCommand: Command = defineCommand({
  name: 'explore',
  summary: 'design-space exploration: synthesis, fit, tuned cycles and the Pareto front',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const spaceFile = args.string('space');
    if (!spaceFile) throw new UsageError('--space FILE.json is required (examples in scripts/explore/spaces/)');
    let space;
    let points;
    let invalid;
    try {
      space = loadSpace(spaceFile);
      ({ points, invalid } = expandSpace(space));
    } catch (e) {
      if (e instanceof SpaceError) throw new UsageError(e.message);
      throw e;
    }
    const boardName = args.string('board') ?? space.board;
    if (!boardName) throw new UsageError(`--board: ${spaceFile} names no board; give --board (${BOARD_NAMES.join(', ')})`);
    const board = boardByName(boardName);
    const target = measureFlag(args.string('target'));
    const trials = args.int('trials') ?? 4;
    if (trials < 1) throw new UsageError(`--trials ${trials}: expected at least 1`);
    const jobs = args.int('jobs') ?? cpus().length;
    if (jobs < 1) throw new UsageError(`--jobs ${jobs}: expected at least 1`);
    const workload = args.string('workload') ?? space.workload ?? 'resnet18';
    for (const p of points.slice(0, 1)) await resolveWorkload(workload, p.cfg); // a bad workload fails before any synthesis
    const dbFile = outputFileFlag(args.string('db'), join(process.cwd(), 'build', 'explore', 'schedules.jsonl'), '--db');
    const db = loadScheduleDb([dbFile]);
    // the reports are written even when the run is stopped, so their paths are checked now
    const jsonPath = outputFileFlag(args.string('json'), join(process.cwd(), 'build', 'explore', 'report.json'), '--json');
    const htmlPath = outputFileFlag(args.string('html'), join(process.cwd(), 'build', 'explore', 'report.html'), '--html');
    const log = (line: string) => io.stderr(line + '\n');
    const executor = executorFromArgs(args, jobs, log);
    for (const p of invalid) io.stderr(`skipped ${JSON.stringify(p.knobs)}: ${p.reason}\n`);
    // points a lower bound rules out are never synthesized
    const pruned = await Promise.all(
      points.map(async (p): Promise<PrunedPoint | null> => {
        const b = await lowerBound(p.cfg, board);
        return b.fits ? null : { reason: b.fix ?? 'does not fit', fit: boundFit(b), resources: Object.fromEntries(b.rows.map((r) => [r.resource, r.used])) };
      }),
    );
    const left = points.filter((_, i) => !pruned[i]);
    const perPoint = left.length
      ? left.reduce((s, p) => s + expectedSynthSeconds(board.family, p.cfg.batch * p.cfg.blockIn * p.cfg.blockOut).seconds, 0) / left.length
      : 0;
    io.stdout(
      `explore: ${points.length} points of ${spaceFile} on ${board.name} (${board.part}), workload ${workload}, schedules on ${target === 'tsim' ? 'tsim' : 'fsim (cost model)'}, ${executor.description}\n`,
    );
    points.forEach((p, i) => {
      if (pruned[i]) io.stdout(`  ${p.name}: pruned, not synthesized: ${pruned[i]!.reason}\n`);
    });
    if (left.length) {
      io.stdout(
        `  ${left.length} point(s) to synthesize with yosys: about ${formatDuration(perPoint)} each on a first run (cached after), then tuning; ` +
          `Ctrl-C stops and writes the partial report\n`,
      );
    }
    const interrupts = watchInterrupts(log, 'the exploration');
    let report;
    try {
      report = await explore({
        points,
        board: board.name,
        boardClockMhz: board.clockMhz,
        frequencyMhz: space.frequencyMhz,
        workload,
        target,
        trials,
        dbFiles: [SHIPPED_DB, dbFile],
        db,
        dbFile,
        executor,
        log,
        tty: !!process.stderr.isTTY && io === processIo,
        pruned,
        expectedPointSeconds: perPoint || undefined,
        signal: interrupts.signal,
      });
    } finally {
      interrupts.dispose();
    }
    report.invalid = invalid;
    io.stdout('\n' + formatExploreTable(report) + '\n');
    writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
    writeFileSync(htmlPath, exploreHtml(report));
    io.stdout(`wrote ${jsonPath} and ${htmlPath}\n`);
    if (report.interrupted) {
      io.stderr(
        `vta explore: stopped (Ctrl-C): ${report.interrupted.done} of the ${report.interrupted.total} points to synthesize finished; ` +
          `the report above and its files are partial. To resume, run the same command again: finished syntheses are cached ` +
          `(${defaultSynthCacheDir()}) and finished points' schedules are in ${dbFile}, so only the unfinished points are redone.\n`,
      );
      return EXIT_INTERRUPTED;
    }
    io.stdout(
      `${report.points.filter((p) => p.fit?.ok).length} of ${report.points.length} points fit ${board.name}; Pareto front: ${report.pareto.join(', ') || '(empty)'}\n`,
    );
    return report.points.some((p) => p.error) ? EXIT_FAILURE : EXIT_OK;
  },
});
