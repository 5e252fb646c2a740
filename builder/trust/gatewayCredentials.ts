import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../lib/OsmoseError.js';
import { privateKeysDir } from '../init/makeRoleKeys.js';
import { ensureBuildingCa } from './buildingCa.js';
import type { TlsCredentials } from './TlsCredentials.js';
import { writePrivateKeyFile } from './writePrivateKeyFile.js';

/** The gateway's TLS key: made on first use, kept, never committed. */
export const gatewayKeyFile = `${privateKeysDir}/gateway.pem`;

export interface GatewayCredentialsOptions {
  /** Validity is counted from it; now when absent. */
  readonly now?: Date | undefined;
  /** Days the certificate lasts (issueCertificate's gatewayCertificateDays when absent). */
  readonly days?: number | undefined;
}

export interface GatewayCredentials extends TlsCredentials {
  /** The host names and addresses the certificate is valid for. */
  readonly names: readonly string[];
  readonly serial: string;
  readonly notAfter: Date;
  /** True when this call made the gateway's key. */
  readonly madeKey: boolean;
}

/**
 * The gateway's side of mutual TLS: its Ed25519 key (`.osmose/keys/gateway.pem`, made the
 * first time) and a certificate from the building CA for `names`, every host name and IP
 * address boards reach it by (a board checks the name it dialled, as given to
 * `osmose image --gateway`). The certificate serves as a server's and as a client's. It is
 * issued afresh at each call, so the gateway asks for one when it starts.
 */
export async function gatewayCredentials(root: string, names: readonly string[], options: GatewayCredentialsOptions = {}): Promise<GatewayCredentials> {
  const ca = await ensureBuildingCa(root, { now: options.now });
  const { key, made } = await gatewayKey(root);
  const issued = await ca.issue({ role: 'gateway', names, publicKey: key, now: options.now ?? new Date(), days: options.days });
  return {
    keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    certPem: issued.certPem,
    caPem: ca.certPem,
    names: [...new Set(names)],
    serial: issued.serial,
    notAfter: issued.notAfter,
    madeKey: made,
  };
}

async function gatewayKey(root: string): Promise<{ key: KeyObject; made: boolean }> {
  const file = join(root, gatewayKeyFile);
  const pem = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (pem === undefined) {
    const key = generateKeyPairSync('ed25519').privateKey;
    await writePrivateKeyFile(root, 'gateway.pem', key);
    return { key, made: true };
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new InputError('ca.bad-key', `${gatewayKeyFile} is not an unencrypted PKCS#8 private key`, { hint: `move ${gatewayKeyFile} away: the gateway then gets a new key (boards check its certificate, not its key)`, data: { file: gatewayKeyFile }, cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InputError('ca.bad-key', `${gatewayKeyFile} is an ${key.asymmetricKeyType ?? 'unknown'} key; the gateway's key is Ed25519`, { hint: `move ${gatewayKeyFile} away to make a new one`, data: { file: gatewayKeyFile } });
  }
  return { key, made: false };
}
