import { join } from 'node:path';
import { privateKeysDir } from '../init/makeRoleKeys.js';
import { ensureSecretFile } from './ensureSecretFile.js';

/** Where the building's circuit secret is kept, beside the online signing keys. */
export const circuitSecretFile = 'circuits.key';

/**
 * The building's circuit secret: 32 random bytes every circuit's pairwise key is derived
 * from (circuitKey). Made on first use, mode 0600, never over one that is there (`wx`), so two
 * builds racing keep the same one. Losing it only re-keys the circuits: the next build gives
 * every circuit a new key and the boards at both ends a new configuration.
 */
export async function ensureCircuitSecret(root: string): Promise<Uint8Array> {
  return ensureSecretFile(join(root, privateKeysDir, circuitSecretFile), {
    badCode: 'circuit.bad-secret',
    what: 'a circuit secret',
    hint: 'restore it from a backup, or delete it: the next build makes a new one and re-keys every circuit',
    missingCode: 'circuit.no-secret',
  });
}
