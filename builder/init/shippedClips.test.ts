import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decodeWav } from '../../drivers/audio/wav.js';
import { shippedAppsDir } from '../../userland/shippedApps.js';
import { sha256 } from '../cache/inputKey.js';
import { shippedClips } from './shippedClips.js';
import { templatesDir } from './templatesDir.js';

interface Space {
  readonly id: string;
  readonly spaces?: readonly Space[];
}

const spaceIds = (spaces: readonly Space[]): string[] => spaces.flatMap((space) => [space.id, ...spaceIds(space.spaces ?? [])]);

describe('the clips the shipped apps carry', () => {
  it('are the committed files, byte for byte (run builder/init/makeClips.ts after changing one)', async () => {
    for (const [path, wav] of shippedClips()) {
      const committed = new Uint8Array(await readFile(join(shippedAppsDir(), ...path.split('/'))));
      expect(sha256(committed), path).toBe(sha256(wav));
    }
  });

  it('are short, distinct, and in the format of the coworking speakers (audio-out default: 16 kHz mono)', () => {
    const clips = shippedClips();
    expect(new Set([...clips.values()].map((wav) => sha256(wav))).size).toBe(clips.size);
    for (const [path, bytes] of clips) {
      const wav = decodeWav(bytes);
      expect([wav.rate, wav.channels], path).toEqual([16000, 1]);
      expect(wav.samples.length / wav.rate, path).toBeLessThanOrEqual(1.5);
      expect(Math.max(...wav.samples.map(Math.abs)), path).toBeGreaterThan(4000); // audible, not silence
    }
  });

  it('give presence its welcome, and wayfinding directions to every room of the coworking template people are sent to', async () => {
    const building = parse(await readFile(join(templatesDir(), 'coworking', 'building.yaml'), 'utf8')) as { spaces: Space[] };
    const ids = spaceIds(building.spaces);
    const paths = [...shippedClips().keys()];
    expect(paths).toContain('presence/clips/welcome.wav');
    const directions = paths.flatMap((path) => /^wayfinding\/clips\/directions\/(.+)\.wav$/.exec(path)?.[1] ?? []);
    expect(directions.sort()).toEqual(['booth', 'meeting-1', 'meeting-2', 'open-space']);
    for (const room of directions) expect(ids, room).toContain(room);
  });
});
