import { createHash, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { InputError } from '../../lib/OsmoseError.js';
import { certificatePem } from './certificatePem.js';
import { webCryptoKey } from './webCryptoKey.js';
import { x509 } from './x509.js';

/** What signs a certificate: the building CA's certificate and private key (buildingCa.ts). */
export interface CertificateSigner {
  readonly certPem: string;
  readonly key: KeyObject;
}

/**
 * A board's certificate: valid for {@link boardCertificateYears} years from the build's time,
 * since a board keeps the certificate its image gave it until it is flashed again (updates
 * over the air do not replace it). Its validity starts at {@link clocklessNotBefore}, not at
 * the build: the gateway's clock need not agree with the clock of the machine that built the
 * image, and a board's certificate is bounded by revocation and the recorded key instead.
 */
export interface BoardCertificateRequest {
  readonly role: 'board';
  readonly board: string;
  /** The board's identity key (its public half, or the private key it comes from). */
  readonly publicKey: KeyObject;
  /** Seconds since the epoch: the build commit's time (validity is counted from it), so that two images of a build agree. */
  readonly epoch: number;
}

/**
 * The gateway's certificate: checked by boards, which may have no clock worth the name. It is
 * valid from {@link clocklessNotBefore} (a board that wakes at 1970 must still accept it) and
 * for `days` from `now`; the gateway asks for a new one when it starts.
 */
export interface GatewayCertificateRequest {
  readonly role: 'gateway';
  /** Every host name and IP address boards reach the gateway by (the TLS client checks it). */
  readonly names: readonly string[];
  readonly publicKey: KeyObject;
  readonly now: Date;
  /** Days of validity from `now`; {@link gatewayCertificateDays} when absent. */
  readonly days?: number | undefined;
}

export type CertificateRequest = BoardCertificateRequest | GatewayCertificateRequest;

export interface IssuedCertificate {
  readonly certPem: string;
  /** Lower-case hex, as openssl and node:crypto print it. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export const boardCertificateYears = 20;
export const gatewayCertificateDays = 365;
/**
 * Where the validity of every certificate of the building begins: the Unix epoch, so that a
 * board whose clock starts at 1970 after a power cut still completes a handshake, and a gateway
 * whose clock is behind the build machine's still accepts a board flashed a minute ago.
 */
export const clocklessNotBefore = new Date(0);
/** The board's id as a URI in its certificate's subjectAltName: `osmose:board:<id>`. */
export const boardUriPrefix = 'osmose:board:';

const boardIdPattern = /^[a-z0-9][a-z0-9-]*$/;
const hostNamePattern = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const dayMs = 24 * 60 * 60 * 1000;

/**
 * Issues a leaf certificate signed by the building CA, Ed25519 throughout (Node 20's TLS 1.3
 * accepts Ed25519 certificates; test/mutualTls.e2e.test.ts shows it). Everything in it follows
 * from the request: the serial is a hash of the certificate's content and Ed25519 signatures
 * are deterministic, so the same request gives the same bytes, which keeps board images
 * reproducible.
 */
export async function issueCertificate(ca: CertificateSigner, request: CertificateRequest): Promise<IssuedCertificate> {
  const publicKey = request.publicKey.type === 'private' ? createPublicKey(request.publicKey) : request.publicKey;
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new InputError('ca.key-type', `a certificate for ${describe(request)} needs an Ed25519 key, not ${publicKey.asymmetricKeyType ?? 'an unknown key'}`, {
      data: { role: request.role, type: publicKey.asymmetricKeyType },
    });
  }
  const profile = request.role === 'board' ? boardProfile(request) : gatewayProfile(request);
  const caCertificate = new x509.X509Certificate(ca.certPem);
  const caKeyId = caCertificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  if (caKeyId === undefined) {
    throw new InputError('ca.malformed', 'the building CA certificate has no subject key identifier', { hint: 'make the CA with ensureBuildingCa (osmose init does)' });
  }
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const serial = serialFor(profile, spki, caCertificate.publicKey.rawData);
  const certificate = await x509.X509CertificateGenerator.create(
    {
      serialNumber: serial,
      subject: profile.subject,
      issuer: caCertificate.subjectName,
      notBefore: profile.notBefore,
      notAfter: profile.notAfter,
      publicKey: spki,
      signingKey: await webCryptoKey(ca.key),
      signingAlgorithm: { name: 'Ed25519' },
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([...profile.usages], false),
        new x509.SubjectAlternativeNameExtension([...profile.altNames], false),
        await x509.SubjectKeyIdentifierExtension.create(spki, false, webcrypto),
        new x509.AuthorityKeyIdentifierExtension(caKeyId, false),
      ],
    },
    webcrypto,
  );
  return { certPem: certificatePem(certificate), serial: certificate.serialNumber.toLowerCase(), notBefore: profile.notBefore, notAfter: profile.notAfter };
}

interface Profile {
  readonly role: CertificateRequest['role'];
  readonly subject: x509.JsonName;
  readonly altNames: readonly x509.JsonGeneralName[];
  readonly usages: readonly x509.ExtendedKeyUsageType[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

function boardProfile(request: BoardCertificateRequest): Profile {
  if (!boardIdPattern.test(request.board)) {
    throw new InputError('ca.bad-board', `"${request.board}" is not a board id`, { hint: 'a board id is lowercase letters, digits and hyphens, as in building.yaml', data: { board: request.board } });
  }
  if (!Number.isSafeInteger(request.epoch) || request.epoch < 0) {
    throw new InputError('ca.bad-time', `the epoch ${request.epoch} is not a time in whole seconds`, { data: { epoch: request.epoch } });
  }
  const notAfter = new Date(request.epoch * 1000);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + boardCertificateYears);
  return {
    role: 'board',
    subject: [{ CN: [request.board] }],
    altNames: [{ type: 'url', value: `${boardUriPrefix}${request.board}` }],
    usages: [x509.ExtendedKeyUsage.clientAuth],
    notBefore: clocklessNotBefore,
    notAfter,
  };
}

function gatewayProfile(request: GatewayCertificateRequest): Profile {
  const names = [...new Set(request.names)];
  if (names.length === 0) {
    throw new InputError('ca.no-names', "the gateway's certificate needs the host names or IP addresses boards reach it by", { hint: 'give at least one, such as gateway.local or 192.168.1.10' });
  }
  const altNames = names.map((name): x509.JsonGeneralName => {
    if (isIP(name) !== 0) return { type: 'ip', value: name };
    if (hostNamePattern.test(name)) return { type: 'dns', value: name.toLowerCase() };
    throw new InputError('ca.bad-name', `"${name}" is neither a host name nor an IP address`, { hint: 'give names such as gateway.local, localhost or 192.168.1.10 (no port, no scheme)', data: { name } });
  });
  const days = request.days ?? gatewayCertificateDays;
  if (!Number.isSafeInteger(days) || days < 1) throw new InputError('ca.bad-time', `a gateway certificate lasts a whole number of days, 1 or more, not ${days}`, { data: { days } });
  return {
    role: 'gateway',
    subject: [{ CN: [names[0] ?? 'gateway'] }, { O: ['osmose gateway'] }],
    altNames,
    usages: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
    notBefore: clocklessNotBefore,
    notAfter: new Date(Math.floor(request.now.getTime() / 1000) * 1000 + days * dayMs),
  };
}

/**
 * 16 bytes of a SHA-256 over everything the certificate says, positive and without a leading
 * zero: unique per certificate content (as RFC 5280 wants serials unique per CA) and the same
 * for the same request.
 */
function serialFor(profile: Profile, spki: Uint8Array, issuerSpki: ArrayBuffer): string {
  const content = JSON.stringify([profile.role, profile.subject, profile.altNames, profile.usages, profile.notBefore.toISOString(), profile.notAfter.toISOString()]);
  const digest = createHash('sha256').update('osmose certificate serial\0').update(content).update(spki).update(new Uint8Array(issuerSpki)).digest();
  digest[0] = ((digest[0] ?? 0) & 0x7f) | 0x40;
  return digest.subarray(0, 16).toString('hex');
}

function describe(request: CertificateRequest): string {
  return request.role === 'board' ? `board ${request.board}` : 'the gateway';
}
