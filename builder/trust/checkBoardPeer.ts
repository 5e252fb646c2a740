import { X509Certificate } from 'node:crypto';
import { boardUriPrefix } from './issueCertificate.js';
import type { BoardIdentities } from './readBoardIdentities.js';

/** Why the gateway refuses a board that completed a TLS handshake (or presented a certificate). */
export type BoardPeerRefusal =
  /** No client certificate at all. */
  | 'peer.no-certificate'
  /** Bytes that are not a certificate. */
  | 'peer.malformed'
  /** A certificate that names no board: no common name, or no `osmose:board:` URI. */
  | 'peer.no-board'
  /** Its common name and its `osmose:board:` URI name different boards. */
  | 'peer.name-mismatch'
  /** Not issued by the building CA given in the options. */
  | 'peer.untrusted'
  /** No identity is recorded for the board it names. */
  | 'peer.unknown'
  /** The board is revoked (`osmose keys revoke-board`). */
  | 'peer.revoked'
  /** Its key is not the board's recorded identity key: a certificate for a replaced or stolen key. */
  | 'peer.key-mismatch';

export type BoardPeerCheck =
  | { readonly ok: true; readonly board: string; readonly keyid: string }
  | { readonly ok: false; readonly code: BoardPeerRefusal; readonly reason: string; readonly board?: string };

/**
 * A peer's certificate as the gateway gets it: node:crypto's X509Certificate
 * (`socket.getPeerX509Certificate()`), its DER bytes, or node:tls's PeerCertificate
 * (`socket.getPeerCertificate()`, whose `raw` is the DER; an empty object when the peer sent none).
 */
export type PeerCertificate = X509Certificate | Uint8Array | { readonly raw?: Uint8Array | undefined } | null | undefined;

export interface CheckBoardPeerOptions {
  /** The building CA (PEM or parsed): also check the certificate was issued by it, for a caller that did not let TLS check the chain. */
  readonly ca?: X509Certificate | string | undefined;
}

/**
 * What the gateway checks of a board once TLS has checked the chain: the certificate names a
 * board (its common name, and the same id in its `osmose:board:<id>` URI), the building
 * recorded an identity for that board, the board is not revoked, and the certificate's key is
 * the recorded identity key — so a certificate the CA once issued for a key the board no longer
 * has is refused. `identities` comes from readBoardIdentities. Whatever the peer sends, a
 * refusal is a value, never a throw, with a code the gateway can log and count.
 */
export function checkBoardPeer(identities: BoardIdentities, peer: PeerCertificate, options: CheckBoardPeerOptions = {}): BoardPeerCheck {
  const der = peer instanceof X509Certificate ? undefined : peer instanceof Uint8Array ? peer : peer?.raw;
  if (!(peer instanceof X509Certificate) && (der === undefined || der.length === 0)) {
    return refuse('peer.no-certificate', 'the peer presented no certificate');
  }
  let certificate: X509Certificate;
  try {
    certificate = peer instanceof X509Certificate ? peer : new X509Certificate(der ?? new Uint8Array());
  } catch {
    return refuse('peer.malformed', 'the peer\'s certificate does not parse as X.509');
  }

  const names = commonNames(certificate.subject);
  const uris = (certificate.subjectAltName ?? '').split(', ').filter((name) => name.startsWith(`URI:${boardUriPrefix}`)).map((name) => name.slice(`URI:${boardUriPrefix}`.length));
  const [board] = names;
  if (names.length !== 1 || board === undefined || board === '') return refuse('peer.no-board', `the certificate (subject ${oneLine(certificate.subject)}) has no single common name naming a board`);
  if (uris.length === 0) return refuse('peer.no-board', `the certificate of ${board} has no ${boardUriPrefix}${board} URI: it was not issued to a board`, board);
  if (uris.some((uri) => uri !== board)) return refuse('peer.name-mismatch', `the certificate's common name is ${board} but its URI names ${uris.join(', ')}`, board);

  if (options.ca !== undefined) {
    const ca = typeof options.ca === 'string' ? new X509Certificate(options.ca) : options.ca;
    if (!certificate.checkIssued(ca) || !certificate.verify(ca.publicKey)) {
      return refuse('peer.untrusted', `the certificate of ${board} was not issued by this building's CA (${oneLine(ca.subject)})`, board);
    }
  }

  const identity = identities.get(board);
  if (identity === undefined) return refuse('peer.unknown', `no identity is recorded for ${board}: it has never been imaged by this building (osmose image ${board})`, board);
  if (identity.revoked !== undefined) return refuse('peer.revoked', `${board} was revoked at ${identity.revoked.at}: ${identity.revoked.reason}`, board);
  if (!certificate.publicKey.equals(identity.publicKey)) {
    return refuse('peer.key-mismatch', `the certificate of ${board} is for another key than its recorded identity key ${identity.keyid.slice(0, 12)}…: a replaced or foreign key`, board);
  }
  return { ok: true, board, keyid: identity.keyid };
}

function refuse(code: BoardPeerRefusal, reason: string, board?: string): BoardPeerCheck {
  return board === undefined ? { ok: false, code, reason } : { ok: false, code, reason, board };
}

/** The CN values of a subject as node:crypto prints it, one `key=value` a line. */
function commonNames(subject: string): string[] {
  return subject.split('\n').filter((line) => line.startsWith('CN=')).map((line) => line.slice('CN='.length));
}

function oneLine(name: string): string {
  return name.split('\n').join(', ');
}
