import { createHash } from 'node:crypto';

/** SHA-256 of bytes or text, in hex. */
export function sha256(content: Uint8Array | string): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The key of an artefact: a hash over every named input (source tree digest, SDK digest,
 * toolchain, flags…). Names are part of the key, and their order is not.
 */
export function inputKey(inputs: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(inputs).sort()) hash.update(`${name}\0${inputs[name] ?? ''}\0`);
  return hash.digest('hex');
}
