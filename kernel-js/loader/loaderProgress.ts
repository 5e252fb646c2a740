import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { protocolVersion } from './serialFrames.js';

/**
 * The loader's progress record: which image it is receiving and how many of its first bytes
 * are durably on the disk. Written only after those bytes were flushed, so it never claims
 * more than the disk holds; a cut line, a killed loader or a power cut resumes from it.
 */
export interface LoaderProgress {
  readonly format: 1;
  readonly protocol: number;
  /** SHA-256 of the whole image (hex), as its HELLO announced it. */
  readonly sha256: string;
  readonly length: number;
  /** Bytes [0, committed) of the image are on the disk and flushed. */
  readonly committed: number;
}

/** Beside the disk file unless the loader is told otherwise (a block device needs `--progress`). */
export function defaultProgressFile(file: string): string {
  return `${file}.osmose-loader.json`;
}

/** The record, or undefined when there is none or it cannot be read: an unreadable record means starting over, never trusting it. */
export async function readLoaderProgress(path: string): Promise<LoaderProgress | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const ok =
    v['format'] === 1 &&
    v['protocol'] === protocolVersion &&
    typeof v['sha256'] === 'string' &&
    /^[0-9a-f]{64}$/.test(v['sha256']) &&
    Number.isSafeInteger(v['length']) &&
    Number.isSafeInteger(v['committed']) &&
    (v['committed'] as number) >= 0 &&
    (v['committed'] as number) <= (v['length'] as number);
  return ok ? { format: 1, protocol: protocolVersion, sha256: v['sha256'] as string, length: v['length'] as number, committed: v['committed'] as number } : undefined;
}

/** Writes the record atomically and durably: a temporary file, flushed, renamed over the old one, and the directory flushed. */
export async function writeLoaderProgress(path: string, progress: LoaderProgress): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(progress)}\n`, { flush: true });
  await rename(temp, path);
  await syncDirectory(dirname(path));
}

export async function removeLoaderProgress(path: string): Promise<void> {
  await rm(path, { force: true });
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
