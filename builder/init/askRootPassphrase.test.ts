import { describe, expect, it } from 'vitest';
import { askRootPassphrase, type PasswordPrompt } from './askRootPassphrase.js';

/** A prompt that types `answers` in turn, each re-asked question taking the next one, as inquirer does. */
function typing(...answers: string[]): { prompt: PasswordPrompt; shown: string[] } {
  const shown: string[] = [];
  const prompt: PasswordPrompt = (question) => {
    for (;;) {
      const answer = answers.shift();
      if (answer === undefined) return Promise.reject(new Error(`no answer left for "${question.message}"`));
      const verdict = question.validate(answer);
      if (verdict === true) return Promise.resolve(answer);
      shown.push(verdict);
    }
  };
  return { prompt, shown };
}

describe('askRootPassphrase', () => {
  it('asks twice and returns the passphrase when both agree', async () => {
    const { prompt, shown } = typing('hunter2 hunter2', 'hunter2 hunter2');
    await expect(askRootPassphrase(prompt)).resolves.toBe('hunter2 hunter2');
    expect(shown).toEqual([]);
  });

  it('asks again while the passphrase is empty or the confirmation differs', async () => {
    const { prompt, shown } = typing('', 'first', 'frist', 'first');
    await expect(askRootPassphrase(prompt)).resolves.toBe('first');
    expect(shown).toEqual(['the passphrase cannot be empty', 'that is not the same passphrase; type it again']);
  });

  it('turns Ctrl-C at the prompt into a refusal, not an internal error', async () => {
    const exit = Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
    await expect(askRootPassphrase(() => Promise.reject(exit))).rejects.toMatchObject({ code: 'init.cancelled' });
  });
});
