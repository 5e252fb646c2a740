import { KernelError } from '../KernelError.js';

/** The names the metered module exports its two counters under. */
export const fuelExport = 'osmose.fuel';
export const growExport = 'osmose.grow';

export interface MeterOptions {
  /** The board's memory ceiling in 64 KiB pages: written as the memory's maximum. */
  readonly memoryPages: number;
}

/**
 * Rewrites a verified module so that it can run on the shim's own thread and still be stopped:
 *
 * - a mutable i32 global, exported as `osmose.fuel`, is checked and decremented at the start
 *   of every function and of every loop iteration; at zero the module traps (`unreachable`).
 *   The host sets it before each call into the module, so no handler runs unbounded;
 * - after every `memory.grow`, its result is also stored in a global exported as
 *   `osmose.grow`, so a trap right after a refused growth is known for what it is;
 * - the memory's maximum becomes the board's limit, so growth past it fails inside the
 *   module (memory.grow answers -1) instead of taking memory the board does not have.
 *
 * Everything else is copied byte for byte. The rewrite decodes every instruction; an opcode
 * it does not know refuses the module (`kernel.malformed`) rather than guessing.
 */
export function meterModule(bytes: Uint8Array, options: MeterOptions): Uint8Array {
  const reader = new Reader(bytes);
  if (bytes.length < 8 || reader.u32le() !== 0x6d736100 || reader.u32le() !== 1) malformed('it does not start with the WebAssembly magic number and version 1');
  const sections: { id: number; body: Uint8Array }[] = [];
  while (!reader.done()) {
    const id = reader.byte();
    const size = reader.u32();
    sections.push({ id, body: reader.bytes(size) });
  }
  let importedGlobals = 0;
  let definedGlobals = 0;
  for (const { id, body } of sections) {
    if (id === sectionId.import) importedGlobals = countImportedGlobals(body);
    if (id === sectionId.global) definedGlobals = new Reader(body).u32();
  }
  const fuel = importedGlobals + definedGlobals;
  const grow = fuel + 1;

  const out: { id: number; body: Uint8Array }[] = [];
  const has = (id: number): boolean => sections.some((s) => s.id === id);
  const newGlobals = (): Uint8Array => concat([u32(2), mutableI32, mutableI32]);
  const newExports = (): Uint8Array => concat([u32(2), exportEntry(fuelExport, fuel), exportEntry(growExport, grow)]);
  for (const section of sections) {
    // Sections that are missing are made in their place in the standard order.
    if (section.id !== 0) {
      const rank = sectionOrder.indexOf(section.id);
      if (!has(sectionId.global) && rank > sectionOrder.indexOf(sectionId.global) && !out.some((s) => s.id === sectionId.global)) out.push({ id: sectionId.global, body: newGlobals() });
      if (!has(sectionId.export) && rank > sectionOrder.indexOf(sectionId.export) && !out.some((s) => s.id === sectionId.export)) out.push({ id: sectionId.export, body: newExports() });
    }
    switch (section.id) {
      case sectionId.memory:
        out.push({ id: section.id, body: limitMemory(section.body, options.memoryPages) });
        break;
      case sectionId.global:
        out.push({ id: section.id, body: appendEntries(section.body, [mutableI32, mutableI32]) });
        break;
      case sectionId.export:
        out.push({ id: section.id, body: appendEntries(section.body, [exportEntry(fuelExport, fuel), exportEntry(growExport, grow)]) });
        break;
      case sectionId.code:
        out.push({ id: section.id, body: meterCode(section.body, fuel, grow) });
        break;
      default:
        out.push(section);
    }
  }
  if (!out.some((s) => s.id === sectionId.global)) out.push({ id: sectionId.global, body: newGlobals() });
  if (!out.some((s) => s.id === sectionId.export)) out.push({ id: sectionId.export, body: newExports() });
  return concat([bytes.subarray(0, 8), ...out.flatMap(({ id, body }) => [Uint8Array.of(id), u32(body.length), body])]);
}

const sectionId = { custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, element: 9, code: 10, data: 11, dataCount: 12, tag: 13 } as const;
const sectionOrder: readonly number[] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];
/** A global: i32, mutable, initialised with i32.const 0. */
const mutableI32 = Uint8Array.of(0x7f, 0x01, 0x41, 0x00, 0x0b);

function countImportedGlobals(body: Uint8Array): number {
  const r = new Reader(body);
  let globals = 0;
  for (let n = r.u32(); n > 0; n--) {
    r.bytes(r.u32());
    r.bytes(r.u32());
    const kind = r.byte();
    if (kind === 0x00) r.u32();
    else if (kind === 0x01) {
      r.byte();
      skipLimits(r);
    } else if (kind === 0x02) malformed('it imports its memory; ABI v1 modules export their own');
    else if (kind === 0x03) {
      r.byte();
      r.byte();
      globals++;
    } else if (kind === 0x04) {
      r.byte();
      r.u32();
    } else malformed(`import kind 0x${kind.toString(16)} is unknown`);
  }
  return globals;
}

function skipLimits(r: Reader): void {
  const flags = r.byte();
  r.u32();
  if ((flags & 1) === 1) r.u32();
}

function limitMemory(body: Uint8Array, pages: number): Uint8Array {
  const r = new Reader(body);
  const count = r.u32();
  const parts: Uint8Array[] = [u32(count)];
  for (let i = 0; i < count; i++) {
    const flags = r.byte();
    if (flags > 1) malformed('its memory is shared or 64-bit, which ABI v1 does not allow');
    const min = r.u32();
    const max = flags === 1 ? Math.min(r.u32(), pages) : pages;
    parts.push(Uint8Array.of(0x01), u32(min), u32(Math.max(min, max)));
  }
  return concat(parts);
}

function appendEntries(body: Uint8Array, entries: readonly Uint8Array[]): Uint8Array {
  const r = new Reader(body);
  const count = r.u32();
  return concat([u32(count + entries.length), body.subarray(r.offset), ...entries]);
}

function exportEntry(name: string, global: number): Uint8Array {
  const encoded = new TextEncoder().encode(name);
  return concat([u32(encoded.length), encoded, Uint8Array.of(0x03), u32(global)]);
}

function meterCode(body: Uint8Array, fuel: number, grow: number): Uint8Array {
  const r = new Reader(body);
  const count = r.u32();
  // Checked and decremented: global.get F; i32.eqz; if; unreachable; end; global.get F; i32.const 1; i32.sub; global.set F
  const check = concat([Uint8Array.of(0x23), u32(fuel), Uint8Array.of(0x45, 0x04, 0x40, 0x00, 0x0b, 0x23), u32(fuel), Uint8Array.of(0x41, 0x01, 0x6b, 0x24), u32(fuel)]);
  // After memory.grow: global.set G; global.get G (the result stays on the stack).
  const record = concat([Uint8Array.of(0x24), u32(grow), Uint8Array.of(0x23), u32(grow)]);
  const parts: Uint8Array[] = [u32(count)];
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const fn = new Reader(r.bytes(size));
    for (let groups = fn.u32(); groups > 0; groups--) {
      fn.u32();
      valueType(fn);
    }
    const pieces: Uint8Array[] = [fn.source.subarray(0, fn.offset), check];
    let copied = fn.offset;
    while (!fn.done()) {
      const at = fn.offset;
      const opcode = fn.byte();
      skipImmediates(fn, opcode);
      if (opcode === 0x03 || opcode === 0x40) {
        pieces.push(fn.source.subarray(copied, fn.offset), opcode === 0x03 ? check : record);
        copied = fn.offset;
      }
      if (fn.offset === at) malformed('an instruction has no length');
    }
    pieces.push(fn.source.subarray(copied));
    const metered = concat(pieces);
    parts.push(u32(metered.length), metered);
  }
  return concat(parts);
}

function valueType(r: Reader): void {
  const type = r.byte();
  if (![0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f].includes(type)) malformed(`value type 0x${type.toString(16)} is not one the shim runs`);
}

function blockType(r: Reader): void {
  const first = r.peek();
  if (first === 0x40 || [0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f].includes(first)) r.byte();
  else r.s64();
}

function memarg(r: Reader): void {
  const align = r.u32();
  if ((align & 0x40) !== 0) r.u32();
  r.u32();
}

/** Moves past one instruction's immediates (the opcode is read). */
function skipImmediates(r: Reader, opcode: number): void {
  if (opcode >= 0x45 && opcode <= 0xc4) return; // numeric, no immediates
  if (opcode >= 0x28 && opcode <= 0x3e) return memarg(r);
  switch (opcode) {
    case 0x00: case 0x01: case 0x05: case 0x0b: case 0x0f: case 0x1a: case 0x1b: case 0xd1:
      return;
    case 0x02: case 0x03: case 0x04:
      return blockType(r);
    case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: case 0x3f: case 0x40: case 0xd2:
      r.u32();
      return;
    case 0x0e:
      for (let n = r.u32(); n > 0; n--) r.u32();
      r.u32();
      return;
    case 0x11: case 0x13:
      r.u32();
      r.u32();
      return;
    case 0x1c:
      for (let n = r.u32(); n > 0; n--) valueType(r);
      return;
    case 0x41: case 0x42:
      r.s64();
      return;
    case 0x43:
      r.bytes(4);
      return;
    case 0x44:
      r.bytes(8);
      return;
    case 0xd0:
      r.s64();
      return;
    case 0xfc:
      return miscImmediates(r, r.u32());
    case 0xfd:
      return simdImmediates(r, r.u32());
    case 0xfe:
      return atomicImmediates(r, r.u32());
    default:
      malformed(`opcode 0x${opcode.toString(16)} is not one the shim can meter`);
  }
}

function miscImmediates(r: Reader, op: number): void {
  if (op <= 7) return;
  const counts: Record<number, number> = { 8: 2, 9: 1, 10: 2, 11: 1, 12: 2, 13: 1, 14: 2, 15: 1, 16: 1, 17: 1 };
  const n = counts[op];
  if (n === undefined) malformed(`instruction 0xfc ${op} is not one the shim can meter`);
  for (let i = 0; i < n; i++) r.u32();
}

function simdImmediates(r: Reader, op: number): void {
  if (op <= 11 || op === 92 || op === 93) return memarg(r);
  if (op === 12 || op === 13) {
    r.bytes(16);
    return;
  }
  if (op >= 21 && op <= 34) {
    r.byte();
    return;
  }
  if (op >= 84 && op <= 91) {
    memarg(r);
    r.byte();
  }
}

function atomicImmediates(r: Reader, op: number): void {
  if (op === 3) r.byte();
  else memarg(r);
}

function malformed(reason: string): never {
  throw new KernelError('kernel.malformed', `the module cannot be metered: ${reason}`, { data: { reason } });
}

function u32(value: number): Uint8Array {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return Uint8Array.from(out);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

class Reader {
  offset = 0;
  readonly source: Uint8Array;

  constructor(source: Uint8Array) {
    this.source = source;
  }

  done(): boolean {
    return this.offset >= this.source.length;
  }

  peek(): number {
    if (this.offset >= this.source.length) malformed('it ends in the middle of a section');
    return this.source[this.offset] ?? 0;
  }

  byte(): number {
    const b = this.peek();
    this.offset++;
    return b;
  }

  bytes(n: number): Uint8Array {
    if (this.offset + n > this.source.length) malformed('a section or body runs past the end of the module');
    const out = this.source.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  u32le(): number {
    const b = this.bytes(4);
    return ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0;
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) malformed('a LEB128 number is too long');
    }
  }

  /** A signed LEB128 of up to 64 bits, skipped (its value is never needed). */
  s64(): void {
    for (let n = 0; n < 10; n++) if ((this.byte() & 0x80) === 0) return;
    malformed('a LEB128 number is too long');
  }
}
