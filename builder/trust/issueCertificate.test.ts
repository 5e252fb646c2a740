import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuildingCa, type BuildingCa } from './buildingCa.js';
import { boardCertificateYears } from './issueCertificate.js';

let dir: string;
let ca: BuildingCa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'osmose-issue-'));
  ca = await ensureBuildingCa(dir, { buildingId: 'test-building', commit: false, now: new Date('2026-01-01T00:00:00Z') });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** `openssl verify` with the CA for a purpose (sslclient, sslserver): its exit status and what it said. */
async function opensslVerify(certPem: string, purpose: string, at?: Date): Promise<{ status: number | null; output: string }> {
  const file = join(dir, `leaf-${purpose}.crt`);
  await writeFile(file, certPem);
  const time = at === undefined ? [] : ['-attime', String(Math.floor(at.getTime() / 1000))];
  const run = spawnSync('openssl', ['verify', ...time, '-CAfile', join(dir, 'keys/ca.crt'), '-purpose', purpose, file], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('issueCertificate', () => {
  const epoch = 1_800_000_000;

  it("gives a board a client certificate for its identity key, named by its id twice, valid from 1970 for 20 years after the build", async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const issued = await ca.issue({ role: 'board', board: 'meeting-1-door', publicKey: privateKey, epoch });
    const certificate = new X509Certificate(issued.certPem);
    expect(certificate.subject).toBe('CN=meeting-1-door');
    expect(certificate.subjectAltName).toBe('URI:osmose:board:meeting-1-door');
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth only
    expect(certificate.ca).toBe(false);
    expect(certificate.publicKey.equals(publicKey)).toBe(true);
    expect(certificate.checkIssued(ca.certificate)).toBe(true);
    expect(certificate.verify(ca.certificate.publicKey)).toBe(true);
    expect(new Date(certificate.validFrom).getTime()).toBe(0);
    expect(new Date(certificate.validTo).toISOString()).toBe(`${2027 + boardCertificateYears}-01-15T08:00:00.000Z`);
    expect(certificate.serialNumber.toLowerCase()).toBe(issued.serial);

    expect(await opensslVerify(issued.certPem, 'sslclient')).toMatchObject({ status: 0 });
    // A board's certificate cannot serve as a gateway's.
    const asServer = await opensslVerify(issued.certPem, 'sslserver');
    expect(asServer.status).not.toBe(0);
    expect(asServer.output).toMatch(/unsuitable certificate purpose/);
  });

  it('is deterministic: the same request gives the same bytes; another build time, another certificate and serial', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const first = await ca.issue({ role: 'board', board: 'door', publicKey: privateKey, epoch });
    const again = await ca.issue({ role: 'board', board: 'door', publicKey: privateKey, epoch });
    expect(again.certPem).toBe(first.certPem);
    const later = await ca.issue({ role: 'board', board: 'door', publicKey: privateKey, epoch: epoch + 1 });
    expect(later.certPem).not.toBe(first.certPem);
    expect(later.serial).not.toBe(first.serial);
    const otherBoard = await ca.issue({ role: 'board', board: 'door-2', publicKey: privateKey, epoch });
    expect(otherBoard.serial).not.toBe(first.serial);
  });

  it("gives the gateway a server and client certificate for its names and addresses, for the days asked", async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const now = new Date('2026-06-01T12:00:00.700Z');
    const issued = await ca.issue({ role: 'gateway', names: ['gateway.local', 'localhost', '192.168.1.10', '::1', 'localhost'], publicKey: privateKey, now, days: 30 });
    const certificate = new X509Certificate(issued.certPem);
    expect(certificate.subjectAltName).toBe('DNS:gateway.local, DNS:localhost, IP Address:192.168.1.10, IP Address:0:0:0:0:0:0:0:1');
    expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(certificate.checkHost('gateway.local')).toBe('gateway.local');
    expect(certificate.checkIP('192.168.1.10')).toBe('192.168.1.10');
    expect(certificate.checkHost('elsewhere.local')).toBeUndefined();
    expect(new Date(certificate.validFrom).getTime()).toBe(0);
    expect(new Date(certificate.validTo).toISOString()).toBe('2026-07-01T12:00:00.000Z');
    expect(await opensslVerify(issued.certPem, 'sslserver', new Date('2026-06-15T00:00:00Z'))).toMatchObject({ status: 0 });
    expect((await opensslVerify(issued.certPem, 'sslserver', new Date('2026-07-02T00:00:00Z'))).output).toMatch(/certificate has expired/);
  });

  it('refuses what it cannot certify, naming it', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const now = new Date();
    await expect(ca.issue({ role: 'board', board: 'Bad Board', publicKey: privateKey, epoch })).rejects.toMatchObject({ code: 'ca.bad-board' });
    await expect(ca.issue({ role: 'board', board: 'door', publicKey: privateKey, epoch: -1 })).rejects.toMatchObject({ code: 'ca.bad-time' });
    await expect(ca.issue({ role: 'gateway', names: [], publicKey: privateKey, now })).rejects.toMatchObject({ code: 'ca.no-names' });
    await expect(ca.issue({ role: 'gateway', names: ['https://gateway.local:4443'], publicKey: privateKey, now })).rejects.toMatchObject({ code: 'ca.bad-name', message: expect.stringContaining('https://gateway.local:4443') as unknown });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    await expect(ca.issue({ role: 'board', board: 'door', publicKey: rsa, epoch })).rejects.toMatchObject({ code: 'ca.key-type' });
  });
});
