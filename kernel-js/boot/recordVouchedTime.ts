import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { Signature, type Metadata, type Timestamp } from '@tufjs/models';
import { KernelError } from '../KernelError.js';
import { sha256Hex } from '../trust/parseMetadata.js';
import { roleSignatures } from '../trust/roleSignatures.js';
import { boardFiles, type BoardIdentity } from './boardDirectory.js';
import type { BoardState } from './BoardState.js';
import { readBoardState, writeBoardState } from './boardStateFile.js';
import { slotContext } from './slotContext.js';

/**
 * A time the building vouches for, for one board: `{ signed: { _type: 'time', board, time },
 * signatures }`, signed (Ed25519 over the canonical JSON of `signed`, as TUF metadata is) by
 * the timestamp role's keys. The gateway, or the installer's machine, makes one with the
 * builder's signTimeVouch.
 */
export interface TimeVouch {
  readonly signed: { readonly _type: 'time'; readonly board: string; readonly time: string };
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

/**
 * Records a vouched time in the board directory's state.json once it verifies against the
 * timestamp role of the root the board trusts (its threshold of keys) and names this board.
 * The recorded time only moves forward: a replayed older vouch changes nothing. From then on
 * the board judges expiry by the later of its clock and this time (trustedTime). Refusals are
 * KernelErrors: `time.malformed`, `time.wrong-board`, `time.signature`.
 */
export async function recordVouchedTime(dir: string, vouch: unknown): Promise<BoardState> {
  const identity = JSON.parse(readFileSync(join(dir, boardFiles.board), 'utf8')) as BoardIdentity;
  const state = readBoardState(dir);
  const { root } = slotContext(dir, identity.board, state, new Date());
  const v = vouch as Partial<TimeVouch> | null;
  const signed = v?.signed;
  const time = typeof signed?.time === 'string' ? Date.parse(signed.time) : Number.NaN;
  if (signed?._type !== 'time' || typeof signed.board !== 'string' || Number.isNaN(time) || !Array.isArray(v?.signatures)) {
    throw new KernelError('time.malformed', 'the vouched time is not { signed: { _type: "time", board, time }, signatures }', { data: { dir } });
  }
  if (signed.board !== identity.board) throw new KernelError('time.wrong-board', `the time is vouched for board ${signed.board}, not ${identity.board}`, { data: { board: signed.board } });
  // Verified like a TUF metadata file: @tufjs/models' key check needs only `signed.toJSON()` and the signatures by key id.
  const listed = (v.signatures as readonly { readonly keyid?: unknown; readonly sig?: unknown }[]).flatMap((s) => (typeof s.keyid === 'string' && typeof s.sig === 'string' ? [new Signature({ keyID: s.keyid, sig: s.sig })] : []));
  const signatures = Object.fromEntries(listed.map((s) => [s.keyID, s]));
  const signable = { signed: { toJSON: () => signed }, signatures } as unknown as Metadata<Timestamp>;
  const check = roleSignatures(root.signed, 'timestamp', signable, sha256Hex(Buffer.from(canonicalize(vouch))));
  if (check.valid.length < check.threshold) {
    throw new KernelError('time.signature', `the vouched time is signed by ${check.valid.length} of the ${check.threshold} timestamp key(s) root ${root.signed.version} requires`, { data: { valid: check.valid.length, threshold: check.threshold } });
  }
  const recorded = state.vouchedTime === undefined ? Number.NaN : Date.parse(state.vouchedTime);
  if (!Number.isNaN(recorded) && recorded >= time) return state;
  const next: BoardState = { ...state, vouchedTime: new Date(time).toISOString() };
  await writeBoardState(dir, next);
  return next;
}
