/** The DSL's standard library. */
export { Queue, queue } from './queue';
export { counter } from './counter';
export type { CounterHandle } from './counter';
export { RRArbiter } from './arbiter';
export { pipe, pipeValid, shiftReg } from './pipe';
export { adderTree } from './reduce';
export type { AdderTreeOptions } from './reduce';
