import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tufPublicKey } from '../init/tufPublicKey.js';
import { readBoardIdentities } from './readBoardIdentities.js';
import { revokeBoard } from './revokeBoard.js';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A repository whose refs/osmose/identities holds `records` (board → JSON text), written with system git. */
async function repository(records: Readonly<Record<string, string>>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'osmose-identities-'));
  temps.push(root);
  const git = (args: string[], input?: string): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', ...(input === undefined ? {} : { input }) }).trim();
  git(['init', '-q']);
  if (Object.keys(records).length === 0) return root;
  const blobs = Object.entries(records).map(([board, text]) => `100644 blob ${git(['hash-object', '-w', '--stdin'], text)}\t${board}.json`);
  const boards = git(['mktree'], `${blobs.join('\n')}\n`);
  const tree = git(['mktree'], `040000 tree ${boards}\tboards\n`);
  const commit = git(['-c', 'user.name=t', '-c', 'user.email=t@e', 'commit-tree', tree, '-m', 'identities']);
  git(['update-ref', 'refs/osmose/identities', commit]);
  return root;
}

function record(board: string, extra: Record<string, unknown> = {}): string {
  const { keyid, key } = tufPublicKey(generateKeyPairSync('ed25519').publicKey);
  return JSON.stringify({ board, keyid, ...key, ...extra }, null, 2);
}

describe('readBoardIdentities', () => {
  it('is empty before any board is imaged, and reads each record with its key and revocation', async () => {
    expect((await readBoardIdentities(await repository({}))).size).toBe(0);
    const root = await repository({ door: record('door'), wall: record('wall', { revoked: { at: '2026-11-01T10:00:00Z', reason: 'lost' } }) });
    const identities = await readBoardIdentities(root);
    expect([...identities.keys()].sort()).toEqual(['door', 'wall']);
    expect(identities.get('door')?.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(identities.get('door')?.revoked).toBeUndefined();
    expect(identities.get('wall')?.revoked).toEqual({ at: '2026-11-01T10:00:00Z', reason: 'lost' });
  });

  it('refuses a record that is not what osmose wrote, naming it, rather than forget the board', async () => {
    const wrongId = JSON.stringify({ ...(JSON.parse(record('door')) as object), keyid: '00'.repeat(32) });
    for (const [text, problem] of [
      ['not json', /is not JSON/],
      [record('wall'), /names board "wall", not door/],
      [wrongId, /has key id "0000/],
      [record('door', { revoked: { reason: 'no time' } }), /has a revoked field without a time/],
    ] as const) {
      await expect(readBoardIdentities(await repository({ door: text }))).rejects.toMatchObject({
        code: 'identities.malformed',
        message: expect.stringMatching(new RegExp(`^refs/osmose/identities:boards/door\\.json ${problem.source}`)) as unknown,
      });
    }
  });
});

describe('revokeBoard', () => {
  it('writes revoked into the record in one commit on top of the ref, keeping the other records', async () => {
    const root = await repository({ door: record('door'), wall: record('wall') });
    const before = execFileSync('git', ['-C', root, 'rev-parse', 'refs/osmose/identities'], { encoding: 'utf8' }).trim();
    const result = await revokeBoard(root, 'door', { reason: '  lost in the move ', at: new Date('2026-11-02T09:30:00.250Z') });
    expect(result).toMatchObject({ board: 'door', revoked: { at: '2026-11-02T09:30:00Z', reason: 'lost in the move' }, already: false });
    expect(execFileSync('git', ['-C', root, 'rev-parse', `${result.commit ?? ''}^`], { encoding: 'utf8' }).trim()).toBe(before);
    const identities = await readBoardIdentities(root);
    expect(identities.get('door')?.revoked).toEqual({ at: '2026-11-02T09:30:00Z', reason: 'lost in the move' });
    expect(identities.get('wall')?.revoked).toBeUndefined();
    await expect(revokeBoard(root, 'door', { reason: ' ' })).rejects.toMatchObject({ code: 'keys.usage' });
    await expect(revokeBoard(root, 'dor')).rejects.toMatchObject({ code: 'keys.unknown-board', message: expect.stringContaining('Did you mean "door"?') as unknown });
  });
});
