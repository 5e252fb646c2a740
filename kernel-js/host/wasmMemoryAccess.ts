/** Copies in and out of a module's linear memory, for the host functions. */
export interface WasmMemoryAccess {
  /** A copy of ptr..ptr+len, undefined when the range leaves memory. */
  readonly bytes: (ptr: number, len: number) => Uint8Array | undefined;
  /** Copies data to ptr; false (and nothing written) when the range leaves memory. */
  readonly write: (ptr: number, data: Uint8Array) => boolean;
}

/**
 * Range-checked access to a module's memory. `memory` is asked on every call: memory can grow
 * during any call into the module, which detaches the buffer read before (docs/abi.md), and it
 * is undefined until the instance exists.
 */
export function wasmMemoryAccess(memory: () => WebAssembly.Memory | undefined): WasmMemoryAccess {
  const inside = (buffer: ArrayBuffer, ptr: number, len: number): boolean => Number.isInteger(ptr) && Number.isInteger(len) && ptr >= 0 && len >= 0 && ptr + len <= buffer.byteLength;
  return {
    bytes: (ptr, len) => {
      const buffer = memory()?.buffer;
      return buffer !== undefined && inside(buffer, ptr, len) ? new Uint8Array(buffer, ptr, len).slice() : undefined;
    },
    write: (ptr, data) => {
      const buffer = memory()?.buffer;
      if (buffer === undefined || !inside(buffer, ptr, data.length)) return false;
      new Uint8Array(buffer, ptr, data.length).set(data);
      return true;
    },
  };
}
