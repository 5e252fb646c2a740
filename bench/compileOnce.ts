import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileApp } from '../builder/compile/compileApp.js';

// One board's firmware built the per-device way: a fresh process that loads the compiler and
// compiles the app, as a per-device tool runs its toolchain once for every device.
const [folder, app] = process.argv.slice(2);
if (folder === undefined || app === undefined) throw new Error('usage: compileOnce APP_FOLDER APP');
const files = new Map([['assembly/index.ts', await readFile(join(folder, 'assembly/index.ts'), 'utf8')]]);
const result = await compileApp({ app, files });
if (!result.ok) throw new Error(`compile failed: ${JSON.stringify(result.issues)}`);
