import { createHash } from 'node:crypto';

/** The id git gives a blob with these bytes (SHA-1 of `blob <length>\0<bytes>`). */
export function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
