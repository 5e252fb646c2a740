import type { Metadata, Root } from '@tufjs/models';
import { InputError } from '../../lib/OsmoseError.js';
import { checkRootStep } from '../../kernel-js/trust/checkRootStep.js';
import { parseMetadata, sha256Hex } from '../../kernel-js/trust/parseMetadata.js';
import { roleSignatures } from '../../kernel-js/trust/roleSignatures.js';
import { rootMetadataFile, rootMetadataPattern } from './trustLayout.js';

export interface RootVersion {
  readonly version: number;
  /** The file's bytes, as committed: what the ledger and the boards get. */
  readonly bytes: Uint8Array;
  readonly metadata: Metadata<Root>;
}

/**
 * The building's root chain from its committed `keys/<version>.root.json` files (`files`: path
 * → bytes, relative to the building), oldest first. Checked as a board would check it: versions
 * 1 to N without a gap, version 1 signed by its own root keys, each next version signed by a
 * threshold of the previous one's and of its own. Undefined when there is no root metadata.
 */
export function readRootChain(files: ReadonlyMap<string, Uint8Array>): RootVersion[] | undefined {
  const found = new Map<number, Uint8Array>();
  for (const [path, bytes] of files) {
    const match = rootMetadataPattern.exec(path);
    if (match?.[1] !== undefined) found.set(Number(match[1]), bytes);
  }
  if (found.size === 0) return undefined;
  const chain: RootVersion[] = [];
  for (let version = 1; version <= found.size; version++) {
    const file = rootMetadataFile(version);
    const bytes = found.get(version);
    if (bytes === undefined) throw refusal(`${file} is missing, though a later root version is there`, file);
    let metadata: Metadata<Root>;
    try {
      metadata = parseMetadata('root', bytes);
    } catch (cause) {
      throw refusal(`${file} is not root metadata (${cause instanceof Error ? cause.message : String(cause)})`, file);
    }
    const digest = sha256Hex(bytes);
    const previous = chain.at(-1);
    if (previous === undefined) {
      const own = roleSignatures(metadata.signed, 'root', metadata, digest);
      if (metadata.signed.version !== 1 || own.valid.length < own.threshold) throw refusal(`${file} is not version 1 signed by its own root keys`, file);
    } else {
      const problem = checkRootStep(previous.metadata, metadata, digest);
      if (problem !== undefined) throw refusal(problem, file);
    }
    chain.push({ version, bytes, metadata });
  }
  return chain;
}

function refusal(message: string, file: string): InputError {
  return new InputError('keys.root-chain', `the building's root metadata does not chain: ${message}`, {
    hint: 'restore keys/ from the repository (git checkout -- keys); root metadata is only ever made by osmose init and osmose keys rotate',
    data: { file },
  });
}
