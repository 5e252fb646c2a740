import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyHandle } from '../../drivers/index.js';

/**
 * Where a board keeps what its enclaves sealed: one append-only file per enclave device,
 * `data/<device>.sealed` in the board directory, each record a 4-byte little-endian length and
 * the sealed bytes (which carry their own authentication). The key handle is not written: it
 * names a key in the running enclave only, and a record outlives it only as ciphertext.
 */
export function sealedKeeper(dir: string): (device: string, key: KeyHandle, sealed: Uint8Array) => void {
  const data = join(dir, 'data');
  let made = false;
  return (device, _key, sealed) => {
    if (!made) {
      mkdirSync(data, { recursive: true });
      made = true;
    }
    const length = Buffer.alloc(4);
    length.writeUInt32LE(sealed.byteLength);
    appendFileSync(join(data, `${device}.sealed`), Buffer.concat([length, sealed]));
  };
}
