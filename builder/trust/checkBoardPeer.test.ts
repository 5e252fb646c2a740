import { createPublicKey, generateKeyPairSync, webcrypto, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tufPublicKey } from '../init/tufPublicKey.js';
import { ensureBuildingCa, type BuildingCa } from './buildingCa.js';
import { checkBoardPeer } from './checkBoardPeer.js';
import type { BoardIdentities, RecordedBoardIdentity } from './readBoardIdentities.js';
import { webCryptoKey } from './webCryptoKey.js';
import { x509 } from './x509.js';

const dirs: string[] = [];
let ca: BuildingCa;
let otherCa: BuildingCa;
beforeAll(async () => {
  for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), 'osmose-peer-')));
  ca = await ensureBuildingCa(dirs[0] ?? '', { buildingId: 'ours', commit: false });
  otherCa = await ensureBuildingCa(dirs[1] ?? '', { buildingId: 'theirs', commit: false });
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const epoch = 1_800_000_000;
const door = generateKeyPairSync('ed25519').privateKey;

function recorded(board: string, key = door, revoked?: RecordedBoardIdentity['revoked']): RecordedBoardIdentity {
  const publicKey = createPublicKey(key);
  return { board, keyid: tufPublicKey(publicKey).keyid, publicKey, ...(revoked === undefined ? {} : { revoked }) };
}

async function boardCert(board: string, signer = ca, key = door): Promise<X509Certificate> {
  return new X509Certificate((await signer.issue({ role: 'board', board, publicKey: key, epoch })).certPem);
}

describe('checkBoardPeer', () => {
  it('admits a recorded, unrevoked board whose certificate holds its identity key, given as X509Certificate, DER or a PeerCertificate', async () => {
    const identities: BoardIdentities = new Map([['door', recorded('door')]]);
    const certificate = await boardCert('door');
    const expected = { ok: true, board: 'door', keyid: recorded('door').keyid };
    expect(checkBoardPeer(identities, certificate)).toEqual(expected);
    expect(checkBoardPeer(identities, certificate.raw)).toEqual(expected);
    expect(checkBoardPeer(identities, { raw: certificate.raw })).toEqual(expected);
    expect(checkBoardPeer(identities, certificate, { ca: ca.certPem })).toEqual(expected);
  });

  it('refuses each way a peer can fall short, with its code', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    const identities: BoardIdentities = new Map([
      ['door', recorded('door')],
      ['stolen', recorded('stolen', door, { at: '2026-11-01T10:00:00Z', reason: 'stolen' })],
    ]);
    expect(checkBoardPeer(identities, undefined)).toMatchObject({ ok: false, code: 'peer.no-certificate' });
    expect(checkBoardPeer(identities, {})).toMatchObject({ ok: false, code: 'peer.no-certificate' });
    expect(checkBoardPeer(identities, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]))).toMatchObject({ ok: false, code: 'peer.malformed' });
    expect(checkBoardPeer(identities, await boardCert('nobody'))).toMatchObject({ ok: false, code: 'peer.unknown', board: 'nobody' });
    expect(checkBoardPeer(identities, await boardCert('stolen'))).toMatchObject({ ok: false, code: 'peer.revoked', reason: expect.stringContaining('2026-11-01T10:00:00Z: stolen') as unknown });
    expect(checkBoardPeer(identities, await boardCert('door', ca, other))).toMatchObject({ ok: false, code: 'peer.key-mismatch', board: 'door' });
    expect(checkBoardPeer(identities, await boardCert('door', otherCa), { ca: ca.certificate })).toMatchObject({ ok: false, code: 'peer.untrusted', board: 'door' });
    const gateway = new X509Certificate((await ca.issue({ role: 'gateway', names: ['door'], publicKey: door, now: new Date() })).certPem);
    expect(checkBoardPeer(identities, gateway)).toMatchObject({ ok: false, code: 'peer.no-board' });
  });

  it("refuses a certificate whose common name and board URI disagree, even from the building's CA", async () => {
    // Made by hand: the building's CA never issues one.
    const spki = createPublicKey(door).export({ type: 'spki', format: 'der' });
    const crafted = await x509.X509CertificateGenerator.create(
      {
        serialNumber: '01',
        subject: [{ CN: ['door'] }],
        issuer: new x509.X509Certificate(ca.certPem).subjectName,
        publicKey: spki,
        signingKey: await webCryptoKey(ca.key),
        signingAlgorithm: { name: 'Ed25519' },
        extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'osmose:board:stolen' }])],
      },
      webcrypto,
    );
    const identities: BoardIdentities = new Map([['door', recorded('door')]]);
    expect(checkBoardPeer(identities, new Uint8Array(crafted.rawData), { ca: ca.certPem })).toMatchObject({ ok: false, code: 'peer.name-mismatch', board: 'door' });
  });
});
