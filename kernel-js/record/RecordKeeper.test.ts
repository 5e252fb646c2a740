import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSealed, unwrapKeyWith } from '../../drivers/index.js';
import { person, tone } from '../../test/fixtures/recordingPeople.js';
import { recorderFragment, recordingRoom } from '../../test/fixtures/recordingRoom.js';
import { epochContext, epochFiles } from './EpochManifest.js';
import { listEpochs } from './listEpochs.js';
import { openEpoch } from './openEpoch.js';
import { readManifest } from './readManifest.js';
import { readRecords } from './sealedRecords.js';

/** What openEpoch refuses someone with who is not among an epoch's members. */
const notAParticipant = { code: 'record.not-a-participant' };

/** Alice, Bob and Carol meet; Carol leaves and the others go on under a new key. */
function meeting() {
  const room = recordingRoom();
  const [alice, bob, carol, eve] = [person('alice'), person('bob'), person('carol'), person('eve')];
  const first = room.meet([alice, bob, carol]);
  const together = [tone(1600, 3, [0]), tone(1600, 3, [1, 2], 1600)];
  for (const pcm of together) first.say(pcm);
  room.later(200);
  first.end('left');
  const second = room.meet([alice, bob]);
  const after = [tone(3200, 3, [1], 3200)];
  for (const pcm of after) second.say(pcm);
  second.end('dropped');
  return { room, alice, bob, carol, eve, together, after };
}

const joined = (chunks: readonly Int16Array[]): number[] => chunks.flatMap((chunk) => [...chunk]);

describe('RecordKeeper: the privacy of a recording', () => {
  it('someone not present cannot decrypt: their key is no member, and opens none of the wrapped keys', async () => {
    const { room, eve, together } = meeting();
    const epochs = await listEpochs(room.dataDir);
    expect(epochs).toHaveLength(2);
    for (const { dir, manifest } of epochs) {
      await expect(openEpoch(dir, eve.privateKey)).rejects.toThrow(expect.objectContaining(notAParticipant));
      for (const member of manifest.members) {
        expect(() => unwrapKeyWith(eve.privateKey, Buffer.from(member.wrappedKey ?? '', 'base64'), epochContext(manifest.epoch))).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
      }
    }
    // And the files hold no plaintext: not a run of the audio.
    const audio = readFileSync(join(epochs[0]?.dir ?? '', epochFiles.audio));
    const plain = Buffer.from(together[0]?.buffer ?? new ArrayBuffer(0)).subarray(0, 64);
    expect(audio.includes(plain)).toBe(false);
  });

  it('a participant cannot decrypt what was recorded after they left: no entry for them, and their old key opens none of it', async () => {
    const { room, carol } = meeting();
    const [first, second] = await listEpochs(room.dataDir);
    if (first === undefined || second === undefined) return expect.unreachable('two epochs');
    await expect(openEpoch(second.dir, carol.privateKey)).rejects.toThrow(expect.objectContaining(notAParticipant));
    const carolsSeat = first.manifest.members.find((m) => m.seat === 2);
    const oldKey = unwrapKeyWith(carol.privateKey, Buffer.from(carolsSeat?.wrappedKey ?? '', 'base64'), epochContext(first.manifest.epoch));
    const later = readRecords(join(second.dir, epochFiles.audio));
    expect(later.length).toBeGreaterThan(0);
    for (const sealed of later) expect(() => openSealed(oldKey, sealed)).toThrow(expect.objectContaining({ code: 'enclave.tampered' }));
    // Moving her wrapped key into the later epoch's manifest does not help: it is bound to its own epoch.
    expect(() => unwrapKeyWith(carol.privateKey, Buffer.from(carolsSeat?.wrappedKey ?? '', 'base64'), epochContext(second.manifest.epoch))).toThrow(expect.objectContaining({ code: 'enclave.not-for-you' }));
  });

  it('the others continue under a new key: each member reads sample for sample what was said while they were present', async () => {
    const { room, alice, bob, carol, together, after } = meeting();
    const [first, second] = await listEpochs(room.dataDir);
    if (first === undefined || second === undefined) return expect.unreachable('two epochs');
    for (const who of [alice, bob, carol]) expect([...(await openEpoch(first.dir, who.privateKey)).pcm]).toEqual(joined(together));
    for (const who of [alice, bob]) expect([...(await openEpoch(second.dir, who.privateKey)).pcm]).toEqual(joined(after));
    // A new key, not the old one re-wrapped.
    const keyOf = (entry: typeof first): Uint8Array => unwrapKeyWith(alice.privateKey, Buffer.from(entry.manifest.members[0]?.wrappedKey ?? '', 'base64'), epochContext(entry.manifest.epoch));
    expect(keyOf(first)).not.toEqual(keyOf(second));
    expect(room.events.map((e) => [e.kind, e.reason, e.members])).toEqual([['begin', undefined, 3], ['end', 'left', 3], ['begin', undefined, 2], ['end', 'dropped', 2]]);
  });

  it('writes a manifest naming the policy, each member at their seat and channel, and the counts', async () => {
    const { room, alice, bob, carol } = meeting();
    const [first] = await listEpochs(room.dataDir);
    expect(first?.dir).toBe(join(room.dataDir, 'vault', first?.manifest.epoch ?? ''));
    expect(first?.manifest).toMatchObject({
      format: 1,
      board: 'meeting-1-table',
      device: 'vault',
      fragment: recorderFragment.instance,
      startedAt: '2026-11-27T10:00:00.000Z',
      endedAt: '2026-11-27T10:00:00.200Z',
      endReason: 'left',
      retainMs: 3_600_000,
      disclose: 'participants',
      members: [alice, bob, carol].map((p, seat) => ({ seat, channel: seat, publicKey: Buffer.from(p.publicKey).toString('base64'), wrappedKey: expect.any(String) as string })),
      erased: 0,
      chunks: 2,
      bytes: 2 * 1600 * 3 * 2,
      rate: 16_000,
      channels: 3,
      activity: [0, 1, 2],
    });
    expect(readdirSync(first?.dir ?? '').sort()).toEqual(['activity-0.sealed', 'activity-1.sealed', 'activity-2.sealed', 'audio.sealed', 'manifest.json']);
  });

  it('seals each channel\'s voice activity under the epoch key, naming the seat at it, for members only', async () => {
    const { room, bob, eve } = meeting();
    const [first, second] = await listEpochs(room.dataDir);
    const opened = await openEpoch(first?.dir ?? '', bob.privateKey);
    // 1600 frames at 16 kHz are 100 ms: channel 0 spoke first, channels 1 and 2 next.
    expect(opened.activity).toEqual([
      { channel: 0, seat: 0, segments: [[0, 100]] },
      { channel: 1, seat: 1, segments: [[100, 200]] },
      { channel: 2, seat: 2, segments: [[100, 200]] },
    ]);
    // The second epoch has two members: channel 2 belongs to no seat.
    expect((await openEpoch(second?.dir ?? '', bob.privateKey)).activity).toEqual([
      { channel: 0, seat: 0, segments: [] },
      { channel: 1, seat: 1, segments: [[0, 200]] },
      { channel: 2, seat: null, segments: [] },
    ]);
    const [sealed] = readRecords(join(first?.dir ?? '', epochFiles.activity(0)));
    expect(Buffer.from(sealed ?? []).includes(Buffer.from('segments'))).toBe(false);
    await expect(openEpoch(first?.dir ?? '', eve.privateKey)).rejects.toThrow(expect.objectContaining(notAParticipant));
  });

  it('wraps for nobody when the policy discloses to nobody: not even the participants can read it', async () => {
    const room = recordingRoom({ fragments: [{ ...recorderFragment, disclose: { to: 'nobody' } }] });
    const alice = person('alice');
    const meeting = room.meet([alice]);
    meeting.say(tone(320, 3, [0]));
    meeting.end();
    const [epoch] = await listEpochs(room.dataDir);
    expect(epoch?.manifest.members).toEqual([{ seat: 0, channel: 0, publicKey: Buffer.from(alice.publicKey).toString('base64'), wrappedKey: null }]);
    await expect(openEpoch(epoch?.dir ?? '', alice.privateKey)).rejects.toThrow(expect.objectContaining(notAParticipant));
  });

  it('keeps what the app sealed itself, takes one microphone at a time, and refuses anything after the end', async () => {
    const room = recordingRoom();
    const alice = person('alice');
    const meeting = room.meet([alice]);
    meeting.epoch.seal(new TextEncoder().encode('action items'));
    expect(() => meeting.epoch.audio(room.format)).toThrow(expect.objectContaining({ code: 'record.busy' }));
    meeting.end();
    expect(() => meeting.epoch.seal(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'record.ended' }));
    meeting.epoch.end('stopped'); // twice is harmless
    const [epoch] = await listEpochs(room.dataDir);
    const opened = await openEpoch(epoch?.dir ?? '', alice.privateKey);
    expect(opened.records.map((r) => new TextDecoder().decode(r))).toEqual(['action items']);
    expect(readManifest(join(epoch?.dir ?? '', epochFiles.manifest))?.endReason).toBe('left');
  });
});
