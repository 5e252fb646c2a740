import { describe, expect, it } from 'vitest';
import { rootPassphrase } from './rootPassphrase.js';

const neverAsked = (): Promise<string> => Promise.reject(new Error('must not prompt'));

describe('rootPassphrase', () => {
  it('takes OSMOSE_ROOT_PASSPHRASE first, without prompting', async () => {
    await expect(rootPassphrase({ env: { OSMOSE_ROOT_PASSPHRASE: 'pass' }, interactive: true, ask: neverAsked })).resolves.toBe('pass');
  });

  it('asks at the terminal when the variable is unset', async () => {
    await expect(rootPassphrase({ env: {}, interactive: true, ask: () => Promise.resolve('typed') })).resolves.toBe('typed');
  });

  it('refuses, with a hint naming the variable, when there is no terminal to ask', async () => {
    const refusal = rootPassphrase({ env: {}, interactive: false, ask: neverAsked });
    await expect(refusal).rejects.toMatchObject({ code: 'init.no-passphrase', hint: expect.stringContaining('OSMOSE_ROOT_PASSPHRASE') as unknown });
  });

  it('refuses an empty passphrase, given or typed', async () => {
    await expect(rootPassphrase({ env: { OSMOSE_ROOT_PASSPHRASE: '' }, interactive: true, ask: neverAsked })).rejects.toMatchObject({ code: 'init.empty-passphrase' });
    await expect(rootPassphrase({ env: {}, interactive: true, ask: () => Promise.resolve('') })).rejects.toMatchObject({ code: 'init.empty-passphrase' });
  });
});
