import { hkdfSync } from 'node:crypto';
import { InputError } from '../../lib/OsmoseError.js';

/** The two keys of a circuit, one per direction. */
export interface CircuitKeys {
  readonly appToDevice: Uint8Array;
  readonly deviceToApp: Uint8Array;
}

/** HKDF's info strings: they name the direction, and the version so a future format gets other keys. */
export const directionInfo = {
  appToDevice: 'osmose circuit v1 app->device',
  deviceToApp: 'osmose circuit v1 device->app',
} as const;

const keyPattern = /^[0-9a-f]{64}$/i;

/**
 * Derives one key per direction from the circuit's pairwise key (HKDF-SHA256, salt = the
 * circuit id). Both ends number their datagrams from the same clock, so with one key they
 * could pick the same sequence, hence the same nonce; with a key per direction they never
 * share a key, and a datagram reflected back at its sender does not open there either. The id
 * as salt keeps two circuits apart even if a build gave them the same key.
 */
export function deriveCircuitKeys(id: string, keyHex: string): CircuitKeys {
  if (!keyPattern.test(keyHex)) {
    throw new InputError('circuit.bad-key', `circuit ${id}: key is not 64 hex characters (a 32-byte key)`, {
      hint: "the builder writes each circuit's key into the board's configuration; rebuild it with osmose build",
      data: { circuit: id, length: keyHex.length },
    });
  }
  const key = Buffer.from(keyHex, 'hex');
  const salt = Buffer.from(id, 'utf8');
  const derive = (info: string): Uint8Array => new Uint8Array(hkdfSync('sha256', key, salt, info, 32));
  return { appToDevice: derive(directionInfo.appToDevice), deviceToApp: derive(directionInfo.deviceToApp) };
}
