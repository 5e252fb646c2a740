import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoardPeer } from '../../builder/trust/checkBoardPeer.js';
import { readBoardIdentities } from '../../builder/trust/readBoardIdentities.js';
import { revokeBoard } from '../../builder/trust/revokeBoard.js';
import { boardFiles } from '../../kernel-js/boot/boardDirectory.js';
import { boardIdentity, identitiesRef } from './boardIdentity.js';
import { writeBoardCredentialsMany } from './writeBoardCredentialsMany.js';

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const epoch = 1_800_000_000;
const git = (root: string, ...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();

/** A bare building repository (building.yaml only) and a directory for each of `count` boards. */
async function building(count: number): Promise<{ root: string; boards: { board: string; dir: string }[] }> {
  const parent = await mkdtemp(join(tmpdir(), 'osmose-credentials-many-'));
  temps.push(parent);
  const root = join(parent, 'b');
  await mkdir(root);
  git(root, 'init', '-q');
  await writeFile(join(root, 'building.yaml'), 'osmose: 1\nbuilding: { id: many, name: many }\n');
  const boards = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const dir = join(parent, 'boards', `b${i + 1}`);
      await mkdir(dir, { recursive: true });
      return { board: `b${i + 1}`, dir };
    }),
  );
  return { root, boards };
}

describe('writeBoardCredentialsMany', () => {
  it('records every new identity in one commit and gives each board a key and certificate the gateway admits', async () => {
    const { root, boards } = await building(12);
    await writeBoardCredentialsMany(root, boards, epoch);

    expect(git(root, 'rev-list', '--count', identitiesRef)).toBe('1');
    expect(git(root, 'log', '-1', '--format=%s', identitiesRef)).toBe('identities of 12 boards');
    execFileSync('git', ['-C', root, 'fsck', '--strict'], { stdio: 'ignore' });
    const identities = await readBoardIdentities(root);
    expect([...identities.keys()].sort()).toEqual(boards.map(({ board }) => board).sort());
    for (const { board, dir } of boards) {
      const key = createPrivateKey(await readFile(join(dir, boardFiles.identityKey), 'utf8'));
      expect((await stat(join(dir, boardFiles.identityKey))).mode & 0o777).toBe(0o600);
      const certificate = new X509Certificate(await readFile(join(dir, boardFiles.identityCert), 'utf8'));
      expect(certificate.publicKey.equals(createPublicKey(key))).toBe(true);
      expect(certificate.verify(new X509Certificate(await readFile(join(dir, boardFiles.buildingCa), 'utf8')).publicKey)).toBe(true);
      const check = checkBoardPeer(identities, certificate);
      expect(check, board).toMatchObject({ ok: true, board });
    }
  });

  it('commits nothing for boards already recorded, and its records are the ones boardIdentity writes', async () => {
    const { root, boards } = await building(3);
    const [first, ...rest] = boards;
    if (first === undefined) throw new Error('no board');
    const alone = await boardIdentity(root, first.board, epoch);
    await writeBoardCredentialsMany(root, boards, epoch);
    // b1 was recorded by boardIdentity; only the other two are new.
    expect(git(root, 'log', '--format=%s', identitiesRef).split('\n')).toEqual(['identities of 2 boards', expect.stringMatching(/^identity of b1/) as unknown]);
    const head = git(root, 'rev-parse', identitiesRef);
    const certificate = await readFile(join(first.dir, boardFiles.identityCert), 'utf8');

    await writeBoardCredentialsMany(root, boards, epoch);
    expect(git(root, 'rev-parse', identitiesRef)).toBe(head);
    // The same key and build time give the same certificate, byte for byte.
    expect(await readFile(join(first.dir, boardFiles.identityCert), 'utf8')).toBe(certificate);
    expect(await readFile(join(first.dir, boardFiles.identityKey), 'utf8')).toBe(alone.pem);
    for (const { board } of rest) expect((await boardIdentity(root, board, epoch)).made).toBe(false);
    expect(git(root, 'rev-parse', identitiesRef)).toBe(head);
  });

  it('refuses a revoked board before writing anything, and records the new key of one whose key was moved away', async () => {
    const { root, boards } = await building(3);
    await writeBoardCredentialsMany(root, boards, epoch);
    await revokeBoard(root, 'b2', { reason: 'stolen', at: new Date('2027-01-01T00:00:00Z') });
    const head = git(root, 'rev-parse', identitiesRef);
    const certificate = await readFile(join(boards[0]?.dir ?? '', boardFiles.identityCert));
    await rm(join(boards[0]?.dir ?? '', boardFiles.identityCert));

    await expect(writeBoardCredentialsMany(root, boards, epoch)).rejects.toMatchObject({ code: 'image.board-revoked', message: expect.stringContaining('b2 was revoked at 2027-01-01T00:00:00Z (stolen)') as unknown });
    expect(git(root, 'rev-parse', identitiesRef)).toBe(head);
    await expect(stat(join(boards[0]?.dir ?? '', boardFiles.identityCert))).rejects.toMatchObject({ code: 'ENOENT' });

    await rename(join(root, '.osmose', 'keys', 'boards', 'b2.pem'), join(root, '.osmose', 'keys', 'boards', 'b2.pem.revoked'));
    await writeBoardCredentialsMany(root, boards, epoch);
    expect(git(root, 'log', '-1', '--format=%s', identitiesRef)).toBe('identities of 1 board');
    const b2 = (await readBoardIdentities(root)).get('b2');
    expect(b2?.revoked).toBeUndefined();
    expect(b2?.publicKey.equals(createPublicKey(createPrivateKey(await readFile(join(boards[1]?.dir ?? '', boardFiles.identityKey), 'utf8'))))).toBe(true);
    expect(await readFile(join(boards[0]?.dir ?? '', boardFiles.identityCert))).toEqual(certificate);
  });
});
