import { packagedFolder } from '../lib/packagedFolder.js';

// From the sources the apps are in userland/apps/ beside this file; from the build
// (dist/userland/) they are found in the package's own userland/apps/, since tsc must not
// compile AssemblyScript.
const candidates = ['./apps/', '../../userland/apps/'];

/** The folder of the apps that ship with osmose, one folder each (`lights/assembly/index.ts`). */
export function shippedAppsDir(): string {
  return packagedFolder(import.meta.url, candidates, 'lights', 'userland.apps-missing', 'the apps that ship with osmose');
}
