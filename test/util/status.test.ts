// The progress displays of slow steps: one updating line (StatusLine: redrawn on a terminal, a few lines
// in a log) and a batch's bar with its ETA and one line per running job (exec/progress.ts).
import { Progress, progressBar } from '../../exec/progress';
import { formatDuration, StatusLine } from '../../util/status';

test('durations read as seconds, then minutes and seconds, then hours', () => {
  expect(formatDuration(42.4)).toBe('42 s');
  expect(formatDuration(217)).toBe('3 min 37 s');
  expect(formatDuration(3 * 3600 + 5 * 60)).toBe('3 h 05 min');
});

test('StatusLine: a terminal redraws one line; a log gets at most one line per interval', () => {
  const tty: string[] = [];
  const t = new StatusLine((s) => void tty.push(s), true);
  t.update('yosys: 1 s');
  t.update('yosys: 2 s');
  t.note('synthesizing x');
  t.done();
  expect(tty).toEqual(['\r\x1b[Kyosys: 1 s', '\r\x1b[Kyosys: 2 s', '\r\x1b[Ksynthesizing x\n', 'yosys: 2 s', '\r\x1b[K']);
  const log: string[] = [];
  const l = new StatusLine((s) => void log.push(s), false, 60_000);
  for (let i = 0; i < 100; i++) l.update(`yosys: ${i} s`);
  l.note('done');
  expect(log).toEqual(['yosys: 0 s\n', 'done\n']);
});

test("a batch bar: done/total and an ETA, estimated before the first task finishes when a task's time is known", () => {
  const t0 = Date.now();
  expect(progressBar(0, 3, 0, t0, { unit: 'points', jobs: 2, expectedTaskSeconds: 200 })).toMatch(
    /^\[\.{30}\] 0\/3 points done, failed 0, 0 s, ETA ~6 min 40 s \(estimated\)$/,
  );
  expect(progressBar(0, 3, 0, t0)).toMatch(/ETA after the first finishes$/);
  expect(progressBar(1, 4, 0, t0 - 60_000)).toMatch(/^\[#{8}\.{22}\] 1\/4 done, failed 0, 60 s, ETA 3 min 00 s$/);
  expect(progressBar(4, 4, 1, t0)).toMatch(/4\/4 done, failed 1, 0 s, done$/);
});

test("a batch in a log: the running jobs' lines ride on the bar line; on a terminal they sit under it", () => {
  const lines: string[] = [];
  const p = new Progress(2, (l) => void lines.push(l), false, { unit: 'points', everyMs: 0 });
  p.status(0, 'a: yosys: 10 s of about 3 min 00 s');
  p.status(1, 'b: yosys: 9 s');
  p.tick(true);
  p.end();
  expect(lines[0]).toMatch(/^\[#{15}\.{15}\] 1\/2 points done, failed 0, 0 s, ETA 0 s; running: a: yosys: 10 s of about 3 min 00 s; b: yosys: 9 s$/);
  const screen: string[] = [];
  const q = new Progress(
    2,
    (l) => void screen.push(`${l}\n`),
    true,
    { unit: 'points' },
    (s) => void screen.push(s),
  );
  q.status(0, 'a: yosys: 1 s');
  q.note('b: fits');
  q.end();
  const text = screen.join('');
  // the block (bar + one line per job) is erased before a note and drawn again after it
  expect(text).toContain('\n  a: yosys: 1 s');
  // eslint-disable-next-line no-control-regex
  expect(text).toMatch(/\x1b\[K\x1b\[1A\r\x1b\[Kb: fits\n\[/);
});
