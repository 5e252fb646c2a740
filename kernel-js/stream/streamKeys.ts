import { hkdfSync } from 'node:crypto';

/** Which way a frame travels on a stream circuit; each way has its own key. */
export type StreamDirection = 'app-to-device' | 'device-to-app';

const keyBytes = 32;

function derive(circuitKey: Uint8Array, circuit: string, info: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', circuitKey, Buffer.from(circuit, 'utf8'), info, keyBytes));
}

/**
 * The key that seals a connection's first frame (the dialer's hello), from the circuit's
 * pairwise key by HKDF-SHA256 with the circuit id as salt. Only the two boards the build gave
 * the key can make a hello that opens, so a stranger's connection is refused at its first frame.
 */
export function helloKey(circuitKey: Uint8Array, circuit: string): Buffer {
  return derive(circuitKey, circuit, Buffer.from('osmose stream hello v1', 'utf8'));
}

/**
 * The two keys of one connection, one per direction: HKDF-SHA256 of the circuit key, salt the
 * circuit id, info naming the direction and "stream" followed by the random bytes each side
 * sent in the handshake. Frames are numbered from 0 again on every connection and the number
 * is the GCM nonce; fresh keys for each connection are what keep a reconnection from sealing
 * two frames under the same key and nonce, and keep frames of an old connection (a replay)
 * from opening on a new one.
 */
export function sessionKeys(circuitKey: Uint8Array, circuit: string, dialerRandom: Uint8Array, listenerRandom: Uint8Array): Record<StreamDirection, Buffer> {
  const info = (direction: StreamDirection): Uint8Array => Buffer.concat([Buffer.from(`osmose stream ${direction} v1 `, 'utf8'), dialerRandom, listenerRandom]);
  return { 'app-to-device': derive(circuitKey, circuit, info('app-to-device')), 'device-to-app': derive(circuitKey, circuit, info('device-to-app')) };
}
