// The C API of a TSIM model library (lib<top>.so), loaded from TypeScript with koffi (sim/tsim/lib.ts).
// Everything cycle-level stays in C++: TypeScript crosses once per run (tsim_run) and once per register
// read afterwards, never per cycle. All functions are safe to call on any handle tsim_create returned;
// none throws or aborts on bad input: errors are status codes plus tsim_last_error().
#ifndef TSIM_API_H
#define TSIM_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TsimModel TsimModel;

/** Status of tsim_run / tsim_step (also used by tsim_read_reg's `status` out value). */
enum TsimStatus {
  TSIM_DONE = 0,         /**< CONTROL bit1 (done) was read back. */
  TSIM_CORE_ERROR = 1,   /**< CONTROL bit2 (error) was read back; see ERROR_CODE / ERROR_INSN. */
  TSIM_MEM_FAULT = 2,    /**< An AXI access outside DRAM or an AXI protocol error; see tsim_fault_*. */
  TSIM_MAX_CYCLES = 3,   /**< max_cycles elapsed first. */
  TSIM_WATCHDOG = 4,     /**< No DRAM traffic and no change of debug_progress for watchdog_cycles. */
  TSIM_FINISHED = 5,     /**< The model called $finish. */
  TSIM_BAD_ARG = -1,     /**< An argument was invalid; see tsim_last_error. */
  TSIM_HOST_TIMEOUT = -2 /**< The core did not answer an AXI-Lite register access. */
};

/** Memory-model knobs for tsim_set_param (defaults in brackets). */
enum TsimParam {
  TSIM_PARAM_READ_LATENCY = 0,    /**< cycles from AR acceptance to the first R beat [16] */
  TSIM_PARAM_WRITE_LATENCY = 1,   /**< cycles from the last W beat to B [4] */
  TSIM_PARAM_READ_INTERVAL = 2,   /**< cycles per R beat (1 = one beat per cycle) [1] */
  TSIM_PARAM_WRITE_INTERVAL = 3,  /**< cycles per W beat [1] */
  TSIM_PARAM_MAX_READS = 4,       /**< outstanding read bursts [8] */
  TSIM_PARAM_MAX_WRITES = 5,      /**< outstanding write bursts (AW accepted, B not yet taken) [8] */
  TSIM_PARAM_RESET_CYCLES = 6,    /**< cycles reset is held by tsim_reset [10] */
  TSIM_PARAM_HOST_TIMEOUT = 7     /**< cycles an AXI-Lite access may take before TSIM_HOST_TIMEOUT [10000] */
};

/** Values for tsim_info. */
enum TsimInfo {
  TSIM_INFO_CYCLE = 0,            /**< rising edges simulated since tsim_create */
  TSIM_INFO_RUN_CYCLES = 1,       /**< edges of the last tsim_run (register writes and polling included) */
  TSIM_INFO_FAULT_KIND = 2,       /**< 0 none, 1 out of DRAM, 2 AXI protocol */
  TSIM_INFO_FAULT_ADDR = 3,
  TSIM_INFO_FAULT_LEN = 4,        /**< bytes of the burst */
  TSIM_INFO_FAULT_WRITE = 5,      /**< 1 for a write, 0 for a read */
  TSIM_INFO_FAULT_CYCLE = 6,
  TSIM_INFO_DEBUG_PROGRESS = 7,   /**< the core's debug_progress port now */
  TSIM_INFO_DEBUG_STATE = 8,      /**< the core's debug_state port now */
  TSIM_INFO_IDLE_CYCLES = 9,      /**< cycles since the last DRAM handshake or progress change */
  TSIM_INFO_READ_BURSTS = 10,     /**< totals since tsim_create */
  TSIM_INFO_READ_BEATS = 11,
  TSIM_INFO_WRITE_BURSTS = 12,
  TSIM_INFO_WRITE_BEATS = 13,
  TSIM_INFO_CROSS_4K = 14,        /**< bursts that crossed a 4 KiB boundary (legal here, not on real AXI) */
  TSIM_INFO_BUS_BITS = 15,
  TSIM_INFO_TRACE_KIND = 16,      /**< 0 built without tracing, 1 VCD, 2 FST */
  TSIM_INFO_OUTSTANDING_READS = 17,
  TSIM_INFO_OUTSTANDING_WRITES = 18,
  TSIM_INFO_HOST_RESP_ERRORS = 19, /**< AXI-Lite responses with a non-OKAY resp */
  TSIM_INFO_FAULT_ID = 20         /**< AXI ID of the faulting burst (the core's read client; 0 for writes) */
};

/** Creates a model with `dram_bytes` of zeroed DRAM (a multiple of 4096, at most 4 GiB), reset and ready. Null on failure. */
TsimModel* tsim_create(uint64_t dram_bytes);
/** Finishes and frees the model and its DRAM; views of tsim_dram() are invalid afterwards. */
void tsim_destroy(TsimModel* m);
/** The DRAM: one byte buffer, address 0 first, owned by the model; stays at this address until destroy. */
uint8_t* tsim_dram(TsimModel* m);
uint64_t tsim_dram_bytes(TsimModel* m);
/** One past the highest DRAM byte the core wrote since the last call (0 if none); restarts the count. */
uint64_t tsim_dram_take_written_end(TsimModel* m);
/** Sets a TsimParam; returns 0, or TSIM_BAD_ARG. */
int tsim_set_param(TsimModel* m, int param, uint64_t value);
uint64_t tsim_get_param(TsimModel* m, int param);
/** Holds reset for RESET_CYCLES and clears the memory and host models (keeps DRAM). */
void tsim_reset(TsimModel* m);
/**
 * Writes INSN_COUNT, INSN_ADDR and the base registers (0) over AXI-Lite, writes CONTROL = launch, then runs
 * the clock until CONTROL reads back done or error, a DRAM fault, `max_cycles` (0 = no limit), or the
 * watchdog (`watchdog_cycles` without DRAM traffic or a debug_progress change; 0 = off). Returns a TsimStatus.
 * A run that did not end in TSIM_DONE / TSIM_CORE_ERROR resets the model before the next run.
 */
int tsim_run(TsimModel* m, uint32_t insn_addr, uint32_t insn_count, uint64_t max_cycles, uint64_t watchdog_cycles);
/** Reads a host register over AXI-Lite (a few cycles); `status` (may be null) gets 0 or TSIM_HOST_TIMEOUT. */
uint32_t tsim_read_reg(TsimModel* m, uint32_t offset, int32_t* status);
/** Writes a host register over AXI-Lite; returns 0 or TSIM_HOST_TIMEOUT. */
int tsim_write_reg(TsimModel* m, uint32_t offset, uint32_t value);
/** Runs `cycles` clock cycles with no host activity; returns TSIM_DONE or TSIM_MEM_FAULT / TSIM_FINISHED. */
int tsim_step(TsimModel* m, uint64_t cycles);
uint64_t tsim_info(TsimModel* m, int what);
/** A one-line description of the last fault or error ("" if none). Valid until the next call. */
const char* tsim_last_error(TsimModel* m);
/**
 * Starts writing a waveform (FST or VCD, whichever the library was built with) to `path`, dumping the
 * cycles in [from_cycle, to_cycle) counted by TSIM_INFO_CYCLE (to_cycle 0 = no end). Returns 0, or
 * TSIM_BAD_ARG when the library was built without tracing or the file cannot be opened.
 */
int tsim_trace_open(TsimModel* m, const char* path, uint64_t from_cycle, uint64_t to_cycle);
void tsim_trace_close(TsimModel* m);

#ifdef __cplusplus
}
#endif

#endif
