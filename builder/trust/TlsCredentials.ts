/**
 * What one end of a gateway↔board link needs for mutual TLS, as node:tls takes it
 * (`{ key: keyPem, cert: certPem, ca: caPem }`): its private key, its certificate, and the
 * building CA's certificate, the only one it trusts.
 */
export interface TlsCredentials {
  readonly keyPem: string;
  readonly certPem: string;
  readonly caPem: string;
}
