import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { boardFiles } from '../../kernel-js/boot/boardDirectory.js';
import { boardCredentials } from './boardCredentials.js';

/**
 * Gives a board directory the board's side of mutual TLS with the gateway, as its image would
 * hold them: identity.pem (mode 0600), identity.crt and building-ca.crt. `osmose sim` uses it
 * for simulated boards, which have a directory but no image.
 */
export async function writeBoardCredentials(root: string, board: string, dir: string, epoch: number): Promise<void> {
  const credentials = await boardCredentials(root, board, epoch);
  await writeFile(join(dir, boardFiles.identityKey), credentials.keyPem, { mode: 0o600 });
  await writeFile(join(dir, boardFiles.identityCert), credentials.certPem);
  await writeFile(join(dir, boardFiles.buildingCa), credentials.caPem);
}
