import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { packagedFolder } from '../../lib/packagedFolder.js';

// From the sources (userland/sdk/) the AssemblyScript files are in assembly/ beside this
// file; the build (dist/userland/sdk/) does not copy them, since tsc must not compile them,
// so from there they are found in the package's own userland/sdk/assembly/.
const candidates = ['./assembly/', '../../../userland/sdk/assembly/'];

/** The folder that holds the SDK's AssemblyScript sources. */
export function sdkDir(): string {
  return packagedFolder(import.meta.url, candidates, 'index.ts', 'sdk.missing', 'the app SDK');
}

let cached: { files: ReadonlyMap<string, string>; digest: string } | undefined;

/**
 * The SDK's sources by path relative to its folder (`index.ts`, `gpio.ts`, …), in path
 * order. Read once per process: the SDK is part of the installed toolchain.
 */
export function sdkSources(): ReadonlyMap<string, string> {
  return load().files;
}

/** SHA-256 (hex) over the SDK's paths and contents: part of every compile's key. */
export function sdkDigest(): string {
  return load().digest;
}

function load(): { files: ReadonlyMap<string, string>; digest: string } {
  if (cached !== undefined) return cached;
  const dir = sdkDir();
  const paths = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  const files = new Map(paths.map((path) => [path, readFileSync(join(dir, path), 'utf8')]));
  const hash = createHash('sha256');
  for (const [path, text] of files) hash.update(`${path}\0${Buffer.byteLength(text)}\0${text}`);
  cached = { files, digest: hash.digest('hex') };
  return cached;
}
