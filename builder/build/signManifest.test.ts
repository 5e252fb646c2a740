import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../lib/OsmoseError.js';
import { tufPublicKey } from '../init/tufPublicKey.js';
import type { BoardManifest } from './BoardImage.js';
import { loadTargetsKey, signManifest, verifyManifest } from './signManifest.js';

const manifest: BoardManifest = {
  format: 1,
  board: 'fw11-door',
  type: 'sim',
  image: 'a'.repeat(64),
  config: 'b'.repeat(64),
  modules: [{ app: 'lights', wasm: 'c'.repeat(64), source: 'd'.repeat(64), bytes: 5562 }],
  source: { commit: null, uncommitted: [] },
  toolchain: { assemblyscript: '0.28.20', flags: [], abi: 1, sdk: 'e'.repeat(64) },
};

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('signManifest', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = { keyid: tufPublicKey(privateKey).keyid, key: privateKey };
  const publicHex = tufPublicKey(privateKey).key.keyval.public;

  it('signs so that the public key verifies, and a change to any field does not', () => {
    const envelope = signManifest(manifest, signer);
    expect(envelope.signatures).toHaveLength(1);
    expect(envelope.signatures[0]?.keyid).toBe(signer.keyid);
    expect(verifyManifest(envelope, publicHex)).toBe(true);
    expect(verifyManifest({ ...envelope, signed: { ...manifest, board: 'fw12-door' } }, publicHex)).toBe(false);
    expect(verifyManifest(envelope, tufPublicKey(generateKeyPairSync('ed25519').privateKey).key.keyval.public)).toBe(false);
  });

  it('signs the canonical form: key order does not matter', () => {
    const reordered = Object.fromEntries(Object.entries(manifest).reverse()) as unknown as BoardManifest;
    expect(signManifest(reordered, signer).signatures).toEqual(signManifest(manifest, signer).signatures);
  });

  it('refuses to build without the targets key, saying where it should be', async () => {
    const root = mkdtempSync(join(tmpdir(), 'osmose-sign-'));
    dirs.push(root);
    const error = await loadTargetsKey(root).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('build.no-signing-key');
  });
});
