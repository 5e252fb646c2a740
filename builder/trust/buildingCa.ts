import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { InputError } from '../../lib/OsmoseError.js';
import type { Author } from '../init/commitFiles.js';
import { privateKeysDir, publicKeysDir } from '../init/makeRoleKeys.js';
import { certificatePem } from './certificatePem.js';
import { commitBuildingFile } from './commitBuildingFile.js';
import { clocklessNotBefore, issueCertificate, type CertificateRequest, type CertificateSigner, type IssuedCertificate } from './issueCertificate.js';
import { webCryptoKey } from './webCryptoKey.js';
import { writePrivateKeyFile } from './writePrivateKeyFile.js';
import { x509 } from './x509.js';

/** The CA's private key: online (images and the gateway's certificate are issued unattended), never committed. */
export const caKeyFile = `${privateKeysDir}/ca.pem`;
/** The CA's certificate, committed: every board carries it, and anyone may read it. */
export const caCertFile = `${publicKeysDir}/ca.crt`;
/** How long the CA lasts: about a building's refit cycle; boards carry it until they are flashed again. */
export const caYears = 30;

export interface BuildingCaOptions {
  /** When a new CA's validity is counted from; now when absent. */
  readonly now?: Date | undefined;
  /** The building's id, named in a new CA's subject; read from building.yaml when absent. */
  readonly buildingId?: string | undefined;
  /** Commit keys/ca.crt when it is not in HEAD as it is on disk (default true; init commits it with the rest). */
  readonly commit?: boolean | undefined;
  readonly author?: Author | undefined;
}

export interface BuildingCa extends CertificateSigner {
  readonly certPem: string;
  /** The CA's private key (Ed25519). */
  readonly key: KeyObject;
  readonly certificate: X509Certificate;
  /** SHA-256 of the certificate, colon-separated hex, as `openssl x509 -fingerprint -sha256` prints it. */
  readonly fingerprint: string;
  /** True when this call made the CA's key. */
  readonly made: boolean;
  /** The commit this call made to record keys/ca.crt, if it made one. */
  readonly committed: string | undefined;
  /** Issues a board's or the gateway's certificate (issueCertificate.ts). */
  issue(request: CertificateRequest): Promise<IssuedCertificate>;
}

const defaultAuthor: Author = { name: 'osmose', email: 'osmose@localhost' };

/**
 * The building's certificate authority, the root of the TLS links between the gateway and the
 * boards: an Ed25519 key in `.osmose/keys/ca.pem` (mode 0600, never committed) and its
 * self-signed certificate in `keys/ca.crt`, committed. `osmose init` makes it; a building made
 * before there was one gets it on first use, committed on its own. Once made it is only read:
 * a certificate that does not belong to the key is refused rather than replaced, since every
 * board flashed so far trusts that certificate.
 */
export async function ensureBuildingCa(root: string, options: BuildingCaOptions = {}): Promise<BuildingCa> {
  const keyText = await readIfExists(join(root, caKeyFile));
  const certText = await readIfExists(join(root, caCertFile));
  if (keyText === undefined && certText !== undefined) {
    throw new InputError('ca.private-key-missing', `${caCertFile} exists but the CA's private key ${caKeyFile} does not`, {
      hint: `this building's CA was made elsewhere: copy its ${caKeyFile} here. Making a new CA would leave every flashed board trusting the old one (they would refuse the gateway until flashed again): to do that anyway, remove ${caCertFile}`,
      data: { root, key: caKeyFile, certificate: caCertFile },
    });
  }

  let made = false;
  let key: KeyObject;
  if (keyText === undefined) {
    key = generateKeyPairSync('ed25519').privateKey;
    await writePrivateKeyFile(root, 'ca.pem', key);
    made = true;
  } else {
    key = parseKey(keyText);
  }

  let certPem = certText;
  if (certPem === undefined) {
    certPem = await selfSigned(key, options.buildingId ?? (await buildingIdOf(root)), options.now ?? new Date());
    await mkdir(join(root, publicKeysDir), { recursive: true });
    await writeFile(join(root, caCertFile), certPem);
  }
  const certificate = parseCertificate(certPem, key);

  const committed =
    options.commit === false
      ? undefined
      : await commitBuildingFile(root, caCertFile, options.author ?? defaultAuthor, `The building CA (${caCertFile}): the root of the gateway's and the boards' TLS certificates\n`, options.now ?? new Date());
  const signer = { certPem, key };
  return {
    certPem,
    key,
    certificate,
    fingerprint: certificate.fingerprint256,
    made,
    committed,
    issue: (request) => issueCertificate(signer, request),
  };
}

async function selfSigned(key: KeyObject, buildingId: string, now: Date): Promise<string> {
  const publicKey = createPublicKey(key);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const notAfter = new Date(Math.floor(now.getTime() / 1000) * 1000);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + caYears);
  const name: x509.JsonName = [{ CN: [`${buildingId} building CA`] }, { O: ['osmose'] }];
  const serial = createHash('sha256').update('osmose CA serial\0').update(JSON.stringify([name, notAfter.toISOString()])).update(spki).digest();
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const crypto = webcrypto;
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.subarray(0, 16).toString('hex'),
      name,
      notBefore: clocklessNotBefore,
      notAfter,
      keys: { privateKey: await webCryptoKey(key), publicKey: await webCryptoKey(publicKey) },
      signingAlgorithm: { name: 'Ed25519' },
      extensions: [
        // pathLen 0: the CA signs leaves only, never another CA.
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(spki, false, crypto),
      ],
    },
    crypto,
  );
  return certificatePem(certificate);
}

function parseKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new InputError('ca.bad-key', `${caKeyFile} is not an unencrypted PKCS#8 private key`, {
      hint: `restore the CA key from a backup; the CA key is kept unencrypted because images and the gateway's certificate are issued unattended`,
      data: { file: caKeyFile },
      cause: error,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InputError('ca.bad-key', `${caKeyFile} is an ${key.asymmetricKeyType ?? 'unknown'} key; the building CA is Ed25519`, { data: { file: caKeyFile, type: key.asymmetricKeyType } });
  }
  return key;
}

function parseCertificate(pem: string, key: KeyObject): X509Certificate {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (error) {
    throw new InputError('ca.bad-certificate', `${caCertFile} is not a PEM certificate`, {
      hint: `restore it from git (git checkout -- ${caCertFile}), or remove it to make it again from ${caKeyFile}`,
      data: { file: caCertFile },
      cause: error,
    });
  }
  if (!certificate.ca || !certificate.checkPrivateKey(key)) {
    throw new InputError('ca.key-mismatch', `${caCertFile} is not the CA certificate of the key in ${caKeyFile}`, {
      hint: `restore the ${caKeyFile} that ${caCertFile} belongs to (boards trust that certificate), or remove ${caCertFile} to make one from ${caKeyFile} and flash the boards again`,
      data: { key: caKeyFile, certificate: caCertFile },
    });
  }
  return certificate;
}

/** building.yaml's building.id, or the folder's name when it cannot be read. */
async function buildingIdOf(root: string): Promise<string> {
  const text = await readIfExists(join(root, 'building.yaml'));
  try {
    const id = (parse(text ?? '') as { building?: { id?: unknown } } | null)?.building?.id;
    if (typeof id === 'string' && id !== '') return id;
  } catch {
    // An unreadable building.yaml is osmose validate's to report; the CA only needs a name.
  }
  return basename(root) || 'building';
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
