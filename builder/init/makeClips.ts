// Writes the shipped apps' clips (shippedClips.ts) into userland/apps/: run it after changing
// an earcon, and commit the WAV files. `npx tsx builder/init/makeClips.ts`
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { shippedAppsDir } from '../../userland/shippedApps.js';
import { shippedClips } from './shippedClips.js';

const appsDir = shippedAppsDir();
for (const [path, wav] of shippedClips()) {
  const file = join(appsDir, ...path.split('/'));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, wav);
  console.log(`${file}: ${wav.length} bytes`);
}
