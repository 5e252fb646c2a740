import fs from 'node:fs';
import git from 'isomorphic-git';
import { InputError, OsmoseError } from '../../lib/OsmoseError.js';
import { didYouMeanSuffix } from '../../lib/didYouMean.js';
import { identitiesRef, identityRecordPath } from './identitiesRef.js';
import { readBoardIdentities, type BoardRevocation } from './readBoardIdentities.js';
import { readIdentityRecords } from './readIdentityRecords.js';

export interface RevokeBoardOptions {
  /** Why, in the operator's words; kept in the record and shown when the gateway refuses the board. */
  readonly reason?: string | undefined;
  /** When; now when absent. */
  readonly at?: Date | undefined;
}

export interface RevokeBoardResult {
  readonly board: string;
  /** The key id of the identity key revoked. */
  readonly keyid: string;
  readonly revoked: BoardRevocation;
  /** The commit on refs/osmose/identities; undefined when the board was revoked already. */
  readonly commit: string | undefined;
  /** True when the board was revoked before: its first revocation stands, unchanged. */
  readonly already: boolean;
}

export const defaultRevocationReason = 'revoked by the operator';

/**
 * Revokes a board: its record on `refs/osmose/identities` gets `revoked: { at, reason }`, in
 * one commit, and from then on the gateway refuses it (checkBoardPeer: `peer.revoked`) and
 * `osmose image` refuses to image it with the same key. The key itself is not deleted: a board
 * is given a new identity by moving its key file away and imaging it again, which records the
 * new key in place of the revoked one. Revoking a revoked board changes nothing.
 */
export async function revokeBoard(root: string, board: string, options: RevokeBoardOptions = {}): Promise<RevokeBoardResult> {
  const reason = (options.reason ?? defaultRevocationReason).trim();
  if (reason === '') throw new InputError('keys.usage', 'the reason for revoking a board cannot be empty', { hint: 'leave --reason out, or say why', data: { board } });
  const identities = await readBoardIdentities(root);
  const identity = identities.get(board);
  if (identity === undefined) {
    const known = [...identities.keys()];
    throw new InputError('keys.unknown-board', `${board} has no identity recorded on ${identitiesRef}, so there is nothing to revoke.${didYouMeanSuffix(board, known)}`, {
      hint:
        known.length === 0
          ? 'no board has an identity yet: a board gets its identity key with its first image (osmose image BOARD)'
          : `the boards with an identity are ${known.sort().join(', ')}; a board gets one with its first image (osmose image BOARD)`,
      data: { board, known },
    });
  }
  if (identity.revoked !== undefined) return { board, keyid: identity.keyid, revoked: identity.revoked, commit: undefined, already: true };

  const at = options.at ?? new Date();
  const revoked: BoardRevocation = { at: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), reason };
  const records = await readIdentityRecords(root);
  const record = JSON.parse(records.texts.get(board) ?? '{}') as Record<string, unknown>;
  const blob = await git.writeBlob({ fs, dir: root, blob: new TextEncoder().encode(`${JSON.stringify({ ...record, revoked }, null, 2)}\n`) });
  const path = identityRecordPath(board).split('/').at(-1) ?? `${board}.json`;
  const entries = [...records.entries.filter((entry) => entry.path !== path), { mode: '100644', path, oid: blob, type: 'blob' as const }];
  const boardsTree = await git.writeTree({ fs, dir: root, tree: entries });
  const tree = await git.writeTree({ fs, dir: root, tree: [{ mode: '040000', path: 'boards', oid: boardsTree, type: 'tree' }] });
  const author = { name: 'osmose', email: 'osmose@localhost', timestamp: Math.floor(at.getTime() / 1000), timezoneOffset: 0 };
  const commit = await git.writeCommit({
    fs,
    dir: root,
    commit: {
      tree,
      parent: records.commit === undefined ? [] : [records.commit],
      author,
      committer: author,
      message: `revoke ${board}: ${reason}\n\nIts identity key ${identity.keyid} is refused by the gateway from now on.\n`,
    },
  });
  // Only if the ref has not moved since it was read, so that a key recorded meanwhile is not lost.
  const now = await git.resolveRef({ fs, dir: root, ref: identitiesRef }).catch(() => undefined);
  if (now !== records.commit) {
    throw new OsmoseError('keys.identities-moved', `${identitiesRef} changed while ${board} was being revoked`, { hint: 'run the command again', data: { board } });
  }
  await git.writeRef({ fs, dir: root, ref: identitiesRef, value: commit, force: true });
  return { board, keyid: identity.keyid, revoked, commit, already: false };
}
