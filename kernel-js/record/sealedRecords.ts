import { appendFileSync, readFileSync } from 'node:fs';
import { KernelError } from '../KernelError.js';

/** Appends one sealed record to a file of records: a 4-byte little-endian length, then the bytes (which authenticate themselves). */
export function appendRecord(path: string, sealed: Uint8Array): void {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(sealed.byteLength);
  appendFileSync(path, Buffer.concat([length, sealed]), { mode: 0o600 });
}

/**
 * The records of a file appendRecord wrote, in order; none when the file is not there. A
 * record cut short at the end (power lost during an append) is left out: everything before
 * it was whole when it was written.
 */
export function readRecords(path: string): Uint8Array[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new KernelError('record.unreadable', `${path} cannot be read: ${(error as Error).message}`, { data: { path }, cause: error });
  }
  return parseRecords(bytes);
}

/** The records in the bytes of a file appendRecord wrote; a record cut short at the end is left out. */
export function parseRecords(bytes: Buffer): Uint8Array[] {
  const records: Uint8Array[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    if (at + 4 + length > bytes.length) break;
    records.push(new Uint8Array(bytes.subarray(at + 4, at + 4 + length)));
    at += 4 + length;
  }
  return records;
}
