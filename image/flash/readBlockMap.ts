import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { canonicalize } from '@tufjs/canonical-json';
import { tufPublicKey } from '../../builder/init/tufPublicKey.js';
import { InputError } from '../../lib/OsmoseError.js';
import { blockMapSchema, type BlockMap } from './BlockMap.js';

const remake = 'make the image again with `osmose image BOARD --out FILE` in this building: it writes FILE.bmap.json beside FILE';

/**
 * Reads a block map and returns what it signs, once its signature by the Ed25519 key whose
 * raw public half is `publicHex` (the building's keys/targets.json) checks out. The signature
 * is checked before the content is trusted to have any shape, as TUF clients do. Refusals are
 * InputErrors: `bmap.missing`, `bmap.unsigned`, `bmap.bad-signature`, `bmap.malformed`.
 */
export async function readBlockMap(file: string, publicHex: string): Promise<BlockMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InputError('bmap.missing', missing ? `the block map ${file} is missing: osmose flashes only an image whose signed block map it can check` : `the block map ${file} cannot be read`, {
      hint: missing ? `keep the image and its .bmap.json together, or ${remake}` : 'check the file\'s permissions',
      data: { file },
      cause,
    });
  }

  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch (cause) {
    throw malformed(file, ['it is not JSON'], cause);
  }
  if (!isRecord(envelope) || !isRecord(envelope['signed'])) throw malformed(file, ['it is not a signed envelope { signed, signatures }']);
  const signatures = envelope['signatures'];
  if (signatures === undefined || (Array.isArray(signatures) && signatures.length === 0)) {
    throw new InputError('bmap.unsigned', `the block map ${file} is not signed, so nothing vouches for its image`, { hint: remake, data: { file } });
  }
  if (!Array.isArray(signatures) || !signatures.every((s) => isRecord(s) && typeof s['keyid'] === 'string' && typeof s['sig'] === 'string')) {
    throw malformed(file, ['signatures is not a list of { keyid, sig }']);
  }

  const key = publicKey(publicHex);
  const { keyid } = tufPublicKey(key);
  const message = Buffer.from(canonicalize(envelope['signed']));
  const listed = signatures as { keyid: string; sig: string }[];
  if (!listed.some((s) => s.keyid === keyid && checks(message, key, s.sig))) {
    const byUs = listed.some((s) => s.keyid === keyid);
    throw new InputError(
      'bmap.bad-signature',
      byUs
        ? `the block map ${file} carries a signature by this building's targets key that does not match its content: the map was changed after it was signed`
        : `the block map ${file} is not signed by this building's targets key (keys/targets.json, key ${keyid.slice(0, 12)})`,
      {
        hint: byUs ? remake : `flash it from the building that made it, or ${remake}`,
        data: { file, keyid, signedBy: listed.map((s) => s.keyid) },
      },
    );
  }

  const parsed = blockMapSchema.safeParse(envelope['signed']);
  if (!parsed.success) throw malformed(file, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'signed'}: ${issue.message}`));
  const map = parsed.data as BlockMap;
  const problems = rangeProblems(map);
  if (problems.length > 0) throw malformed(file, problems);
  return map;
}

/** What is wrong with the ranges: each within the image, ascending, none overlapping. */
function rangeProblems(map: BlockMap): string[] {
  const blocks = Math.ceil(map.image.bytes / map.blockSize);
  const problems: string[] = [];
  let previous = -1;
  map.ranges.forEach((range, index) => {
    if (range.last < range.first) problems.push(`ranges[${index}]: last ${range.last} comes before first ${range.first}`);
    if (range.first <= previous) problems.push(`ranges[${index}]: starts at block ${range.first}, not after the range before it (which ends at ${previous})`);
    if (range.last >= blocks) problems.push(`ranges[${index}]: ends at block ${range.last}, past the image's last block ${blocks - 1}`);
    previous = range.last;
  });
  return problems;
}

function publicKey(publicHex: string): KeyObject {
  if (!/^[0-9a-f]{64}$/i.test(publicHex)) {
    throw new InputError('bmap.bad-trust-key', 'the targets key to check the block map with is not a raw Ed25519 public key in hex', { hint: 'pass keyval.public of the building\'s keys/targets.json', data: { publicHex } });
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicHex, 'hex').toString('base64url') }, format: 'jwk' });
}

function checks(message: Buffer, key: KeyObject, sig: string): boolean {
  try {
    return verify(null, message, key, Buffer.from(sig, 'hex'));
  } catch {
    return false;
  }
}

function malformed(file: string, problems: readonly string[], cause?: unknown): InputError {
  return new InputError('bmap.malformed', `the block map ${file} is malformed: ${problems.join('; ')}`, {
    hint: remake,
    data: { file, problems },
    ...(cause === undefined ? {} : { cause }),
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
