import { createHmac, createPrivateKey, createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { privateKeysDir } from '../../builder/init/makeRoleKeys.js';
import { SimEnclaveBus } from '../../drivers/enclave/SimEnclaveBus.js';
import { VaultEnclave } from '../../drivers/enclave/VaultEnclave.js';
import type { KeyHandle } from '../../drivers/enclave/Enclave.js';
import { ensureSecretFile } from '../../builder/trust/ensureSecretFile.js';
import type { Credential } from './PersonRecord.js';

/** Where the building enclave's device secret is kept, beside the online signing keys (never committed: .gitignore lists .osmose/). */
export const buildingEnclaveFile = 'building-enclave.key';

const sealingLabel = 'people private keys';
const credentialInfo = 'osmose people credential key v1';

/**
 * The building's own enclave, where people's private keys are held: the simulated secure
 * element (drivers/enclave) keyed by a device secret in `.osmose/keys/building-enclave.key`,
 * made on first use. A private key leaves it only sealed, and the sealed bytes open only here.
 * The credential key (the HMAC that stands in for a badge) comes from the same secret under
 * another label, so one file is all a building must back up.
 */
export class BuildingEnclave {
  readonly #enclave: VaultEnclave;
  readonly #sealing: KeyHandle;
  readonly #credentialKey: Buffer;

  private constructor(secret: Uint8Array) {
    this.#enclave = new VaultEnclave({ bus: new SimEnclaveBus({ deviceSecret: secret }) });
    this.#sealing = this.#enclave.deriveKey(sealingLabel);
    this.#credentialKey = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(), credentialInfo, 32));
  }

  /** The enclave of the building at `root`, its secret made (mode 0600) if this is the first use. */
  static async open(root: string): Promise<BuildingEnclave> {
    return new BuildingEnclave(await ensureEnclaveSecret(root));
  }

  /** Seals an X25519 private key (PKCS#8 DER) for the register. */
  sealPrivateKey(key: KeyObject): Uint8Array {
    return this.#enclave.seal(this.#sealing, key.export({ format: 'der', type: 'pkcs8' }));
  }

  /** Opens what sealPrivateKey made; another building's (or a changed byte) fails with `enclave.tampered`. */
  openPrivateKey(sealed: Uint8Array): KeyObject {
    const der = this.#enclave.open(this.#sealing, sealed);
    try {
      return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
    } finally {
      der.fill(0);
    }
  }

  /** The keyed digest that stands for a badge or password: the same credential gives the same hex in this building only. */
  credentialOf(credential: Credential): string {
    // The kind is part of what is hashed: badge 1234 and password 1234 are different people.
    const [kind, value] = 'badge' in credential ? ['badge', credential.badge] : ['password', credential.password];
    return createHmac('sha256', this.#credentialKey).update(`${kind}\0${value}`).digest('hex');
  }

  /** Forgets the enclave's keys; later calls are refused (`driver.closed`). */
  close(): void {
    this.#enclave.close();
    this.#credentialKey.fill(0);
  }
}

/** The raw 32 bytes of an X25519 public key (of a private key: of its public half). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'));
}

/** Reads the secret, or makes it once (ensureSecretFile). */
function ensureEnclaveSecret(root: string): Promise<Uint8Array> {
  return ensureSecretFile(join(root, privateKeysDir, buildingEnclaveFile), {
    badCode: 'people.bad-enclave',
    what: "the building enclave's secret",
    hint: "restore it from a backup: without it no person's private key opens, and every badge reads as a new person",
    missingCode: 'people.no-enclave',
  });
}
