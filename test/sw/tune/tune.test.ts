// Tuning: the template search spaces with illegal points pruned, every virtual-thread setting correct on
// fsim (plain, grouped, transposed conv2d and dense), the schedule database's merge and errors, a resumable
// tune, and the shipped database (ResNet-18 and the MNIST model on the default configuration and the board presets).

import { mkdtempSync, writeFileSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultConfig } from '../../../hw/vta/config';
import { namedConfig } from '../../../hw/vta/configs';
import { BOARD_NAMES } from '../../../hw/boards/boards';
import { FunctionalSimulator } from '../../../sim/fsim';
import { LocalExecutor } from '../../../exec';
import { conv2dPlanIssue } from '../../../sw/ops';
import { Runtime } from '../../../sw/runtime';
import { ScheduleDb, ScheduleRecord, SHIPPED_DB } from '../../../sw/tune/db';
import { knobsToPlan, searchSpace } from '../../../sw/tune/space';
import { pickCandidates, tune } from '../../../sw/tune/tuner';
import { tuneCommand } from '../../../sw/tune/command';
import { LayerSpec, layerGeometry, layerShape, runLayer, squareConv, workloadKey } from '../../../sw/workloads/layers';
import { MNIST_LENET_BN, RESNET18 } from '../../../sw/workloads/networks';

const cfg = defaultConfig();

test('conv2d space: TVM knobs, illegal points pruned with the reason, the rest legal', () => {
  const l = RESNET18[0];
  const s = searchSpace(cfg, l);
  // tile_h, tile_w: 14 distinct splits of 56 each; ci, co: 3 divisors of 4 blocks; 2 x 2 thread settings
  expect(s.size).toBe(14 * 14 * 3 * 3 * 4);
  expect(s.legal.length + s.pruned.length).toBe(s.size);
  expect(s.pruned.length).toBeGreaterThan(0);
  expect(s.pruned.some((p) => /exceed(s)? the (INP|ACC|WGT) (slot|buffer)/.test(p.reason))).toBe(true);
  for (const c of s.legal) expect(conv2dPlanIssue(cfg, layerGeometry(cfg, l), true, knobsToPlan(l.op, c.knobs))).toBeNull();
  expect(Object.keys(s.legal[0].knobs).sort()).toEqual(['h_nthread', 'oc_nthread', 'tile_b', 'tile_ci', 'tile_co', 'tile_h', 'tile_w']);
  const d = searchSpace(cfg, MNIST_LENET_BN[3]);
  expect(Object.keys(d.legal[0].knobs).sort()).toEqual(['oc_nthread', 'tile_b', 'tile_ci', 'tile_co']);
});

test('no legal point fails the operator: with one thread the accumulators still get half the ACC buffer (tiles alternate halves)', () => {
  for (const l of RESNET18) {
    for (const c of searchSpace(cfg, l).legal) {
      const p = knobsToPlan(l.op, c.knobs);
      expect({ layer: l.name, knobs: c.knobs, fits: p.tOC * (p.tH * p.tW + 1) <= cfg.tensor.acc.depth >> 1 }).toEqual({
        layer: l.name,
        knobs: c.knobs,
        fits: true,
      });
    }
  }
});

test('every virtual-thread setting runs correctly on fsim: conv2d, grouped, transposed, dense', async () => {
  const layers: LayerSpec[] = [
    squareConv('c', 9, 32, 32, 3, 1, 1),
    squareConv('g', 8, 64, 64, 3, 1, 2, 2),
    { op: 'conv2d_transpose', name: 't', N: 1, C: 16, H: 5, W: 5, O: 16, KH: 4, KW: 4, stride: 2, padding: 1, outputPadding: 0 },
    { op: 'dense', name: 'd', M: 3, K: 64, N: 48 },
  ];
  const dev = new FunctionalSimulator(cfg, { dramBytes: 16 << 20 });
  for (const l of layers) {
    const s = searchSpace(cfg, l);
    const picks = pickCandidates(cfg, l, s.legal, 6);
    const threads = new Set(picks.map((k) => `${k.oc_nthread}x${k.h_nthread ?? 1}`));
    expect(threads.size).toBe(l.op === 'dense' ? 2 : 4);
    for (const k of picks) {
      const c = s.legal.find((x) => JSON.stringify(x.knobs) === JSON.stringify(k))!;
      const r = await runLayer(new Runtime(dev), l, 7, c.plan);
      expect({ layer: l.name, knobs: k, correct: r.correct }).toEqual({ layer: l.name, knobs: k, correct: true });
    }
  }
});

function record(over: Partial<ScheduleRecord>): ScheduleRecord {
  const l = RESNET18[3];
  return {
    config: cfg.hash,
    configName: cfg.name,
    op: 'conv2d',
    layer: 'test',
    workload: workloadKey(cfg, l),
    knobs: { tile_b: 1, tile_h: 14, tile_w: 28, tile_ci: 1, tile_co: 2, oc_nthread: 2, h_nthread: 1 },
    cycles: 1000,
    measuredOn: 'tsim',
    plannerCycles: 1100,
    version: 'test',
    timestamp: '2026-01-01T00:00:00Z',
    ...over,
  };
}

test('database: best record wins (TSIM over the model, then fewer cycles); one line per key; errors name file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vta-db-'));
  const a = join(dir, 'a.jsonl');
  const b = join(dir, 'b.jsonl');
  writeFileSync(a, [record({ cycles: 900, measuredOn: 'fsim-cycles' }), record({ cycles: 1000 })].map((r) => JSON.stringify(r)).join('\n') + '\n');
  writeFileSync(
    b,
    JSON.stringify(record({ cycles: 950, knobs: { tile_b: 1, tile_h: 7, tile_w: 28, tile_ci: 1, tile_co: 2, oc_nthread: 2, h_nthread: 1 } })) + '\n',
  );
  const db = ScheduleDb.load([a, b, join(dir, 'missing.jsonl')]);
  expect(db.size).toBe(1);
  expect(db.lookup(cfg, RESNET18[3])!.cycles).toBe(950);
  expect(db.plan(cfg, RESNET18[3])).toMatchObject({ tOC: 2, tIC: 1, tH: 7, tW: 28, ocThreads: 2, hThreads: 1 });
  expect(db.lookup(cfg, RESNET18[4])).toBeUndefined();
  const out = join(dir, 'out.jsonl');
  db.save(out);
  expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
  writeFileSync(b, JSON.stringify(record({})) + '\n{"config": 1}\n');
  expect(() => ScheduleDb.load([b])).toThrow(`${b}:2: field "config" must be a string`);
  writeFileSync(b, 'nope\n');
  expect(() => ScheduleDb.load([b])).toThrow(new RegExp(`^${b}:1: not JSON`));
});

test('tune writes a record per layer as it finishes and a second run resumes from the database', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vta-tune-'));
  const dbFile = join(dir, 'db.jsonl');
  const layers = [MNIST_LENET_BN[2], MNIST_LENET_BN[3], { ...MNIST_LENET_BN[2], name: 'again' }];
  const run = () =>
    tune({
      cfg,
      layers,
      target: 'fsim-cycles',
      trials: 3,
      known: ScheduleDb.load([dbFile]),
      db: ScheduleDb.load([dbFile]),
      dbFile,
      executor: new LocalExecutor(1),
      log: () => undefined,
      tty: false,
    });
  const first = await run();
  expect(first.map((r) => [r.name, r.source, r.measured])).toEqual([
    ['mnist.conv3', 'tuned', 3],
    ['mnist.fc', 'tuned', 3],
    ['again', 'tuned', 3],
  ]);
  for (const r of first) expect(r.tunedCycles!).toBeLessThanOrEqual(r.plannerCycles!);
  expect(readFileSync(dbFile, 'utf8').trim().split('\n')).toHaveLength(2);
  const second = await run();
  expect(second.map((r) => r.source)).toEqual(['database', 'database', 'database']);
  expect(second.map((r) => r.tunedCycles)).toEqual(first.map((r) => r.tunedCycles));
});

test('the shipped database covers ResNet-18 and the MNIST model on the default configuration and each board preset, never slower than the planner', () => {
  const db = ScheduleDb.load([SHIPPED_DB]);
  for (const c of [cfg, ...BOARD_NAMES.map((b) => namedConfig(b))]) {
    for (const l of [...RESNET18, ...MNIST_LENET_BN]) {
      const r = db.lookup(c, l);
      expect({ config: c.hash, layer: l.name, measuredOn: r?.measuredOn }).toEqual({ config: c.hash, layer: l.name, measuredOn: 'tsim' });
      expect(r!.cycles).toBeLessThanOrEqual(r!.plannerCycles);
      expect(db.plan(c, l)).toBeDefined();
    }
  }
});

test('vta tune: usage errors are one line', async () => {
  const io = { stdout: () => undefined, stderr: () => undefined };
  await expect(tuneCommand.run(['--target', 'fpga'], io)).rejects.toThrow('--target fpga: expected tsim or fsim');
  await expect(tuneCommand.run(['--ops', 'pool'], io)).rejects.toThrow('--ops: unknown operator "pool"; operators: conv2d, dense, conv2d_transpose');
  await expect(tuneCommand.run(['--workload', 'vgg'], io)).rejects.toThrow('--workload vgg: unknown; known: resnet18, mnist-lenet-bn, or a FILE.onnx');
  await expect(tuneCommand.run(['--workload', 'resnet18', '--ops', 'dense'], io)).rejects.toThrow('--ops dense: resnet18 has no such layers');
});

test("the graph compiler uses the database: the MNIST model's VTA layers run the shipped tuned tilings", async () => {
  const { runPipeline } = await import('../../../sw/compiler/pipeline');
  const { importModel } = await import('../../../sw/compiler/import');
  const { generate, nodeGeometry } = await import('../../../sw/compiler/codegen/network');
  const { databaseSchedules } = await import('../../../sw/tune/schedules');
  const { modelLayers } = await import('../../../sw/workloads/resolve');
  const model = join(__dirname, '..', '..', '..', '..', 'shared', 'models', 'mnist-lenet-bn', 'model.onnx');
  const db = ScheduleDb.load([SHIPPED_DB]);
  const layers = modelLayers(model, cfg);
  expect(layers.map((l) => l.op)).toEqual(['conv2d', 'conv2d', 'conv2d', 'dense']);
  for (const l of layers) expect(db.plan(cfg, l)).toBeDefined();
  const p = runPipeline(importModel(model), cfg, [], { quantize: { scheme: 'global' } });
  const rt = new Runtime(new FunctionalSimulator(cfg, { dramBytes: 32 << 20 }));
  const net = await generate(rt, p.device, { schedules: databaseSchedules(db) });
  const device = net.steps.filter((s) => s.kind === 'device' && (s.node.op === 'conv2d' || s.node.op === 'dense'));
  expect(device).toHaveLength(4);
  for (const s of device) {
    if (s.kind !== 'device') continue;
    expect(s.plan).toEqual(db.planFor(cfg, nodeGeometry(cfg, p.device, s.node), true));
  }
  net.release();
});

test("vta tune --board tunes the board preset's configuration (its hash keys the records) and --gemm/knobs resolve as in vta gen", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vta-tune-board-'));
  const dbFile = join(dir, 'db.jsonl');
  const out: string[] = [];
  const io = { stdout: (s: string) => void out.push(s), stderr: () => undefined };
  const code = await tuneCommand.run(
    ['--board', 'pynq-z1', '--workload', 'mnist-lenet-bn', '--ops', 'dense', '--target', 'fsim', '--trials', '2', '--jobs', '1', '--db', dbFile],
    io,
  );
  expect(code).toBe(0);
  // fsim's "measurement" is the cost model, and the output says so
  expect(out.join('')).toContain('checked on fsim, cycles from the cost model');
  expect(out.join('')).toMatch(/planner cycles \(model\) +tuned cycles \(model\)/);
  expect(out.join('')).toContain("note: on fsim the cycles are the planner's cost model (fsim has no timing model)");
  const pynq = namedConfig('pynq-z1');
  const records = readFileSync(dbFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ScheduleRecord);
  expect(records.map((r) => [r.config, r.op, r.layer])).toEqual([[pynq.hash, 'dense', layerShape(MNIST_LENET_BN[3])]]);
  expect(records[0].config).not.toBe(cfg.hash);
  await expect(tuneCommand.run(['--alu-ii', '3', '--db', dbFile], io)).rejects.toThrow(/ALU_INITIATION_INTERVAL|--alu-ii/);
});
