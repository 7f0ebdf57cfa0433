// The host register map (AXI4-Lite, 32-bit registers, byte offsets). VTA's map first
// (vta-reference.md §6.1), then this project's additions, in one table shared by the RTL and drivers.

export interface HostRegister {
  readonly name: string;
  readonly offset: number;
  /** Who writes it: the host, or the hardware (read-only to the host, updated at finish or live). */
  readonly access: 'rw' | 'ro';
  readonly doc: string;
}

const vta: HostRegister[] = [
  { name: 'CONTROL', offset: 0x00, access: 'rw', doc: 'bit0 launch (host writes 1); bit1 done (hardware, clears launch); bit2 error' },
  { name: 'CYCLES', offset: 0x04, access: 'rw', doc: 'cycles from launch to FINISH completion, written at finish' },
  { name: 'INSN_COUNT', offset: 0x08, access: 'rw', doc: 'number of 16-byte instructions to fetch' },
  { name: 'INSN_ADDR', offset: 0x0c, access: 'rw', doc: 'byte address of the first instruction' },
  { name: 'UOP_BASE', offset: 0x10, access: 'rw', doc: 'base byte address added to UOP dram_base' },
  { name: 'INP_BASE', offset: 0x14, access: 'rw', doc: 'base byte address added to INP dram_base' },
  { name: 'WGT_BASE', offset: 0x18, access: 'rw', doc: 'base byte address added to WGT dram_base' },
  { name: 'ACC_BASE', offset: 0x1c, access: 'rw', doc: 'base byte address added to ACC dram_base' },
  { name: 'OUT_BASE', offset: 0x20, access: 'rw', doc: 'base byte address added to OUT dram_base' },
  { name: 'ACC_WR_COUNT', offset: 0x24, access: 'ro', doc: 'cycles with a GEMM/ALU accumulator write' },
];

const added: Omit<HostRegister, 'offset'>[] = [
  { name: 'ERROR_CODE', access: 'ro', doc: '0 none, 1 illegal instruction' },
  { name: 'ERROR_INSN', access: 'ro', doc: 'index of the instruction that raised the error' },
  { name: 'LOAD_BUSY', access: 'ro', doc: 'cycles the load stage executed an instruction' },
  { name: 'LOAD_TOKEN_STALL', access: 'ro', doc: 'cycles the load stage waited for a dependency token' },
  { name: 'COMPUTE_BUSY', access: 'ro', doc: 'cycles the compute stage executed an instruction' },
  { name: 'COMPUTE_TOKEN_STALL', access: 'ro', doc: 'cycles the compute stage waited for a dependency token' },
  { name: 'STORE_BUSY', access: 'ro', doc: 'cycles the store stage executed an instruction' },
  { name: 'STORE_TOKEN_STALL', access: 'ro', doc: 'cycles the store stage waited for a dependency token' },
  { name: 'GEMM_UOPS', access: 'ro', doc: 'GEMM micro-ops executed' },
  { name: 'ALU_UOPS', access: 'ro', doc: 'ALU micro-ops executed' },
  { name: 'DRAM_READ_BYTES', access: 'ro', doc: 'bytes read from DRAM (low 32 bits)' },
  { name: 'DRAM_WRITE_BYTES', access: 'ro', doc: 'bytes written to DRAM (low 32 bits)' },
  { name: 'LOAD_INSNS', access: 'ro', doc: 'instructions completed by the load stage' },
  { name: 'COMPUTE_INSNS', access: 'ro', doc: 'instructions completed by the compute stage' },
  { name: 'STORE_INSNS', access: 'ro', doc: 'instructions completed by the store stage' },
  // DRAM read bytes per memory type: bus beats the VME delivered to that client × bus bytes (whole beats:
  // an element narrower than the bus whose row starts or ends mid-beat costs a whole beat; pads cost none).
  { name: 'UOP_LOAD_BYTES', access: 'ro', doc: 'bytes read from DRAM by LOAD UOP (whole bus beats)' },
  { name: 'INP_LOAD_BYTES', access: 'ro', doc: 'bytes read from DRAM by LOAD INP (whole bus beats)' },
  { name: 'WGT_LOAD_BYTES', access: 'ro', doc: 'bytes read from DRAM by LOAD WGT (whole bus beats)' },
  { name: 'ACC_LOAD_BYTES', access: 'ro', doc: 'bytes read from DRAM by LOAD ACC (whole bus beats)' },
  { name: 'INSN_LOAD_BYTES', access: 'ro', doc: 'bytes of instructions fetched from DRAM (whole bus beats)' },
  { name: 'GEMM_RESET_UOPS', access: 'ro', doc: 'micro-ops executed by reset GEMMs (GEMM_UOPS counts the others)' },
  // Live status for the watchdog report (read at any time, not cleared by launch).
  { name: 'LOAD_PC', access: 'ro', doc: 'live: index of the instruction the load stage executes or waits to start' },
  { name: 'COMPUTE_PC', access: 'ro', doc: 'live: index of the instruction the compute stage executes or waits to start' },
  { name: 'STORE_PC', access: 'ro', doc: 'live: index of the instruction the store stage executes or waits to start' },
  {
    name: 'STAGE_STATE',
    access: 'ro',
    doc: 'live: bits [3k+2:3k] for stage k (0 load, 1 compute, 2 store): has an instruction (queue head or in progress), busy, token stall; bit 9 fetch busy, bit 10 fetch error',
  },
  { name: 'TOKEN_COUNTS', access: 'ro', doc: 'live: tokens queued, 8 bits each: [7:0] l2g, [15:8] g2l, [23:16] g2s, [31:24] s2g' },
  // Which hardware this is: a driver checks it before it writes a register (a bitstream of another configuration)
  {
    name: 'CONFIG_HASH',
    access: 'ro',
    doc: 'constant: the first 8 hex digits of the configuration hash the core was generated from (configHash in the manifest)',
  },
];

/** The CONFIG_HASH register's value for a configuration hash (its first 32 bits). */
export const configHashWord = (hash: string): number => parseInt(hash.slice(0, 8), 16) >>> 0;

export const HOST_REGISTERS: readonly HostRegister[] = Object.freeze([...vta, ...added.map((r, i) => ({ ...r, offset: 0x28 + 4 * i }))]);

export const REG: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(HOST_REGISTERS.map((r) => [r.name, r.offset])));

export const CONTROL_BITS = Object.freeze({ launch: 1, done: 2, error: 4 });
export const ERROR_CODES = Object.freeze({ none: 0, illegalInstruction: 1 });
