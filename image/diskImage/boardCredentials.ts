import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateKeysDir } from '../../builder/init/makeRoleKeys.js';
import { ensureBuildingCa } from '../../builder/trust/buildingCa.js';
import { readBoardIdentities } from '../../builder/trust/readBoardIdentities.js';
import type { TlsCredentials } from '../../builder/trust/TlsCredentials.js';
import { InputError } from '../../lib/OsmoseError.js';
import { boardIdentity } from './boardIdentity.js';

export interface BoardCredentials extends TlsCredentials {
  readonly board: string;
  /** The identity key's TUF key id, as recorded on refs/osmose/identities. */
  readonly keyid: string;
  /** True when this call made the board's identity key. */
  readonly made: boolean;
  readonly serial: string;
  readonly notAfter: Date;
}

/**
 * A board's side of mutual TLS with the gateway: its identity key (boardIdentity: made the
 * first time and recorded on refs/osmose/identities), a certificate for it from the building
 * CA, and the CA's certificate. The TLS key *is* the identity key, so the gateway can compare
 * a peer's key with the recorded one. `epoch` (the build's time, in seconds) fixes the
 * certificate's validity, so two images of one build carry the same certificate.
 *
 * A revoked board is refused while its key is the revoked one: imaging it again would
 * otherwise rewrite its record and lift the revocation. Moving its key file away gives it a
 * new identity, recorded in place of the revoked one.
 */
export async function boardCredentials(root: string, board: string, epoch: number): Promise<BoardCredentials> {
  const recorded = (await readBoardIdentities(root)).get(board);
  if (recorded?.revoked !== undefined) {
    const keyFile = `${privateKeysDir}/boards/${board}.pem`;
    const pem = await readFile(join(root, keyFile), 'utf8').catch(() => undefined);
    if (pem !== undefined && createPublicKey(createPrivateKey(pem)).equals(recorded.publicKey)) {
      throw new InputError('image.board-revoked', `${board} was revoked at ${recorded.revoked.at} (${recorded.revoked.reason}); its identity key cannot be given a certificate`, {
        hint: `to give ${board} a new identity, move ${keyFile} away and run osmose image again`,
        data: { board, revoked: recorded.revoked, keyFile },
      });
    }
  }
  const identity = await boardIdentity(root, board, epoch);
  const ca = await ensureBuildingCa(root);
  const issued = await ca.issue({ role: 'board', board, publicKey: createPrivateKey(identity.pem), epoch });
  return { board, keyid: identity.keyid, made: identity.made, keyPem: identity.pem, certPem: issued.certPem, caPem: ca.certPem, serial: issued.serial, notAfter: issued.notAfter };
}
