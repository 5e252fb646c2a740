import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, MetadataKind, MetaFile, Signature, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBuilding } from '../builder/build/buildBuilding.js';
import { sha256 } from '../builder/cache/inputKey.js';
import { tufPublicKey } from '../builder/init/tufPublicKey.js';
import { readLedgerTree } from '../builder/ledger/readLedgerTree.js';
import { signTimeVouch } from '../builder/trust/signTimeVouch.js';
import { runCli } from '../cli/runCli.js';
import { writeBoardDirectory } from '../image/boardDirectory/writeBoardDirectory.js';
import { bootBoard } from '../kernel-js/boot/bootBoard.js';
import { otherSlot, type SlotName } from '../kernel-js/boot/boardDirectory.js';
import type { BoardState } from '../kernel-js/boot/BoardState.js';
import { readBoardState, writeBoardState } from '../kernel-js/boot/boardStateFile.js';
import { chooseSlot, type BootChoice } from '../kernel-js/boot/chooseSlot.js';
import { confirmedState } from '../kernel-js/boot/confirmedState.js';
import { recordVouchedTime } from '../kernel-js/boot/recordVouchedTime.js';
import { TestRepository, writeSlot } from './fixtures/tufRepository.js';

// The attacks The Update Framework and Uptane name, each against a board of a real coworking
// build: the attacker rewrites the board's slot b (as a compromised gateway or an evil
// installer could) and the board, on its next boot, must refuse it and keep running slot a.
// Each refusal is also written to test-output/trust-attacks.json, the results column of
// docs/security.md.

const passphrase = 'test passphrase';
const board = 'meeting-1-door';
const results: { attack: string; code: string | null; reason: string | null }[] = [];

let parent: string;
let root: string;
/** The two builds of `root`: B1, then B2 where meeting-1-door's app changed. */
let b1: string;
let b2: string;

const io = (cwd: string, out?: (text: string) => void) => ({
  cwd,
  stdout: out ?? (() => undefined),
  stderr: (text: string) => process.stderr.write(text),
  env: { OSMOSE_ROOT_PASSPHRASE: passphrase },
  interactive: false,
});

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'osmose-trust-'));
  root = join(parent, 'cw');
  expect(await runCli(['init', root, '--template', 'coworking'], io(parent))).toBe(0);
  b1 = (await buildBuilding({ root })).ledger.commit;
  await edit(root, 'apps/lights/assembly/index.ts', 'let lit = false;', 'let lit = false;\nexport function revision(): i32 { return 2; }');
  b2 = (await buildBuilding({ root })).ledger.commit;
}, 180_000);

afterAll(async () => {
  await mkdir(join(import.meta.dirname, '..', 'test-output'), { recursive: true });
  await writeFile(join(import.meta.dirname, '..', 'test-output', 'trust-attacks.json'), `${JSON.stringify(results, null, 2)}\n`);
  await rm(parent, { recursive: true, force: true });
});

async function edit(building: string, path: string, from: string, to: string): Promise<void> {
  const text = await readFile(join(building, path), 'utf8');
  expect(text).toContain(from);
  await writeFile(join(building, path), text.replace(from, to));
}

/** A copy of the building, its ledger, keys and cache: for tests that rotate keys. */
async function copyBuilding(name: string): Promise<string> {
  const copy = join(parent, name);
  await cp(root, copy, { recursive: true });
  return copy;
}

/** The board directory of `board` from ledger build `commit`, as a flash leaves it: slot a, never booted. */
async function flashed(commit: string, building = root, id = board): Promise<string> {
  const dir = join(await mkdtemp(join(parent, 'board-')), 'board');
  await writeBoardDirectory(building, id, dir, await readLedgerTree(building, commit));
  return dir;
}

/** Slot a of a fresh board directory of build `commit`: the files an update would install. */
async function slotOf(commit: string, building = root, id = board): Promise<string> {
  return join(await flashed(commit, building, id), 'a');
}

/** Installs `slot` into the board's inactive slot and puts it on trial, as the update agent does; returns that slot's name. */
async function install(dir: string, slot: string): Promise<SlotName> {
  const state = readBoardState(dir);
  const target = otherSlot(state.active);
  await rm(join(dir, target), { recursive: true, force: true });
  await cp(slot, join(dir, target), { recursive: true });
  await writeBoardState(dir, { ...state, active: target, confirmed: false, bootCount: 0 });
  return target;
}

interface Attempt {
  readonly installed: SlotName;
  readonly choice: BootChoice;
}

/** Installs `slot` and boots: what the board decides about it. */
async function attempt(dir: string, slot: string, clock?: () => Date): Promise<Attempt> {
  const installed = await install(dir, slot);
  return { installed, choice: await chooseSlot(dir, clock) };
}

/** Boots the slot the table picks and confirms it, as a healthy start of its unikernel does. */
async function confirm(dir: string, clock?: () => Date): Promise<BoardState> {
  const choice = await chooseSlot(dir, clock);
  if (choice.slot === null) throw new Error(`nothing boots: ${JSON.stringify(choice.state.lastBoot)}`);
  const next = confirmedState(choice.state, choice.slot);
  await writeBoardState(dir, next);
  return next;
}

/** The board refused the installed slot with `code`, recorded why, and fell back to the slot it had. */
function expectRefused(attack: string, { installed, choice }: Attempt, code: string): void {
  const refused = choice.state.lastBoot?.refused[installed];
  results.push({ attack, code: refused?.code ?? null, reason: refused?.reason ?? null });
  expect(refused?.code, refused?.reason).toBe(code);
  expect(choice.slot?.slot).toBe(otherSlot(installed));
}

interface Signer {
  readonly keyid: string;
  readonly key: KeyObject;
}

/** A private key of the building, as an attacker who stole it would hold it. */
async function stolen(building: string, file: string): Promise<Signer> {
  const pem = await readFile(join(building, file), 'utf8');
  const key = pem.includes('ENCRYPTED') ? createPrivateKey({ key: pem, format: 'pem', passphrase }) : createPrivateKey(pem);
  return { keyid: tufPublicKey(key).keyid, key };
}

const online = (building: string, role: 'targets' | 'snapshot' | 'timestamp'): Promise<Signer> => stolen(building, `.osmose/keys/${role}.pem`);

function signWith(metadata: Metadata<Targets | Snapshot | Timestamp>, signers: readonly Signer[]): void {
  for (const { keyid, key } of signers) metadata.sign((data) => new Signature({ keyID: keyid, sig: sign(null, data, key).toString('hex') }));
}

const metadataText = (metadata: Metadata<Targets | Snapshot | Timestamp>): string => `${JSON.stringify(metadata.toJSON())}\n`;

async function readMetadata<T extends 'targets' | 'snapshot' | 'timestamp'>(slot: string, role: T): Promise<Metadata<T extends 'targets' ? Targets : T extends 'snapshot' ? Snapshot : Timestamp>> {
  const json = JSON.parse(await readFile(join(slot, `${role}.json`), 'utf8')) as Parameters<typeof Metadata.fromJSON>[1];
  const kind = { targets: MetadataKind.Targets, snapshot: MetadataKind.Snapshot, timestamp: MetadataKind.Timestamp }[role];
  return Metadata.fromJSON(kind as MetadataKind.Targets, json) as unknown as Metadata<T extends 'targets' ? Targets : T extends 'snapshot' ? Snapshot : Timestamp>;
}

interface Resigning {
  readonly targets?: { readonly version?: number; readonly edit?: (files: Record<string, TargetFile>) => Record<string, TargetFile>; readonly by: readonly Signer[] };
  readonly snapshot?: { readonly version?: number; readonly by?: readonly Signer[] };
  readonly timestamp?: { readonly version?: number; readonly expires?: string; readonly by?: readonly Signer[] };
}

/**
 * Rewrites a slot's targets, snapshot and timestamp metadata consistently (each names the
 * length and hash of the one below it), signed by the keys given: the building's online keys
 * by default, as an attacker who compromised them would sign.
 */
async function resign(slot: string, building: string, change: Resigning): Promise<void> {
  let targetsText = await readFile(join(slot, 'targets.json'), 'utf8');
  const targets = await readMetadata(slot, 'targets');
  let targetsVersion = targets.signed.version;
  if (change.targets !== undefined) {
    targetsVersion = change.targets.version ?? targetsVersion;
    const files = change.targets.edit?.({ ...targets.signed.targets }) ?? targets.signed.targets;
    const next = new Metadata(new Targets({ specVersion: targets.signed.specVersion, version: targetsVersion, expires: targets.signed.expires, targets: files }));
    signWith(next, change.targets.by);
    targetsText = metadataText(next);
    await writeFile(join(slot, 'targets.json'), targetsText);
  }
  let snapshotText = await readFile(join(slot, 'snapshot.json'), 'utf8');
  if (change.targets !== undefined || change.snapshot !== undefined) {
    const snapshot = await readMetadata(slot, 'snapshot');
    const next = new Metadata(
      new Snapshot({
        specVersion: snapshot.signed.specVersion,
        version: change.snapshot?.version ?? snapshot.signed.version,
        expires: snapshot.signed.expires,
        meta: { 'targets.json': new MetaFile({ version: targetsVersion, length: Buffer.byteLength(targetsText), hashes: { sha256: sha256(Buffer.from(targetsText)) } }) },
      }),
    );
    signWith(next, change.snapshot?.by ?? [await online(building, 'snapshot')]);
    snapshotText = metadataText(next);
    await writeFile(join(slot, 'snapshot.json'), snapshotText);
  }
  const snapshotVersion = (JSON.parse(snapshotText) as { signed: { version: number } }).signed.version;
  const timestamp = await readMetadata(slot, 'timestamp');
  const next = new Metadata(
    new Timestamp({
      specVersion: timestamp.signed.specVersion,
      version: change.timestamp?.version ?? timestamp.signed.version,
      expires: change.timestamp?.expires ?? timestamp.signed.expires,
      snapshotMeta: new MetaFile({ version: snapshotVersion, length: Buffer.byteLength(snapshotText), hashes: { sha256: sha256(Buffer.from(snapshotText)) } }),
    }),
  );
  signWith(next, change.timestamp?.by ?? [await online(building, 'timestamp')]);
  await writeFile(join(slot, 'timestamp.json'), metadataText(next));
}

/**
 * Puts the attacker's module in a slot in place of the board's app: the wasm, the manifest
 * naming it, and the targets.json edit that lists both (for `resign`), one image version up.
 */
async function plant(slot: string): Promise<(files: Record<string, TargetFile>) => Record<string, TargetFile>> {
  const evil = Buffer.from('\0asm\x01\0\0\0 the attacker\'s module');
  const manifestFile = join(slot, 'manifest.json');
  const envelope = JSON.parse(await readFile(manifestFile, 'utf8')) as { signed: { modules: { wasm: string; bytes: number }[] } };
  const first = envelope.signed.modules[0];
  if (first === undefined) throw new Error('the board runs no module');
  await rm(join(slot, `${first.wasm}.wasm`));
  first.wasm = sha256(evil);
  first.bytes = evil.length;
  await writeFile(join(slot, `${first.wasm}.wasm`), evil);
  const manifest = Buffer.from(JSON.stringify(envelope));
  await writeFile(manifestFile, manifest);
  return (files) => {
    const path = `manifests/${board}.json`;
    const before = files[path];
    const version = (before?.custom['version'] as number | undefined) ?? 1;
    return {
      ...files,
      [path]: new TargetFile({ path, length: manifest.length, hashes: { sha256: sha256(manifest) }, unrecognizedFields: { custom: { ...before?.custom, version: version + 1 } } }),
      [`artifacts/${first.wasm}.wasm`]: new TargetFile({ path: `artifacts/${first.wasm}.wasm`, length: evil.length, hashes: { sha256: first.wasm } }),
    };
  };
}

describe('a board refuses what TUF and Uptane call attacks', () => {
  it('arbitrary software: an image the attacker made and signed, with or without a root of their own', async () => {
    const dir = await flashed(b2);
    await confirm(dir);
    const attacker = new TestRepository();
    const slot = join(parent, 'arbitrary');
    await writeSlot(parent, 'arbitrary', attacker.slot([{ board, config: '{"format":1}', modules: new Map([['lights', Buffer.from('evil')]]), version: 99 }]));
    expectRefused('arbitrary software (attacker-signed metadata)', await attempt(dir, slot), 'slot.signature');

    // The attacker adds a root version 2 that names their keys, signed by them alone.
    const theirs = JSON.parse(attacker.rootBytes.toString('utf8')) as { signed: { version: number } };
    theirs.signed.version = 2;
    await writeFile(join(slot, '2.root.json'), JSON.stringify(theirs));
    expectRefused('arbitrary software (a root of the attacker\'s own)', await attempt(dir, slot), 'slot.root-chain');
  });

  it('rollback: an older build, validly signed, is refused once a newer one is confirmed, even after both slots are rewritten', async () => {
    const dir = await flashed(b2);
    const confirmed = await confirm(dir);
    expect(confirmed.versionFloor).toBe(2);
    expectRefused('rollback (an older build)', await attempt(dir, await slotOf(b1)), 'slot.metadata-rollback');

    // With the online keys stolen, the old image is listed again under new metadata: the version floor holds.
    const old = await slotOf(b1);
    await resign(old, root, { targets: { version: 1000, by: [await online(root, 'targets')] }, snapshot: { version: 1000 }, timestamp: { version: 1000 } });
    expectRefused('rollback (an old image re-listed under stolen online keys)', await attempt(dir, old), 'slot.below-version-floor');

    // Both slots rewritten with the old build (the floor lives in state.json, not in a slot): nothing boots.
    for (const slot of ['a', 'b']) {
      await rm(join(dir, slot), { recursive: true });
      await cp(await slotOf(b1), join(dir, slot), { recursive: true });
    }
    const choice = await chooseSlot(dir);
    expect(choice.row.name).toBe('panic');
    expect(choice.state.lastBoot?.refused.a?.code).toBe('slot.metadata-rollback');
    expect(choice.state.versionFloor).toBe(2);
  });

  it('indefinite freeze: metadata that has expired is refused by the trusted time, even on a board whose clock says 1970', async () => {
    const dir = await flashed(b1);
    await confirm(dir);
    const stale = await slotOf(b2);
    await resign(stale, root, { timestamp: { expires: '2020-01-01T00:00:00Z' } });
    expectRefused('indefinite freeze (expired timestamp)', await attempt(dir, stale), 'slot.expired');

    // No real-time clock: the board wakes in 1970, when nothing has expired yet...
    const rtcLess = await flashed(b1);
    await confirm(rtcLess, () => new Date(0));
    const taken = await attempt(rtcLess, stale, () => new Date(0));
    expect(taken.choice.slot?.slot).toBe(taken.installed);
    // ...until the building vouches for the time: then the later of clock and vouched time decides.
    await recordVouchedTime(rtcLess, await signTimeVouch(root, board));
    expectRefused('indefinite freeze (a board without a clock, time vouched by the building)', { installed: taken.installed, choice: await chooseSlot(rtcLess, () => new Date(0)) }, 'slot.expired');
  });

  it('indefinite freeze, the other side: a board never refuses the slot it confirmed, however long it stays offline', async () => {
    const dir = await flashed(b1);
    await confirm(dir);
    const year = 400 * 24 * 60 * 60 * 1000;
    const choice = await chooseSlot(dir, () => new Date(Date.now() + year));
    expect(choice.row.name).toBe('confirmed');
    expect(choice.slot?.slot).toBe('a');
  });

  it('mix-and-match: metadata, or files, from different builds are refused', async () => {
    const dir = await flashed(b1);
    await confirm(dir);
    const mixed = await slotOf(b1);
    await cp(join(await slotOf(b2), 'targets.json'), join(mixed, 'targets.json'));
    expectRefused('mix-and-match (targets.json of another build)', await attempt(dir, mixed), 'slot.mix-and-match');

    const older = await slotOf(b2);
    await cp(join(await slotOf(b1), 'snapshot.json'), join(older, 'snapshot.json'));
    expectRefused('mix-and-match (snapshot.json of another build)', await attempt(dir, older), 'slot.mix-and-match');

    const files = await slotOf(b2);
    const b1Slot = await slotOf(b1);
    for (const name of await readdir(b1Slot)) if (name === 'manifest.json' || name.endsWith('.wasm')) await cp(join(b1Slot, name), join(files, name));
    expectRefused('mix-and-match (the image files of another build)', await attempt(dir, files), 'slot.manifest-digest');
  });

  it('endless data: a file longer than its recorded length is refused without reading it all', async () => {
    const dir = await flashed(b1);
    await confirm(dir);
    const slot = await slotOf(b2);
    const manifest = JSON.parse(await readFile(join(slot, 'manifest.json'), 'utf8')) as { signed: { modules: { wasm: string }[] } };
    const wasm = join(slot, `${manifest.signed.modules[0]?.wasm}.wasm`);
    await appendFile(wasm, Buffer.alloc(1024));
    expectRefused('endless data (a module longer than targets.json records)', await attempt(dir, slot), 'slot.length');

    // A module that never ends: the board reads one byte past its length and stops.
    await rm(join(dir, 'b', `${manifest.signed.modules[0]?.wasm}.wasm`));
    await symlink('/dev/zero', join(dir, 'b', `${manifest.signed.modules[0]?.wasm}.wasm`));
    expectRefused('endless data (a module that never ends)', { installed: 'b', choice: await chooseSlot(dir) }, 'slot.length');

    const endlessMetadata = await slotOf(b2);
    await rm(join(endlessMetadata, 'timestamp.json'));
    await symlink('/dev/zero', join(endlessMetadata, 'timestamp.json'));
    expectRefused('endless data (a timestamp.json that never ends)', await attempt(dir, endlessMetadata), 'slot.length');
  });

  it('wrong board: an image validly signed for another board is refused', async () => {
    const dir = await flashed(b1);
    await confirm(dir);
    const result = await attempt(dir, await slotOf(b2, root, 'meeting-2-door'));
    expectRefused('wrong board', result, 'slot.wrong-board');
    expect(result.choice.state.lastBoot?.refused[result.installed]?.reason).toMatch(/meeting-2-door/);
  });

  it('key compromise below the threshold: one stolen key of a threshold-2 targets role cannot sign an image', async () => {
    const building = await copyBuilding('threshold');
    let out = '';
    expect(await runCli(['-C', building, 'keys', 'rotate', 'targets', '--keys', '2', '--threshold', '2', '--json'], io(parent, (text) => (out += text)))).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ ok: true, role: 'targets', from: 1, to: 2, threshold: 2 });
    const b3 = (await buildBuilding({ root: building })).ledger.commit;
    const dir = await flashed(b3, building);
    await confirm(dir);

    const attack = await slotOf(b3, building);
    const edit = await plant(attack);
    const one = await stolen(building, '.osmose/keys/targets.pem');
    await resign(attack, building, { targets: { version: 100, edit, by: [one] }, snapshot: { version: 100 }, timestamp: { version: 100 } });
    expectRefused('key compromise below the threshold (1 of 2 targets keys)', await attempt(dir, attack), 'slot.threshold');

    // Both keys stolen: the threshold is met, and nothing else would stop it (which is why it is 2).
    const both = await slotOf(b3, building);
    const editBoth = await plant(both);
    await resign(both, building, { targets: { version: 100, edit: editBoth, by: [one, await stolen(building, '.osmose/keys/targets.2.pem')] }, snapshot: { version: 100 }, timestamp: { version: 100 } });
    const accepted = await attempt(dir, both);
    expect(accepted.choice.slot?.slot).toBe(accepted.installed);
  });

  it('a tampered byte in the image: module, configuration or manifest', async () => {
    const dir = await flashed(b1);
    await confirm(dir);
    const flip = async (file: string): Promise<void> => {
      const bytes = await readFile(file);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 0x01;
      await writeFile(file, bytes);
    };
    const slot = await slotOf(b2);
    const manifest = JSON.parse(await readFile(join(slot, 'manifest.json'), 'utf8')) as { signed: { modules: { wasm: string }[] } };
    for (const [name, code] of [[`${manifest.signed.modules[0]?.wasm}.wasm`, 'slot.module-digest'], ['config.json', 'slot.config-digest'], ['manifest.json', 'slot.manifest-digest']] as const) {
      const copy = await slotOf(b2);
      await flip(join(copy, name));
      expectRefused(`a tampered byte (${name === 'config.json' || name === 'manifest.json' ? name : 'the module'})`, await attempt(dir, copy), code);
    }
  });

  it('a signature by the wrong key: targets.json signed by the snapshot key, or by a key no root names', async () => {
    const dir = await flashed(b1);
    await confirm(dir);
    const slot = await slotOf(b2);
    await resign(slot, root, { targets: { version: 50, by: [await online(root, 'snapshot')] } });
    expectRefused('a signature by the wrong key (another role\'s)', await attempt(dir, slot), 'slot.signature');

    const stranger = new TestRepository().keys.targets[0];
    if (stranger === undefined) throw new Error('no key');
    const other = await slotOf(b2);
    await resign(other, root, { targets: { version: 50, by: [{ keyid: stranger.keyid, key: stranger.privateKey }] } });
    expectRefused('a signature by the wrong key (unknown)', await attempt(dir, other), 'slot.signature');
  });

  it('fast-forward: a version jump without the keys moves nothing; one made with stolen keys is undone by rotating them', async () => {
    const building = await copyBuilding('fast-forward');
    const dir = await flashed(b2, building);
    expect((await confirm(dir)).trust).toMatchObject({ timestamp: 2, snapshot: 2, targets: 2 });

    // Without the keys: the jumped version breaks the signature, and the board's floors stay.
    const jumped = await slotOf(b2, building);
    const timestamp = JSON.parse(await readFile(join(jumped, 'timestamp.json'), 'utf8')) as { signed: { version: number } };
    timestamp.signed.version = 1_000_000;
    await writeFile(join(jumped, 'timestamp.json'), JSON.stringify(timestamp));
    expectRefused('fast-forward (a version jump without the timestamp key)', await attempt(dir, jumped), 'slot.signature');
    expect(readBoardState(dir).trust).toMatchObject({ timestamp: 2, snapshot: 2 });

    // With the timestamp and snapshot keys stolen, the jump verifies and the board takes it...
    const forward = await slotOf(b2, building);
    await resign(forward, building, { snapshot: { version: 1_000_000 }, timestamp: { version: 1_000_000 } });
    await install(dir, forward);
    expect((await confirm(dir)).trust).toMatchObject({ timestamp: 1_000_000, snapshot: 1_000_000 });
    // ...so the building's next real build looks like a rollback to it.
    await edit(building, 'apps/lights/assembly/index.ts', 'let lit = false;', 'let lit = false; // a third build');
    const b3 = (await buildBuilding({ root: building })).ledger.commit;
    expectRefused('fast-forward (the real build after a jump made with stolen keys)', await attempt(dir, await slotOf(b3, building)), 'slot.metadata-rollback');

    // Recovery (TUF 5.3.11): new timestamp and snapshot keys in a new root; the board forgets the jumped versions.
    expect(await runCli(['-C', building, 'keys', 'rotate', 'timestamp'], io(parent))).toBe(0);
    expect(await runCli(['-C', building, 'keys', 'rotate', 'snapshot'], io(parent))).toBe(0);
    const b4 = (await buildBuilding({ root: building })).ledger.commit;
    const { installed, choice } = await attempt(dir, await slotOf(b4, building));
    expect(choice.row.name).toBe('trial');
    expect(choice.slot?.slot).toBe(installed);
    const recovered = await confirm(dir);
    expect(recovered.trust).toMatchObject({ timestamp: 4, snapshot: 4, targets: 4, root: { signed: { version: 3 } } });
    results.push({ attack: 'fast-forward (recovered by rotating the timestamp and snapshot keys)', code: null, reason: `accepted: root 3, timestamp ${recovered.trust?.timestamp ?? '?'}` });
  });

  it('root rotation: a new root signed by the old and the new root keys is taken, and a board boots under it', async () => {
    const building = await copyBuilding('rotation');
    const dir = await flashed(b2, building);
    await confirm(dir);
    let out = '';
    expect(await runCli(['-C', building, 'keys', 'rotate', 'root', '--json'], io(parent, (text) => (out += text)))).toBe(0);
    const rotated = JSON.parse(out) as { from: number; to: number; keys: { keyid: string }[]; retired: string[] };
    expect(rotated).toMatchObject({ from: 1, to: 2, retired: [expect.stringMatching(/^\.osmose\/keys\/retired\/root-/) as unknown] });
    const b3 = (await buildBuilding({ root: building })).ledger.commit;

    // A root 2 that only the new key signed, or only the old one, does not chain.
    const oldRootKey = (JSON.parse(await readFile(join(building, 'keys/1.root.json'), 'utf8')) as { signed: { roles: { root: { keyids: string[] } } } }).signed.roles.root.keyids[0];
    for (const [keep, which] of [[(id: string) => id !== oldRootKey, 'the new root key alone'], [(id: string) => id === oldRootKey, 'the old root key alone']] as const) {
      const forged = await slotOf(b3, building);
      const root2 = JSON.parse(await readFile(join(forged, '2.root.json'), 'utf8')) as { signatures: { keyid: string }[] };
      root2.signatures = root2.signatures.filter((s) => keep(s.keyid));
      await writeFile(join(forged, '2.root.json'), JSON.stringify(root2));
      expectRefused(`root rotation (root 2 signed by ${which})`, await attempt(dir, forged), 'slot.root-chain');
    }

    // The real one: the board boots it on trial, its unikernel starts, and the board now trusts root 2.
    await install(dir, await slotOf(b3, building));
    const booted = await bootBoard(dir, { backoff: { baseMs: 60_000, maxMs: 60_000 } });
    try {
      await booted.settled;
      expect(booted.choice.row.name).toBe('trial');
      expect((await booted.health()).unikernel.running).toBe(true);
    } finally {
      await booted.close();
    }
    const state = readBoardState(dir);
    expect(state).toMatchObject({ active: 'b', confirmed: true, trust: { root: { signed: { version: 2, roles: { root: { keyids: [rotated.keys[0]?.keyid] } } } } } });
    results.push({ attack: 'root rotation (root 1 → 2, chained)', code: null, reason: `accepted and booted: row ${booted.choice.row.name}, root ${String((state.trust?.root as { signed: { version: number } } | undefined)?.signed.version)}` });

    let listed = '';
    expect(await runCli(['-C', building, 'keys', 'list', '--json'], io(parent, (text) => (listed += text)))).toBe(0);
    expect(JSON.parse(listed)).toMatchObject({ root: 2, roles: [{ role: 'root', threshold: 1, keys: [{ keyid: rotated.keys[0]?.keyid, private: '.osmose/keys/root.pem', encrypted: true }] }, { role: 'targets' }, { role: 'snapshot' }, { role: 'timestamp' }] });
  }, 120_000);

  it('a revoked key fails: after the targets key is rotated, what the old key signs is refused', async () => {
    const building = await copyBuilding('revoked');
    const dir = await flashed(b2, building);
    await confirm(dir);
    expect(await runCli(['-C', building, 'keys', 'rotate', 'targets'], io(parent))).toBe(0);
    const b3 = (await buildBuilding({ root: building })).ledger.commit;
    await install(dir, await slotOf(b3, building));
    expect((await confirm(dir)).trust?.root).toMatchObject({ signed: { version: 2 } });

    const retiredName = (await readdir(join(building, '.osmose/keys/retired'))).find((name) => name.startsWith('targets-'));
    const revoked = await stolen(building, `.osmose/keys/retired/${retiredName ?? ''}`);
    const attack = await slotOf(b3, building);
    const edit = await plant(attack);
    await resign(attack, building, { targets: { version: 100, edit, by: [revoked] }, snapshot: { version: 100 }, timestamp: { version: 100 } });
    expectRefused('a revoked key (the targets key root 2 replaced)', await attempt(dir, attack), 'slot.signature');

    // Leaving root 2 out of the slot does not help: the board remembers the root it trusts.
    await rm(join(attack, '2.root.json'));
    expectRefused('a revoked key (with the newer root left out)', await attempt(dir, attack), 'slot.signature');
  });
});

describe("the building's TUF repository", () => {
  it('init commits root version 1; each build records the chain and signs targets, snapshot and timestamp into the ledger', async () => {
    const git = (...args: string[]): string => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
    expect(git('ls-files', 'keys').trim().split('\n')).toContain('keys/1.root.json');
    const files = git('ls-tree', '-r', '--name-only', b2, 'repository').trim().split('\n');
    expect(files).toEqual(['repository/1.root.json', 'repository/root.json', 'repository/snapshot.json', 'repository/targets.json', 'repository/timestamp.json']);
    const targets = JSON.parse(git('show', `${b2}:repository/targets.json`)) as { signed: { version: number; targets: Record<string, { length: number; custom?: { board: string; version: number } }> } };
    expect(targets.signed.version).toBe(2);
    const paths = Object.keys(targets.signed.targets);
    expect(paths.filter((path) => path.startsWith('manifests/'))).toHaveLength(21);
    expect(paths.filter((path) => path.startsWith('configs/'))).toHaveLength(21);
    // A module per app, and the script engine of the two apps in plain TypeScript.
    expect(paths.filter((path) => path.startsWith('artifacts/'))).toHaveLength(7);
    // The image version of a board is the targets version of the build that last changed it.
    expect(targets.signed.targets[`manifests/${board}.json`]?.custom).toMatchObject({ board, version: 2 });
    expect(targets.signed.targets['manifests/meeting-1-heating.json']?.custom).toMatchObject({ board: 'meeting-1-heating', version: 1 });
    const again = await buildBuilding({ root });
    expect(again).toMatchObject({ upToDate: true, repository: { root: 1, targets: 2, snapshot: 2, timestamp: 2 } });
  });

  it('an up-to-date build signs the online metadata again once half its lifetime is gone, so a late update is not refused as expired', async () => {
    const building = await copyBuilding('refresh');
    expect((await buildBuilding({ root: building })).ledger).toEqual({ commit: b2, created: false });
    const hour = 60 * 60 * 1000;
    const later = await buildBuilding({ root: building, now: new Date(Date.now() + 47 * hour) });
    expect(later).toMatchObject({ upToDate: true, ledger: { created: true }, repository: { root: 1, targets: 3, snapshot: 3, timestamp: 3 } });
    const show = (commit: string, path: string): { signed: { targets: object } } => JSON.parse(execFileSync('git', ['-C', building, 'show', `${commit}:${path}`], { encoding: 'utf8' })) as { signed: { targets: object } };
    expect(show(later.ledger.commit, 'repository/targets.json').signed.targets).toEqual(show(b2, 'repository/targets.json').signed.targets);

    // Two days after B2 was built, a board on B1 refuses B2's metadata as expired, and takes the refreshed one.
    const clock = (): Date => new Date(Date.now() + 48 * hour);
    const dir = await flashed(b1, building);
    await confirm(dir, clock);
    expectRefused('expiry (an update installed two days after its build, before osmose build signs its metadata again)', await attempt(dir, await slotOf(b2, building), clock), 'slot.expired');
    const { installed, choice } = await attempt(dir, await slotOf(later.ledger.commit, building), clock);
    expect(choice.slot?.slot).toBe(installed);
  });

  it('osmose keys rotate refuses a usage mistake with status 2, and a build without the keys a role needs with status 1', async () => {
    const building = await copyBuilding('usage');
    let err = '';
    const quiet = { ...io(parent), stderr: (text: string) => void (err += text) };
    expect(await runCli(['-C', building, 'keys', 'rotate', 'targets', '--keys', '1', '--threshold', '2'], quiet)).toBe(2);
    expect(await runCli(['-C', building, 'keys', 'rotate', 'nobody'], quiet)).toBe(2);
    expect(err).toMatch(/threshold 2 is more than the 1 keys/);
    await rm(join(building, '.osmose/keys/snapshot.pem'));
    await edit(building, 'README.md', '#', '# (changed) ');
    let out = '';
    expect(await runCli(['-C', building, 'build', '--json'], { ...quiet, stdout: (text: string) => void (out += text) })).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ ok: false, error: { code: 'build.signing-keys' } });
  });
});

describe('vouched time', () => {
  it('records only a time signed by the timestamp role for this board, and never moves it back', async () => {
    const dir = await flashed(b1);
    const vouch = await signTimeVouch(root, board, new Date('2030-01-01T00:00:00Z'));
    expect((await recordVouchedTime(dir, vouch)).vouchedTime).toBe('2030-01-01T00:00:00.000Z');
    await recordVouchedTime(dir, await signTimeVouch(root, board, new Date('2029-01-01T00:00:00Z')));
    expect(readBoardState(dir).vouchedTime).toBe('2030-01-01T00:00:00.000Z');

    await expect(recordVouchedTime(dir, await signTimeVouch(root, 'meeting-2-door'))).rejects.toMatchObject({ code: 'time.wrong-board' });
    const forged = { ...vouch, signed: { ...vouch.signed, time: '2040-01-01T00:00:00Z' } };
    await expect(recordVouchedTime(dir, forged)).rejects.toMatchObject({ code: 'time.signature' });
    await expect(recordVouchedTime(dir, { signed: { time: 'soon' } })).rejects.toMatchObject({ code: 'time.malformed' });
  });
});
