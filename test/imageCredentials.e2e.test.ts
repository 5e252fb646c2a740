import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { checkBoardPeer } from '../builder/trust/checkBoardPeer.js';
import { gatewayCredentials } from '../builder/trust/gatewayCredentials.js';
import { readBoardIdentities } from '../builder/trust/readBoardIdentities.js';
import { runOsmose, type Run } from './fixtures/runOsmose.js';

// What `osmose image` puts in the state partition for TLS, as a board finds it once the image
// is unpacked (osmose boot IMAGE): its certificate, the building CA and where its gateway is.
let parent: string;
let root: string;

const osmose = (...args: string[]): Promise<Run> => runOsmose(['-C', root, ...args], { cwd: parent });

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-image-tls-'));
  root = join(parent, 'cw');
  expect((await runOsmose(['init', root, '--template', 'coworking'], { cwd: parent, env: { OSMOSE_ROOT_PASSPHRASE: 'test passphrase' } })).code).toBe(0);
  await buildBuilding({ root, timestamp: 1_800_000_000 });
}, 180_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('osmose image: TLS credentials', () => {
  it('writes identity.crt, building-ca.crt and gateway.json beside identity.pem, the same bytes every time', async () => {
    const file = join(parent, 'door.img');
    const made = await osmose('image', 'meeting-1-door', '--out', file, '--gateway', 'gateway.local:4443', '--json');
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const report = JSON.parse(made.stdout) as { sha256: string; gateway: unknown; certificate: { serial: string; notAfter: string } };
    expect(report.gateway).toEqual({ host: 'gateway.local', port: 4443 });
    expect(report.certificate.notAfter).toBe('2047-01-15T08:00:00.000Z');

    const again = await osmose('image', 'meeting-1-door', '--out', join(parent, 'door-again.img'), '--gateway', 'gateway.local:4443', '--json');
    expect((JSON.parse(again.stdout) as { sha256: string }).sha256).toBe(report.sha256);
    expect((await readFile(join(parent, 'door-again.img'))).equals(await readFile(file))).toBe(true);
    const without = await osmose('image', 'meeting-1-door', '--out', join(parent, 'door-no-gateway.img'), '--json');
    expect(JSON.parse(without.stdout)).not.toHaveProperty('gateway');
    expect((JSON.parse(without.stdout) as { sha256: string }).sha256).not.toBe(report.sha256);

    expect((await osmose('boot', file, '--once', '--json')).code).toBe(0);
    const board = `${file}.board`;
    const certificate = new X509Certificate(await readFile(join(board, 'identity.crt')));
    const ca = new X509Certificate(await readFile(join(board, 'building-ca.crt')));
    expect(await readFile(join(board, 'building-ca.crt'), 'utf8')).toBe(await readFile(join(root, 'keys/ca.crt'), 'utf8'));
    expect(certificate.subject).toBe('CN=meeting-1-door');
    expect(certificate.checkIssued(ca) && certificate.verify(ca.publicKey)).toBe(true);
    expect(certificate.publicKey.equals(createPublicKey(createPrivateKey(await readFile(join(board, 'identity.pem')))))).toBe(true);
    expect(certificate.serialNumber.toLowerCase()).toBe(report.certificate.serial);
    expect(JSON.parse(await readFile(join(board, 'gateway.json'), 'utf8'))).toEqual({ host: 'gateway.local', port: 4443 });
    expect((await stat(join(board, 'identity.pem'))).mode & 0o777).toBe(0o600);

    // The board's files are enough for mutual TLS with the building's gateway.
    const gateway = await gatewayCredentials(root, ['gateway.local', '127.0.0.1']);
    const server = createServer({ key: gateway.keyPem, cert: gateway.certPem, ca: gateway.caPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
    const admitted = new Promise<unknown>((resolve) => {
      server.on('secureConnection', (socket) => {
        const peer = socket.getPeerX509Certificate();
        void readBoardIdentities(root).then((identities) => resolve(checkBoardPeer(identities, peer)));
        socket.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const [key, cert, caPem] = await Promise.all(['identity.pem', 'identity.crt', 'building-ca.crt'].map((name) => readFile(join(board, name), 'utf8')));
      const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername: 'gateway.local', key, cert, ca: caPem, minVersion: 'TLSv1.3' });
      client.on('error', () => undefined);
      expect(await admitted).toMatchObject({ ok: true, board: 'meeting-1-door' });
      client.destroy();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 180_000);

  it('refuses a --gateway that is not HOST:PORT, saying what to give', async () => {
    for (const [value, problem] of [
      ['gateway.local', /it has no :PORT/],
      ['gateway.local:0', /not a number from 1 to 65535/],
      ['gateway.local:http', /not a number from 1 to 65535/],
      ['fd00::1:4443', /write an IPv6 address in brackets/],
      ['[gateway.local]:4443', /is not an IPv6 address/],
      ['gate_way:4443', /neither a host name nor an IP address/],
    ] as const) {
      const run = await osmose('image', 'meeting-1-door', '--out', join(parent, 'x.img'), '--gateway', value);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(problem);
      expect(run.stderr).toMatch(/give HOST:PORT/);
    }
    const v6 = await osmose('image', 'meeting-2-door', '--out', join(parent, 'v6.img'), '--gateway', '[fd00::1]:4443', '--json');
    expect(v6.code).toBe(0);
    expect((JSON.parse(v6.stdout) as { gateway: unknown }).gateway).toEqual({ host: 'fd00::1', port: 4443 });
  }, 120_000);

  it('refuses to image a revoked board with its revoked key', async () => {
    expect((await osmose('image', 'open-space-door', '--out', join(parent, 'open.img'))).code).toBe(0);
    expect((await osmose('keys', 'revoke-board', 'open-space-door', '--reason', 'lost')).code).toBe(0);
    const refused = await osmose('image', 'open-space-door', '--out', join(parent, 'open.img'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/open-space-door was revoked at .* \(lost\)/);
    expect(refused.stderr).toMatch(/move \.osmose\/keys\/boards\/open-space-door\.pem away/);
  }, 120_000);
});
