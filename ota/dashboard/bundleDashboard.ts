import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, formatMessages, type Message } from 'esbuild';

/**
 * The dashboard page's build step, run after tsc (`npm run build`) from dist:
 * `node dist/ota/dashboard/bundleDashboard.js`. It bundles ota/dashboard/client (Preact, TSX)
 * into dist/ota/dashboard/public — app.js, app.css and index.html — which the gateway serves
 * as files: the building may have no internet, so the page loads nothing from anywhere else.
 * It prints nothing on success and exits non-zero with esbuild's messages on failure.
 */
export async function bundleDashboard(client: string, out: string): Promise<readonly Message[]> {
  await mkdir(out, { recursive: true });
  const result = await build({
    entryPoints: [
      { in: join(client, 'main.tsx'), out: 'app' },
      { in: join(client, 'style.css'), out: 'app' },
    ],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(client, 'tsconfig.json'),
    logLevel: 'silent',
    legalComments: 'none',
    write: true,
  });
  await copyFile(join(client, 'index.html'), join(out, 'index.html'));
  return result.warnings;
}

const here = dirname(fileURLToPath(import.meta.url));
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  // From dist/ota/dashboard/ the sources are three folders up, in the repository.
  const client = join(here, '..', '..', '..', 'ota', 'dashboard', 'client');
  bundleDashboard(client, join(here, 'public')).catch(async (error: unknown) => {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors !== undefined && errors.length > 0) {
      process.stderr.write((await formatMessages(errors, { kind: 'error', color: process.stderr.isTTY })).join(''));
    } else {
      process.stderr.write(`bundleDashboard: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    process.exitCode = 1;
  });
}
