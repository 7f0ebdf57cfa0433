// Every bad input gives one clear error: on the Device (error class and context) and through `vta`
// (one line on stderr, non-zero exit, no stack, no hang).

import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { DEFAULT_CONFIG_JSON } from '../../hw/vta/config';
import { ALU_OPCODE, build, encodeProgram, Insn } from '../../hw/vta/isa';
import { DeadlockError, IllegalInstructionError, MemoryAccessError } from '../../sim/device';
import { DEFAULT_CFG, device, put, runInsns, uopBytes } from './helpers';

const ROOT = join(__dirname, '../..');
const VECTORS = join(ROOT, '../shared/conformance/vta-hls');
const tmp = mkdtempSync(join(tmpdir(), 'vta-fsim-'));
const INP = 2;
const UOP = 0;

function vta(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/vta.js'), ...args], { encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A vector file holding `insns` at 4096 and optional extra blobs; returns its path. */
function vectorFile(name: string, insns: Insn[], extra: Record<string, unknown> = {}, dramBytes = 65536): string {
  const prog = Buffer.from(encodeProgram(DEFAULT_CFG, insns));
  const v = {
    name: `default__${name}_s1`,
    config: { ...DEFAULT_CONFIG_JSON },
    dram_bytes: dramBytes,
    init: [{ addr: 4096, data: prog.toString('base64') }],
    insn_addr: 4096,
    insn_count: insns.length,
    expect: [],
    ...extra,
  };
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify(v));
  return file;
}

function expectOneLine(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.code).not.toBeNull();
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('Device errors', () => {
  test('illegal opcode names the index and fields', async () => {
    const dev = device();
    const p = runInsns(dev, [build.finish({}), { op: 'UNKNOWN', opcode: 6, popPrev: false, popNext: false, pushPrev: false, pushNext: true }]);
    await expect(p).resolves.toBeDefined(); // after FINISH: never fetched into a stage
    const q = runInsns(dev, [{ op: 'UNKNOWN', opcode: 5, popPrev: false, popNext: false, pushPrev: false, pushNext: true }, build.finish()]);
    await expect(q).rejects.toThrow(IllegalInstructionError);
    await expect(
      runInsns(dev, [{ op: 'UNKNOWN', opcode: 5, popPrev: false, popNext: false, pushPrev: false, pushNext: true }, build.finish()]),
    ).rejects.toThrow(/illegal instruction 0: opcode 5 is not an instruction .*ILLEGAL opcode=5 +\[push_next\]/);
  });

  test('illegal LOAD memory type and ALU op', async () => {
    const dev = device();
    await expect(runInsns(dev, [build.finish({}), build.finish()])).resolves.toBeDefined();
    await expect(runInsns(dev, [build.load({ memType: 4, xSize: 1 }), build.finish()])).rejects.toThrow(/illegal instruction 0: LOAD memory_type 4/);
    await expect(runInsns(dev, [build.gemm({}), build.alu({ aluOp: 7 }), build.finish()])).rejects.toThrow(/illegal instruction 1: ALU opcode 7/);
  });

  test('unbalanced tokens: deadlock names each stage, its waiting instruction and queue', async () => {
    const dev = device();
    const p = runInsns(dev, [
      build.load({ memType: INP, xSize: 0, popNext: true }),
      build.gemm({ popPrev: true }),
      build.store({ xSize: 0, popPrev: true }),
      build.finish(),
    ]);
    await expect(p).rejects.toThrow(DeadlockError);
    try {
      await runInsns(dev, [
        build.load({ memType: INP, xSize: 0, popNext: true }),
        build.gemm({ popPrev: true }),
        build.store({ xSize: 0, popPrev: true }),
        build.finish(),
      ]);
    } catch (e) {
      const d = e as DeadlockError;
      expect(d.stages.map((s) => [s.stage, s.index, s.waitsFor])).toEqual([
        ['load', 0, 'token in g2l'],
        ['compute', 1, 'token in l2g'],
        ['store', 2, 'token in g2s'],
      ]);
      expect(d.message).toMatch(/^deadlock: load waits at instruction 0 for a token in g2l .*compute waits at instruction 1 for a token in l2g/);
    }
  });

  test('a program without FINISH is reported, not looped on', async () => {
    await expect(runInsns(device(), [build.gemm({})])).rejects.toThrow(/no FINISH/);
  });

  test('DMA past the end of DRAM names the instruction and the range', async () => {
    const dev = device(); // 1 MiB
    await expect(runInsns(dev, [build.load({ memType: INP, dramBase: (1 << 20) / 16 - 1, xSize: 2, xStride: 2 }), build.finish()])).rejects.toThrow(
      /instruction 0: LOAD INP reads DRAM bytes 1048560\.\.1048591 .* outside DRAM \[0, 1048576\)/,
    );
    await expect(runInsns(dev, [build.store({ dramBase: (1 << 20) / 16, xSize: 1 }), build.finish()])).rejects.toThrow(MemoryAccessError);
  });

  test('SRAM index past the buffer: strict throws (incl. the loop-nest maximum); non-strict wraps', async () => {
    const dev = device();
    const src = put(dev, new Uint8Array(32).fill(7));
    const load = build.load({ memType: INP, sramBase: 2047, dramBase: src / 16, xSize: 2, xStride: 2 });
    await expect(runInsns(dev, [load, build.finish()])).rejects.toThrow(/instruction 0: LOAD INP SRAM index 2048 is past the end of the buffer \(depth 2048/);
    await runInsns(dev, [load, build.finish()], { strict: false });
    expect(dev.srams.inp[2047 * 16]).toBe(7);
    expect(dev.srams.inp[0]).toBe(7);

    const ua = put(dev, uopBytes(DEFAULT_CFG, [{ dst: 10, src: 0, wgt: 0 }]));
    const prog: Insn[] = [
      build.load({ memType: UOP, dramBase: ua / 4, xSize: 1, xStride: 1 }),
      build.alu({ aluOp: ALU_OPCODE.ADD, useImm: true, imm: 1, uopBgn: 0, uopEnd: 1, iterOut: 2, iterIn: 3, dstFactorOut: 1000, dstFactorIn: 10 }),
      build.finish(),
    ];
    // max dst = 10 + 1*1000 + 2*10 = 1030 < 2048: fine; with iterOut 3: 2030; with dstFactorIn 20: 2050.
    await expect(runInsns(dev, prog)).resolves.toBeDefined();
    prog[1] = { ...(prog[1] as Insn), iterOut: 3, dstFactorIn: 20 } as Insn;
    await expect(runInsns(dev, prog)).rejects.toThrow(/instruction 1: ALU dst \(ACC\) index 2050 is past the end of the buffer/);
  });
});

describe('vta run: bad inputs give one line and a non-zero exit', () => {
  const good = readFileSync(join(VECTORS, 'default__tl_gemm_4x4x4_s111.json'), 'utf8');

  test('truncated vector file', () => {
    const f = join(tmp, 'truncated.json');
    writeFileSync(f, good.slice(0, good.length / 2));
    expectOneLine(vta('run', f, '--target', 'fsim'), /truncated\.json: not valid JSON.*truncated/);
  });

  test('config with an unknown key, and with a missing key', () => {
    const v = JSON.parse(good);
    writeFileSync(join(tmp, 'unknown.json'), JSON.stringify({ ...v, config: { ...v.config, LOG_FOO: 1 } }));
    expectOneLine(vta('run', join(tmp, 'unknown.json'), '--target', 'fsim'), /unknown key LOG_FOO/);
    const { LOG_BATCH: _, ...missing } = v.config;
    writeFileSync(join(tmp, 'missing.json'), JSON.stringify({ ...v, config: missing }));
    expectOneLine(vta('run', join(tmp, 'missing.json'), '--target', 'fsim'), /missing key LOG_BATCH/);
  });

  test('illegal opcode', () => {
    const f = vectorFile('illegal', [{ op: 'UNKNOWN', opcode: 7, popPrev: false, popNext: false, pushPrev: false, pushNext: false }, build.finish()]);
    expectOneLine(vta('run', f, '--target', 'fsim'), /illegal instruction 0: opcode 7/);
  });

  test('unbalanced tokens (deadlock)', () => {
    const f = vectorFile('deadlock', [build.gemm({ popNext: true }), build.finish()]);
    expectOneLine(vta('run', f, '--target', 'fsim'), /deadlock: load idle; compute waits at instruction 0 for a token in s2g/);
  });

  test('DMA past the end of DRAM', () => {
    const f = vectorFile('dma', [build.load({ memType: INP, dramBase: 65536 / 16, xSize: 1, xStride: 1 }), build.finish()]);
    expectOneLine(vta('run', f, '--target', 'fsim'), /instruction 0: LOAD INP reads DRAM bytes 65536\.\.65551 .*outside DRAM/);
  });

  test('SRAM index past the buffer; --no-strict wraps it', () => {
    const f = vectorFile('sram', [build.load({ memType: INP, sramBase: 2040, dramBase: 4096 / 16, xSize: 10, xStride: 10 }), build.finish()]);
    expectOneLine(vta('run', f, '--target', 'fsim'), /instruction 0: LOAD INP SRAM index 2049 is past the end of the buffer/);
    const r = vta('run', f, '--target', 'fsim', '--no-strict', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });

  test('unknown targets are rejected (tsim is a target)', () => {
    const f = join(VECTORS, 'default__tl_gemm_4x4x4_s111.json');
    expectOneLine(vta('run', f, '--target', 'gpu'), /unknown target/);
  });

  test('--json on a device error is still one JSON object', () => {
    const f = vectorFile('deadlock2', [build.gemm({ popPrev: true }), build.finish()]);
    const r = vta('run', f, '--target', 'fsim', '--json');
    expect(r.code).toBe(1);
    const o = JSON.parse(r.stdout);
    expect(o.ok).toBe(false);
    expect(o.error).toMatch(/DeadlockError: deadlock/);
  });

  test('disasm: truncated binary, bad config file', () => {
    const bin = join(tmp, 'prog.bin');
    writeFileSync(bin, Buffer.alloc(20));
    expectOneLine(vta('disasm', bin), /whole number of 16-byte instructions; got 20 bytes/);
    const cfg = join(tmp, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ ...DEFAULT_CONFIG_JSON, BOGUS: 1 }));
    writeFileSync(bin, Buffer.from(encodeProgram(DEFAULT_CFG, [build.finish()])));
    expectOneLine(vta('disasm', bin, '--config', cfg), /unknown key BOGUS/);
  });
});
