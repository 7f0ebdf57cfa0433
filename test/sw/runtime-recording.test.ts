// Runtime recording: streams are checked and kept instead of run, replayed on demand with fresh data,
// buffers freed meanwhile stay allocated until the recording is released; a failed emission is aborted.
import { aluElementwise } from '../../sw/ops';
import { RuntimeError } from '../../sw/runtime';
import { runtime } from './helpers';

test('record once, replay with new inputs, release', async () => {
  const rt = runtime();
  const n = 64;
  const a = rt.alloc(n * 16 * 4);
  const b = rt.alloc(n * 16 * 4);
  const out = rt.alloc(n * 16);
  const scratch = rt.alloc(64);
  rt.startRecording();
  await aluElementwise(rt, a, b, out, n, 'ADD', { shift: 1 });
  rt.free(scratch); // held by the recording
  const rec = rt.stopRecording();
  expect(rec.programs.length).toBe(1);
  expect(rec.held).toEqual([scratch]);
  for (const k of [1, 5]) {
    rt.copyToDevice(
      a,
      Int32Array.from({ length: n * 16 }, (_, i) => i * k),
    );
    rt.copyToDevice(
      b,
      Int32Array.from({ length: n * 16 }, () => 10),
    );
    const r = await rt.replay(rec.programs[0]);
    expect(r.counters.aluUops).toBeGreaterThan(0);
    const got = new Int8Array(rt.copyFromDevice(out).buffer);
    expect(got[3]).toBe(Math.min(127, (3 * k + 10) >> 1));
  }
  expect(rt.stats.runs).toBe(2);
  rt.releaseRecording(rec);
  await expect(rt.replay({ name: 'x', insnBuf: rec.held[0] ?? scratch, insns: [] })).rejects.toThrow(RuntimeError);
  expect(() => rt.stopRecording()).toThrow('stopRecording: not recording');
  rt.startRecording();
  expect(() => rt.startRecording()).toThrow('already recording');
  rt.abortRecording();
  expect(rt.recordedPrograms).toEqual([]);
});
