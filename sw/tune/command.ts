// `vta tune`: tune the operator schedules of a network's layers and store the best in a database.

import { cpus } from 'os';
import { join } from 'path';
import { EXIT_INTERRUPTED, watchInterrupts } from '../../util/interrupt';
import { defineCommand, Command } from '../../cli/command';
import type { CommandSpec } from '../../cli/args';
import { EXIT_FAILURE, EXIT_OK, processIo, UsageError } from '../../cli/errors';
import { EXECUTOR_FLAGS, executorFromArgs } from '../../cli/executor-flags';
import { CONFIG_FLAGS, configFromArgs } from '../../gen/gen';
import { LayerOp } from '../workloads/layers';
import { resolveWorkload, WORKLOAD_HELP } from '../workloads/resolve';
import { MeasureKind, ScheduleDb, ScheduleDbError, SHIPPED_DB } from './db';
import { didYouMean } from '../../util/suggest';
import { outputFileFlag } from '../../util/output-dir';
import { formatTuneTable, tune } from './tuner';

const OPS: readonly LayerOp[] = ['conv2d', 'dense', 'conv2d_transpose'];

/** `--target` of tune and explore: the device candidates run on; the same names as every other command. */
export const MEASURE_HELP =
  'where candidates run: tsim (cycles of the generated Verilog, measured; default) or fsim (checked for correctness; ' +
  "fsim has no timing, so the cycles are the planner's cost model estimate, the same model that ranks the candidates)";

/** `--target tsim|fsim` as the database's measurement kind (`fsim-cycles`, also accepted as the older spelling). */
export function measureFlag(value: string | undefined): MeasureKind {
  const t = value ?? 'tsim';
  if (t === 'tsim') return 'tsim';
  if (t === 'fsim' || t === 'fsim-cycles') return 'fsim-cycles';
  throw new UsageError(`--target ${t}: expected tsim or fsim${didYouMean(t, ['tsim', 'fsim'])}`);
}

/** What a fsim "measurement" is, said under the results so tuned/planner 1.000 is not a mystery. */
export const FSIM_MEASURE_NOTE =
  "note: on fsim the cycles are the planner's cost model (fsim has no timing model), the model that also ranked the\n" +
  "candidates, so tuned/planner is 1.000 wherever the planner's own choice is the model's best; fsim checks that every\n" +
  'candidate computes the right result. --target tsim measures cycles on the generated Verilog.';

const SPEC: CommandSpec = {
  command: 'vta tune',
  flags: [
    { name: 'workload', type: 'string', metavar: 'NAME|FILE.onnx', help: WORKLOAD_HELP },
    { name: 'ops', type: 'string', metavar: 'A,B', help: `operators to tune (${OPS.join(', ')}; default all)` },
    { name: 'target', type: 'string', metavar: 'tsim|fsim', help: MEASURE_HELP },
    { name: 'trials', type: 'int', metavar: 'N', help: "candidates measured per layer, the planner's included (default 8)" },
    { name: 'db', type: 'string', metavar: 'FILE', help: 'the database to write (default build/tune/schedules.jsonl); records already there are skipped' },
    ...CONFIG_FLAGS,
    { name: 'jobs', type: 'int', metavar: 'N', help: 'parallel worker processes (default: the number of cores)' },
    ...EXECUTOR_FLAGS,
  ],
};

const DESCRIPTION =
  "Per distinct layer: the VTA template's search space (conv2d tile_b/h/w/ci/co, oc_nthread, h_nthread;\n" +
  "dense tile_b/ci/co, oc_nthread), illegal points pruned, ranked by the planner's cost model; the\n" +
  "planner's choice and the best few by the model are measured and checked against the integer reference.\n" +
  'The fastest correct schedule is written to the database (one JSON line per best record) as soon as its\n' +
  'layer is done, so an interrupted run resumes. Layers the shipped or user database has are skipped.';

/** Reads schedule databases for a command: a malformed file is a one-line usage error naming file and line. */
export function loadScheduleDb(files: readonly string[]): ScheduleDb {
  try {
    return ScheduleDb.load(files);
  } catch (e) {
    if (e instanceof ScheduleDbError) throw new UsageError(e.message);
    throw e;
  }
}

export const tuneCommand: Command = defineCommand({
  name: 'tune',
  summary: 'tune operator schedules of a network (on TSIM, or checked on fsim) and store the best in a database',
  spec: SPEC,
  description: DESCRIPTION,
  async execute(args, io) {
    const target = measureFlag(args.string('target'));
    const trials = args.int('trials') ?? 8;
    if (trials < 1) throw new UsageError(`--trials ${trials}: expected at least 1`);
    const jobs = args.int('jobs') ?? cpus().length;
    if (jobs < 1) throw new UsageError(`--jobs ${jobs}: expected at least 1`);
    const ops = (args.string('ops') ?? OPS.join(','))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const op of ops) if (!OPS.includes(op as LayerOp)) throw new UsageError(`--ops: unknown operator ${JSON.stringify(op)}; operators: ${OPS.join(', ')}`);
    const cfg = configFromArgs(args);
    const workload = await resolveWorkload(args.string('workload') ?? 'resnet18', cfg);
    const layers = workload.layers.filter((l) => ops.includes(l.op));
    if (!layers.length) throw new UsageError(`--ops ${ops.join(',')}: ${workload.name} has no such layers`);
    const dbFile = outputFileFlag(args.string('db'), join(process.cwd(), 'build', 'tune', 'schedules.jsonl'), '--db');
    const db = loadScheduleDb([dbFile]);
    const known = loadScheduleDb([SHIPPED_DB, dbFile]);
    const log = (line: string) => io.stderr(line + '\n');
    const executor = executorFromArgs(args, jobs, log);
    io.stdout(
      `tune: ${workload.name}, ${layers.length} layers on ${cfg.name}, ${target === 'tsim' ? 'measured on tsim' : 'checked on fsim, cycles from the cost model'}, ${trials} trials per layer, ${executor.description}\n`,
    );
    const interrupts = watchInterrupts(log, 'tuning');
    try {
      const rows = await tune({
        cfg,
        layers,
        target,
        trials,
        known,
        db,
        dbFile,
        executor,
        log,
        tty: !!process.stderr.isTTY && io === processIo,
        signal: interrupts.signal,
      });
      io.stdout('\n' + formatTuneTable(rows, target) + '\n');
      if (target !== 'tsim') io.stdout(`${FSIM_MEASURE_NOTE}\n`);
      io.stdout(`database ${dbFile}: ${db.size} records\n`);
      const stopped = rows.filter((r) => r.source === 'interrupted').length;
      if (stopped) {
        io.stdout(
          `interrupted: ${rows.length - stopped} of ${rows.length} layers done and saved; run the same command again to resume (the database skips them)\n`,
        );
        return EXIT_INTERRUPTED;
      }
      return rows.every((r) => r.source !== 'failed') ? EXIT_OK : EXIT_FAILURE;
    } finally {
      interrupts.dispose();
    }
  },
});
