import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Metadata, Root, Snapshot, Targets, Timestamp } from '@tufjs/models';
import { checkRootStep } from '../trust/checkRootStep.js';
import { fileMatches, type FileInfo } from '../trust/fileMatches.js';
import { parseMetadata, sha256Hex, type RoleMetadata, type TopLevelRole } from '../trust/parseMetadata.js';
import { roleSignatures } from '../trust/roleSignatures.js';
import { boardFiles, type SlotName } from './boardDirectory.js';
import type { TrustRecord } from './BoardState.js';
import type { KernelBoardConfig, KernelSignedManifest } from './KernelImage.js';

/** A slot that verified: everything the host needs to boot it, already read. */
export interface VerifiedSlot {
  readonly slot: SlotName;
  readonly manifest: KernelSignedManifest;
  readonly config: KernelBoardConfig;
  /** Module bytes by app. */
  readonly modules: ReadonlyMap<string, Uint8Array>;
  /** The image's clip files (WAV) by SHA-256; each fragment's configuration names its own. */
  readonly clips: ReadonlyMap<string, Uint8Array>;
  /** The image's version for this board (targets.json's `custom.version`): what the version floor is compared with. */
  readonly version: number;
  /** What the board trusts once it confirms this slot (state.json's `trust`). */
  readonly trust: TrustRecord;
}

export type SlotRefusalCode =
  | 'slot.empty'
  | 'slot.metadata-missing'
  | 'slot.metadata-unreadable'
  | 'slot.root-chain'
  | 'slot.signature'
  | 'slot.threshold'
  | 'slot.metadata-rollback'
  | 'slot.mix-and-match'
  | 'slot.expired'
  | 'slot.length'
  | 'slot.no-target'
  | 'slot.wrong-board'
  | 'slot.manifest-digest'
  | 'slot.manifest-unreadable'
  | 'slot.config-missing'
  | 'slot.config-digest'
  | 'slot.config-unreadable'
  | 'slot.module-missing'
  | 'slot.module-digest'
  | 'slot.clip-missing'
  | 'slot.clip-digest'
  | 'slot.below-version-floor';

export type SlotReading = { readonly ok: true; readonly slot: VerifiedSlot } | { readonly ok: false; readonly code: SlotRefusalCode; readonly reason: string };

/** The versions of the metadata a board has accepted: state.json's `trust`, with its root's version. */
export interface AcceptedVersions {
  readonly root: number;
  readonly timestamp: number;
  readonly snapshot: number;
  readonly targets: number;
}

export interface SlotContext {
  readonly board: string;
  /** The root the board trusts: the newer of trust/root.json and the root state.json recorded. */
  readonly root: Metadata<Root>;
  /** The metadata the board has accepted (confirmed a slot under), or null before its first confirmed slot. */
  readonly accepted: AcceptedVersions | null;
  /** Slots whose image version is below this are refused. */
  readonly versionFloor: number;
  /** The board's trusted time: the later of its clock and the last time the building vouched for. */
  readonly now: Date;
  /**
   * On a board that has accepted no metadata yet, the slot it was flashed with, which it boots
   * whatever the time (the installer's machine checked expiry when it flashed); null otherwise.
   */
  readonly flashed: SlotName | null;
}

/** Where targets.json lists a board's files: the ledger's paths. */
const targetPath = {
  manifest: (board: string): string => `manifests/${board}.json`,
  config: (board: string): string => `configs/${board}.json`,
  module: (sha256: string): string => `artifacts/${sha256}.wasm`,
  clip: (sha256: string): string => `clips/${sha256}.wav`,
};

/** Most bytes read of a file whose length no signed metadata gives yet (TUF clients' defaults, about). */
const readAtMost = { root: 512 * 1024, timestamp: 16 * 1024, snapshot: 2 * 1024 * 1024, targets: 32 * 1024 * 1024, manifest: 1024 * 1024 };
/** Root versions one slot may move the board through (TUF's max number of root rotations). */
const maxRootSteps = 256;

/** Why a slot is refused: thrown inside the verification, caught by readSlotAt, never escapes it. */
class Refusal extends Error {
  constructor(
    readonly code: SlotRefusalCode,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Reads one slot of the board directory `dir` and verifies it as a TUF client would (see
 * docs/security.md): the root chain from the root the board trusts, each role's signature
 * threshold, versions against what the board accepted (rollback), timestamp → snapshot →
 * targets consistency (mix-and-match), expiry against the trusted time for metadata the board
 * has not accepted yet (freeze), then this board's image: the manifest, configuration,
 * modules and audio clips by the length and hashes targets.json records, the board id, and
 * the image version against the version floor. Never throws: whatever is wrong (missing, half-written, tampered,
 * forged, old) makes the slot invalid, with a code and a reason the shim records.
 */
export function readSlot(dir: string, slot: SlotName, context: SlotContext): SlotReading {
  return readSlotAt(join(dir, slot), slot, context);
}

/** readSlot on a slot's files in `base`: a slot of a board directory, or one an installer has staged. */
export function readSlotAt(base: string, slot: SlotName, context: SlotContext): SlotReading {
  try {
    return { ok: true, slot: verifySlot(base, slot, context) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, code: error.code, reason: `slot ${slot}: ${error.reason}` };
    return { ok: false, code: 'slot.metadata-unreadable', reason: `slot ${slot}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function verifySlot(base: string, slot: SlotName, context: SlotContext): VerifiedSlot {
  const path = (name: string): string => join(base, name);
  const manifestRead = readBounded(path(boardFiles.manifest), readAtMost.manifest);
  if (manifestRead === undefined) throw new Refusal('slot.empty', 'has no manifest.json');
  if (manifestRead.longer) throw new Refusal('slot.length', `manifest.json is longer than the ${readAtMost.manifest} bytes a board reads of it (endless data)`);

  // The root chain: each newer root the slot carries, signed by the one before and by itself.
  let root = context.root;
  for (let version = root.signed.version + 1; version <= context.root.signed.version + maxRootSteps; version++) {
    const name = boardFiles.root(version);
    const read = readBounded(path(name), readAtMost.root);
    if (read === undefined) break;
    if (read.longer) throw new Refusal('slot.length', `${name} is longer than ${readAtMost.root} bytes`);
    const next = parse('root', name, read.bytes, read.digest);
    const problem = checkRootStep(root, next, read.digest);
    if (problem !== undefined) throw new Refusal('slot.root-chain', problem);
    root = next;
  }

  // TUF 5.3.11: new timestamp or snapshot keys undo a fast-forward attack, so the versions the
  // board accepted under the old keys no longer bind it.
  const rotated = (['timestamp', 'snapshot'] as const).filter((role) => !isDeepStrictEqual(keysOf(context.root.signed, role), keysOf(root.signed, role)));
  const floors = context.accepted === null || rotated.length > 0 ? { timestamp: 0, snapshot: 0, targets: 0 } : context.accepted;

  const timestampRead = readMetadata(path, 'timestamp', { length: undefined }, readAtMost.timestamp);
  const timestamp = timestampRead.metadata;
  requireSigned(root, 'timestamp', timestamp, timestampRead.digest);
  requireNotOlder('timestamp', timestamp.signed.version, floors.timestamp);

  const snapshotMeta = timestamp.signed.snapshotMeta;
  const snapshotRead = readMetadata(path, 'snapshot', snapshotMeta, readAtMost.snapshot);
  const snapshot = snapshotRead.metadata;
  if (snapshot.signed.version !== snapshotMeta.version) {
    throw new Refusal('slot.mix-and-match', `snapshot.json is version ${snapshot.signed.version}, but timestamp.json names snapshot version ${snapshotMeta.version}`);
  }
  requireSigned(root, 'snapshot', snapshot, snapshotRead.digest);
  requireNotOlder('snapshot', snapshot.signed.version, floors.snapshot);

  const targetsMeta = snapshot.signed.meta['targets.json'];
  if (targetsMeta === undefined) throw new Refusal('slot.mix-and-match', 'snapshot.json lists no targets.json');
  const targetsRead = readMetadata(path, 'targets', targetsMeta, readAtMost.targets);
  const targets = targetsRead.metadata;
  if (targets.signed.version !== targetsMeta.version) {
    throw new Refusal('slot.mix-and-match', `targets.json is version ${targets.signed.version}, but snapshot.json names targets version ${targetsMeta.version}`);
  }
  requireSigned(root, 'targets', targets, targetsRead.digest);
  requireNotOlder('targets', targets.signed.version, floors.targets);

  const versions: AcceptedVersions = { root: root.signed.version, timestamp: timestamp.signed.version, snapshot: snapshot.signed.version, targets: targets.signed.version };
  const accepted = context.accepted === null ? context.flashed === slot : isDeepStrictEqual(versions, context.accepted);
  if (!accepted) requireUnexpired({ root, timestamp, snapshot, targets }, context.now);

  const { manifest, version } = verifyManifest(manifestRead.bytes, targets.signed, context);
  const config = verifyConfig(path, targets.signed, manifest, context.board);
  const modules = verifyModules(path, targets.signed, manifest);
  const clips = verifyClips(path, targets.signed, manifest, config);
  if (version < context.versionFloor) {
    throw new Refusal('slot.below-version-floor', `its image is version ${version} for ${context.board}; the board has confirmed version ${context.versionFloor} (rollback)`);
  }
  return { slot, manifest, config, modules, clips, version, trust: { root: root.toJSON(), timestamp: versions.timestamp, snapshot: versions.snapshot, targets: versions.targets } };
}

function keysOf(root: Root, role: TopLevelRole): { keyids: string[]; threshold: number } {
  const definition = root.roles[role];
  return { keyids: [...(definition?.keyIDs ?? [])].sort(), threshold: definition?.threshold ?? 0 };
}

function parse<R extends TopLevelRole>(role: R, name: string, bytes: Uint8Array, digest: string): RoleMetadata[R] {
  try {
    return parseMetadata(role, bytes, digest);
  } catch (error) {
    throw new Refusal('slot.metadata-unreadable', `${name} is not ${role} metadata (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * A role's metadata file, read no further than the length the metadata above it records, and
 * checked against that record: a file that parses but is not the one recorded comes from
 * another build (mix-and-match).
 */
function readMetadata<R extends 'timestamp' | 'snapshot' | 'targets'>(path: (name: string) => string, role: R, info: FileInfo, atMost: number): { metadata: RoleMetadata[R]; digest: string } {
  const name = boardFiles[role];
  const read = readBounded(path(name), info.length ?? atMost);
  if (read === undefined) throw new Refusal('slot.metadata-missing', `has no ${name}`);
  if (read.longer) {
    throw new Refusal('slot.length', `${name} is longer than the ${info.length ?? atMost} bytes ${info.length === undefined ? 'a board reads of it' : 'the metadata above it records'} (endless data)`);
  }
  const metadata = parse(role, name, read.bytes, read.digest);
  if (fileMatches(info, read.bytes) !== 'ok') {
    throw new Refusal('slot.mix-and-match', `${name} is not the one the metadata above it records (its length or hash differs): metadata from different builds`);
  }
  return { metadata, digest: read.digest };
}

function requireSigned(root: Metadata<Root>, role: TopLevelRole, metadata: Metadata<Root | Timestamp | Snapshot | Targets>, digest: string): void {
  const signatures = roleSignatures(root.signed, role, metadata, digest);
  if (signatures.valid.length >= signatures.threshold) return;
  const keys = signatures.keys === 1 ? `the ${role} key` : `the ${signatures.keys} ${role} keys`;
  if (signatures.valid.length === 0) throw new Refusal('slot.signature', `${role}.json carries no valid signature by ${keys} root ${root.signed.version} names`);
  throw new Refusal('slot.threshold', `${role}.json is signed by ${signatures.valid.length} of ${keys} root ${root.signed.version} names; it needs ${signatures.threshold}`);
}

function requireNotOlder(role: TopLevelRole, version: number, floor: number): void {
  if (version < floor) throw new Refusal('slot.metadata-rollback', `${role}.json is version ${version}; the board has accepted version ${floor} (rollback)`);
}

function requireUnexpired(metadata: RoleMetadata, now: Date): void {
  for (const [role, { signed }] of Object.entries(metadata) as [TopLevelRole, RoleMetadata[TopLevelRole]][]) {
    if (signed.isExpired(now)) {
      throw new Refusal('slot.expired', `its ${role} metadata (version ${signed.version}) expired at ${signed.expires}; the board's trusted time is ${now.toISOString()} (freeze)`);
    }
  }
}

/** The manifest: the bytes targets.json lists for this board, or the reason they are not. */
function verifyManifest(bytes: Buffer, targets: Targets, context: SlotContext): { manifest: KernelSignedManifest; version: number } {
  const mine = targets.targets[targetPath.manifest(context.board)];
  if (mine === undefined || fileMatches(mine, bytes) !== 'ok') {
    let named: unknown;
    let json = true;
    try {
      named = (JSON.parse(bytes.toString('utf8')) as { signed?: { board?: unknown } } | null)?.signed?.board;
    } catch {
      json = false;
    }
    const theirs = typeof named === 'string' && named !== context.board ? targets.targets[targetPath.manifest(named)] : undefined;
    if (theirs !== undefined && fileMatches(theirs, bytes) === 'ok') throw new Refusal('slot.wrong-board', `it holds the image of board ${String(named)}, not ${context.board}`);
    if (mine === undefined) throw json ? new Refusal('slot.no-target', `targets.json lists no image for board ${context.board}`) : new Refusal('slot.manifest-unreadable', 'manifest.json is not JSON');
    if (bytes.length > mine.length) throw new Refusal('slot.length', `manifest.json is longer than the ${mine.length} bytes targets.json records (endless data)`);
    if (!json && bytes.length < mine.length) throw new Refusal('slot.manifest-unreadable', 'manifest.json is shorter than targets.json records and not JSON (half-written?)');
    throw new Refusal('slot.manifest-digest', 'manifest.json is not the manifest targets.json lists for this board (its SHA-256 differs)');
  }
  const custom = mine.custom;
  if (custom['board'] !== context.board) throw new Refusal('slot.wrong-board', `targets.json says the image is for board ${String(custom['board'])}, not ${context.board}`);
  const version = custom['version'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw new Refusal('slot.metadata-unreadable', `targets.json gives the image no version (a positive integer): ${JSON.stringify(version)}`);
  let manifest: KernelSignedManifest;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { signed?: { modules?: unknown; board?: unknown }; signatures?: unknown } | null;
    if (typeof parsed?.signed !== 'object' || !Array.isArray(parsed.signatures) || !Array.isArray(parsed.signed.modules)) throw new Error('not an envelope');
    manifest = parsed as KernelSignedManifest;
  } catch {
    throw new Refusal('slot.manifest-unreadable', 'manifest.json is not a signed manifest');
  }
  if (manifest.signed.board !== context.board) throw new Refusal('slot.wrong-board', `the manifest is for board ${manifest.signed.board}, not ${context.board}`);
  return { manifest, version };
}

function verifyConfig(path: (name: string) => string, targets: Targets, manifest: KernelSignedManifest, board: string): KernelBoardConfig {
  const target = targets.targets[targetPath.config(board)];
  if (target === undefined) throw new Refusal('slot.no-target', `targets.json lists no configuration for board ${board}`);
  const read = readBounded(path(boardFiles.config), target.length);
  if (read === undefined) throw new Refusal('slot.config-missing', 'has no config.json');
  const check = read.longer ? 'longer' : fileMatches(target, read.bytes);
  if (check === 'longer') throw new Refusal('slot.length', `config.json is longer than the ${target.length} bytes targets.json records (endless data)`);
  if (check !== 'ok' || read.digest !== manifest.signed.config) throw new Refusal('slot.config-digest', "config.json's SHA-256 is not the one targets.json and the manifest name");
  try {
    return JSON.parse(read.bytes.toString('utf8')) as KernelBoardConfig;
  } catch {
    throw new Refusal('slot.config-unreadable', 'config.json is not JSON');
  }
}

function verifyModules(path: (name: string) => string, targets: Targets, manifest: KernelSignedManifest): Map<string, Uint8Array> {
  const modules = new Map<string, Uint8Array>();
  for (const entry of manifest.signed.modules) {
    const target = targets.targets[targetPath.module(entry.wasm)];
    if (target === undefined) throw new Refusal('slot.no-target', `targets.json does not list the module of ${entry.app} (${entry.wasm}.wasm)`);
    const read = readBounded(path(boardFiles.module(entry.wasm)), target.length);
    if (read === undefined) throw new Refusal('slot.module-missing', `the module of ${entry.app} (${entry.wasm}.wasm) is missing`);
    const check = read.longer ? 'longer' : fileMatches(target, read.bytes);
    if (check === 'longer') throw new Refusal('slot.length', `the module of ${entry.app} is longer than the ${target.length} bytes targets.json records (endless data)`);
    if (check !== 'ok' || read.digest !== entry.wasm) throw new Refusal('slot.module-digest', `the module of ${entry.app} does not match its length and SHA-256 in targets.json`);
    modules.set(entry.app, new Uint8Array(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength));
  }
  return modules;
}

/**
 * The clip files the manifest lists, each by the length and SHA-256 targets.json records, and
 * every clip a fragment's configuration names among them: a fragment never finds at play time
 * that its clip was not in the image.
 */
function verifyClips(path: (name: string) => string, targets: Targets, manifest: KernelSignedManifest, config: KernelBoardConfig): Map<string, Uint8Array> {
  const clips = new Map<string, Uint8Array>();
  const listed: unknown = manifest.signed.clips ?? [];
  if (!Array.isArray(listed) || !listed.every(isClipEntry)) throw new Refusal('slot.manifest-unreadable', "the manifest's clips are not a list of { wav: SHA-256 }");
  for (const entry of listed) {
    const target = targets.targets[targetPath.clip(entry.wav)];
    if (target === undefined) throw new Refusal('slot.no-target', `targets.json does not list the clip ${entry.wav}.wav`);
    const read = readBounded(path(boardFiles.clip(entry.wav)), target.length);
    if (read === undefined) throw new Refusal('slot.clip-missing', `the clip ${entry.wav}.wav is missing`);
    const check = read.longer ? 'longer' : fileMatches(target, read.bytes);
    if (check === 'longer') throw new Refusal('slot.length', `the clip ${entry.wav}.wav is longer than the ${target.length} bytes targets.json records (endless data)`);
    if (check !== 'ok' || read.digest !== entry.wav) throw new Refusal('slot.clip-digest', `the clip ${entry.wav}.wav does not match its length and SHA-256 in targets.json`);
    clips.set(entry.wav, new Uint8Array(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength));
  }
  for (const fragment of config.fragments) {
    for (const [name, digest] of Object.entries(fragment.clips ?? {})) {
      if (!clips.has(digest)) throw new Refusal('slot.clip-missing', `${fragment.instance}'s clip "${name}" (${digest}.wav) is not among the clips the manifest lists`);
    }
  }
  return clips;
}

function isClipEntry(entry: unknown): entry is { readonly wav: string } {
  const wav: unknown = typeof entry === 'object' && entry !== null ? (entry as { wav?: unknown }).wav : undefined;
  return typeof wav === 'string' && /^[0-9a-f]{64}$/.test(wav);
}

/**
 * A slot's file, never more than `limit` + 1 bytes of it (TUF's endless-data attack: a file
 * longer than its metadata says is refused without reading the rest), or undefined when it
 * cannot be opened. Read synchronously: a slot is a handful of small files, and a read through
 * the thread pool costs more than the read itself. Opened non-blocking, so a FIFO planted in
 * a slot cannot stall the boot.
 */
function readBounded(path: string, limit: number): { bytes: Buffer; longer: boolean; digest: string } | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) return undefined;
    if (info.isFile() && info.size > limit) return { bytes: Buffer.alloc(0), longer: true, digest: '' };
    const buffer = Buffer.allocUnsafe(info.isFile() ? info.size + 1 : limit + 1);
    let filled = 0;
    while (filled < buffer.length) {
      let count: number;
      try {
        count = readSync(fd, buffer, filled, buffer.length - filled, null);
      } catch {
        break; // EAGAIN: nothing more to read now
      }
      if (count === 0) break;
      filled += count;
    }
    const bytes = buffer.subarray(0, filled);
    return { bytes, longer: filled > limit, digest: sha256Hex(bytes) };
  } finally {
    closeSync(fd);
  }
}
