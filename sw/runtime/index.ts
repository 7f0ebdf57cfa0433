// The VTA runtime: buffers, the command queue, micro-op kernels and the checks around them.
export { emptyStreamBytes, Runtime, serialize, streamBytes } from './runtime';
export type { DebugOptions, DeviceBuffer, RecordedProgram, Recording, Pads, RuntimeOptions, RuntimeStats, StageName, StreamBytes } from './runtime';
export { UopKernel } from './kernel';
export type { KernelLoop } from './kernel';
export { RuntimeError, ProgramCheckError, DeviceRunError } from './errors';
export { checkTokens, checkMemInsn, checkLoopInsn } from './checks';
