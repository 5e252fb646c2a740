import type { x509 } from './x509.js';

/**
 * A certificate as PEM with Unix line ends and one final newline, so that the same
 * certificate is the same file (and the same bytes in a board image) wherever it is written.
 */
export function certificatePem(certificate: x509.X509Certificate): string {
  return `${certificate.toString('pem').replaceAll('\r\n', '\n').trimEnd()}\n`;
}
