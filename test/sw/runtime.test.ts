// The runtime on fsim: buffers, 2-D loads with padding, the micro-op cache, dependency folding,
// force-serial mode, and the checks that refuse bad streams before they reach the device.
import { MEM_TYPE } from '../../hw/vta/config';
import { build, stageOf } from '../../hw/vta/isa';
import { checkTokens, DeviceRunError, ProgramCheckError, Runtime, RuntimeError, serialize } from '../../sw/runtime';
import { cfgWith, runtime } from './helpers';

/** acc[i] = a[i] copied through LOAD ACC -> ALU MAX imm -> STORE of n elements. */
async function copyProgram(rt: Runtime, n: number, values: Int32Array): Promise<Int8Array> {
  const cfg = rt.config;
  const src = rt.alloc(values.byteLength);
  const dst = rt.alloc(n * cfg.tensor.out.elemBytes);
  rt.copyToDevice(src, values);
  rt.loadBuffer2D(src, 0, MEM_TYPE.ACC, 0, 1, n, n);
  rt.pushAlu(
    rt.kernel(`span${n}`, (k) => k.loop(n, 1, 1).push(0, 0)),
    'MAX',
    -128,
  );
  rt.pushAlu(
    rt.kernel(`span${n}`, () => undefined),
    'MIN',
    127,
  );
  rt.depPush('compute', 'store');
  rt.depPop('compute', 'store');
  rt.storeBuffer2D(0, dst, 0, 1, n, n);
  await rt.synchronize();
  const out = rt.copyFromDevice(dst);
  return new Int8Array(out.buffer, out.byteOffset, out.byteLength);
}

describe('runtime', () => {
  test('buffers, copies and a clipped ACC copy round-trip', async () => {
    const rt = runtime();
    const vals = Int32Array.from({ length: 64 * 16 }, (_, i) => ((i * 37) % 600) - 300);
    const out = await copyProgram(rt, 64, vals);
    expect(Array.from(out)).toEqual(Array.from(vals, (v) => Math.max(-128, Math.min(127, v))));
    expect(rt.stats.runs).toBe(1);
    expect(rt.stats.counters.accLoadBytes).toBe(64 * 64);
  });

  test('micro-op cache: a kernel is loaded once while resident, reloaded after eviction', async () => {
    const rt = runtime();
    const k = rt.kernel('big', (kk) => {
      for (let i = 0; i < 5000; i++) kk.push(i % 100, i % 100);
    });
    const small = rt.kernel('small', (kk) => kk.push(0, 0));
    rt.pushAlu(k, 'MAX', 0);
    rt.pushAlu(small, 'MAX', 0);
    rt.pushAlu(k, 'MAX', 0);
    const uopLoads = () => rt.pending.filter((i) => i.op === 'LOAD' && i.memType === MEM_TYPE.UOP && i.xSize > 0).length;
    expect(uopLoads()).toBe(2);
    const k2 = rt.kernel('big2', (kk) => {
      for (let i = 0; i < 5000; i++) kk.push(i % 50, i % 50);
    });
    rt.pushAlu(k2, 'MAX', 0); // does not fit beside `big`: everything is evicted
    rt.pushAlu(k, 'MAX', 0);
    expect(uopLoads()).toBe(4);
    const r = await rt.synchronize();
    expect(r!.counters.uopLoadBytes).toBe((5000 + 1 + 5000 + 5000) * 4);
  });

  test('a kernel larger than the micro-op buffer is rejected clearly', () => {
    const rt = runtime();
    expect(() =>
      rt.kernel('huge', (k) => {
        for (let i = 0; i < 9000; i++) k.push(0, 0);
      }),
    ).toThrow(/9000 micro-ops, more than the micro-op buffer holds \(8192\)/);
  });

  test('dependency push folds into the last instruction of the stage, else a NOP; pops are deferred', () => {
    const rt = runtime();
    const buf = rt.alloc(4096);
    rt.loadBuffer2D(buf, 0, MEM_TYPE.INP, 0, 1, 1, 1);
    rt.depPush('load', 'compute');
    rt.depPush('load', 'compute'); // flag taken: a LOAD INP x_size 0 carries it
    const p = rt.pending;
    expect(p).toHaveLength(2);
    expect(p[0].pushNext).toBe(true);
    expect(p[1]).toMatchObject({ op: 'LOAD', memType: MEM_TYPE.INP, xSize: 0, pushNext: true });
    rt.depPop('load', 'compute');
    rt.depPop('load', 'compute'); // second pop of the same queue: the first goes on a compute NOP
    rt.pushGemm(rt.kernel('g', (k) => k.push(0, 0, 0)));
    const q = rt.pending;
    expect(q[2]).toMatchObject({ op: 'LOAD', memType: MEM_TYPE.UOP, xSize: 0, popPrev: true });
    expect(q[3]).toMatchObject({ op: 'LOAD', memType: MEM_TYPE.UOP, popPrev: true }); // the LOAD UOP of the kernel
    expect(() => rt.depPush('load', 'store')).toThrow(RuntimeError);
  });

  test('SRAM ranges, field widths and DRAM ranges are checked with the operator named', async () => {
    const rt = runtime();
    rt.setOperator('myop');
    const buf = rt.alloc(64 * 4096);
    expect(() => rt.loadBuffer2D(buf, 0, MEM_TYPE.INP, 2040, 2, 8, 8)).toThrow(
      /myop instruction 0: LOAD INP writes SRAM elements 2040\.\.2055, past the INP buffer depth 2048/,
    );
    expect(() => rt.loadBuffer2D(buf, 0, MEM_TYPE.INP, 0, 1, 10, 10, { x0: 20 })).toThrow(
      /myop instruction 0 \(LOAD\): field x_pad_0 = 20 does not fit 4 bits/,
    );
    expect(() => rt.loadBuffer2D(buf, 16380, MEM_TYPE.INP, 0, 1, 10, 10)).toThrow(/reaches byte/);
    const k = rt.kernel('wide', (kk) => kk.loop(3000, 1, 0, 0).push(0, 0, 0));
    expect(() => rt.pushGemm(k)).toThrow(/GEMM writes ACC element 2999, past the ACC depth 2048/);
    expect(() => rt.kernel('field', (kk) => kk.push(5000, 0, 0))).toThrow(/micro-op 0: field dst = 5000 does not fit 11 bits/);
  });

  test('field widths are checked as instructions are queued', () => {
    const rt = runtime();
    rt.setOperator('padop');
    const buf = rt.alloc(4096);
    rt.loadBuffer2D(buf, 0, MEM_TYPE.INP, 0, 1, 1, 1);
    expect(() =>
      rt.pushAlu(
        rt.kernel('k', (k) => k.push(0, 0)),
        'ADD',
        40000,
      ),
    ).toThrow(/padop instruction 2 \(ALU\): field imm = 40000 does not fit 16 signed bits/);
  });

  test('unbalanced and deadlocking streams are refused', () => {
    const cfg = cfgWith();
    const insns = [build.load({ memType: MEM_TYPE.INP, xSize: 0, pushNext: true }), build.finish()];
    expect(() => checkTokens(cfg, insns, (i) => `op ${i}`)).toThrow(/unbalanced dependency tokens in queue l2g \(load->compute\): 1 push\(es\) but 0 pop\(s\)/);
    const dead = [
      build.load({ memType: MEM_TYPE.UOP, xSize: 0, popPrev: true, pushPrev: true }),
      build.load({ memType: MEM_TYPE.INP, xSize: 0, popNext: true, pushNext: true }),
      build.finish(),
    ];
    expect(() => checkTokens(cfg, dead, (i) => `op ${i}`)).toThrow(
      /deadlocks: load waits at instruction 1 .* for g2l.*compute waits at instruction 0 .* for l2g/,
    );
  });

  test('an unbalanced user stream fails before the device runs', async () => {
    const rt = runtime();
    rt.depPush('compute', 'store');
    await expect(rt.synchronize()).rejects.toThrow(ProgramCheckError);
  });

  test('device errors come back with the operator and instruction', async () => {
    const cfg = cfgWith();
    const rt = runtime(cfg);
    rt.setOperator('badop');
    // A LOAD whose DRAM address is past the device: bypasses the buffer check via a fake buffer.
    rt.loadBuffer2D({ addr: (32 << 20) - 4096, bytes: 1 << 20 }, 0, MEM_TYPE.INP, 0, 1, 512, 512);
    rt.depPush('load', 'compute');
    rt.depPop('load', 'compute');
    const err = await rt.synchronize().catch((e) => e);
    expect(err).toBeInstanceOf(DeviceRunError);
    expect(String(err.message)).toMatch(/badop \(instruction 0: LOAD/);
  });

  test('debug: instruction and micro-op dumps; force-serial gives the same result', async () => {
    const lines: string[] = [];
    const rt = runtime(cfgWith(), { dumpInsns: true, dumpUops: true, forceSerial: true, log: (s) => lines.push(s) });
    const vals = Int32Array.from({ length: 8 * 16 }, (_, i) => i * 3 - 200);
    const out = await copyProgram(rt, 8, vals);
    expect(Array.from(out)).toEqual(Array.from(vals, (v) => Math.max(-128, Math.min(127, v))));
    const text = lines.join('\n');
    expect(text).toMatch(/kernel span8: 1 micro-ops loop\(8/);
    expect(text).toMatch(/FINISH/);
    expect(text).toMatch(/ALU\.MAX imm=-128/);
  });

  test('debug mode runs the race detector: a STORE not ordered after the ALU that wrote OUT fails', async () => {
    const racy = async (rt: Runtime) => {
      const cfg = rt.config;
      const src = rt.alloc(8 * 16 * 4);
      const dst = rt.alloc(8 * cfg.tensor.out.elemBytes);
      rt.setOperator('racy');
      rt.loadBuffer2D(src, 0, MEM_TYPE.ACC, 0, 1, 8, 8);
      rt.pushAlu(
        rt.kernel('span8', (k) => k.loop(8, 1, 1).push(0, 0)),
        'MAX',
        -128,
      );
      rt.storeBuffer2D(0, dst, 0, 1, 8, 8); // no depPush/depPop('compute', 'store') before it
      return rt.synchronize();
    };
    await expect(racy(runtime(cfgWith(), { checkRaces: false }))).resolves.toBeTruthy();
    await expect(racy(runtime())).resolves.toBeTruthy(); // not in debug mode: no check
    const err = await racy(runtime(cfgWith(), { log: () => undefined })).catch((e) => e);
    expect(err).toBeInstanceOf(DeviceRunError);
    expect(String(err.message)).toMatch(
      /^1 race\(s\); the first between racy instruction \d+ and racy instruction \d+: race on OUT row 0 \(and 7 more rows\): compute instruction \d+ writes it \(ALU/,
    );
  });

  test('serialize makes every stage change a token handshake', () => {
    const cfg = cfgWith();
    const s = serialize(
      [build.load({ memType: MEM_TYPE.INP, xSize: 1 }), build.store({ xSize: 1 }), build.load({ memType: MEM_TYPE.ACC, xSize: 1 }), build.finish()],
      ['a', 'b', 'c', 'd'],
    );
    checkTokens(cfg, s.insns, (i) => String(i));
    const stages = s.insns.map(stageOf);
    expect(stages).toEqual(['load', 'compute', 'store', 'compute', 'compute']);
    expect(s.insns[0].pushNext && s.insns[1].popPrev && s.insns[1].pushNext && s.insns[2].popPrev && s.insns[2].pushPrev && s.insns[3].popNext).toBe(true);
  });
});
