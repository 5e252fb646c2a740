import type { personFileFormat } from './peopleLayout.js';

/** What follows a person from room to room. Only what the building acts on; nothing to identify them. */
export interface Preferences {
  /** The temperature they like, in °C. */
  readonly temperature?: number;
}

/**
 * What the person shows at the entrance, out of band: a badge's id or a password. The register
 * never stores it, only its HMAC under the building's secret (`credential`), so a stolen ledger
 * gives no badge away and cannot be matched against another building's.
 */
export type Credential = { readonly badge: string } | { readonly password: string };

/**
 * One person's file in the register, `people/<pseudonym>.json`. Pseudonymous by design: the
 * pseudonym is random, the key pair is made for the building, and the badge is kept only as a
 * keyed digest.
 */
export interface PersonRecord {
  readonly format: typeof personFileFormat;
  /** `p-` and 8 lowercase base32 characters, drawn at random at the first admission. */
  readonly pseudonym: string;
  /** The person's X25519 public key, the raw 32 bytes in base64: what a room's group key is wrapped for. */
  readonly publicKey: string;
  /** The private key (PKCS#8 DER) sealed by the building's enclave, base64: only that enclave opens it. */
  readonly sealedPrivateKey: string;
  /** HMAC-SHA256, hex, of the badge or password under the building's secret. */
  readonly credential: string;
  readonly preferences: Preferences;
  /** When the person was first admitted (ISO 8601). */
  readonly admittedAt: string;
}

/** The raw 32 bytes of a person's public key. */
export function personPublicKey(record: PersonRecord): Uint8Array {
  return new Uint8Array(Buffer.from(record.publicKey, 'base64'));
}
