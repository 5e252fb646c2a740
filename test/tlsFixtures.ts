import { KeyObject, webcrypto } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

// Throwaway TLS identities for tests that need real mutual TLS: a building CA, a gateway's
// server certificate and one client certificate per board, all Ed25519 as the building's real
// ones are (builder/trust), and made fresh in memory. Nothing here is written to disk; every fixture has its own CA, so a second fixture
// stands for "another building" whose boards and gateways the first one must refuse.

/** A certificate and its private key, both PEM, as node:tls takes them. */
export interface TlsIdentity {
  readonly key: string;
  readonly cert: string;
}

export interface TlsFixture {
  /** The CA's certificate (PEM): what a gateway and a board both trust. */
  readonly ca: string;
  /** The gateway's identity, valid for `localhost`, 127.0.0.1 and ::1 and any extra names given. */
  readonly server: TlsIdentity;
  /** A client identity whose subject common name is the board's id. */
  client(board: string): Promise<TlsIdentity>;
}

const algorithm = { name: 'Ed25519' } as const;

/**
 * @peculiar/x509 stands on tsyringe, which will not load without the Reflect metadata API
 * (reflect-metadata, not a dependency of osmose). Its classes carry no metadata, so a small
 * store is enough; a real polyfill already loaded is left alone. x509 is then loaded lazily,
 * after the store exists.
 */
async function loadX509(): Promise<typeof X509> {
  const reflect = Reflect as unknown as Record<string, unknown>;
  if (typeof reflect['getMetadata'] !== 'function') {
    const store = new WeakMap<object, Map<unknown, unknown>>();
    const own = (key: unknown, target: object): unknown => store.get(target)?.get(key);
    reflect['getOwnMetadata'] = own;
    reflect['defineMetadata'] = (key: unknown, value: unknown, target: object): void => {
      store.set(target, (store.get(target) ?? new Map<unknown, unknown>()).set(key, value));
    };
    reflect['getMetadata'] = (key: unknown, target: object): unknown => {
      for (let at: object | null = target; at !== null; at = Object.getPrototypeOf(at) as object | null) {
        if (store.get(at)?.has(key) === true) return own(key, at);
      }
      return undefined;
    };
  }
  return import('@peculiar/x509');
}

function keyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

async function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/** Yesterday to next week: valid now whatever the clock skew between test processes. */
function validity(): { notBefore: Date; notAfter: Date } {
  const day = 24 * 60 * 60 * 1000;
  const now = Date.now();
  return { notBefore: new Date(now - day), notAfter: new Date(now + 7 * day) };
}

/** Makes a fresh CA, a gateway certificate signed by it, and a way to sign board certificates. */
export async function makeTlsFixture(options: { serverNames?: readonly string[] } = {}): Promise<TlsFixture> {
  const x509 = await loadX509();
  const caKeys = await newKeys();
  const caName = 'CN=osmose test building CA';
  const caCert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name: caName,
      keys: caKeys,
      signingAlgorithm: algorithm,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    },
  );

  const issue = async (subject: string, usage: X509.ExtendedKeyUsage, names: readonly X509.JsonGeneralName[]): Promise<TlsIdentity> => {
    const keys = await newKeys();
    const cert = await x509.X509CertificateGenerator.create(
      {
        subject,
        issuer: caName,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: algorithm,
        ...validity(),
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([usage]),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
          ...(names.length === 0 ? [] : [new x509.SubjectAlternativeNameExtension([...names])]),
        ],
      },
    );
    return { key: keyPem(keys.privateKey), cert: cert.toString('pem') };
  };

  const serverNames: X509.JsonGeneralName[] = [
    { type: 'dns', value: 'localhost' },
    { type: 'ip', value: '127.0.0.1' },
    { type: 'ip', value: '::1' },
    ...(options.serverNames ?? []).map((value) => ({ type: 'dns' as const, value })),
  ];
  const server = await issue('CN=osmose test gateway', x509.ExtendedKeyUsage.serverAuth, serverNames);
  return {
    ca: caCert.toString('pem'),
    server,
    client: (board) => issue(`CN=${board}`, x509.ExtendedKeyUsage.clientAuth, []),
  };
}
