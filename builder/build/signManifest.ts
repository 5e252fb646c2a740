import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { InputError } from '../../lib/OsmoseError.js';
import { privateKeysDir } from '../init/makeRoleKeys.js';
import { tufPublicKey } from '../init/tufPublicKey.js';
import type { BoardManifest } from './BoardImage.js';

/**
 * A manifest as the ledger stores it: the manifest and the signatures over its canonical
 * JSON, TUF's envelope. The manifest names the image, the configuration and the modules by
 * digest, so one signature covers everything a board is given.
 */
export interface SignedManifest {
  readonly signed: BoardManifest;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

export interface SigningKey {
  readonly keyid: string;
  readonly key: KeyObject;
}

/** The building's targets key, the online key that signs what boards may run. */
export async function loadTargetsKey(root: string): Promise<SigningKey> {
  const file = `${privateKeysDir}/targets.pem`;
  let pem: string;
  try {
    pem = await readFile(join(root, file), 'utf8');
  } catch {
    throw new InputError('build.no-signing-key', `the targets signing key ${file} is missing, so nothing built here could be signed`, {
      hint: 'build where the building\'s keys are (its .osmose/keys/, never committed), or copy them here',
      data: { file },
    });
  }
  const key = createPrivateKey(pem);
  return { keyid: tufPublicKey(key).keyid, key };
}

export function signManifest(manifest: BoardManifest, signer: SigningKey): SignedManifest {
  const sig = sign(null, Buffer.from(canonicalize(manifest)), signer.key).toString('hex');
  return { signed: manifest, signatures: [{ keyid: signer.keyid, sig }] };
}

/** True when `envelope` carries a valid signature by the Ed25519 key whose raw public half is `publicHex`. */
export function verifyManifest(envelope: SignedManifest, publicHex: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicHex, 'hex').toString('base64url') }, format: 'jwk' });
  const { keyid } = tufPublicKey(key);
  return envelope.signatures.some((s) => s.keyid === keyid && verify(null, Buffer.from(canonicalize(envelope.signed)), key, Buffer.from(s.sig, 'hex')));
}
