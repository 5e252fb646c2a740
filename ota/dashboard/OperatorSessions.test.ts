import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperatorSessions, operatorSecretFile, sessionCookie } from './OperatorSessions.js';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'osmose-operator-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('OperatorSessions', () => {
  it('makes the secret once, private, and keeps it across gateways', async () => {
    const first = await OperatorSessions.open(root);
    const file = operatorSecretFile(root);
    const secret = (await readFile(file, 'utf8')).trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await OperatorSessions.open(root);
    // A session of one gateway is not one of the next, but the same secret signs in to both.
    const id = first.signIn(secret);
    expect(second.isOperator(`${sessionCookie}=${id}`)).toBe(false);
    expect(second.isOperator(`${sessionCookie}=${second.signIn(`  ${secret}\n`)}`)).toBe(true);
  });

  it('refuses a wrong credential without a session, and ends sessions on sign-out and after 12 hours', async () => {
    const sessions = await OperatorSessions.open(root);
    const secret = (await readFile(operatorSecretFile(root), 'utf8')).trim();
    expect(() => sessions.signIn('0'.repeat(64))).toThrow(expect.objectContaining({ code: 'dashboard.bad-credential' }) as Error);
    expect(sessions.isOperator(undefined)).toBe(false);
    const now = Date.parse('2026-01-01T08:00:00Z');
    const id = sessions.signIn(secret, now);
    const cookie = `theme=dark; ${sessionCookie}=${id}; other=1`;
    expect(sessions.isOperator(cookie, now + 11 * 3600_000)).toBe(true);
    expect(sessions.isOperator(cookie, now + 12 * 3600_000)).toBe(false);
    expect(sessions.isOperator(`${sessionCookie}=${id}x`, now)).toBe(false);
    sessions.signOut(cookie);
    expect(sessions.isOperator(cookie, now)).toBe(false);
    expect(OperatorSessions.cookie(id)).toMatch(/HttpOnly; SameSite=Strict/);
    expect(OperatorSessions.cookie(null)).toMatch(/Max-Age=0/);
  });
});
