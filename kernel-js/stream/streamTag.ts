import { createHash } from 'node:crypto';

/** Bytes of a circuit's tag on the wire. */
export const streamTagBytes = 8;

/**
 * The 8 bytes that name a stream circuit in a connection's hello: the first 8 of SHA-256 of its
 * id (the same derivation as a control circuit's datagram tag). A board's one stream listener
 * carries every circuit the board is the app end of; the tag lets it hand a new connection to
 * the right circuit before any key is tried. It is not secret and proves nothing: the hello's
 * tag under the circuit key does that.
 */
export function streamTag(circuit: string): Buffer {
  return createHash('sha256').update(circuit, 'utf8').digest().subarray(0, streamTagBytes);
}
