import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { boardFiles, type SlotName } from './boardDirectory.js';
import type { KernelBoardConfig, KernelSignedManifest, KernelTufKey } from './KernelImage.js';

/** A slot that verified: everything the host needs to boot it, already read. */
export interface VerifiedSlot {
  readonly slot: SlotName;
  readonly manifest: KernelSignedManifest;
  readonly config: KernelBoardConfig;
  /** Module bytes by app. */
  readonly modules: ReadonlyMap<string, Uint8Array>;
  readonly version: number;
}

export type SlotRefusalCode =
  | 'slot.empty'
  | 'slot.manifest-unreadable'
  | 'slot.signature'
  | 'slot.wrong-board'
  | 'slot.config-missing'
  | 'slot.config-digest'
  | 'slot.config-unreadable'
  | 'slot.module-missing'
  | 'slot.module-digest'
  | 'slot.version-unreadable'
  | 'slot.below-version-floor';

export type SlotReading = { readonly ok: true; readonly slot: VerifiedSlot } | { readonly ok: false; readonly code: SlotRefusalCode; readonly reason: string };

export interface SlotContext {
  readonly board: string;
  readonly targetsKey: KernelTufKey;
  readonly versionFloor: number;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Reads one slot and verifies it: the manifest's signature against the trust root's
 * targets key, the configuration's and every module's SHA-256 against the manifest. Never
 * throws: whatever is wrong (missing, half-written, tampered) makes the slot invalid, with
 * a code and a reason the shim records.
 */
export function readSlot(dir: string, slot: SlotName, context: SlotContext): SlotReading {
  const base = join(dir, slot);
  const refuse = (code: SlotRefusalCode, reason: string): SlotReading => ({ ok: false, code, reason: `slot ${slot}: ${reason}` });

  const manifestBytes = readOptional(join(base, boardFiles.manifest));
  if (manifestBytes === undefined) return refuse('slot.empty', 'has no manifest.json');
  let manifest: KernelSignedManifest;
  try {
    const parsed = JSON.parse(manifestBytes.toString('utf8')) as { signed?: { modules?: unknown }; signatures?: unknown } | null;
    if (typeof parsed?.signed !== 'object' || !Array.isArray(parsed.signatures) || !Array.isArray(parsed.signed.modules)) throw new Error('not an envelope');
    manifest = parsed as KernelSignedManifest;
  } catch {
    return refuse('slot.manifest-unreadable', 'manifest.json is not a signed manifest (half-written?)');
  }
  if (!signatureVerifiesOnce(manifestBytes, manifest, context.targetsKey)) return refuse('slot.signature', "the manifest's signature does not verify against the trust root's targets key");
  if (manifest.signed.board !== context.board) return refuse('slot.wrong-board', `the manifest is for board ${manifest.signed.board}, not ${context.board}`);

  const configBytes = readOptional(join(base, boardFiles.config));
  if (configBytes === undefined) return refuse('slot.config-missing', 'has no config.json');
  if (sha256(configBytes) !== manifest.signed.config) return refuse('slot.config-digest', "config.json's SHA-256 is not the one the manifest names");
  let config: KernelBoardConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as KernelBoardConfig;
  } catch {
    return refuse('slot.config-unreadable', 'config.json is not JSON');
  }

  const modules = new Map<string, Uint8Array>();
  for (const entry of manifest.signed.modules) {
    const bytes = readOptional(join(base, `${entry.wasm}.wasm`));
    if (bytes === undefined) return refuse('slot.module-missing', `the module of ${entry.app} (${entry.wasm}.wasm) is missing`);
    if (sha256(bytes) !== entry.wasm) return refuse('slot.module-digest', `the module of ${entry.app} does not match its SHA-256 in the manifest`);
    modules.set(entry.app, new Uint8Array(bytes));
  }

  const versionText = readOptional(join(base, boardFiles.version))?.toString('utf8') ?? '0';
  const version = Number(versionText.trim());
  if (!Number.isInteger(version) || version < 0) return refuse('slot.version-unreadable', `its version file holds ${JSON.stringify(versionText.trim())}, not an integer`);
  if (version < context.versionFloor) return refuse('slot.below-version-floor', `its version ${version} is below the version floor ${context.versionFloor}`);

  return { ok: true, slot: { slot, manifest, config, modules, version } };
}

/**
 * Manifests whose signature verified in this process, by the SHA-256 of the manifest's bytes
 * and of the key: verification is a pure function of both, so the same bytes under the same
 * key need not be verified twice (a restarted board, a thousand simulated boards). Only
 * successes are kept, at most a thousand.
 */
const verified = new Set<string>();

function signatureVerifiesOnce(bytes: Uint8Array, envelope: KernelSignedManifest, tufKey: KernelTufKey): boolean {
  const key = createHash('sha256').update(bytes).update('\0').update(tufKey.keyval.public).digest('hex');
  if (verified.has(key)) return true;
  if (!signatureVerifies(envelope, tufKey)) return false;
  if (verified.size >= 1_000) verified.clear();
  verified.add(key);
  return true;
}

function signatureVerifies(envelope: KernelSignedManifest, tufKey: KernelTufKey): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(tufKey.keyval.public, 'hex').toString('base64url') }, format: 'jwk' });
    // The key id is over the key object alone: a keys/<role>.json also carries its keyid.
    const { keytype, scheme, keyval } = tufKey;
    const keyid = createHash('sha256').update(canonicalize({ keytype, scheme, keyval: { public: keyval.public } })).digest('hex');
    const message = Buffer.from(canonicalize(envelope.signed));
    return envelope.signatures.some((s) => s.keyid === keyid && verify(null, message, key, Buffer.from(s.sig, 'hex')));
  } catch {
    return false;
  }
}

/**
 * A slot's file, or undefined when it cannot be read. Read synchronously: a slot is a handful
 * of small files, and a read through the thread pool costs more than the read itself.
 */
function readOptional(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}
