// synthesize(): one configuration through @yowasp/yosys (in a worker thread) to a SynthReport, with the
// clock estimate of the mapped netlist (timing.ts). Results are cached by content: (configuration hash,
// Verilog, family, yosys script, yosys version); the cache keeps yosys' outputs (the netlist gzipped) and
// the report, timing included, is rebuilt from them. The yosys log is kept beside them; a failure names it.

import { createHash } from 'crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { gunzipSync, gzipSync } from 'zlib';
import { dirname, join, resolve } from 'path';
import { Worker } from 'worker_threads';
import { Board, boardByName, FamilyName, familyByName } from '../../hw/boards/boards';
import type { VtaConfig } from '../../hw/vta/config';
import { ConfigError } from '../../hw/vta/errors';
import { formatDuration } from '../../util/status';
import { entryComplete, stampEntry } from '../../util/cache-dir';
import { emitRtl } from '../../gen/rtl';
import { FAMILIES, Family } from './families';
import { analyse, declaredMemories, fitReport, REPORT_SCHEMA, SynthReport, withModuleTiming } from './report';
import { NetlistParseError, parseBlif } from './netlist';
import { analyseTiming, TimingReport } from './timing';
import { speedGradeOf, timingModel } from './timing-model';

export interface VerilogDesign {
  /** The top module's name, as the generator reports it. */
  readonly top: string;
  readonly files: readonly { name: string; text: string }[];
}

export interface SynthRequest {
  readonly cfg: VtaConfig;
  /** A board (its family and budgets); or give `family` alone. */
  readonly board?: Board | string;
  readonly family?: FamilyName | string;
  /** Synthesise a module other than the generator's top (it must be in the Verilog). */
  readonly top?: string;
  /** The Verilog to synthesise instead of the generator's output for `cfg` (tests: small modules). */
  readonly design?: VerilogDesign;
  /** Lines that stay: the announcement before yosys starts (default: none). */
  readonly progress?: (line: string) => void;
  /**
   * The one updating line while yosys runs (elapsed, ETA, step), about every second; a terminal redraws it.
   * Without it, `progress` gets that line every 30 s.
   */
  readonly status?: (line: string) => void;
  /** Cache root; default $VTA_CACHE_DIR/synth or <repo>/.cache/synth. */
  readonly cacheDir?: string;
  /** Ignore a cached result (the new one replaces it). */
  readonly fresh?: boolean;
  /** Aborting stops yosys (the worker is terminated) and rejects with SynthAborted. */
  readonly signal?: AbortSignal;
}

/** yosys exited with an error; the message names the log. */
export class SynthFailure extends Error {
  constructor(
    message: string,
    readonly logPath: string,
  ) {
    super(message);
    this.name = 'SynthFailure';
  }
}

export class SynthAborted extends Error {
  constructor() {
    super('synthesis stopped');
    this.name = 'SynthAborted';
  }
}

export function defaultSynthCacheDir(): string {
  const root = process.env.VTA_CACHE_DIR;
  return root ? join(root, 'synth') : resolve(__dirname, '../../.cache/synth');
}

let cachedVersion: string | undefined;
/** The @yowasp/yosys package version (the yosys build), read without loading the WebAssembly. */
export function yosysVersion(): string {
  if (cachedVersion) return cachedVersion;
  const pkg = join(dirname(require.resolve('@yowasp/yosys')), '..', 'package.json');
  cachedVersion = String(JSON.parse(readFileSync(pkg, 'utf8')).version);
  return cachedVersion;
}

/** The board and family a request names; a board fixes the family, and a different --family is an error. */
export function resolveTarget(board?: Board | string, family?: string): { board: Board | null; family: Family } {
  const b = board === undefined ? null : typeof board === 'string' ? boardByName(board) : board;
  if (family !== undefined) {
    const f = familyByName(family);
    if (b && b.family !== f) {
      throw new ConfigError(`--family ${f} contradicts --board ${b.name}, whose ${b.part} is family ${b.family}; give one of them`);
    }
    return { board: b, family: FAMILIES[f] };
  }
  return { board: b, family: FAMILIES[b ? b.family : 'xc7'] };
}

const STAT_FILE = 'stat.json';
/** The mapped netlist the clock estimate reads (BLIF: yosys writes it several times faster than JSON). */
const NETLIST_FILE = 'netlist.blif';
/** `Type/pin` of every output pin of the library cells the netlist uses (BLIF has no pin directions). */
const LIB_OUTPUTS_FILE = 'lib-outputs.txt';

/**
 * The yosys script: read, synthesise without flattening, write the statistics, the memory cells and the
 * mapped netlist for the clock estimate.
 */
export function yosysScript(design: VerilogDesign, top: string, family: Family): { script: string; outputs: string[]; cellFiles: Record<string, string> } {
  const cellFiles: Record<string, string> = {};
  family.memoryCells.forEach((type, i) => {
    cellFiles[type] = `cells_${i}.txt`;
  });
  const lines = [
    `read_verilog ${design.files.map((f) => f.name).join(' ')}`,
    `hierarchy -check -top ${top}`,
    family.synthCommand(top),
    `tee -q -o ${STAT_FILE} stat -json ${family.statArgs} -top ${top}`.replace(/\s+/g, ' '),
    ...Object.entries(cellFiles).map(([type, file]) => `tee -q -o ${file} select -list t:${type}`),
    `tee -q -o ${LIB_OUTPUTS_FILE} select -list =t:* %M =o:* %i`,
    `write_blif -param -cname ${NETLIST_FILE}`,
  ];
  return { script: lines.join('\n'), outputs: [STAT_FILE, ...Object.values(cellFiles), LIB_OUTPUTS_FILE, NETLIST_FILE], cellFiles };
}

/** What meta.json keeps of a run: how long it took, and what it was (family, GEMM MACs) for later estimates. */
interface SynthMeta {
  seconds: number;
  version: string;
  family?: string;
  macs?: number | null;
}

/**
 * Seconds a synthesis of a core with `macs` GEMM multipliers is expected to take: earlier runs of the family
 * in the cache, scaled by the MACs above a fixed part, else a rule of thumb from this project's runs of
 * @yowasp/yosys for xc7 (single-threaded): 1x8x8 114 s, the Pynq-Z1 preset's 1x16x16 3 min 37 s.
 */
export function expectedSynthSeconds(family: string, macs: number, cacheDir: string = defaultSynthCacheDir()): { seconds: number; basis: string } {
  const runs: SynthMeta[] = [];
  try {
    for (const d of readdirSync(cacheDir)) {
      try {
        const m = JSON.parse(readFileSync(join(cacheDir, d, 'meta.json'), 'utf8')) as SynthMeta;
        if (m.family === family && typeof m.macs === 'number' && m.macs > 0 && m.seconds > 0) runs.push(m);
      } catch {
        // not a finished run
      }
    }
  } catch {
    // no cache yet
  }
  if (runs.length) {
    const nearest = runs.sort((a, b) => Math.abs(Math.log(a.macs! / macs)) - Math.abs(Math.log(b.macs! / macs)))[0];
    return { seconds: OVERHEAD_SECONDS + ((nearest.seconds - OVERHEAD_SECONDS) * macs) / nearest.macs!, basis: `from a ${nearest.macs}-MAC run here` };
  }
  return { seconds: OVERHEAD_SECONDS + SECONDS_PER_MAC * macs, basis: 'a rough guess; later runs here sharpen it' };
}

/** The rule of thumb (the line through those two runs): seconds of the buffers, control and ALU, plus seconds per GEMM multiplier. */
const OVERHEAD_SECONDS = 80;
const SECONDS_PER_MAC = (217 - OVERHEAD_SECONDS) / 256;

function cacheKey(parts: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 20);
}

/** Runs yosys in a worker; resolves with its output files, rejects with SynthFailure / SynthAborted. */
function runYosysWorker(
  script: string,
  files: Record<string, string>,
  outputs: string[],
  logPath: string,
  status: (line: string) => void,
  expectedSeconds: number | null,
  signal?: AbortSignal,
): Promise<{ files: Record<string, string | null>; version: string }> {
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) {
      reject(new SynthAborted());
      return;
    }
    mkdirSync(dirname(logPath), { recursive: true });
    const log = createWriteStream(logPath);
    files['run.ys'] = script;
    const worker = new Worker(join(__dirname, 'yosys-worker.mjs'), { workerData: { args: ['-s', 'run.ys'], files, outputs } });
    const t0 = Date.now();
    let lastPass = '';
    let tail: string[] = [];
    const report = () => {
      const secs = (Date.now() - t0) / 1000;
      const eta = expectedSeconds === null ? '' : secs < expectedSeconds ? `, ETA ${formatDuration(expectedSeconds - secs)}` : ', taking longer than expected';
      status(
        `yosys: ${formatDuration(secs)}${expectedSeconds === null ? '' : ` of about ${formatDuration(expectedSeconds)}`}${eta}${lastPass ? `, step ${lastPass}` : ''}`,
      );
    };
    const timer = setInterval(report, 1000);
    timer.unref();
    let partial = '';
    const onAbort = () => {
      void worker.terminate();
      finish(() => reject(new SynthAborted()));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = (act: () => void) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      signal?.removeEventListener('abort', onAbort);
      log.end(act);
    };
    worker.on('message', (m: { type: string; text?: string; files?: Record<string, string | null>; version?: string; message?: string }) => {
      if (m.type === 'log' && m.text) {
        log.write(m.text);
        const lines = (partial + m.text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          if (/ERROR:/.test(line)) tail.push(line);
          const pass = /^(\d+(?:\.\d+)?)\. Executing (.+?)\.?$/.exec(line);
          if (pass) lastPass = `${pass[1]} ${pass[2]}`;
        }
        tail = tail.slice(-3);
      } else if (m.type === 'done') {
        finish(() => resolvePromise({ files: m.files ?? {}, version: m.version ?? '' }));
      } else if (m.type === 'error') {
        const last = (/ERROR:/.test(partial) ? [...tail, partial.trim()] : tail).pop();
        const why = last ?? m.message ?? 'yosys failed';
        finish(() => reject(new SynthFailure(`yosys failed: ${why.replace(/\s+/g, ' ').trim()}; log: ${logPath}`, logPath)));
      }
    });
    worker.on('error', (e) => finish(() => reject(new SynthFailure(`yosys worker crashed: ${e.message}; log: ${logPath}`, logPath))));
    worker.on('exit', (code) => {
      if (!settled) finish(() => reject(new SynthFailure(`yosys worker exited (code ${code}) without a result; log: ${logPath}`, logPath)));
    });
  });
}

/** Synthesises one configuration (or a given design) and reports its resources, cached by content. */
export async function synthesize(req: SynthRequest): Promise<SynthReport> {
  const { board, family } = resolveTarget(req.board, req.family);
  let design: VerilogDesign;
  try {
    design = req.design ?? emitRtl(req.cfg);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new SynthFailure(`the configuration ${req.cfg.name} cannot be generated: ${(e as Error).message}`, '');
  }
  const top = req.top ?? design.top;
  if (!design.files.some((f) => new RegExp(`^\\s*module\\s+${top.replace(/\$/g, '\\$')}\\b`, 'm').test(f.text))) {
    throw new ConfigError(`--top ${top}: no such module in the generated Verilog of ${req.cfg.name} (its top is ${design.top})`);
  }
  const { script, outputs, cellFiles } = yosysScript(design, top, family);
  const version = yosysVersion();
  const verilogHash = createHash('sha256').update(JSON.stringify(design.files)).digest('hex');
  const key = cacheKey({ schema: REPORT_SCHEMA, config: req.cfg.hash, verilog: verilogHash, family: family.name, script, yosys: version });
  const dir = join(req.cacheDir ?? defaultSynthCacheDir(), key);
  const metaPath = join(dir, 'meta.json');
  const logPath = join(dir, 'yosys.log');
  // The cache keeps yosys' raw outputs; the report is rebuilt from them, so it follows this code.
  let raw: { seconds: number; version: string; files: Record<string, string | null> } | undefined;
  const stored = (name: string) => (name === NETLIST_FILE ? `${name}.gz` : name);
  // meta.json is the entry's stamp, written last with every file's size: a run killed mid-write, or a
  // second process rewriting the entry, leaves sizes that do not match, and the entry is made again
  if (!req.fresh && entryComplete(dir, 'meta.json')) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as SynthMeta;
      const files: Record<string, string | null> = {};
      for (const name of outputs) {
        files[name] = name === NETLIST_FILE ? gunzipSync(readFileSync(join(dir, `${name}.gz`))).toString('utf8') : readFileSync(join(dir, name), 'utf8');
      }
      raw = { ...meta, files };
    } catch {
      raw = undefined; // incomplete: synthesise again
    }
  }
  const cached = raw !== undefined;
  if (!raw) {
    const progress = req.progress ?? (() => undefined);
    let lastLine = 0;
    const status =
      req.status ??
      ((line: string) => {
        if (Date.now() - lastLine < 30_000) return;
        lastLine = Date.now();
        progress(line);
      });
    // the generator's core: its GEMM multipliers set the time; a given design (tests, --top) has no estimate
    const macs = req.design ? null : req.cfg.batch * req.cfg.blockIn * req.cfg.blockOut;
    const expected = macs === null ? null : expectedSynthSeconds(family.name, macs, req.cacheDir ?? defaultSynthCacheDir());
    const low = expected && formatDuration(expected.seconds * 0.7);
    const high = expected && formatDuration(expected.seconds * 1.4);
    progress(
      `synthesizing ${req.design ? top : req.cfg.name} for ${family.name} with yosys ${version} (${family.synthCommand(top)}): ` +
        `${expected ? `about ${low} to ${high} (${expected.basis})` : 'time not known'}; cached after (log: ${logPath})`,
    );
    const files: Record<string, string> = {};
    for (const f of design.files) files[f.name] = f.text;
    lastLine = Date.now();
    const t0 = Date.now();
    const out = await runYosysWorker(script, files, outputs, logPath, status, expected?.seconds ?? null, req.signal);
    const seconds = Math.round((Date.now() - t0) / 100) / 10;
    if (!out.files[STAT_FILE]) throw new SynthFailure(`yosys wrote no statistics; log: ${logPath}`, logPath);
    for (const name of outputs) {
      if (name === NETLIST_FILE) writeFileSync(join(dir, stored(name)), gzipSync(out.files[name] ?? ''));
      else writeFileSync(join(dir, name), out.files[name] ?? '');
    }
    raw = { seconds, version: out.version || version, files: out.files };
    const meta: SynthMeta = { seconds, version: raw.version, family: family.name, macs };
    stampEntry(dir, outputs.map(stored), { ...meta }, 'meta.json');
  }
  const memoryCellLists: Record<string, string> = {};
  for (const [type, file] of Object.entries(cellFiles)) memoryCellLists[type] = raw.files[file] ?? '';
  const parts = analyse({ family, top, statText: raw.files[STAT_FILE] ?? '', memoryCellLists, declared: declaredMemories(design.files) });
  const model = timingModel(family.name, speedGradeOf(board?.part));
  let timing: TimingReport | null = null;
  try {
    if (model && raw.files[NETLIST_FILE]) timing = analyseTiming(parseBlif(raw.files[NETLIST_FILE], raw.files[LIB_OUTPUTS_FILE] ?? ''), top, model);
  } catch (e) {
    if (e instanceof NetlistParseError) throw new SynthFailure(`the clock estimate cannot read yosys' netlist: ${e.message}; log: ${logPath}`, logPath);
    throw e;
  }
  return {
    schema: REPORT_SCHEMA,
    config: req.cfg.json,
    configName: req.cfg.name,
    configHash: req.cfg.hash,
    top,
    family: family.name,
    board: board?.name ?? null,
    part: board?.part ?? null,
    yosysVersion: raw.version,
    script,
    seconds: raw.seconds,
    cached,
    logPath,
    units: family.units,
    ...withModuleTiming(parts, timing),
    fit: fitReport(parts.resources, board),
  };
}
