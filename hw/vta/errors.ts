/** A configuration that cannot describe real hardware; the message names the key and the fix. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** An instruction or micro-op that cannot be encoded or decoded; the message names the field. */
export class IsaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IsaError';
  }
}
