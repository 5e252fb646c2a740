import { packagedFolder } from '../../lib/packagedFolder.js';

// Run from the sources (builder/init/), the templates are a sibling folder. The build
// (dist/builder/init/) does not copy them, since they are data and AssemblyScript that tsc
// must not compile, so from there they are found in the package's own builder/templates/.
const candidates = ['../templates/', '../../../builder/templates/'];

/** The folder that holds the templates `osmose init` copies from. */
export function templatesDir(): string {
  return packagedFolder(import.meta.url, candidates, 'common', 'init.templates-missing', 'the building templates');
}
