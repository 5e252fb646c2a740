import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactCache, cacheDir } from './ArtifactCache.js';
import { inputKey, sha256 } from './inputKey.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'osmose-cache-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('inputKey', () => {
  it('depends on every input and its name, not on their order', () => {
    const key = inputKey({ source: 'a', sdk: 'b', toolchain: 'c' });
    expect(inputKey({ toolchain: 'c', sdk: 'b', source: 'a' })).toBe(key);
    expect(inputKey({ source: 'a', sdk: 'b', toolchain: 'd' })).not.toBe(key);
    expect(inputKey({ source: 'a', sdk: 'b', flags: 'c' })).not.toBe(key);
    expect(inputKey({ source: 'ab', sdk: '' })).not.toBe(inputKey({ source: 'a', sdk: 'b' }));
  });
});

describe('ArtifactCache', () => {
  it('returns what was stored, from memory and from disk', async () => {
    const cache = new ArtifactCache(root);
    const digest = await cache.put('k1', bytes('wasm'));
    expect(digest).toBe(sha256('wasm'));
    expect(await cache.get('k1')).toEqual(bytes('wasm'));
    expect(await new ArtifactCache(root).get('k1')).toEqual(bytes('wasm'));
    expect(await new ArtifactCache(root).get('k2')).toBeUndefined();
  });

  it('stores identical artefacts of different keys once', async () => {
    const cache = new ArtifactCache(root);
    await cache.put('k1', bytes('same'));
    await cache.put('k2', bytes('same'));
    const objects = readdirSync(join(root, cacheDir, 'objects'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(objects).toHaveLength(1);
  });

  it('treats a damaged object as a miss', async () => {
    await new ArtifactCache(root).put('k1', bytes('wasm'));
    const digest = sha256('wasm');
    writeFileSync(join(root, cacheDir, 'objects', digest.slice(0, 2), digest), 'tampered');
    expect(await new ArtifactCache(root).get('k1')).toBeUndefined();
  });
});
