// The few WebAssembly JS-API types this directory uses. The project's TypeScript lib (ES2022, node
// types) declares no `WebAssembly` namespace, so the global is typed here, structurally.

/** A WebAssembly.Memory (as far as the kernels need it). */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer;
}

export interface WasmModuleObject {
  readonly __wasmModule?: never;
}

export interface WasmInstanceObject {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModuleObject;
  Instance: new (module: WasmModuleObject, imports: Record<string, Record<string, unknown>>) => WasmInstanceObject;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemoryLike;
}

export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
