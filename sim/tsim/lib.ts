// Loads a TSIM model library (built by build.ts) with koffi and exposes the C API of bridge/tsim_api.h as
// typed functions. koffi calls a C ABI directly from JavaScript without compiling a Node addon per Node
// version; its prebuilt binary ships inside the npm package.

import koffi from 'koffi';

/** tsim_api.h's TsimStatus. */
export const TSIM_STATUS = Object.freeze({
  DONE: 0,
  CORE_ERROR: 1,
  MEM_FAULT: 2,
  MAX_CYCLES: 3,
  WATCHDOG: 4,
  FINISHED: 5,
  BAD_ARG: -1,
  HOST_TIMEOUT: -2,
});

/** tsim_api.h's TsimParam. */
export const TSIM_PARAM = Object.freeze({
  readLatency: 0,
  writeLatency: 1,
  readInterval: 2,
  writeInterval: 3,
  maxReads: 4,
  maxWrites: 5,
  resetCycles: 6,
  hostTimeout: 7,
});
export type TsimParamName = keyof typeof TSIM_PARAM;

/** tsim_api.h's TsimInfo. */
export const TSIM_INFO = Object.freeze({
  cycle: 0,
  runCycles: 1,
  faultKind: 2,
  faultAddr: 3,
  faultLen: 4,
  faultWrite: 5,
  faultCycle: 6,
  debugProgress: 7,
  debugState: 8,
  idleCycles: 9,
  readBursts: 10,
  readBeats: 11,
  writeBursts: 12,
  writeBeats: 13,
  cross4k: 14,
  busBits: 15,
  traceKind: 16,
  outstandingReads: 17,
  outstandingWrites: 18,
  hostRespErrors: 19,
  faultId: 20,
});
export type TsimInfoName = keyof typeof TSIM_INFO;

/** An opaque `TsimModel *`. */
export type TsimHandle = { readonly __tsimModel: unique symbol };

export interface TsimLib {
  readonly path: string;
  create(dramBytes: number): TsimHandle | null;
  destroy(m: TsimHandle): void;
  dram(m: TsimHandle): unknown;
  dramBytes(m: TsimHandle): number;
  /** One past the highest DRAM byte the core wrote since the last call; restarts the count. */
  takeWrittenEnd(m: TsimHandle): number;
  setParam(m: TsimHandle, param: number, value: number): number;
  getParam(m: TsimHandle, param: number): number;
  reset(m: TsimHandle): void;
  run(m: TsimHandle, insnAddr: number, insnCount: number, maxCycles: number, watchdogCycles: number): number;
  /** The async form of run: the clock loop runs on a koffi worker thread, the event loop stays free. */
  runAsync(m: TsimHandle, insnAddr: number, insnCount: number, maxCycles: number, watchdogCycles: number): Promise<number>;
  readReg(m: TsimHandle, offset: number, status: Int32Array): number;
  writeReg(m: TsimHandle, offset: number, value: number): number;
  step(m: TsimHandle, cycles: number): number;
  info(m: TsimHandle, what: number): number;
  lastError(m: TsimHandle): string;
  traceOpen(m: TsimHandle, path: string, from: number, to: number): number;
  traceClose(m: TsimHandle): void;
}

const loaded = new Map<string, TsimLib>();

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

/** Loads (once per path) a TSIM library. */
export function loadTsimLib(path: string): TsimLib {
  const hit = loaded.get(path);
  if (hit) return hit;
  const lib = koffi.load(path);
  // One opaque type per process: koffi type names are global.
  const P = 'TsimModel *';
  if (!typeRegistered) {
    // koffi's registry outlives this module (jest re-evaluates modules per test file in one worker process).
    try {
      koffi.opaque('TsimModel');
    } catch (e) {
      if (!/Duplicate type name/.test((e as Error).message)) throw e;
    }
    typeRegistered = true;
  }
  const f = {
    create: lib.func(`${P} tsim_create(uint64_t dram_bytes)`),
    destroy: lib.func(`void tsim_destroy(${P} m)`),
    dram: lib.func(`uint8_t *tsim_dram(${P} m)`),
    dramBytes: lib.func(`uint64_t tsim_dram_bytes(${P} m)`),
    takeWrittenEnd: lib.func(`uint64_t tsim_dram_take_written_end(${P} m)`),
    setParam: lib.func(`int tsim_set_param(${P} m, int param, uint64_t value)`),
    getParam: lib.func(`uint64_t tsim_get_param(${P} m, int param)`),
    reset: lib.func(`void tsim_reset(${P} m)`),
    run: lib.func(`int tsim_run(${P} m, uint32_t insn_addr, uint32_t insn_count, uint64_t max_cycles, uint64_t watchdog_cycles)`),
    readReg: lib.func(`uint32_t tsim_read_reg(${P} m, uint32_t offset, int32_t *status)`),
    writeReg: lib.func(`int tsim_write_reg(${P} m, uint32_t offset, uint32_t value)`),
    step: lib.func(`int tsim_step(${P} m, uint64_t cycles)`),
    info: lib.func(`uint64_t tsim_info(${P} m, int what)`),
    lastError: lib.func(`const char *tsim_last_error(${P} m)`),
    traceOpen: lib.func(`int tsim_trace_open(${P} m, const char *path, uint64_t from_cycle, uint64_t to_cycle)`),
    traceClose: lib.func(`void tsim_trace_close(${P} m)`),
  };
  const api: TsimLib = {
    path,
    create: (n) => f.create(n) as TsimHandle | null,
    destroy: (m) => f.destroy(m),
    dram: (m) => f.dram(m),
    dramBytes: (m) => num(f.dramBytes(m)),
    takeWrittenEnd: (m) => num(f.takeWrittenEnd(m)),
    setParam: (m, p, v) => f.setParam(m, p, v) as number,
    getParam: (m, p) => num(f.getParam(m, p)),
    reset: (m) => f.reset(m),
    run: (m, a, n, max, wd) => f.run(m, a, n, max, wd) as number,
    runAsync: (m, a, n, max, wd) =>
      new Promise((resolve, reject) => {
        f.run.async(m, a, n, max, wd, (err: unknown, res: number) => (err ? reject(err) : resolve(res)));
      }),
    readReg: (m, off, status) => (f.readReg(m, off, status) as number) >>> 0,
    writeReg: (m, off, v) => f.writeReg(m, off, v) as number,
    step: (m, c) => f.step(m, c) as number,
    info: (m, w) => num(f.info(m, w)),
    lastError: (m) => f.lastError(m) as string,
    traceOpen: (m, p, from, to) => f.traceOpen(m, p, from, to) as number,
    traceClose: (m) => f.traceClose(m),
  };
  loaded.set(path, api);
  return api;
}

let typeRegistered = false;

/** An ArrayBuffer over `bytes` bytes at a native pointer, without copying (koffi external buffer). */
export function externalView(ptr: unknown, bytes: number): ArrayBuffer {
  return koffi.view(ptr, bytes);
}
