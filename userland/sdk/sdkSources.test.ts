import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sdkDigest, sdkDir, sdkSources } from './sdkSources.js';

describe('sdkSources', () => {
  it('holds every AssemblyScript file of the SDK, in path order', () => {
    const files = sdkSources();
    const onDisk = readdirSync(sdkDir()).filter((name) => name.endsWith('.ts')).sort();
    expect([...files.keys()]).toEqual(onDisk);
    expect(files.get('index.ts')).toMatch(/export \{ gpio/);
  });

  it('digests paths and contents', () => {
    const hash = createHash('sha256');
    for (const [path, text] of sdkSources()) hash.update(`${path}\0${Buffer.byteLength(text)}\0${text}`);
    expect(sdkDigest()).toBe(hash.digest('hex'));
    expect(sdkDigest()).toMatch(/^[0-9a-f]{64}$/);
  });
});
