// The package entry for ES modules (`import { openDevice } from 'vta-ts'`, top-level await included):
// the same module as the CommonJS entry, re-exported by name.
import { createRequire } from 'node:module';

const api = createRequire(import.meta.url)('./entry.cjs');

export const {
  ops,
  reference,
  Runtime,
  RuntimeError,
  DeviceRunError,
  ProgramCheckError,
  openDevice,
  TARGET_NAMES,
  DEFAULT_DRAM_BYTES,
  UnknownTargetError,
  DeviceError,
  defaultConfig,
  deriveConfig,
  DEFAULT_CONFIG_JSON,
  ConfigError,
  emitRtl,
  OperatorError,
  vtaConfig,
  compileModel,
  CompiledModel,
  CompileError,
} = api;
export default api;
