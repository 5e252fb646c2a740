import { describe, expect, it } from 'vitest';
import { testKey, signWith } from '../../test/fixtures/tufRepository.js';
import { makeRoot, type RoleDefinition } from './makeRoot.js';
import { readRootChain } from './readRootChain.js';
import { rootText } from './signFirstRoot.js';

const keys = { root: testKey(), targets: testKey(), snapshot: testKey(), timestamp: testKey() };
const role = (key: ReturnType<typeof testKey>): RoleDefinition => ({ keys: [{ keyid: key.keyid, key: { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: key.public } } }], threshold: 1 });
const roles = { root: role(keys.root), targets: role(keys.targets), snapshot: role(keys.snapshot), timestamp: role(keys.timestamp) };
const later = new Date(Date.now() + 1e10);

function version(n: number, rootKey = keys.root, signers = [rootKey]): Uint8Array {
  const metadata = makeRoot(n, later, { ...roles, root: role(rootKey) });
  signWith(metadata, signers);
  return Buffer.from(rootText(metadata.toJSON()));
}

describe('readRootChain', () => {
  it('reads versions 1 to N, each signed by the one before and by itself', () => {
    const next = testKey();
    const chain = readRootChain(new Map([['keys/1.root.json', version(1)], ['keys/2.root.json', version(2, next, [keys.root, next])], ['README.md', Buffer.from('')]]));
    expect(chain?.map((root) => [root.version, root.metadata.signed.roles['root']?.keyIDs])).toEqual([[1, [keys.root.keyid]], [2, [next.keyid]]]);
    expect(readRootChain(new Map())).toBeUndefined();
  });

  it.each([
    ['a gap', () => new Map([['keys/1.root.json', version(1)], ['keys/3.root.json', version(3)]])],
    ['version 2 signed by its new key alone', () => { const next = testKey(); return new Map([['keys/1.root.json', version(1)], ['keys/2.root.json', version(2, next, [next])]]); }],
    ['version 2 signed by the old key alone', () => new Map([['keys/1.root.json', version(1)], ['keys/2.root.json', version(2, testKey(), [keys.root])]])],
    ['version 1 not signed by its root key', () => new Map([['keys/1.root.json', version(1, keys.root, [keys.targets])]])],
    ['a file that is not root metadata', () => new Map([['keys/1.root.json', Buffer.from('{"signed":{}}')]])],
  ])('refuses %s', (_, files) => {
    expect(() => readRootChain(files())).toThrow(expect.objectContaining({ code: 'keys.root-chain' }) as Error);
  });
});
