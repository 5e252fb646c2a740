import password from '@inquirer/password';
import { InputError } from '../../lib/OsmoseError.js';

/** One masked question; `validate` returns true, or what to tell the person before asking again. */
export type PasswordPrompt = (question: { readonly message: string; readonly validate: (value: string) => true | string }) => Promise<string>;

// Prompts go to stderr so that stdout carries only the command's report.
const terminalPrompt: PasswordPrompt = (question) => password({ ...question, mask: true }, { output: process.stderr });

/**
 * Asks for a new root key passphrase twice, at the terminal: the second answer must repeat
 * the first, since a mistyped passphrase would lock the root key away for good.
 */
export async function askRootPassphrase(prompt: PasswordPrompt = terminalPrompt): Promise<string> {
  try {
    const first = await prompt({
      message: 'Passphrase for the root signing key',
      validate: (value) => value !== '' || 'the passphrase cannot be empty',
    });
    await prompt({
      message: 'The same passphrase again',
      validate: (value) => value === first || 'that is not the same passphrase; type it again',
    });
    return first;
  } catch (error) {
    // Ctrl-C at the prompt: the person chose to stop, which is not a bug.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new InputError('init.cancelled', 'cancelled at the passphrase prompt; nothing was written', { cause: error });
    }
    throw error;
  }
}
