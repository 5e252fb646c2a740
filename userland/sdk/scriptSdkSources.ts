import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { packagedFolder } from '../../lib/packagedFolder.js';

// From the sources (userland/sdk/) the TypeScript SDK is in typescript/ beside this file. The
// build compiles it too (dist/userland/sdk/typescript/, JavaScript): the builder bundles the
// TypeScript sources, which the package ships in userland/sdk/typescript/.
const candidates = ['./typescript/', '../../../userland/sdk/typescript/'];

/** The folder of the SDK for apps in plain TypeScript: what `import … from "osmose"` means in one. */
export function scriptSdkDir(): string {
  return packagedFolder(import.meta.url, candidates, 'index.ts', 'sdk.missing', 'the TypeScript app SDK');
}

let cached: string | undefined;

/** SHA-256 (hex) over the TypeScript SDK's paths and contents (tests left out): part of every script app's compile key. */
export function scriptSdkDigest(): string {
  if (cached !== undefined) return cached;
  const dir = scriptSdkDir();
  const paths = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const path of paths) {
    const text = readFileSync(join(dir, path), 'utf8');
    hash.update(`${path}\0${Buffer.byteLength(text)}\0${text}`);
  }
  cached = hash.digest('hex');
  return cached;
}
