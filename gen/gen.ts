// `vta gen`: resolves a configuration (defaults < --config file < flags), asks emitRtl for the Verilog,
// and writes it with config.json, vta_hw_spec.h and manifest.json into one directory per configuration.
// Everything here is callable from tests without spawning a process; see runGen.

import { readFileSync, writeFileSync } from 'fs';
import { isAbsolute, relative, resolve } from 'path';
import { performance } from 'perf_hooks';
import { formatUsage, parseArgs, ParsedArgs, CommandSpec } from '../cli/args';
import { CliIo, CommandFailure, EXIT_OK, processIo, reportErrors, UsageError } from '../cli/errors';
import { GENERATOR } from '../cli/version';
import { defaultConfig, deriveConfig, DEFAULT_CONFIG_JSON, parseGemmShape, VtaConfig, VtaConfigJson, withOverrides } from '../hw/vta/config';
import { ConfigError, IsaError } from '../hw/vta/errors';
import { describeFsError, readConfigFile } from '../hw/vta/config-file';
import { boardByName } from '../hw/boards/boards';
import { boardPreset } from '../hw/boards/presets';
import { prepareOutputDir } from '../util/output-dir';
import { checkGeneratorLimits } from '../hw/vta/limits';
import { HW_SPEC_HEADER, renderHwSpecHeader } from './header';
import { emitRtl as realEmitRtl, RtlEmitter, RtlOptions, RtlOutput } from './rtl';
import { INTERFACES, manifestFiles, ManifestFile, ManifestFsm, ManifestMemory, ManifestPort, READ_DURING_WRITE } from './manifest';

export const GEN_SPEC: CommandSpec = {
  command: 'vta gen',
  flags: [
    { name: 'config', type: 'string', metavar: 'FILE', help: 'a VTA vta_config.json (flags override it)' },
    { name: 'gemm', type: 'string', metavar: 'BxIxO', help: 'GEMM shape BATCH x BLOCK_IN x BLOCK_OUT, powers of two (default 1x16x16)' },
    { name: 'inp-width', type: 'int', metavar: 'LOG2', help: 'LOG_INP_WIDTH, log2 bits of an input (3)' },
    { name: 'wgt-width', type: 'int', metavar: 'LOG2', help: 'LOG_WGT_WIDTH, log2 bits of a weight (3)' },
    { name: 'acc-width', type: 'int', metavar: 'LOG2', help: 'LOG_ACC_WIDTH, log2 bits of an accumulator (5)' },
    { name: 'uop-buff', type: 'int', metavar: 'LOG2', help: 'LOG_UOP_BUFF_SIZE, log2 bytes (15)' },
    { name: 'inp-buff', type: 'int', metavar: 'LOG2', help: 'LOG_INP_BUFF_SIZE, log2 bytes (15)' },
    { name: 'wgt-buff', type: 'int', metavar: 'LOG2', help: 'LOG_WGT_BUFF_SIZE, log2 bytes (18)' },
    { name: 'acc-buff', type: 'int', metavar: 'LOG2', help: 'LOG_ACC_BUFF_SIZE, log2 bytes (17)' },
    { name: 'alu-ops', type: 'string', metavar: 'OPS', help: 'ALU operations, e.g. MIN,MAX,ADD,SHR,MUL (default without MUL)' },
    { name: 'bus-width', type: 'int', metavar: 'BITS', help: 'AXI data bus width: 64, 128, 256 or 512 (64)' },
    { name: 'insn-queue-depth', type: 'int', metavar: 'N', help: 'depth of each instruction queue, a power of two (512)' },
    { name: 'dep-queue-depth', type: 'int', metavar: 'N', help: 'capacity of each dependency-token queue, a power of two (256)' },
    { name: 'gemm-pipeline', type: 'int', metavar: 'N', help: 'register stages in the GEMM core, 1..8 (2)' },
    { name: 'alu-ii', type: 'int', metavar: 'N', help: 'cycles per vector-ALU micro-op, 1 or 2; 2 lets ACC use one read port (1)' },
    { name: 'gemm-dsp-packing', type: 'int', metavar: 'N', help: 'int8 products per GEMM DSP multiplier, 1 or 2 (1)' },
    { name: 'requant-depth', type: 'int', metavar: 'N', help: 'entries of the requantization stage, 0 = none (0); hw/vta/REQUANT.md' },
    { name: 'acc8-load', type: 'int', metavar: '0|1', help: 'LOAD memory_type 5 (ACC_8BIT, int8 sign-extended into ACC), 0 = illegal (0); hw/vta/ACC_8BIT.md' },
    {
      name: 'board',
      type: 'string',
      metavar: 'NAME',
      help: 'board preset (pynq-z1, ultra96, zcu104, de10-nano): bus width and fitting knobs; flags override it',
    },
    { name: 'source-lines', type: 'bool', help: 'annotate each Verilog block with the TypeScript line(s) that built it' },
    { name: 'out', type: 'string', metavar: 'DIR', help: 'output directory (default build/rtl/<config-name>)' },
    { name: 'allow-special-files', type: 'bool', help: 'let --config read a FIFO, device or <(...) substitution (still size-limited)' },
  ],
};

/** The configuration flags of `vta gen` (--config, --gemm and the knobs), for other commands that build a core. */
export const CONFIG_FLAGS = GEN_SPEC.flags.filter((f) => f.name !== 'out' && f.name !== 'source-lines');

/** True when any of CONFIG_FLAGS was given. */
export function hasConfigFlags(args: ParsedArgs): boolean {
  return CONFIG_FLAGS.some((f) => args.given.some((g) => g === `--${f.name}` || g.startsWith(`--${f.name} `) || g.startsWith(`--${f.name}=`)));
}

/** The configuration CONFIG_FLAGS describe, resolved exactly as `vta gen` does (default config when none). */
export function configFromArgs(args: ParsedArgs, cwd: string = process.cwd()): VtaConfig {
  return resolveGenConfig(configRequestFromArgs(args), cwd);
}

export const GEN_USAGE = formatUsage(
  GEN_SPEC,
  'Generates the Verilog of a VTA instance, with config.json, vta_hw_spec.h and manifest.json.\n' +
    "Precedence: flags override the --config file, which overrides VTA's default configuration.",
);

/** The file names `vta gen` writes next to the Verilog. */
export const CONFIG_FILE = 'config.json';
export const MANIFEST_FILE = 'manifest.json';

export interface GenManifest {
  readonly generator: string;
  /** The command that wrote the files (`vta gen --gemm 2x8x8 --wgt-buff 16`), when `vta gen` did. */
  readonly command?: string;
  readonly configName: string;
  /** Also in the header comment of every Verilog file; the top's name (`VtaCore`) does not carry it. */
  readonly configHash: string;
  readonly top: string;
  /** Verilog files in compile order, relative to the manifest. */
  readonly files: readonly string[];
  /** Every file written, with its role. */
  readonly outputs: readonly ManifestFile[];
  /** The top's ports; `interface` is a key of `interfaces`. */
  readonly interfaces?: Readonly<Record<string, string>>;
  readonly ports?: readonly ManifestPort[];
  /** Every memory, by instance path; `readDuringWrite` is explained in `readDuringWriteMeaning`. */
  readonly memories?: readonly ManifestMemory[];
  readonly readDuringWriteMeaning?: Readonly<Record<string, string>>;
  /** FSM state registers by instance path, with the value of each state. */
  readonly fsms?: readonly ManifestFsm[];
  /** C headers, relative to the manifest. */
  readonly headers: readonly string[];
  /** The resolved configuration, also written to `configFile`. */
  readonly configFile: string;
  readonly config: VtaConfig['json'];
}

export interface GenRequest {
  /** Path of a VTA JSON file, as given (resolved against cwd). */
  readonly configFile?: string;
  /** VTA keys set by flags; they win over the file. */
  readonly overrides: Partial<VtaConfigJson>;
  /** The flags that set `overrides`, as typed, for error messages. */
  readonly overrideText: readonly string[];
  readonly outDir?: string;
  /** A board whose preset sits between the file and the flags. */
  readonly board?: string;
  /** --config may name a FIFO or device. */
  readonly allowSpecial?: boolean;
  /** The request came from command-line flags: errors name the flags (`--wgt-buff 16`), not the VTA keys. */
  readonly fromFlags?: boolean;
  readonly sourceLines?: boolean;
}

/** The flags that set configuration keys (others, e.g. a command's own, are not part of error messages). */
const KNOB_FLAGS = new Set([
  'gemm',
  'alu-ops',
  'bus-width',
  'inp-width',
  'wgt-width',
  'acc-width',
  'uop-buff',
  'inp-buff',
  'wgt-buff',
  'acc-buff',
  'insn-queue-depth',
  'dep-queue-depth',
  'gemm-pipeline',
  'alu-ii',
  'gemm-dsp-packing',
  'requant-depth',
  'acc8-load',
]);

const BUS_WIDTHS: Readonly<Record<number, number>> = { 64: 6, 128: 7, 256: 8, 512: 9 };

const KEY_FLAGS: readonly (readonly [string, keyof VtaConfigJson])[] = [
  ['inp-width', 'LOG_INP_WIDTH'],
  ['wgt-width', 'LOG_WGT_WIDTH'],
  ['acc-width', 'LOG_ACC_WIDTH'],
  ['uop-buff', 'LOG_UOP_BUFF_SIZE'],
  ['inp-buff', 'LOG_INP_BUFF_SIZE'],
  ['wgt-buff', 'LOG_WGT_BUFF_SIZE'],
  ['acc-buff', 'LOG_ACC_BUFF_SIZE'],
  ['insn-queue-depth', 'INSN_QUEUE_DEPTH'],
  ['dep-queue-depth', 'DEP_QUEUE_DEPTH'],
  ['gemm-pipeline', 'GEMM_PIPELINE_DEPTH'],
  ['alu-ii', 'ALU_INITIATION_INTERVAL'],
  ['gemm-dsp-packing', 'GEMM_DSP_PACKING'],
  ['requant-depth', 'REQUANT_BUFF_DEPTH'],
  ['acc8-load', 'ACC_8BIT_LOAD'],
];

/** Translates parsed flags into a request. Throws UsageError/ConfigError for malformed values. */
export function genRequestFromArgs(args: ParsedArgs): GenRequest {
  return { ...configRequestFromArgs(args), outDir: args.string('out'), sourceLines: args.bool('source-lines'), allowSpecial: args.bool('allow-special-files') };
}

/** The configuration part of a request, for commands that take the knobs without `--out` (compile, infer). */
export function configRequestFromArgs(args: ParsedArgs): GenRequest {
  const overrides: Record<string, unknown> = {};
  const gemm = args.string('gemm');
  if (gemm !== undefined) Object.assign(overrides, parseGemmShape(gemm, '--gemm'));
  for (const [flag, key] of KEY_FLAGS) {
    const v = args.int(flag);
    if (v !== undefined) overrides[key] = v;
  }
  const aluOps = args.string('alu-ops');
  if (aluOps !== undefined) {
    overrides.ALU_OPS = aluOps
      .split(',')
      .map((s) => s.trim().toUpperCase())
      .filter((s) => s !== '');
  }
  const bus = args.int('bus-width');
  if (bus !== undefined) {
    if (!(bus in BUS_WIDTHS)) throw new UsageError(`--bus-width must be 64, 128, 256 or 512 (bits), got ${bus}`);
    overrides.LOG_BUS_WIDTH = BUS_WIDTHS[bus];
  }
  return {
    fromFlags: true,
    configFile: args.string('config'),
    overrides: overrides as Partial<VtaConfigJson>,
    overrideText: args.given.filter((g) => !g.startsWith('--config ') && !g.startsWith('--out ') && KNOB_FLAGS.has(g.split(/[ =]/)[0].slice(2))),
    board: args.string('board'),
  };
}

/** Keys that pkg_config.py derives from others: an override of their source drops them from the base. */
const DERIVED_FROM: readonly (readonly [keyof VtaConfigJson, readonly (keyof VtaConfigJson)[]])[] = [
  ['LOG_OUT_WIDTH', ['LOG_INP_WIDTH']],
  ['LOG_OUT_BUFF_SIZE', ['LOG_ACC_BUFF_SIZE', 'LOG_INP_WIDTH', 'LOG_ACC_WIDTH']],
];

const FLAG_OF_KEY: ReadonlyMap<string, string> = new Map(KEY_FLAGS.map(([flag, key]) => [key, `--${flag}`]));

/** A configuration error in the command line's words: the fix names the flag and value (`give --wgt-buff 16`). */
export function inFlagTerms(e: ConfigError): ConfigError {
  const message = e.message
    .replace(/\bset ([A-Z][A-Z0-9_]+) to (\d+)/g, (all, key: string, v: string) => (FLAG_OF_KEY.has(key) ? `give ${FLAG_OF_KEY.get(key)} ${v}` : all))
    .replace(/\b(lower|raise) ([A-Z][A-Z0-9_]+)/g, (all, verb: string, key: string) => (FLAG_OF_KEY.has(key) ? `${verb} ${FLAG_OF_KEY.get(key)}` : all));
  return message === e.message ? e : new ConfigError(message);
}

/** Defaults < file < flags, checked once; errors name the file and the flags involved (the flags' own words). */
export function resolveGenConfig(req: GenRequest, cwd: string = process.cwd()): VtaConfig {
  if (!req.fromFlags) return resolveConfig(req, cwd);
  try {
    return resolveConfig(req, cwd);
  } catch (e) {
    throw e instanceof ConfigError ? inFlagTerms(e) : e;
  }
}

function resolveConfig(req: GenRequest, cwd: string): VtaConfig {
  let base: Readonly<VtaConfigJson> = DEFAULT_CONFIG_JSON;
  let source = 'default config';
  if (req.configFile !== undefined) {
    const raw = readConfigFile(req.configFile, cwd, req.allowSpecial);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) deriveConfig(raw, req.configFile);
    base = raw as VtaConfigJson;
    source = req.configFile;
  }
  const preset = req.board !== undefined ? boardPreset(boardByName(req.board)) : {};
  const overrides = { ...preset, ...req.overrides };
  const keys = Object.keys(overrides) as (keyof VtaConfigJson)[];
  if (keys.length === 0) return checkGeneratorLimits(deriveConfig(base, source), source);
  const merged = withOverrides(base, overrides) as unknown as Record<string, unknown>;
  for (const [derived, sources] of DERIVED_FROM) {
    if (!keys.includes(derived) && sources.some((k) => keys.includes(k))) delete merged[derived];
  }
  const flags = [...(req.board !== undefined ? [`--board ${req.board}`] : []), ...req.overrideText].join(' ');
  const where = req.configFile !== undefined ? `${req.configFile} with ${flags}` : flags;
  return checkGeneratorLimits(deriveConfig(merged, where), where);
}

const EXTENSION_KEYS = [
  'LOG_BUS_WIDTH',
  'ALU_OPS',
  'INSN_QUEUE_DEPTH',
  'DEP_QUEUE_DEPTH',
  'GEMM_PIPELINE_DEPTH',
  'ALU_INITIATION_INTERVAL',
  'GEMM_DSP_PACKING',
  'REQUANT_BUFF_DEPTH',
  'ACC_8BIT_LOAD',
] as const;

/**
 * The directory name of a configuration: VTA's config string, plus `-<hash>` when an extension key
 * (which VTA's string does not encode) differs from its default. Different hardware never shares a name.
 */
export function configDirName(cfg: VtaConfig): string {
  const d = defaultConfig().json;
  const differs = EXTENSION_KEYS.some((k) => JSON.stringify(cfg.json[k]) !== JSON.stringify(d[k]));
  return differs ? `${cfg.name}-${cfg.hash}` : cfg.name;
}

export function buildManifest(cfg: VtaConfig, rtl: RtlOutput, generator: string = GENERATOR): GenManifest {
  return {
    generator,
    configName: cfg.name,
    configHash: cfg.hash,
    top: rtl.top,
    files: rtl.files.map((f) => f.name),
    outputs: manifestFiles(
      rtl.top,
      rtl.files.map((f) => f.name),
      [
        { file: HW_SPEC_HEADER, role: "C header: VTA's hw_spec constants for this configuration (for VTA's runtime and drivers)" },
        { file: CONFIG_FILE, role: "the resolved configuration, in VTA's vta_config.json keys (vta gen --config accepts it)" },
        { file: MANIFEST_FILE, role: 'this file' },
      ],
    ),
    ...(rtl.ports ? { interfaces: INTERFACES, ports: rtl.ports } : {}),
    ...(rtl.memories ? { memories: rtl.memories, readDuringWriteMeaning: READ_DURING_WRITE } : {}),
    ...(rtl.fsms ? { fsms: rtl.fsms } : {}),
    headers: [HW_SPEC_HEADER],
    configFile: CONFIG_FILE,
    config: cfg.json,
  };
}

const RESERVED = new Set([CONFIG_FILE, MANIFEST_FILE, HW_SPEC_HEADER]);

/** Checks what an emitter returned; a violation is a bug in the emitter, not a user error. */
export function checkRtlOutput(rtl: RtlOutput): void {
  if (typeof rtl?.top !== 'string' || !/^[A-Za-z_][A-Za-z0-9_$]*$/.test(rtl.top)) {
    throw new Error(`emitRtl returned an invalid top module name ${JSON.stringify(rtl?.top)}`);
  }
  if (!Array.isArray(rtl.files) || rtl.files.length === 0) throw new Error('emitRtl returned no files');
  const seen = new Set<string>();
  for (const f of rtl.files) {
    if (typeof f?.name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.(v|sv|vh|svh)$/.test(f.name)) {
      throw new Error(`emitRtl returned an invalid file name ${JSON.stringify(f?.name)} (want a plain *.v/*.sv name)`);
    }
    if (RESERVED.has(f.name) || seen.has(f.name)) throw new Error(`emitRtl returned the file name ${f.name} twice or a reserved name`);
    if (typeof f.text !== 'string') throw new Error(`emitRtl returned no text for ${f.name}`);
    seen.add(f.name);
  }
}

export interface GenResult {
  readonly cfg: VtaConfig;
  readonly outDir: string;
  readonly manifest: GenManifest;
  /** Every file written (or left as it was because it was already identical), relative to outDir. */
  readonly written: readonly string[];
}

function writeIfChanged(path: string, text: string): void {
  try {
    if (readFileSync(path, 'utf8') === text) return;
  } catch {
    // absent or unreadable: write it
  }
  writeFileSync(path, text);
}

/**
 * The files as `vta gen` writes them: each Verilog file and the C header also say which configuration they
 * are and the command that made them (the generator's own output, which TSIM builds from, stays as it is).
 */
function stamp(name: string, text: string, cfg: VtaConfig, command: string): string {
  const lines = text.split('\n');
  if (/\.s?vh?$/.test(name)) {
    const at = lines[0].startsWith('//') ? 1 : 0;
    lines.splice(at, 0, `// Configuration ${cfg.name}; made by: ${command}`);
  } else {
    const at = lines.findIndex((l) => l.includes('Generated by'));
    lines.splice(at + 1, 0, ` * Made by: ${command}`);
  }
  return lines.join('\n');
}

/** The command line as typed, each word quoted when the shell would need it. */
export function commandLine(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(' ');
}

/** Emits and writes one configuration into `outDir` (absolute); `command` is the command line that asked for it. */
export function generate(cfg: VtaConfig, outDir: string, emit: RtlEmitter = realEmitRtl, opts: RtlOptions = {}, command?: string): GenResult {
  let rtl: RtlOutput;
  try {
    rtl = emit(cfg, opts);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof IsaError) throw e;
    throw new Error(`RTL generation for ${cfg.name} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  checkRtlOutput(rtl);
  const manifest = { ...buildManifest(cfg, rtl), ...(command ? { command } : {}) };
  const mark = (name: string, text: string) => (command ? stamp(name, text, cfg, command) : text);
  const outputs: [string, string][] = [
    ...rtl.files.map((f): [string, string] => [f.name, mark(f.name, f.text)]),
    [CONFIG_FILE, `${JSON.stringify(cfg.json, null, 2)}\n`],
    [HW_SPEC_HEADER, mark(HW_SPEC_HEADER, renderHwSpecHeader(cfg))],
    [MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`],
  ];
  prepareOutputDir(outDir, 'output directory');
  for (const [name, text] of outputs) {
    const path = resolve(outDir, name);
    try {
      writeIfChanged(path, text);
    } catch (e) {
      throw new CommandFailure(`cannot write ${path}: ${describeFsError(e)}`, { cause: e });
    }
  }
  return { cfg, outDir, manifest, written: outputs.map(([n]) => n) };
}

export interface GenDeps {
  /** Replaces gen/rtl.ts's emitRtl (tests). */
  readonly emitRtl?: RtlEmitter;
  readonly io?: CliIo;
  /** Directory that relative paths (--config, --out, the default build/rtl) resolve against. */
  readonly cwd?: string;
}

function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * `vta gen <argv...>`: the whole command, errors included. Resolves to the exit code
 * (0 ok, 1 failure, 2 usage/config error) after writing one-line messages to `deps.io`.
 */
export async function runGen(argv: readonly string[], deps: GenDeps = {}): Promise<number> {
  const io = deps.io ?? processIo;
  const cwd = deps.cwd ?? process.cwd();
  return reportErrors('vta gen', io, async () => {
    const start = performance.now();
    const args = parseArgs(GEN_SPEC, argv);
    if (args.help) {
      io.stdout(GEN_USAGE);
      return EXIT_OK;
    }
    const req = genRequestFromArgs(args);
    // The output directory is checked before the (possibly long) generation starts.
    if (req.outDir !== undefined) prepareOutputDir(req.outDir, '--out', cwd);
    const cfg = resolveGenConfig(req, cwd);
    const outDir = resolve(cwd, req.outDir ?? `build/rtl/${configDirName(cfg)}`);
    const result = generate(cfg, outDir, deps.emitRtl ?? realEmitRtl, { sourceLines: req.sourceLines }, commandLine(['vta', 'gen', ...argv]));
    const ms = Math.round(performance.now() - start);
    io.stdout(
      [
        `vta gen: ${cfg.name} (hash ${cfg.hash})`,
        `  top    ${result.manifest.top}`,
        `  files  ${result.manifest.files.length} Verilog + ${HW_SPEC_HEADER}, ${CONFIG_FILE}, ${MANIFEST_FILE}`,
        `  out    ${displayPath(outDir, cwd)}`,
        `  time   ${ms} ms`,
        '',
      ].join('\n'),
    );
    return EXIT_OK;
  });
}
