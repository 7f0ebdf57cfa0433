/** Public API of the hardware DSL. See README.md. */
export { HdlError, skipInLocations } from './errors';
export type { Loc } from './errors';
import { UInt as UIntShape, SInt as SIntShape, Bool as BoolShape } from './shape';
import type { UInt as UIntV, SInt as SIntV, Bool as BoolV } from './value';
/** `UInt(w)` makes a shape; the type `UInt` is the value class (same for SInt, Bool). */
export const UInt = UIntShape;
export type UInt = UIntV;
export const SInt = SIntShape;
export type SInt = SIntV;
export const Bool = BoolShape;
export type Bool = BoolV;
export {
  Vec, Bundle, Flip, Input, Output, Decoupled, Valid, bitWidth,
  UIntT, SIntT, BoolT, VecT, BundleT, FlipT,
} from './shape';
export type { Shape, GroundT, Fields, DecoupledT } from './shape';
export {
  UInt as UIntValue, SInt as SIntValue, Bool as BoolValue, Bits, U, S, B, cat, mux, reduceTree, log2Ceil,
} from './value';
export type { IntLike, Ground } from './value';
export type { HW, HWAny, HWVec, HWBundle } from './hw';
export { shapeOf, vecOf, leavesOf } from './hw';
export { wire, reg, regNext, regEnable, assignAll } from './decl';
export type { InitOf } from './decl';
export { when, switchOn, section } from './control';
export type { WhenChain, SwitchChain } from './control';
export { fsm, Fsm } from './fsm';
export { mem } from './mem';
export type { Mem, MemOptions } from './mem';
export { connect, fire } from './connect';
export { Module } from './module';
export { elaborate, hashModule } from './elaborate';
export { emitVerilog, emitModule, DEFAULT_GENERATOR } from './backend/verilog';
export type { VerilogOptions, VerilogOutput } from './backend/verilog';
export { lintVerilog, verilatorAvailable, VERILATOR_MISSING } from './lint';
export type { LintResult } from './lint';
export { checkDrivers } from './passes/check-drivers';
export { checkCombLoops } from './passes/comb-loops';
export type * as IR from './ir';
export { vecAt, pack, unpack } from './hw';
export { shapeName } from './shape';
export { instance } from './module';
export * from './lib';
