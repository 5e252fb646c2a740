import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import { Key, Metadata, MetadataKind, Signature, type Targets } from '@tufjs/models';
import { describe, expect, it } from 'vitest';
import { parseTargetsMetadata } from './parseTargetsMetadata.js';

type Json = Parameters<typeof Metadata.fromJSON>[1];

/** Targets metadata as the builder writes it (one manifest and one config a board), signed by a fresh key, as plain JSON. */
function signedTargets(boards: number, extra: Json = {}): { json: Json; key: Key } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex') } };
  const keyid = createHash('sha256').update(canonicalize(key)).digest('hex');
  const targets: Json = {};
  for (let i = 0; i < boards; i++) {
    targets[`boards/b${i}/manifest.json`] = { length: 1000 + i, hashes: { sha256: i.toString(16).padStart(64, '0') } };
    targets[`boards/b${i}/config.json`] = { length: 500 + i, hashes: { sha256: (i + 1).toString(16).padStart(64, 'f') }, custom: { board: `b${i}` } };
  }
  const signed: Json = { _type: 'targets', spec_version: '1.0.31', version: 7, expires: '2040-01-01T00:00:00Z', targets, ...extra };
  const signature = sign(null, Buffer.from(canonicalize(signed)), privateKey).toString('hex');
  return { json: { signed, signatures: [{ keyid, sig: signature }] }, key: Key.fromJSON(keyid, { ...key }) };
}

describe('parseTargetsMetadata', () => {
  it('reads targets metadata as @tufjs/models does, and serialises it to the same signed bytes', () => {
    const delegations = { keys: {}, roles: [{ name: 'apps', keyids: [], threshold: 1, terminating: false, paths: ['apps/*'] }] };
    for (const extra of [{}, { delegations }, { x_osmose_build: 'abc' }]) {
      const { json, key } = signedTargets(300, extra);
      const ours = parseTargetsMetadata(json);
      const theirs = Metadata.fromJSON(MetadataKind.Targets, json);
      expect(ours.signed.equals(theirs.signed)).toBe(true);
      expect(ours.toJSON()).toEqual(theirs.toJSON());
      expect(canonicalize(ours.signed.toJSON())).toBe(canonicalize(theirs.signed.toJSON()));
      expect(Object.keys(ours.signed.targets)).toHaveLength(600);
      expect(ours.signed.targets['boards/b3/config.json']?.unrecognizedFields).toEqual({ custom: { board: 'b3' } });
      expect(() => key.verifySignature(ours)).not.toThrow();
    }
  });

  it('still finds a changed target: the signature no longer verifies', () => {
    const { json, key } = signedTargets(10);
    const signed = json['signed'] as { targets: Record<string, { length: number }> };
    const target = signed.targets['boards/b4/manifest.json'];
    if (target === undefined) throw new Error('no such target');
    target.length += 1;
    expect(() => key.verifySignature(parseTargetsMetadata(json))).toThrow();
  });

  it('refuses what the library refuses, with its errors, and takes what it takes', () => {
    const { json } = signedTargets(2);
    const signed = json['signed'] as Json;
    const cases: Json[] = [
      { ...json, signed: { ...signed, targets: [] } },
      { ...json, signed: { ...signed, targets: 'all' } },
      { ...json, signed: { ...signed, targets: { 'a.wasm': { length: 'long', hashes: {} } } } },
      { ...json, signed: { ...signed, targets: { 'a.wasm': { length: 3, hashes: { sha256: 5 } } } } },
      { ...json, signed: { ...signed, _type: 'snapshot' } },
      { ...json, signed: { ...signed, expires: 5 } },
      { ...json, signatures: 'none' },
      { signatures: [] },
    ];
    let refused = 0;
    for (const input of cases) {
      let theirs: Metadata<Targets> | Error;
      try {
        theirs = Metadata.fromJSON(MetadataKind.Targets, input);
      } catch (error) {
        theirs = error as Error;
      }
      if (theirs instanceof Error) {
        refused++;
        expect(() => parseTargetsMetadata(input)).toThrow(theirs);
      } else {
        expect(parseTargetsMetadata(input).signed.equals(theirs.signed), JSON.stringify(input).slice(0, 120)).toBe(true);
      }
    }
    expect(refused).toBe(cases.length - 1);
  });

  it('keeps the signatures as they were signed', () => {
    const { json } = signedTargets(1);
    const ours = parseTargetsMetadata(json);
    expect(Object.values(ours.signatures)).toEqual((json['signatures'] as Json[]).map((signature) => Signature.fromJSON(signature)));
  });
});
