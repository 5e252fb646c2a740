import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateKeysDir, publicKeysDir, tufRoles, type TufRole } from '../init/makeRoleKeys.js';
import type { TufKey } from '../init/tufPublicKey.js';
import { keyFileName } from './trustLayout.js';

/** One key of a role, as files: the committed public half and, where it is kept here, the private half. */
export interface RoleKeyFile {
  readonly role: TufRole;
  /** 1 for `<role>.json`/`<role>.pem` (what init makes), n for `<role>.<n>.json`/`<role>.<n>.pem`. */
  readonly index: number;
  readonly keyid: string;
  readonly key: TufKey;
  /** Relative to the building: `keys/<name>.json`. */
  readonly publicFile: string;
  /** Relative to the building: `.osmose/keys/<name>.pem`. */
  readonly privateFile: string;
  readonly hasPrivate: boolean;
}

const publicName = new RegExp(`^(${tufRoles.join('|')})(?:\\.([2-9]|[1-9][0-9]+))?\\.json$`);

/**
 * The building's role keys, from its committed `keys/<role>[.<n>].json` files, each paired
 * with its private half in `.osmose/keys/` by name. Which of them a role uses is the root
 * metadata's business; this lists what is on disk.
 */
export async function roleKeyFiles(root: string): Promise<RoleKeyFile[]> {
  const names = await readdir(join(root, publicKeysDir)).catch(() => [] as string[]);
  const files: RoleKeyFile[] = [];
  for (const name of names.sort()) {
    const match = publicName.exec(name);
    if (match === null) continue;
    const role = match[1] as TufRole;
    const index = match[2] === undefined ? 1 : Number(match[2]);
    const parsed = JSON.parse(await readFile(join(root, publicKeysDir, name), 'utf8')) as { keyid?: unknown; keytype?: unknown; scheme?: unknown; keyval?: { public?: unknown } };
    if (typeof parsed.keyid !== 'string' || typeof parsed.keyval?.public !== 'string') continue;
    const privateFile = `${privateKeysDir}/${keyFileName(role, index)}.pem`;
    files.push({
      role,
      index,
      keyid: parsed.keyid,
      key: { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: parsed.keyval.public } },
      publicFile: `${publicKeysDir}/${name}`,
      privateFile,
      hasPrivate: await access(join(root, privateFile)).then(() => true, () => false),
    });
  }
  return files;
}
