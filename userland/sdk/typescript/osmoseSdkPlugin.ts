import { readFile } from 'node:fs/promises';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Loader, Plugin } from 'esbuild';
import { rewriteOsmoseImports, sdkNamespaces } from './rewriteOsmoseImports.js';

// From the sources this folder holds the SDK as .ts; from the build (dist/) as the .js tsc made.
const here = fileURLToPath(import.meta.url);
const sdkFolder = dirname(here);
const extension = extname(here);
const loaders: Readonly<Record<string, Loader>> = { '.ts': 'ts', '.mts': 'ts', '.cts': 'ts', '.tsx': 'tsx', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' };

/** The SDK's entry, what `import … from "osmose"` resolves to: index.ts beside this file (index.js in a build). */
export function sdkEntry(): string {
  return join(sdkFolder, `index${extension}`);
}

/**
 * The esbuild plugin that bundles an app in plain TypeScript against this SDK: it resolves
 * `osmose` (and `osmose/gpio`, … for each namespace) to the SDK's files, and rewrites the
 * app's own files with rewriteOsmoseImports so the bundle keeps only the host calls the app
 * makes (what scriptImports then finds). Files outside the SDK and node_modules are the app's.
 */
export function osmoseSdkPlugin(): Plugin {
  return {
    name: 'osmose-sdk',
    setup(build) {
      build.onResolve({ filter: /^osmose(\/[A-Za-z]+)?$/ }, (args) => {
        const namespace = args.path.slice('osmose/'.length);
        if (args.path === 'osmose') return { path: sdkEntry() };
        if (!sdkNamespaces.includes(namespace)) return { errors: [{ text: `"${args.path}" is not part of the osmose SDK; its namespaces are ${sdkNamespaces.join(', ')}` }] };
        return { path: join(sdkFolder, `${namespace}${extension}`) };
      });
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        if (args.path.startsWith(sdkFolder + sep) || args.path.includes('/node_modules/')) return undefined;
        const loader = loaders[extname(args.path)];
        if (loader === undefined) return undefined;
        return { contents: rewriteOsmoseImports(await readFile(args.path, 'utf8')), loader };
      });
    },
  };
}
