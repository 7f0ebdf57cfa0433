// Hostile schedule databases: corrupt lines, keys twice, non-finite numbers, foreign knobs, a record
// illegal for its workload (it never displaces the shipped legal record), and paths that are devices,
// directories or far too large. Errors name the file and line; reads are bounded.

import { mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { defaultConfig } from '../../../hw/vta/config';
import { main } from '../../../cli/dispatch';
import { ScheduleDb, ScheduleRecord, SHIPPED_DB } from '../../../sw/tune/db';
import { RESNET18 } from '../../../sw/workloads/networks';
import { workloadKey } from '../../../sw/workloads/layers';

const cfg = defaultConfig();
const dir = mkdtempSync(join(tmpdir(), 'vta-dbh-'));
const layer = RESNET18.find((l) => l.name === 'c7') ?? RESNET18[6];
const shipped = ScheduleDb.load([SHIPPED_DB]);
const shippedRecord = shipped.lookup(cfg, layer)!;

function file(name: string, lines: string[]): string {
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

test('the shipped database has a legal record for the layer used below', () => {
  expect(shippedRecord).toBeDefined();
  expect(shippedRecord.workload).toEqual(workloadKey(cfg, layer));
});

test('malformed records are errors naming file and line', () => {
  const ok = JSON.stringify(shippedRecord);
  const cases: [string[], RegExp][] = [
    [[ok, '{"config": "x", '], /bad1\.jsonl:2: not JSON/],
    [[ok.replace('"cycles":', '"cycles":1,"cycles":')], /bad2\.jsonl:1: key "cycles" appears twice in one record/],
    [[ok.replace(/"cycles":\d+/, '"cycles":1e400')], /bad3\.jsonl:1: field "cycles" must be a finite non-negative number/],
    [[ok.replace('"tile_ci":', '"tile_zz":3,"tile_ci":')], /bad4\.jsonl:1: knob "tile_zz" is not a conv2d knob/],
    [[ok.replace(/"tile_co":\d+,/, '')], /bad5\.jsonl:1: knob "tile_co" is missing/],
    [[ok.replace(/"tile_co":\d+/, '"tile_co":-2')], /bad6\.jsonl:1: knob "tile_co" must be a positive integer, got -2/],
    [['[1,2,3]'], /bad7\.jsonl:1: a record must be a JSON object/],
  ];
  cases.forEach(([lines, message], i) => {
    const f = file(`bad${i + 1}.jsonl`, lines);
    expect(() => ScheduleDb.load([f])).toThrow(message);
  });
});

test('an illegal user record never displaces the shipped legal one: the layer keeps its tuned schedule, with a warning naming the record', () => {
  // claims fewer cycles than the shipped record, but its tile does not fit the buffers
  const illegal: ScheduleRecord = { ...shippedRecord, cycles: 1, knobs: { ...shippedRecord.knobs, tile_ci: 4096 } };
  const user = file('user.jsonl', [JSON.stringify(illegal)]);
  const warnings: string[] = [];
  const db = ScheduleDb.load([SHIPPED_DB, user], (m) => warnings.push(m));
  expect(db.lookup(cfg, layer)).toEqual(shippedRecord);
  expect(db.plan(cfg, layer)).toEqual(shipped.plan(cfg, layer));
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(
    new RegExp(`^schedule database ${user}:1: conv2d record for .* is not legal here \\(.*\\); using the next best record or the planner$`),
  );
  // a record for another configuration is kept but never used for this one
  const other = file('other.jsonl', [JSON.stringify({ ...shippedRecord, config: 'ffffffffffff', cycles: 1 })]);
  expect(ScheduleDb.load([SHIPPED_DB, other], (m) => warnings.push(m)).lookup(cfg, layer)).toEqual(shippedRecord);
});

test('database paths that are devices, directories or too large are refused before reading', () => {
  expect(() => ScheduleDb.load(['/dev/zero'])).toThrow(/\/dev\/zero: is a character device, not a regular file/);
  const d = join(dir, 'a-directory');
  mkdirSync(d);
  expect(() => ScheduleDb.load([d])).toThrow(/a-directory: it is a directory/);
  const big = join(dir, 'big.jsonl');
  writeFileSync(big, '');
  truncateSync(big, 100 << 20);
  expect(() => ScheduleDb.load([big])).toThrow(/big\.jsonl: larger than the limit of 32 MiB/);
  expect(readFileSync(SHIPPED_DB, 'utf8').length).toBeGreaterThan(0);
});

test('vta compile --db with a hostile database is one line', async () => {
  let err = '';
  const model = join(__dirname, '../../../../shared/models/mnist-lenet-bn/model.onnx');
  const code = await main(['compile', model, '--db', '/dev/zero'], { stdout: () => {}, stderr: (t) => void (err += t) });
  expect(err).toMatch(/^vta compile: .*\/dev\/zero: is a character device, not a regular file/);
  expect(err.trimEnd().split('\n')).toHaveLength(1);
  expect(code).toBe(2);
});
