import { readFileSync } from 'node:fs';

// Read once from the package manifest, which sits two levels above this file in both the
// source tree (cli/) and the compiled one (dist/cli/).
const manifestUrl = new URL(import.meta.url.includes('/dist/') ? '../../package.json' : '../package.json', import.meta.url);

export const version: string = (JSON.parse(readFileSync(manifestUrl, 'utf8')) as { version: string }).version;
