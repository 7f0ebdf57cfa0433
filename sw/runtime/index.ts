// The VTA runtime: buffers, the command queue, micro-op kernels and the checks around them.
export { Runtime, serialize } from './runtime';
export type { DebugOptions, DeviceBuffer, Pads, RuntimeOptions, RuntimeStats, StageName } from './runtime';
export { UopKernel } from './kernel';
export type { KernelLoop } from './kernel';
export { RuntimeError, ProgramCheckError, DeviceRunError } from './errors';
export { checkTokens, checkMemInsn, checkLoopInsn } from './checks';
