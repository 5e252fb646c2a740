import type { PersonRecord } from './PersonRecord.js';

/** Bytes that, found anywhere, mean something of the person is still there; `what` names them in reports. */
export interface Needle {
  readonly what: string;
  readonly bytes: Uint8Array;
}

/**
 * Everything of a person the register ever stored, in every form it could have been written
 * in: the pseudonym; the public key raw, base64, base64url and hex; the sealed private key raw
 * and base64; the credential digest. An erasure is verified by finding none of them.
 */
export function personNeedles(record: PersonRecord): Needle[] {
  const publicKey = Buffer.from(record.publicKey, 'base64');
  const sealed = Buffer.from(record.sealedPrivateKey, 'base64');
  const text = (what: string, value: string): Needle => ({ what, bytes: new Uint8Array(Buffer.from(value, 'utf8')) });
  return [
    text('pseudonym', record.pseudonym),
    { what: 'public key (raw)', bytes: new Uint8Array(publicKey) },
    text('public key (base64)', publicKey.toString('base64')),
    text('public key (base64url)', publicKey.toString('base64url')),
    text('public key (hex)', publicKey.toString('hex')),
    { what: 'sealed private key (raw)', bytes: new Uint8Array(sealed) },
    text('sealed private key (base64)', sealed.toString('base64')),
    text('credential', record.credential),
  ];
}

/** The needles `bytes` holds, by name. */
export function needlesIn(bytes: Uint8Array, needles: readonly Needle[]): string[] {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return needles.filter((needle) => haystack.indexOf(needle.bytes) !== -1).map((needle) => needle.what);
}
