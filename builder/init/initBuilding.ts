import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OsmoseError } from '../../lib/OsmoseError.js';
import { validateBuilding } from '../validate/validateBuilding.js';
import { buildingIdFrom } from './buildingIdFrom.js';
import { checkTargetDirectory } from './checkTargetDirectory.js';
import { commitFiles, type Author } from './commitFiles.js';
import { defaultGridSize, type GridSize } from './gridBuilding.js';
import { makeRoleKeys, publicKeysDir, type RoleKey } from './makeRoleKeys.js';
import { buildingRootChain } from '../trust/buildingRootChain.js';
import { caCertFile, ensureBuildingCa } from '../trust/buildingCa.js';
import { signFirstRoot } from '../trust/signFirstRoot.js';
import { rootMetadataFile } from '../trust/trustLayout.js';
import { templateFiles } from './templateFiles.js';
import type { TemplateName } from './templateNames.js';

export interface InitOptions {
  /** Absolute path of the building's folder; created when missing. */
  readonly dir: string;
  readonly template: TemplateName;
  /** building.name; the folder's name when absent. */
  readonly name?: string | undefined;
  /** Write into a folder that is not empty. */
  readonly force: boolean;
  /** The grid template's size; the defaults when absent. */
  readonly grid?: GridSize | undefined;
  /** Called once the folder has been found acceptable, before anything is written. */
  readonly rootPassphrase: () => Promise<string>;
  readonly author: Author;
}

export interface InitResult {
  readonly root: string;
  readonly template: TemplateName;
  readonly building: { readonly id: string; readonly name: string };
  readonly counts: { readonly spaces: number; readonly boards: number; readonly devices: number; readonly apps: number; readonly rules: number };
  readonly keys: readonly RoleKey[];
  /** The building CA: its certificate's SHA-256 fingerprint, and whether it was there already. */
  readonly ca: { readonly fingerprint: string; readonly reused: boolean };
  /** Every file committed, relative to the root. */
  readonly files: readonly string[];
  readonly branch: string;
  readonly commit: string;
}

/**
 * Creates a building repository in `options.dir` from a template: building.yaml, policies,
 * app sources, README, JSON Schemas, the four TUF role keys (private halves in .osmose/,
 * never committed; public halves in keys/), the first TUF root metadata that names them
 * (keys/1.root.json, signed by the root key), the building CA (its key in .osmose/, its
 * certificate keys/ca.crt), and one first commit. Everything that can be
 * refused (the folder, the passphrase, existing keys) is refused before anything is written.
 */
export async function initBuilding(options: InitOptions): Promise<InitResult> {
  const { dir, template } = options;
  await checkTargetDirectory(dir, options.force);
  const passphrase = await options.rootPassphrase();

  const name = options.name ?? (basename(dir) || 'building');
  const id = buildingIdFrom(basename(dir), name);
  const grid = options.grid ?? defaultGridSize;
  const files = await templateFiles({ template, id, name, grid });

  const keys = await makeRoleKeys(dir, passphrase);
  for (const key of keys) files.set(`${publicKeysDir}/${key.role}.json`, `${JSON.stringify({ keyid: key.keyid, ...key.key }, null, 2)}\n`);
  for (const [path, text] of files) {
    const file = join(dir, ...path.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  // The first root metadata names the keys just made; a building that has its root chain
  // already (init --force) keeps it, as it keeps its keys.
  if ((await buildingRootChain(dir)) === undefined) {
    const path = rootMetadataFile(1);
    files.set(path, await signFirstRoot(dir, keys, passphrase, new Date()));
    await writeFile(join(dir, ...path.split('/')), files.get(path) ?? '');
  }

  // The building CA, whose certificates the gateway and the boards show each other; kept,
  // like the keys, when the building has one already.
  const ca = await ensureBuildingCa(dir, { buildingId: id, commit: false });
  files.set(caCertFile, ca.certPem);

  // The templates are tested to validate; checking again here means a broken installation
  // never commits a building that osmose itself would refuse.
  const validation = await validateBuilding(dir);
  if (!validation.ok) {
    throw new OsmoseError('init.template-invalid', `the ${template} template made a building.yaml that does not validate`, {
      data: { template, issues: validation.issues },
    });
  }
  const { index, policies, spec } = validation.building;

  const paths = [...files.keys()].sort();
  const size = template === 'grid' ? `\n${grid.floors} floors of ${grid.rooms} rooms of ${grid.boardsPerRoom} boards: ${index.boards.length} boards.\n` : '';
  const message = `Initialise building ${id} from the ${template} template\n${size}`;
  const { commit, branch } = await commitFiles(dir, paths, options.author, message);
  return {
    root: dir,
    template,
    building: { id, name },
    counts: {
      spaces: index.spaces.length,
      boards: index.boards.length,
      devices: index.devices.length,
      apps: spec.apps?.length ?? 0,
      rules: policies.rules.length,
    },
    keys,
    ca: { fingerprint: ca.fingerprint, reused: !ca.made },
    files: paths,
    branch,
    commit,
  };
}
