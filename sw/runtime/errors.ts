// Errors the runtime raises before anything reaches the hardware, and device errors re-raised with the
// operator and instruction they belong to. Every message is one line with what to change.

export class RuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

/** A program the runtime refuses to run: an SRAM range past a buffer, a field too wide, unbalanced tokens. */
export class ProgramCheckError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'ProgramCheckError';
  }
}

/** A device error during `synchronize`, with the operator and instruction it happened in. */
export class DeviceRunError extends RuntimeError {
  constructor(
    message: string,
    readonly cause: unknown,
  ) {
    super(message);
    this.name = 'DeviceRunError';
  }
}
