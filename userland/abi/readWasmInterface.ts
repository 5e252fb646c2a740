import { OsmoseError } from '../../lib/OsmoseError.js';
import type { WasmValueType } from './AbiSpec.js';

/** A value type as the binary names it; the ABI uses only the first four. */
export type WasmType = WasmValueType | 'v128' | 'funcref' | 'externref' | `ref 0x${string}`;

export interface WasmFunctionType {
  readonly params: readonly WasmType[];
  readonly results: readonly WasmType[];
}

export type WasmExternKind = 'function' | 'table' | 'memory' | 'global' | 'tag';

export interface WasmImport {
  readonly module: string;
  readonly name: string;
  readonly kind: WasmExternKind;
  /** For a function import, its signature. */
  readonly type?: WasmFunctionType;
}

export interface WasmExport {
  readonly name: string;
  readonly kind: WasmExternKind;
  /** For a function export, its signature. */
  readonly type?: WasmFunctionType;
}

export interface WasmMemory {
  /** Pages of 64 KiB the memory starts with. */
  readonly initial: number;
  readonly maximum: number | undefined;
  readonly imported: boolean;
}

/** What a host needs to know about a module before linking it. */
export interface WasmInterface {
  readonly imports: readonly WasmImport[];
  readonly exports: readonly WasmExport[];
  /** The first memory, imported or defined; undefined when the module has none. */
  readonly memory: WasmMemory | undefined;
  readonly customSections: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

const externKinds: readonly WasmExternKind[] = ['function', 'table', 'memory', 'global', 'tag'];

const valueTypes: Readonly<Record<number, WasmType>> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};

/**
 * Reads the imports (with their signatures), exports, memory and custom sections of a wasm
 * binary. `WebAssembly.Module.imports` gives names and kinds but no signatures, and the ABI
 * check needs those. Reads only the sections it needs and skips the rest by their sizes.
 * Throws `wasm.malformed` with the byte offset when the binary is not well formed.
 */
export function readWasmInterface(bytes: Uint8Array): WasmInterface {
  return new Reader(bytes).module();
}

class Reader {
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  module(): WasmInterface {
    if (this.#bytes.length < 8 || this.u32le() !== 0x6d736100) this.fail('not a WebAssembly module (no \\0asm magic)');
    const version = this.u32le();
    if (version !== 1) this.fail(`binary format version ${version}, expected 1`);

    const types: WasmFunctionType[] = [];
    const functionTypes: WasmFunctionType[] = []; // function index space: imports first
    const imports: WasmImport[] = [];
    const exports: { name: string; kind: WasmExternKind; index: number }[] = [];
    const customSections: { name: string; bytes: Uint8Array }[] = [];
    let memory: WasmMemory | undefined;

    while (this.#at < this.#bytes.length) {
      const id = this.byte();
      const size = this.leb();
      const end = this.#at + size;
      if (end > this.#bytes.length) this.fail(`section ${id} runs past the end of the module`);
      switch (id) {
        case 0: {
          const name = this.name();
          customSections.push({ name, bytes: this.#bytes.slice(this.#at, end) });
          this.#at = end;
          break;
        }
        case 1:
          this.vector(() => types.push(this.functionType()));
          break;
        case 2:
          this.vector(() => {
            const module = this.name();
            const name = this.name();
            const kind = this.externKind();
            if (kind === 'function') {
              const type = this.typeAt(types, this.leb());
              functionTypes.push(type);
              imports.push({ module, name, kind, type });
              return;
            }
            if (kind === 'table') this.tableType();
            else if (kind === 'memory') memory ??= { ...this.limits(), imported: true };
            else if (kind === 'global') this.globalType();
            else this.tagType();
            imports.push({ module, name, kind });
          });
          break;
        case 3:
          this.vector(() => functionTypes.push(this.typeAt(types, this.leb())));
          break;
        case 5:
          this.vector(() => {
            const limits = this.limits();
            memory ??= { ...limits, imported: false };
          });
          break;
        case 7:
          this.vector(() => exports.push({ name: this.name(), kind: this.externKind(), index: this.leb() }));
          break;
        default:
          this.#at = end;
      }
      if (this.#at !== end) this.fail(`section ${id} is ${size} bytes but its contents take ${this.#at - (end - size)}`);
    }

    return {
      imports,
      exports: exports.map(({ name, kind, index }) => {
        if (kind !== 'function') return { name, kind };
        const type = functionTypes[index];
        if (type === undefined) this.fail(`export ${name} names function ${index}, which does not exist`);
        return { name, kind, type };
      }),
      memory,
      customSections,
    };
  }

  private functionType(): WasmFunctionType {
    const form = this.byte();
    if (form !== 0x60) this.fail(`type form 0x${form.toString(16)} is not a function type (GC types are not supported)`);
    const params: WasmType[] = [];
    this.vector(() => params.push(this.valueType()));
    const results: WasmType[] = [];
    this.vector(() => results.push(this.valueType()));
    return { params, results };
  }

  private valueType(): WasmType {
    const code = this.byte();
    const known = valueTypes[code];
    if (known !== undefined) return known;
    if (code === 0x63 || code === 0x64) return `ref 0x${code.toString(16)}${this.heapType()}`;
    return this.fail(`unknown value type 0x${code.toString(16)}`);
  }

  private heapType(): string {
    // A signed LEB128: negative values are abstract heap types, others type indices.
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = this.byte();
      result |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80 && shift < 35);
    return ` ${result}`;
  }

  private typeAt(types: readonly WasmFunctionType[], index: number): WasmFunctionType {
    const type = types[index];
    if (type === undefined) return this.fail(`type index ${index} does not exist`);
    return type;
  }

  private externKind(): WasmExternKind {
    const code = this.byte();
    const kind = externKinds[code];
    if (kind === undefined) return this.fail(`unknown import or export kind ${code}`);
    return kind;
  }

  private limits(): { initial: number; maximum: number | undefined } {
    const flags = this.byte();
    if (flags > 0x07) this.fail(`unknown limits flags 0x${flags.toString(16)}`);
    const initial = this.leb();
    const maximum = flags & 0x01 ? this.leb() : undefined;
    return { initial, maximum };
  }

  private tableType(): void {
    this.valueType();
    this.limits();
  }

  private globalType(): void {
    this.valueType();
    this.byte();
  }

  private tagType(): void {
    this.byte();
    this.leb();
  }

  private vector(each: () => void): void {
    const count = this.leb();
    for (let i = 0; i < count; i++) each();
  }

  private name(): string {
    const length = this.leb();
    if (this.#at + length > this.#bytes.length) this.fail('a name runs past the end of the module');
    const bytes = this.#bytes.subarray(this.#at, this.#at + length);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return this.fail('a name is not UTF-8');
    }
    this.#at += length;
    return text;
  }

  private byte(): number {
    const byte = this.#bytes[this.#at];
    if (byte === undefined) return this.fail('unexpected end of the module');
    this.#at++;
    return byte;
  }

  private u32le(): number {
    let value = 0;
    for (let i = 0; i < 4; i++) value += this.byte() * 2 ** (8 * i);
    return value;
  }

  /** An unsigned LEB128, up to 2^53 (memory64 limits included). */
  private leb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
      if (scale > 2 ** 56) return this.fail('an integer is longer than 8 bytes');
    }
  }

  private fail(message: string): never {
    throw new OsmoseError('wasm.malformed', `malformed WebAssembly module at byte ${this.#at}: ${message}`, { data: { offset: this.#at } });
  }
}
