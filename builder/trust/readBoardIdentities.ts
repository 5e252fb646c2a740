import { createPublicKey, type KeyObject } from 'node:crypto';
import { InputError } from '../../lib/OsmoseError.js';
import { tufPublicKey } from '../init/tufPublicKey.js';
import { identitiesRef, identityRecordPath } from './identitiesRef.js';
import { readIdentityRecords } from './readIdentityRecords.js';

/** Why and when a board was revoked (`osmose keys revoke-board`). */
export interface BoardRevocation {
  /** ISO 8601, UTC. */
  readonly at: string;
  readonly reason: string;
}

/** A board's identity as the building recorded it: what the gateway compares a peer's certificate with. */
export interface RecordedBoardIdentity {
  readonly board: string;
  /** The TUF key id of the identity key (SHA-256 of its canonical JSON form). */
  readonly keyid: string;
  /** The public half of the board's identity key (Ed25519). */
  readonly publicKey: KeyObject;
  readonly revoked?: BoardRevocation;
}

/** Every recorded board identity, by board id: what checkBoardPeer looks a peer up in. */
export type BoardIdentities = ReadonlyMap<string, RecordedBoardIdentity>;

/**
 * Every board's recorded identity, from `refs/osmose/identities` (each `boards/<board>.json`),
 * by board id: empty when no board has been imaged yet. A record that does not parse, or whose
 * key id is not its key's, is refused with the file named, rather than skipped: a gateway that
 * silently forgot a revoked board would let it in.
 */
export async function readBoardIdentities(root: string): Promise<Map<string, RecordedBoardIdentity>> {
  const { texts } = await readIdentityRecords(root);
  const identities = new Map<string, RecordedBoardIdentity>();
  for (const [board, text] of texts) identities.set(board, parseRecord(board, text));
  return identities;
}

function parseRecord(board: string, text: string): RecordedBoardIdentity {
  const file = `${identitiesRef}:${identityRecordPath(board)}`;
  const malformed = (problem: string): InputError =>
    new InputError('identities.malformed', `${file} ${problem}`, {
      hint: `restore it from the ref's history (git log -p ${identitiesRef} -- ${identityRecordPath(board)}); osmose writes these records, never edit them by hand`,
      data: { board, file },
    });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed('is not JSON');
  }
  const record = value as { board?: unknown; keyid?: unknown; keytype?: unknown; keyval?: { public?: unknown }; revoked?: { at?: unknown; reason?: unknown } } | null;
  if (record === null || typeof record !== 'object') throw malformed('is not an object');
  if (record.board !== board) throw malformed(`names board ${JSON.stringify(record.board)}, not ${board}`);
  const hex = record.keyval?.public;
  if (record.keytype !== 'ed25519' || typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) throw malformed('holds no Ed25519 public key (keyval.public, 64 hex digits)');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
  const { keyid } = tufPublicKey(publicKey);
  if (record.keyid !== keyid) throw malformed(`has key id ${JSON.stringify(record.keyid)}, but its key's id is ${keyid}`);
  if (record.revoked === undefined) return { board, keyid, publicKey };
  const { at, reason } = record.revoked;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof reason !== 'string') throw malformed('has a revoked field without a time (at) and a reason');
  return { board, keyid, publicKey, revoked: { at, reason } };
}
