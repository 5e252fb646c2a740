import { InputError } from '../../lib/OsmoseError.js';

export const rootPassphraseVariable = 'OSMOSE_ROOT_PASSPHRASE';

/**
 * The passphrase that encrypts the root signing key: from OSMOSE_ROOT_PASSPHRASE, else
 * asked of the person at the terminal. With neither, or when it is empty, refused: the root
 * key is never stored in the clear.
 */
export async function rootPassphrase(source: {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly interactive: boolean;
  readonly ask: () => Promise<string>;
}): Promise<string> {
  const fromEnv = source.env[rootPassphraseVariable];
  if (fromEnv !== undefined) {
    if (fromEnv === '') throw emptyPassphrase(`${rootPassphraseVariable} is set but empty`);
    return fromEnv;
  }
  if (!source.interactive) {
    throw new InputError('init.no-passphrase', 'the root signing key needs a passphrase, and there is no terminal to ask for one', {
      hint: `set ${rootPassphraseVariable} to the passphrase (for example from a password manager), or run the command in a terminal to type it`,
      data: { variable: rootPassphraseVariable },
    });
  }
  const typed = await source.ask();
  if (typed === '') throw emptyPassphrase('the passphrase typed is empty');
  return typed;
}

function emptyPassphrase(what: string): InputError {
  return new InputError('init.empty-passphrase', `${what}; the root signing key must be encrypted with a passphrase`, {
    hint: `choose a non-empty passphrase (a long one: it guards every board) and give it in ${rootPassphraseVariable} or at the prompt`,
    data: { variable: rootPassphraseVariable },
  });
}
