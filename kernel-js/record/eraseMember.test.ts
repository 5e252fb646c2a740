import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unwrapKeyWith } from '../../drivers/index.js';
import { filesHolding, person, tone } from '../../test/fixtures/recordingPeople.js';
import { recordingRoom } from '../../test/fixtures/recordingRoom.js';
import { epochContext, epochFiles } from './EpochManifest.js';
import { eraseMember } from './eraseMember.js';
import { listEpochs } from './listEpochs.js';
import { openEpoch } from './openEpoch.js';
import { readManifest } from './readManifest.js';

describe('eraseMember', () => {
  it('removes solo epochs whole, takes the person out of shared ones (the others still read them), and leaves nothing of their key', async () => {
    const room = recordingRoom();
    const [alice, bob, carol] = [person('alice'), person('bob'), person('carol')];
    const step = (): void => void room.later(1000);
    const aloneMeeting = room.meet([alice]);
    aloneMeeting.say(tone(640, 3, [0]));
    aloneMeeting.end();
    step();
    const shared = room.meet([bob, alice]);
    const sharedAudio = tone(1600, 3, [0, 1]);
    shared.say(sharedAudio);
    shared.end();
    step();
    const bobAlone = room.meet([bob]);
    bobAlone.say(tone(320, 3, [0]));
    bobAlone.end();
    step();
    // Still being recorded when the erasure comes.
    const running = room.meet([alice, bob, carol]);
    running.say(tone(1600, 3, [0, 1, 2]));
    const before = await listEpochs(room.dataDir);
    expect(filesHolding(room.dataDir, alice.publicKey).length).toBeGreaterThan(0);

    const report = await eraseMember(room.dataDir, alice.publicKey);
    expect(report).toMatchObject({ epochsRemoved: 1, membershipsRemoved: 2, activityRemoved: 1 });
    expect(report.bytesRemoved).toBeGreaterThan(640 * 3 * 2);
    expect(existsSync(before[0]?.dir ?? '')).toBe(false);

    // The recording goes on after the erasure; when it ends, her entry does not come back and her channel's activity is not written.
    running.say(tone(1600, 3, [2], 1600));
    running.end();
    const after = await listEpochs(room.dataDir);
    expect(after.map((e) => e.manifest.epoch)).toEqual(before.slice(1).map((e) => e.manifest.epoch));
    const [sharedEpoch, , runningEpoch] = after;
    expect(sharedEpoch?.manifest).toMatchObject({ erased: 1, activity: [0, 2], members: [{ seat: 0, channel: 0 }] });
    expect(readdirSync(sharedEpoch?.dir ?? '').sort()).toEqual(['activity-0.sealed', 'activity-2.sealed', 'audio.sealed', 'manifest.json']);
    expect(runningEpoch?.manifest).toMatchObject({ erased: 1, activity: [1, 2], members: [{ seat: 1 }, { seat: 2 }] });

    // Everyone else's recordings still open, sample for sample.
    expect([...(await openEpoch(sharedEpoch?.dir ?? '', bob.privateKey)).pcm]).toEqual([...sharedAudio]);
    expect((await openEpoch(runningEpoch?.dir ?? '', carol.privateKey)).pcm.length).toBe(2 * 1600 * 3);
    expect((await openEpoch(runningEpoch?.dir ?? '', bob.privateKey)).activity.map((a) => a.seat)).toEqual([1, 2]);
    // Her key opens nothing: no entry for her, and none of the wrapped keys left opens with it.
    for (const { dir, manifest } of after) {
      await expect(openEpoch(dir, alice.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'record.not-a-participant' }));
      for (const member of manifest.members) {
        expect(() => unwrapKeyWith(alice.privateKey, Buffer.from(member.wrappedKey ?? '', 'base64'), epochContext(manifest.epoch))).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
      }
    }
    // No file under data/ holds her public key, raw, base64, base64url or hex.
    expect(filesHolding(room.dataDir, alice.publicKey)).toEqual([]);
    expect(filesHolding(room.dataDir, bob.publicKey).length).toBeGreaterThan(0);
    // Erasing her again finds nothing.
    expect(await eraseMember(room.dataDir, alice.publicKey)).toEqual({ epochsRemoved: 0, membershipsRemoved: 0, activityRemoved: 0, bytesRemoved: 0 });
    expect(readManifest(join(sharedEpoch?.dir ?? '', epochFiles.manifest))?.erased).toBe(1);
  });

  it('refuses what is not a raw X25519 public key', async () => {
    const room = recordingRoom();
    await expect(eraseMember(room.dataDir, new Uint8Array(31))).rejects.toThrow(expect.objectContaining({ code: 'record.bad-public-key' }));
  });
});
