import { spawnSync } from 'child_process';
import { join } from 'path';
import { main, generalUsage } from '../../cli/dispatch';
import type { Command } from '../../cli/command';
import { COMMANDS } from '../../cli/commands';
import { UsageError } from '../../cli/errors';
import { ConfigError, IsaError } from '../../hw/vta/errors';
import { GEN_USAGE } from '../../gen/gen';
import { captureIo } from './util';

const ROOT = join(__dirname, '../..');

function fake(name: string, run: Command['run']): Command {
  return { name, summary: `the ${name} command`, usage: `usage: vta ${name}\n`, run };
}

describe('dispatcher', () => {
  test('gen is registered', () => {
    expect(COMMANDS.map((c) => c.name)).toContain('gen');
    for (const c of COMMANDS) expect(c.summary).not.toBe('');
  });

  test('vta --help lists the commands; vta alone prints the same to stderr with exit 2', async () => {
    const io = captureIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out).toBe(generalUsage());
    expect(io.out).toMatch(/^ {2}gen +generate the Verilog/m);
    const bare = captureIo();
    expect(await main([], bare)).toBe(2);
    expect(bare.err).toBe(generalUsage());
  });

  test('vta help gen and vta gen --help print the gen usage', async () => {
    const a = captureIo();
    expect(await main(['help', 'gen'], a)).toBe(0);
    expect(a.out).toBe(GEN_USAGE);
    const b = captureIo();
    expect(await main(['gen', '--help'], b)).toBe(0);
    expect(b.out).toBe(GEN_USAGE);
  });

  test('unknown commands and flags', async () => {
    const a = captureIo();
    expect(await main(['frobnicate'], a)).toBe(2);
    expect(a.err).toBe(`vta: unknown command "frobnicate" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see vta --help)\n`);
    const b = captureIo();
    expect(await main(['help', 'frobnicate'], b)).toBe(2);
    expect(b.err).toBe(`vta help: unknown command "frobnicate" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see vta --help)\n`);
    const c = captureIo();
    expect(await main(['--gemm', '1x16x16'], c)).toBe(2);
    expect(c.err).toBe('vta: unknown flag --gemm; a command comes first (see vta --help)\n');
  });

  test('did you mean: a mistyped command, flag or subcommand names the closest one (edit distance)', async () => {
    const cases: [string[], string][] = [
      [['gne'], 'vta: unknown command "gne"; did you mean gen? (commands: '],
      [['infre'], 'vta: unknown command "infre"; did you mean infer? ('],
      [['gen', '--gem', '1x16x16'], 'vta gen: unknown flag --gem; did you mean --gemm? (see vta gen --help)\n'],
      [['infer', 'm.onnx', '--limt', '3'], 'vta infer: unknown flag --limt; did you mean --limit? (see vta infer --help)\n'],
      [['--hepl'], 'vta: unknown flag --hepl; did you mean --help? (see vta --help)\n'],
      [
        ['bench', 'conv3d'],
        'vta bench: unknown subcommand "bench conv3d"; did you mean bench conv2d? (subcommands: conv2d, network, synth; see vta bench --help)\n',
      ],
      [['help', 'bench', 'netwrok'], 'vta help: unknown subcommand "bench netwrok"; did you mean bench network? (subcommands: conv2d, network, synth)\n'],
    ];
    for (const [argv, message] of cases) {
      const io = captureIo();
      expect([argv, await main(argv, io)]).toEqual([argv, 2]);
      expect(io.err.startsWith(message)).toBe(true);
      expect(io.err.trim().split('\n')).toHaveLength(1);
    }
    // nothing close: no guess
    const far = captureIo();
    await main(['frobnicate'], far);
    expect(far.err).not.toContain('did you mean');
  });

  test('vta --help lists every command and the bench subcommands; vta help bench conv2d shows its flags', async () => {
    const io = captureIo();
    await main(['--help'], io);
    for (const c of COMMANDS) expect(io.out).toMatch(new RegExp(`^  ${c.name} +\\S`, 'm'));
    for (const sub of ['conv2d', 'network', 'synth']) expect(io.out).toMatch(new RegExp(`^  bench ${sub} +\\S`, 'm'));
    const conv = captureIo();
    expect(await main(['help', 'bench', 'conv2d'], conv)).toBe(0);
    expect(conv.out).toMatch(/^usage: vta bench conv2d \[flags\]/);
    const synth = captureIo();
    expect(await main(['help', 'bench', 'synth'], synth)).toBe(0);
    expect(synth.out).toMatch(/^usage: vta bench synth \[flags\]/);
  });

  test('--version', async () => {
    const io = captureIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out).toMatch(/^vta-ts \d+\.\d+\.\d+\n$/);
  });

  test('commands receive their arguments and io; their exit code is passed on', async () => {
    const seen: string[][] = [];
    const cmds = [
      fake('echo', async (argv, io) => {
        seen.push(argv);
        io?.stdout(argv.join(' '));
        return 3;
      }),
    ];
    const io = captureIo();
    expect(await main(['echo', 'a', '--b'], io, cmds)).toBe(3);
    expect(seen).toEqual([['a', '--b']]);
    expect(io.out).toBe('a --b');
  });

  test.each([
    [new UsageError('bad flag'), 2, 'vta x: bad flag\n'],
    [new ConfigError('cfg.json: missing key LOG_BATCH'), 2, 'vta x: cfg.json: missing key LOG_BATCH\n'],
    [new IsaError('instruction 3: opcode 6 is not a VTA opcode'), 2, 'vta x: instruction 3: opcode 6 is not a VTA opcode\n'],
    [new TypeError('cannot read x of undefined'), 1, 'vta x: cannot read x of undefined (internal error; run with VTA_DEBUG=1 for the stack)\n'],
    ['a string', 1, 'vta x: a string (internal error; run with VTA_DEBUG=1 for the stack)\n'],
  ] as [unknown, number, string][])('a command throwing %s', async (error, code, message) => {
    const io = captureIo();
    expect(
      await main(['x'], io, [
        fake('x', async () => {
          throw error;
        }),
      ]),
    ).toBe(code);
    expect(io.err).toBe(message);
  });

  test('multi-line messages are folded to one line', async () => {
    const io = captureIo();
    await main(['x'], io, [
      fake('x', async () => {
        throw new ConfigError('first\n  second');
      }),
    ]);
    expect(io.err).toBe('vta x: first second\n');
  });
});

describe('the real vta command', () => {
  function vta(args: string[], env: Record<string, string> = {}) {
    return spawnSync(process.execPath, [join(ROOT, 'bin/vta.js'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, VTA_DEBUG: '', ...env },
    });
  }

  test('node bin/vta.js gen --gemm abc: one line on stderr, exit code 2', () => {
    const r = vta(['gen', '--gemm', 'abc']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('vta gen: --gemm: expected BATCHxBLOCK_INxBLOCK_OUT such as 1x16x16, got "abc"\n');
    expect(r.status).toBe(2);
  });

  test('npx vta help: every command and the bench subcommands, and no npm warning (no unknown .npmrc keys)', () => {
    const r = spawnSync('npx', ['vta', 'help'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    for (const name of [...COMMANDS.map((c) => c.name), 'bench conv2d', 'bench network', 'bench synth'])
      expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
  });

  test('node bin/vta.js frobnicate: exit code 2', () => {
    const r = vta(['frobnicate']);
    expect(r.stderr).toBe(`vta: unknown command "frobnicate" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see vta --help)\n`);
    expect(r.status).toBe(2);
  });
});
