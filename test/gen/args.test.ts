import { formatUsage, parseArgs, CommandSpec, UsageError } from '../../cli/args';

const spec: CommandSpec = {
  command: 'vta demo',
  flags: [
    { name: 'name', type: 'string', metavar: 'NAME', help: 'a name' },
    { name: 'count', type: 'int', help: 'a count' },
    { name: 'verbose', type: 'bool', help: 'talk more' },
    { name: 'define', type: 'string', repeatable: true, metavar: 'K=V', help: 'a definition' },
    { name: 'level', type: 'int', repeatable: true, help: 'levels' },
  ],
};

function usageError(argv: string[]): string {
  try {
    parseArgs(spec, argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseArgs', () => {
  test('typed values in both spellings', () => {
    const a = parseArgs(spec, ['--name', 'x', '--count=-3', '--verbose']);
    expect(a.string('name')).toBe('x');
    expect(a.int('count')).toBe(-3);
    expect(a.bool('verbose')).toBe(true);
    expect(a.help).toBe(false);
    expect(a.given).toEqual(['--name x', '--count -3', '--verbose']);
  });
  test('absent flags', () => {
    const a = parseArgs(spec, []);
    expect(a.string('name')).toBeUndefined();
    expect(a.int('count')).toBeUndefined();
    expect(a.bool('verbose')).toBe(false);
    expect(a.strings('define')).toEqual([]);
    expect(a.has('name')).toBe(false);
  });
  test('booleans take an explicit value after =', () => {
    expect(parseArgs(spec, ['--verbose=false']).bool('verbose')).toBe(false);
    expect(usageError(['--verbose=maybe'])).toBe('--verbose expects true or false, got "maybe"');
  });
  test('repeatable flags collect in order', () => {
    const a = parseArgs(spec, ['--define', 'a=1', '--level', '2', '--define=b=2', '--level', '0']);
    expect(a.strings('define')).toEqual(['a=1', 'b=2']);
    expect(a.ints('level')).toEqual([2, 0]);
  });
  test('--help and -h', () => {
    expect(parseArgs(spec, ['--help']).help).toBe(true);
    expect(parseArgs(spec, ['--count', '1', '-h']).help).toBe(true);
  });
  test('-- ends the flags', () => {
    const p: CommandSpec = { ...spec, positionals: { metavar: 'FILE...' } };
    expect(parseArgs(p, ['in.bin', '--', '--count']).positionals).toEqual(['in.bin', '--count']);
  });
  test('unknown flags', () => {
    expect(usageError(['--foo'])).toBe('unknown flag --foo (see vta demo --help)');
    expect(usageError(['--foo=1'])).toBe('unknown flag --foo (see vta demo --help)');
    expect(usageError(['-x'])).toBe('unknown flag -x (see vta demo --help)');
    expect(usageError(['--nmae', 'x'])).toBe('unknown flag --nmae; did you mean --name? (see vta demo --help)');
    expect(usageError(['--verbos'])).toBe('unknown flag --verbos; did you mean --verbose? (see vta demo --help)');
  });
  test('missing values', () => {
    expect(usageError(['--name'])).toBe('--name needs a value (NAME) (see vta demo --help)');
    expect(usageError(['--name', '--verbose'])).toBe('--name needs a value (NAME) (see vta demo --help)');
    expect(usageError(['--count='])).toBe('--count needs a value (see vta demo --help)');
  });
  test('non-integers', () => {
    expect(usageError(['--count', 'abc'])).toBe('--count expects an integer, got "abc"');
    expect(usageError(['--count', '1.5'])).toBe('--count expects an integer, got "1.5"');
    expect(usageError(['--count', '0x10'])).toBe('--count expects an integer, got "0x10"');
    expect(usageError(['--count', '99999999999999999999'])).toBe('--count expects an integer, got "99999999999999999999"');
  });
  test('a flag that is not repeatable is given twice', () => {
    expect(usageError(['--count', '1', '--count', '2'])).toBe('--count may be given only once (see vta demo --help)');
  });
  test('positionals are rejected unless declared', () => {
    expect(usageError(['stray'])).toBe('unexpected argument "stray" (see vta demo --help)');
    const p: CommandSpec = { ...spec, positionals: { metavar: 'FILE', min: 1, max: 1 } };
    expect(parseArgs(p, ['a.bin']).positionals).toEqual(['a.bin']);
    expect(() => parseArgs(p, [])).toThrow('missing FILE (see vta demo --help)');
    expect(() => parseArgs(p, ['a', 'b'])).toThrow('unexpected argument "b"');
  });
  test('getters check the declared type', () => {
    const a = parseArgs(spec, []);
    expect(() => a.int('name')).toThrow('is a string flag');
    expect(() => a.string('nope')).toThrow('never declared');
  });
});

test('formatUsage lists every flag with its placeholder', () => {
  const text = formatUsage(spec, 'Does a demo.');
  expect(text.split('\n')[0]).toBe('usage: vta demo [flags]');
  expect(text).toContain('Does a demo.');
  expect(text).toMatch(/--name NAME +a name/);
  expect(text).toMatch(/--count N +a count/);
  expect(text).toMatch(/--verbose +talk more/);
  expect(text).toMatch(/--define K=V +a definition \(repeatable\)/);
  expect(text).toMatch(/-h, --help +show this help/);
});
