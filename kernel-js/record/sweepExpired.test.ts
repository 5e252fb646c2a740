import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { person, tone } from '../../test/fixtures/recordingPeople.js';
import { recorderFragment, recordingRoom } from '../../test/fixtures/recordingRoom.js';
import { closeInterrupted } from './closeInterrupted.js';
import { epochFiles } from './EpochManifest.js';
import { listEpochs } from './listEpochs.js';
import { openBoardRecords } from './openBoardRecords.js';
import { openEpoch } from './openEpoch.js';
import { readManifest } from './readManifest.js';
import { sweepExpired } from './sweepExpired.js';

const hour = 3_600_000;

describe('retention', () => {
  it('expired data is gone after the sweep: the whole epoch, wrapped keys with it, and nothing opens', async () => {
    const room = recordingRoom({ fragments: [recorderFragment, { ...recorderFragment, instance: 'forever@meeting-1', retain: null }] });
    const alice = person('alice');
    const kept = room.meet([alice], 'forever@meeting-1');
    kept.say(tone(320, 3, [0]));
    kept.end();
    room.later(1000);
    const expiring = room.meet([alice]);
    expiring.say(tone(320, 3, [0]));
    expiring.end();
    room.later(1000);
    const open = room.meet([alice]);
    open.say(tone(320, 3, [0]));
    const [forever, soon, running] = await listEpochs(room.dataDir);
    if (forever === undefined || soon === undefined || running === undefined) return expect.unreachable('three epochs');

    const ended = Date.parse(soon.manifest.endedAt ?? '');
    // One millisecond short of the hour after it ended: still kept, and readable.
    expect((await sweepExpired(room.dataDir, new Date(ended + hour - 1))).epochs).toEqual([]);
    expect((await openEpoch(soon.dir, alice.privateKey)).pcm.length).toBe(320 * 3);

    const swept = await sweepExpired(room.dataDir, new Date(ended + hour));
    expect(swept.epochs).toEqual([soon.manifest.epoch]);
    expect(swept.bytes).toBeGreaterThan(320 * 3 * 2);
    expect(existsSync(soon.dir)).toBe(false);
    await expect(openEpoch(soon.dir, alice.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'record.no-epoch' }));
    // Kept until erased (no retain), and the one still recording: untouched, whatever the time.
    expect((await sweepExpired(room.dataDir, new Date(room.now().getTime() + 1000 * hour))).epochs).toEqual([]);
    expect((await listEpochs(room.dataDir)).map((e) => e.manifest.epoch)).toEqual([forever.manifest.epoch, running.manifest.epoch]);
    // Once the running one ends, its hour counts from its end.
    room.later(10_000);
    open.end();
    expect((await sweepExpired(room.dataDir, new Date(room.now().getTime() + hour))).epochs).toEqual([running.manifest.epoch]);
  });

  it('closes an epoch a crash left open as interrupted, at its last write; its members still read what was kept, and retention counts from there', async () => {
    const room = recordingRoom();
    const [alice, bob] = [person('alice'), person('bob')];
    const crashed = room.meet([alice, bob]);
    crashed.say(tone(640, 3, [0, 1]));
    crashed.say(tone(640, 3, [1], 640));
    // The board stops here: no end, and the enclave's key slots are gone with it.
    room.vault.close();
    const [epoch] = await listEpochs(room.dataDir);
    if (epoch === undefined) return expect.unreachable('one epoch');
    expect(epoch.manifest.endedAt).toBeNull();
    // A begin cut short before its manifest: nothing readable, removed.
    const torn = join(room.dataDir, 'vault', 'torn');
    mkdirSync(torn);
    writeFileSync(join(torn, epochFiles.audio), new Uint8Array(8));

    expect(await closeInterrupted(room.dataDir)).toEqual({ closed: 1, removed: 1 });
    const closed = readManifest(join(epoch.dir, epochFiles.manifest));
    expect(closed).toMatchObject({ endReason: 'interrupted', chunks: 2, bytes: 2 * 640 * 3 * 2, activity: [] });
    expect(existsSync(torn)).toBe(false);
    expect((await openEpoch(epoch.dir, bob.privateKey)).pcm.length).toBe(2 * 640 * 3);
    // Nothing left open: a second pass finds nothing.
    expect(await closeInterrupted(room.dataDir)).toEqual({ closed: 0, removed: 0 });
    expect((await sweepExpired(room.dataDir, new Date(Date.parse(closed?.endedAt ?? '') + hour))).epochs).toEqual([epoch.manifest.epoch]);
  });

  it('at boot: closes what was interrupted, sweeps, and reports the counts; removes what an older shim sealed with keys long gone', async () => {
    // The room's clock is long before any file's time, so the interrupted epoch (ended at its last write) is not yet expired.
    const room = recordingRoom({ start: '2001-01-01T00:00:00.000Z' });
    const alice = person('alice');
    const old = room.meet([alice]);
    old.end();
    room.meet([alice]).say(tone(320, 3, [0]));
    writeFileSync(join(room.dataDir, 'vault.sealed'), new Uint8Array(40));
    const board = await openBoardRecords({ dir: join(room.dataDir, '..'), board: 'meeting-1-table', fragments: [recorderFragment], now: () => new Date(room.now().getTime() + hour) });
    try {
      expect(await board.health()).toEqual({ epochs: 1, open: 0, expired: 1, interrupted: 1, lastSweep: new Date(room.now().getTime() + hour).toISOString(), sweepError: null });
      expect(readdirSync(room.dataDir)).toEqual(['vault']);
    } finally {
      board.close();
    }
  });
});
