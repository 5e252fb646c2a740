import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseMetadata } from '../../kernel-js/trust/parseMetadata.js';
import { roleSignatures } from '../../kernel-js/trust/roleSignatures.js';
import { testKey } from '../../test/fixtures/tufRepository.js';
import { makeRoot, type RoleDefinition } from './makeRoot.js';
import { signRepository } from './signRepository.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const keys = { root: testKey(), targets: testKey(), snapshot: testKey(), timestamp: testKey() };
const role = (key: ReturnType<typeof testKey>): RoleDefinition => ({ keys: [{ keyid: key.keyid, key: { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: key.public } } }], threshold: 1 });
const root = makeRoot(1, new Date('2100-01-01'), { root: role(keys.root), targets: role(keys.targets), snapshot: role(keys.snapshot), timestamp: role(keys.timestamp) });
const signer = (key: ReturnType<typeof testKey>) => [{ keyid: key.keyid, key: key.privateKey }];

describe('signRepository', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const repository = signRepository({
    targets: new Map([
      ['manifests/door.json', { length: 10, sha256: 'a'.repeat(64), custom: { board: 'door', version: 3 } }],
      ['artifacts/x.wasm', { length: 5, sha256: 'b'.repeat(64) }],
    ]),
    previous: { targets: 4, snapshot: 6, timestamp: 9 },
    signers: { targets: signer(keys.targets), snapshot: signer(keys.snapshot), timestamp: signer(keys.timestamp) },
    now,
  });

  it('signs each role one version past the last build, expiring after its lifetime', () => {
    expect([repository.targets.version, repository.snapshot.version, repository.timestamp.version]).toEqual([5, 7, 10]);
    expect(repository.targets.metadata.signed.expires).toBe('2026-04-01T00:00:00Z');
    expect(repository.snapshot.metadata.signed.expires).toBe('2026-01-08T00:00:00Z');
    expect(repository.timestamp.metadata.signed.expires).toBe('2026-01-02T00:00:00Z');
  });

  it('chains timestamp → snapshot → targets by version, length and SHA-256, each signed by its role', () => {
    const targets = parseMetadata('targets', repository.targets.bytes);
    const snapshot = parseMetadata('snapshot', repository.snapshot.bytes);
    const timestamp = parseMetadata('timestamp', repository.timestamp.bytes);
    expect(snapshot.signed.meta['targets.json']).toMatchObject({ version: 5, length: repository.targets.bytes.length, hashes: { sha256: sha256(repository.targets.bytes) } });
    expect(timestamp.signed.snapshotMeta).toMatchObject({ version: 7, length: repository.snapshot.bytes.length, hashes: { sha256: sha256(repository.snapshot.bytes) } });
    expect(targets.signed.targets['manifests/door.json']?.custom).toEqual({ board: 'door', version: 3 });
    for (const [name, metadata, bytes] of [['targets', targets, repository.targets.bytes], ['snapshot', snapshot, repository.snapshot.bytes], ['timestamp', timestamp, repository.timestamp.bytes]] as const) {
      expect(roleSignatures(root.signed, name, metadata, sha256(bytes)).valid).toEqual([keys[name].keyid]);
      expect(roleSignatures(root.signed, name === 'targets' ? 'snapshot' : 'targets', metadata, sha256(bytes)).valid).toEqual([]);
    }
  });
});
