import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256 } from './inputKey.js';

/** Where a building keeps its cache: private, never committed (`.osmose/` is ignored). */
export const cacheDir = '.osmose/cache';

/**
 * Content-addressed artefacts keyed by the hash of their inputs. An entry maps an input key
 * to the digest of the bytes it produced; the bytes are stored once under their digest and
 * checked when read back, so a damaged entry is a miss, never a wrong artefact. Entries are
 * written to a temporary name and renamed, so a crash never leaves half an entry.
 */
export class ArtifactCache {
  readonly #dir: string;
  readonly #memory = new Map<string, Uint8Array>();

  constructor(root: string) {
    this.#dir = join(root, cacheDir);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const held = this.#memory.get(key);
    if (held !== undefined) return held;
    const digest = await readFile(this.#keyPath(key), 'utf8').catch(() => undefined);
    if (digest === undefined) return undefined;
    const bytes = await readFile(this.#objectPath(digest.trim())).catch(() => undefined);
    if (bytes === undefined || sha256(bytes) !== digest.trim()) return undefined;
    const value = new Uint8Array(bytes);
    this.#memory.set(key, value);
    return value;
  }

  /** Stores `bytes` as the artefact of `key`; returns their SHA-256. */
  async put(key: string, bytes: Uint8Array): Promise<string> {
    const digest = sha256(bytes);
    await writeAtomically(this.#objectPath(digest), bytes);
    await writeAtomically(this.#keyPath(key), `${digest}\n`);
    this.#memory.set(key, bytes);
    return digest;
  }

  #keyPath(key: string): string {
    return join(this.#dir, 'keys', key.slice(0, 2), key);
  }

  #objectPath(digest: string): string {
    return join(this.#dir, 'objects', digest.slice(0, 2), digest);
  }
}

async function writeAtomically(file: string, content: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}
