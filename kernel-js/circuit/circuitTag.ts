import { createHash } from 'node:crypto';
import { tagBytes } from './datagramFormat.js';

/**
 * The 8 bytes that name a circuit on the wire: the first 8 of SHA-256 of its id. One UDP port
 * carries every circuit of a board; the tag lets the receiver pick the key to try without a
 * lookup that depends on the sender's address (which NAT or a second interface may change).
 * It is not secret and proves nothing: the AEAD does that.
 */
export function circuitTag(id: string): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(id, 'utf8').digest().subarray(0, tagBytes));
}

/** The tag as 16 hex characters, the key a mux routes by. */
export function circuitTagHex(id: string): string {
  return Buffer.from(circuitTag(id)).toString('hex');
}
