// The operator library: layouts, packed operators on the runtime, host-level wrappers, references.
export * from './layout';
export * from './conv2d';
export * from './alu';
export * from './ops';
export * as reference from './reference';
export { OperatorError } from './errors';
export * from './add-gemm';
export * from './pool-int8';
export * from './avg-pool-int8';
