import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBuilding } from '../builder/init/initBuilding.js';
import { ensureBuildingCa } from '../builder/trust/buildingCa.js';
import { checkBoardPeer, type BoardPeerCheck } from '../builder/trust/checkBoardPeer.js';
import { gatewayCredentials } from '../builder/trust/gatewayCredentials.js';
import { readBoardIdentities, type BoardIdentities } from '../builder/trust/readBoardIdentities.js';
import type { TlsCredentials } from '../builder/trust/TlsCredentials.js';
import { boardCredentials } from '../image/diskImage/boardCredentials.js';
import { runOsmose } from './fixtures/runOsmose.js';

// The gateway↔board link as the gateway and the update agent set it up: node:tls, TLS 1.3,
// the gateway asking for a client certificate and both ends refusing what the building CA did
// not issue; then checkBoardPeer on what got through. The credentials come from real buildings
// made by initBuilding, as `osmose image` and `osmose gateway` take them.

let parent: string;
let root: string;
let elsewhere: string;
const epoch = 1_800_000_000;

async function building(name: string): Promise<string> {
  const dir = join(parent, name);
  await initBuilding({ dir, template: 'coworking', force: false, rootPassphrase: () => Promise.resolve('a long root passphrase'), author: { name: 'Test', email: 'test@example.org' } });
  return dir;
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-mtls-'));
  root = await building('wgb');
  elsewhere = await building('other');
}, 60_000);
afterAll(() => rm(parent, { recursive: true, force: true }));

interface Handshake {
  /** What the gateway saw: checkBoardPeer's verdict once TLS let the board in, or the TLS error. */
  readonly gateway: { readonly check?: BoardPeerCheck; readonly protocol?: string | null; readonly error?: string };
  /** What the board saw: the gateway's greeting, or the TLS error. */
  readonly board: { readonly received?: string; readonly protocol?: string | null; readonly error?: string };
}

/** One connection from `board` to `gateway`, over loopback, each side configured as in production. */
async function handshake(gateway: TlsCredentials, board: TlsCredentials, identities: BoardIdentities, servername?: string): Promise<Handshake> {
  const server = createServer({ key: gateway.keyPem, cert: gateway.certPem, ca: gateway.caPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' });
  const gatewaySide = new Promise<Handshake['gateway']>((resolve) => {
    server.on('secureConnection', (socket) => {
      resolve({ check: checkBoardPeer(identities, socket.getPeerX509Certificate()), protocol: socket.getProtocol() });
      socket.end('welcome');
    });
    // The verification error is the socket's; the error itself is how the connection ended.
    // (@types/node calls it an Error; Node sets the OpenSSL code, a string.)
    server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
      const verification: unknown = socket.authorizationError;
      resolve({ error: typeof verification === 'string' ? verification : (error.code ?? error.message) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const boardSide = new Promise<Handshake['board']>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, key: board.keyPem, cert: board.certPem, ca: board.caPem, minVersion: 'TLSv1.3', ...(servername === undefined ? {} : { servername }) });
      let received = '';
      let protocol: string | null = null;
      socket.on('secureConnect', () => (protocol = socket.getProtocol()));
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      socket.on('close', () => resolve({ received, protocol }));
    });
    const [boardResult, gatewayResult] = await Promise.all([boardSide, gatewaySide]);
    return { gateway: gatewayResult, board: boardResult };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('mutual TLS between the gateway and the boards', () => {
  it("completes TLS 1.3 between a board's image credentials and the gateway's, and the gateway admits the board", async () => {
    const board = await boardCredentials(root, 'meeting-1-door', epoch);
    const gateway = await gatewayCredentials(root, ['localhost', '127.0.0.1']);
    const identities = await readBoardIdentities(root);
    // The board's TLS key is its recorded identity key.
    expect(createPublicKey(board.keyPem).equals(identities.get('meeting-1-door')?.publicKey ?? generateKeyPairSync('ed25519').publicKey)).toBe(true);
    expect(board.caPem).toBe(gateway.caPem);

    const result = await handshake(gateway, board, identities);
    expect(result.gateway).toEqual({ check: { ok: true, board: 'meeting-1-door', keyid: board.keyid }, protocol: 'TLSv1.3' });
    expect(result.board).toEqual({ received: 'welcome', protocol: 'TLSv1.3' });

    // The board checks the name it dialled against the gateway's certificate.
    expect((await handshake(gateway, board, identities, 'elsewhere.local')).board.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it("refuses, in the handshake, a board certified by another building's CA, and the board refuses that building's gateway", async () => {
    const gateway = await gatewayCredentials(root, ['localhost', '127.0.0.1']);
    // A board of another building, with our CA's certificate (it is public) to check our gateway by.
    const stranger = { ...(await boardCredentials(elsewhere, 'meeting-1-door', epoch)), caPem: gateway.caPem };
    const identities = await readBoardIdentities(root);
    const refused = await handshake(gateway, stranger, identities);
    expect(refused.gateway).toEqual({ error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    expect(refused.board.received).toBe('');

    const ours = await boardCredentials(root, 'meeting-1-door', epoch);
    const strangeGateway = await gatewayCredentials(elsewhere, ['localhost', '127.0.0.1']);
    const misled = await handshake(strangeGateway, ours, await readBoardIdentities(elsewhere));
    expect(misled.board.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
    expect(misled.gateway.check).toBeUndefined();
  });

  it('refuses, after the handshake, a revoked board, a certificate for a replaced key, an unknown board and a certificate that is not a board\'s', async () => {
    const gateway = await gatewayCredentials(root, ['localhost', '127.0.0.1']);
    const ca = await ensureBuildingCa(root);

    // A certificate the CA issued for the board's first key, kept after the board got a new one.
    const first = await boardCredentials(root, 'open-space-door', epoch);
    await rename(join(root, '.osmose/keys/boards/open-space-door.pem'), join(parent, 'open-space-door.old.pem'));
    const second = await boardCredentials(root, 'open-space-door', epoch);
    expect(second.keyid).not.toBe(first.keyid);
    const identities = await readBoardIdentities(root);
    expect((await handshake(gateway, first, identities)).gateway.check).toMatchObject({ ok: false, code: 'peer.key-mismatch', board: 'open-space-door' });
    expect((await handshake(gateway, second, identities)).gateway.check).toMatchObject({ ok: true, board: 'open-space-door' });

    // A board of the building never imaged: the CA's certificate alone does not let it in.
    const ghostKey = generateKeyPairSync('ed25519').privateKey;
    const ghost = { keyPem: ghostKey.export({ type: 'pkcs8', format: 'pem' }).toString(), certPem: (await ca.issue({ role: 'board', board: 'ghost-door', publicKey: ghostKey, epoch })).certPem, caPem: ca.certPem };
    expect((await handshake(gateway, ghost, identities)).gateway.check).toMatchObject({ ok: false, code: 'peer.unknown', board: 'ghost-door' });

    // The gateway's own certificate is a client certificate too, but it names no board.
    expect((await handshake(gateway, gateway, identities)).gateway.check).toMatchObject({ ok: false, code: 'peer.no-board' });

    // Revoked: refused whatever it shows, from the gateway's next read of the identities.
    const door = await boardCredentials(root, 'meeting-2-door', epoch);
    expect((await handshake(gateway, door, await readBoardIdentities(root))).gateway.check).toMatchObject({ ok: true });
    const revoked = await runOsmose(['-C', root, 'keys', 'revoke-board', 'meeting-2-door', '--reason', 'stolen from room 2'], { cwd: parent });
    expect(revoked.code).toBe(0);
    const after = await handshake(gateway, door, await readBoardIdentities(root));
    expect(after.gateway.check).toMatchObject({ ok: false, code: 'peer.revoked', board: 'meeting-2-door', reason: expect.stringContaining('stolen from room 2') as unknown });
  });
});

describe('osmose keys revoke-board', () => {
  const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });

  it('records revoked: { at, reason } in the board\'s record, in one commit that system git reads', async () => {
    const board = await boardCredentials(root, 'entrance-door', epoch);
    const before = git('rev-parse', 'refs/osmose/identities').trim();
    const run = await runOsmose(['-C', root, 'keys', 'revoke-board', 'entrance-door', '--reason', 'board replaced', '--json'], { cwd: parent });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; board: string; keyid: string; revoked: { at: string; reason: string }; commit: string; already: boolean };
    expect(report).toMatchObject({ ok: true, board: 'entrance-door', keyid: board.keyid, revoked: { reason: 'board replaced' }, already: false });
    expect(Number.isNaN(Date.parse(report.revoked.at))).toBe(false);

    expect(git('rev-parse', 'refs/osmose/identities').trim()).toBe(report.commit);
    expect(git('rev-list', '--count', `${before}..refs/osmose/identities`).trim()).toBe('1');
    expect(git('show', '--name-only', '--format=%s', 'refs/osmose/identities').trim().split('\n')).toEqual(['revoke entrance-door: board replaced', '', 'boards/entrance-door.json']);
    const record = JSON.parse(git('show', 'refs/osmose/identities:boards/entrance-door.json')) as Record<string, unknown>;
    expect(record).toMatchObject({ board: 'entrance-door', keyid: board.keyid, revoked: report.revoked });
    execFileSync('git', ['-C', root, 'fsck', '--strict'], { stdio: 'pipe' });

    // Again: nothing changes, and the first revocation stands.
    const again = await runOsmose(['-C', root, 'keys', 'revoke-board', 'entrance-door', '--reason', 'again'], { cwd: parent });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already revoked .* \(board replaced\); nothing changed/);
    expect(git('rev-parse', 'refs/osmose/identities').trim()).toBe(report.commit);
  });

  it('keeps a revoked board from being imaged with its revoked key; a new key is a new identity', async () => {
    await boardCredentials(root, 'meeting-1-wall', epoch);
    expect((await runOsmose(['-C', root, 'keys', 'revoke-board', 'meeting-1-wall'], { cwd: parent })).code).toBe(0);
    await expect(boardCredentials(root, 'meeting-1-wall', epoch)).rejects.toMatchObject({ code: 'image.board-revoked' });
    await rename(join(root, '.osmose/keys/boards/meeting-1-wall.pem'), join(parent, 'meeting-1-wall.revoked.pem'));
    const renewed = await boardCredentials(root, 'meeting-1-wall', epoch);
    expect(renewed.made).toBe(true);
    expect((await readBoardIdentities(root)).get('meeting-1-wall')).toMatchObject({ keyid: renewed.keyid });
    expect((await readBoardIdentities(root)).get('meeting-1-wall')?.revoked).toBeUndefined();
  });

  it('refuses a board without a recorded identity, suggesting the one meant', async () => {
    const run = await runOsmose(['-C', root, 'keys', 'revoke-board', 'meeting-1-dor'], { cwd: parent });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/meeting-1-dor has no identity recorded on refs\/osmose\/identities/);
    expect(run.stderr).toMatch(/Did you mean "meeting-1-door"\?/);
    const empty = await runOsmose(['-C', elsewhere, 'keys', 'revoke-board', 'nobody', '--json'], { cwd: parent });
    expect(empty.code).toBe(1);
    expect(empty.stdout + empty.stderr).toMatch(/keys.unknown-board|no board has an identity yet/);
  });
});
