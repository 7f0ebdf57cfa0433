// What an operator's code generation (operators/*.ts `emit`) gets from the network generator
// (codegen/network.ts): the runtime, the graph, schedules, and the buffers of every tensor on the device.

import type { VtaConfig } from '../../../hw/vta/config';
import type { Conv2dPlan } from '../../ops/conv2d';
import type { DeviceBuffer, Runtime } from '../../runtime';
import type { Graph } from '../ir';
import type { ScheduleProvider } from './schedule';

/** How a tensor sits in device DRAM: NCHWnc int8 (OUT/INP layout), or a dense output [B, N, 1, M/B] packed. */
export type Residency = { buf: DeviceBuffer; form: 'act' | 'dense' };

/** A host tensor's device form: INP int8 vectors, ACC int32 vectors, or a dense layer's [M, K] rows. */
export type UploadForm = 'inp' | 'acc' | 'dense';

export interface EmitContext {
  readonly rt: Runtime;
  readonly cfg: VtaConfig;
  readonly g: Graph;
  readonly schedules: ScheduleProvider;
  /** A buffer the network owns (freed with it). */
  alloc(name: string, bytes: number): DeviceBuffer;
  /** Bytes of an NCHW activation in the OUT layout (batch and channels padded to blocks). */
  outBytes(shape: number[]): number;
  /** Host tensor `t` copied to the device in `as` form before every run (downloaded first if on the device). */
  upload(t: string, as: UploadForm): DeviceBuffer;
  /** An int8 activation as INP vectors: its producer's buffer when that layout is INP's, else uploaded. */
  inpOperand(t: string): DeviceBuffer;
  /** The buffer a node writes tensor `t` into: its slice of a VTA concat, else a new one. */
  outputBuf(t: string): DeviceBuffer;
  /** A constant (or `data` under its name) copied to the device once. */
  constBuf(name: string, data?: Int32Array): DeviceBuffer;
  /** Where tensor `t` is on the device, if it is. */
  residency(t: string): Residency | undefined;
  /** Records that tensor `t` is on the device in `r` (what later nodes read). */
  place(t: string, r: Residency): void;
  /** Makes `buf` (a slice of a concat's buffer) the output buffer of tensor `t`. */
  setSlice(t: string, buf: DeviceBuffer): void;
  /** Records that node `node`'s work was emitted by node `into` (a residual add fused into its conv2d). */
  fuse(node: string, into: string): void;
  /** The node that emitted `node`'s work, if another one did. */
  fusedInto(node: string): string | undefined;
}

/** What a node's code generation recorded: a device step (its tiling, if planned, and MACs), or null when it needs no code. */
export type Emitted = { plan?: Conv2dPlan; macs: number } | null;
