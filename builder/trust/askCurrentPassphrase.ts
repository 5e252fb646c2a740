import password from '@inquirer/password';
import { InputError } from '../../lib/OsmoseError.js';

/** Asks once, at the terminal (on stderr), for the passphrase the building's root key is encrypted with. */
export async function askCurrentPassphrase(): Promise<string> {
  try {
    return await password({ message: 'Passphrase of the root signing key', mask: true }, { output: process.stderr });
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') throw new InputError('keys.cancelled', 'cancelled at the passphrase prompt; nothing was written', { cause: error });
    throw error;
  }
}
