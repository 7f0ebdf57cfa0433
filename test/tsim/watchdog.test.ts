// A deadlocking program on the TSIM core: the watchdog error names, per stage, the full index of the
// instruction it waits at and the queue it waits for (live registers LOAD_PC.., STAGE_STATE, TOKEN_COUNTS).

import { deriveConfig, DEFAULT_CONFIG_JSON, MEM_TYPE } from '../../hw/vta/config';
import { build, encodeProgram, Insn } from '../../hw/vta/isa';
import { openDevice } from '../../sim/targets';
import { WatchdogError } from '../../sim/tsim/errors';
import { DeadlockError } from '../../sim/device';
import { FunctionalSimulator } from '../../sim/fsim';

// Verilator is a required tool (scripts/setup-system.sh installs it): without it these fail, naming the install command.
const t = test;
jest.setTimeout(600_000);

t('a GEMM popping a token no one pushes: the watchdog names each stage, its instruction index and queue', async () => {
  // The program check would refuse this deadlock before launch (see the next test); skip it to reach the watchdog.
  const cfg = deriveConfig(DEFAULT_CONFIG_JSON);
  const insns: Insn[] = [];
  // 300 no-op loads first, so the waiting indices need more than 8 bits.
  for (let i = 0; i < 300; i++) insns.push(build.load({ memType: MEM_TYPE.INP, xSize: 0 }));
  insns.push(build.load({ memType: MEM_TYPE.UOP, dramBase: 0x8000 / 4, xSize: 1, ySize: 1, xStride: 1 }));
  insns.push(build.gemm({ popPrev: true, uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 1 })); // 301: no LOAD pushes l2g
  insns.push(build.store({ memType: MEM_TYPE.OUT, popPrev: true, dramBase: 0x9000 / 16, xSize: 1, ySize: 1, xStride: 1 })); // 302
  insns.push(build.finish()); // 303
  const dev = await openDevice('tsim', cfg, { dramBytes: 1 << 20, log: () => undefined });
  try {
    dev.write(0x1000, encodeProgram(cfg, insns));
    const err = await (dev as unknown as { run(a: number, n: number, o: object): Promise<unknown> })
      .run(0x1000, insns.length, { watchdogCycles: 2000, precheck: false })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WatchdogError);
    const w = err as WatchdogError;
    expect(w.stages.map((s) => [s.stage, s.index, s.waitsFor])).toEqual([
      ['load', null, null],
      ['compute', 301, 'token in l2g'],
      ['store', 302, 'token in g2s'],
    ]);
    expect(w.message).toMatch(/compute waits at instruction 301 for a token in l2g \(GEMM/);
    expect(w.message).toMatch(/store waits at instruction 302 for a token in g2s \(STORE/);
    expect(w.message).toMatch(/load idle/);
  } finally {
    dev.close?.();
  }
});

t('the same deadlock with the program check on: the DeadlockError fsim gives, before the hardware runs', async () => {
  const cfg = deriveConfig(DEFAULT_CONFIG_JSON);
  const insns: Insn[] = [
    build.load({ memType: MEM_TYPE.UOP, dramBase: 0x8000 / 4, xSize: 1, ySize: 1, xStride: 1 }),
    build.gemm({ popPrev: true, uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 1 }),
    build.finish(),
  ];
  const fsim = new FunctionalSimulator(cfg, { dramBytes: 1 << 20 });
  fsim.write(0x1000, encodeProgram(cfg, insns));
  const want = await fsim.run(0x1000, insns.length).catch((e) => e);
  expect(want).toBeInstanceOf(DeadlockError);
  const dev = await openDevice('tsim', cfg, { dramBytes: 1 << 20, log: () => undefined });
  try {
    dev.write(0x1000, encodeProgram(cfg, insns));
    const err = await dev.run(0x1000, insns.length).catch((e) => e);
    expect(err).toBeInstanceOf(DeadlockError);
    expect(err.message).toBe(want.message);
    expect(err.message).toMatch(/compute waits at instruction 1 for a token in l2g/);
  } finally {
    dev.close?.();
  }
});
