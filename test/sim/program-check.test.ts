// The functional model's checks on bad programs (issue 10): the work budget, misaligned programs, and the
// program check TSIM runs before launch, which must give exactly fsim's verdict on mutated vectors.

import { spawnSync } from 'child_process';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { ALU_OPCODE, build, encodeProgram, Insn } from '../../hw/vta/isa';
import { DEFAULT_MAX_UOPS, DeviceError, WorkBudgetError } from '../../sim/device';
import { FunctionalSimulator } from '../../sim/fsim';
import { checkProgram } from '../../sim/fsim/check';
import { syntheticWorkload } from '../../sim/bench/fsim-bench';
import { mutate, runMutant } from '../../sim/testing/mutate';
import { loadVector, parseVector, skipReason } from '../../sim/vector';
import { DEFAULT_CFG } from './helpers';

const ROOT = join(__dirname, '../..');
const VECTORS = join(ROOT, '../shared/conformance/vta-hls');
const files = readdirSync(VECTORS)
  .filter((f) => f.endsWith('.json'))
  .sort();

function vta(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/vta.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a GEMM of 16383x16383 iterations is refused at once with the instruction, not run for minutes', async () => {
  const dev = new FunctionalSimulator(DEFAULT_CFG, { dramBytes: 1 << 20 });
  const insns: Insn[] = [build.gemm({ uopBgn: 0, uopEnd: 1, iterOut: 16383, iterIn: 16383 }), build.finish()];
  dev.write(0x1000, encodeProgram(DEFAULT_CFG, insns));
  const t0 = Date.now();
  const err = await dev.run(0x1000, 2).catch((e) => e);
  expect(Date.now() - t0).toBeLessThan(5000);
  expect(err).toBeInstanceOf(WorkBudgetError);
  expect(err.message).toBe(
    `instruction 0: GEMM of 1 micro-op(s) x 16383 x 16383 iterations = 268402689 micro-ops exceeds the run's work budget ` +
      `(${DEFAULT_MAX_UOPS} of ${DEFAULT_MAX_UOPS} left); raise it with --max-uops (GEMM   uop=[0,1) iter=16383x16383 dst(0,0) src(0,0) wgt(0,0))`,
  );
});

test('the budget is per run and counts every loop nest; raising it lets the same program run', async () => {
  const dev = new FunctionalSimulator(DEFAULT_CFG, { dramBytes: 1 << 20 });
  const alu = build.alu({ aluOp: ALU_OPCODE.ADD, useImm: true, imm: 1, uopBgn: 0, uopEnd: 1, iterOut: 10, iterIn: 10 });
  dev.write(0x1000, encodeProgram(DEFAULT_CFG, [alu, alu, build.finish()]));
  const err = await dev.run(0x1000, 3, { maxUops: 150 }).catch((e) => e);
  expect(err).toBeInstanceOf(WorkBudgetError);
  expect(err.message).toMatch(/^instruction 1: ALU of 1 micro-op\(s\) x 10 x 10 iterations = 100 micro-ops exceeds the run's work budget \(50 of 150 left\)/);
  expect((await dev.run(0x1000, 3, { maxUops: 200 })).counters.aluUops).toBe(200);
});

test('the default budget holds the largest program in the repository with room (the 1 M micro-op benchmark)', () => {
  const w = syntheticWorkload(DEFAULT_CFG);
  const check = checkProgram(DEFAULT_CFG, w.image, w.insnAddr, w.insnCount);
  expect(check.uops).toBe(4096 * 16 * 16);
  expect(check.uops * 64).toBeLessThanOrEqual(DEFAULT_MAX_UOPS);
});

test('a vector whose insn_addr is not 16-byte aligned is refused when loaded', () => {
  const v = JSON.parse(readFileSync(join(VECTORS, 'default__tl_gemm_4x4x4_s111.json'), 'utf8'));
  v.insn_addr += 8;
  expect(() => parseVector(JSON.stringify(v), 'x.json')).toThrow(/^x\.json: insn_addr \d+ is not 16-byte aligned/);
});

test('vta run --max-uops: the budget error names the instruction and the target; a negative budget is a usage error', () => {
  const file = join(VECTORS, 'default__tl_gemm_4x4x4_s111.json');
  const r = vta('run', file, '--target', 'fsim', '--max-uops', '10');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /fsim: WorkBudgetError: instruction 4: GEMM of 64 micro-op\(s\) x 1 x 1 iterations = 64 micro-ops exceeds the run's work budget \(10 of 10 left\); raise it with --max-uops/,
  );
  expect(vta('run', file, '--target', 'fsim', '--max-uops', '64').code).toBe(0);
  const neg = vta('run', file, '--max-uops', '-5');
  expect(neg.code).not.toBe(0);
  expect(neg.stderr).toMatch(/--max-uops -5: expected an integer >= 0/);
});

// The check TSIM runs before launch and fsim itself: the same verdict (class, index, message) on every
// mutant of every vector, and neither changes a byte outside the program's STOREs after an error.
describe.each(files.filter((f) => skipReason(loadVector(join(VECTORS, f))) === null))('%s', (file) => {
  test('program check = fsim on 8 mutants', async () => {
    const v = loadVector(join(VECTORS, file));
    const size = Math.ceil(v.dramBytes / 4096) * 4096;
    for (let seed = 1; seed <= 8; seed++) {
      const m = mutate(v, seed);
      const out = await runMutant(new FunctionalSimulator(v.config, { dramBytes: size }), m);
      const image = new Uint8Array(size);
      image.set(m.image);
      let check: string;
      try {
        checkProgram(v.config, image, m.insnAddr, m.insnCount, { strict: m.strict });
        check = 'pass';
      } catch (e) {
        if (!(e instanceof DeviceError)) throw e;
        check = `${e.name}: ${e.message}`;
      }
      const fsim = out.verdict.ok ? 'pass' : `${out.verdict.error}: ${out.verdict.message}`;
      expect({ mutant: m.description, check, strayBytes: out.strayBytes }).toEqual({ mutant: m.description, check: fsim, strayBytes: 0 });
    }
  });
});

test('mutants cover every verdict: pass, illegal instruction, memory errors, deadlock and no FINISH', async () => {
  const seen = new Set<string>();
  for (const file of ['default__tl_gemm_4x4x4_s111.json', 'default__alu_all_ops_bytes_s206.json']) {
    const v = loadVector(join(VECTORS, file));
    for (let seed = 1; seed <= 40; seed++) {
      const out = await runMutant(new FunctionalSimulator(v.config, { dramBytes: Math.ceil(v.dramBytes / 4096) * 4096 }), mutate(v, seed));
      seen.add(out.verdict.ok ? 'pass' : /no FINISH/.test(out.verdict.message ?? '') ? 'no FINISH' : out.verdict.error!);
    }
  }
  expect([...seen].sort()).toEqual(expect.arrayContaining(['DeadlockError', 'IllegalInstructionError', 'MemoryAccessError', 'no FINISH', 'pass']));
});

test('a program check that cannot know its micro-ops (a STORE of the run wrote them) says so', () => {
  const cfg = DEFAULT_CFG;
  const insns: Insn[] = [
    build.store({ memType: 4, dramBase: 0x2000 / 16, xSize: 1, ySize: 1, xStride: 1, pushPrev: true }),
    build.load({ memType: 0, dramBase: 0x2000 / 4, xSize: 1, ySize: 1, xStride: 1, popNext: true }),
    build.gemm({ uopBgn: 0, uopEnd: 1, iterOut: 1, iterIn: 1 }),
    build.finish(),
  ];
  const image = new Uint8Array(1 << 16);
  image.set(encodeProgram(cfg, insns), 0x1000);
  const check = checkProgram(cfg, image, 0x1000, insns.length);
  expect(check.warnings).toEqual([
    'instruction 2: its micro-ops were loaded from DRAM that a STORE of this run wrote; their SRAM indices are not checked before the run',
  ]);
});
