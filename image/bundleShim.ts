import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { InputError, OsmoseError } from '../lib/OsmoseError.js';

export interface ShimBundle {
  readonly file: string;
  readonly bytes: number;
  /** Its size gzipped (level 9): about what it costs in an image or over the air. */
  readonly gzipBytes: number;
  /** The modules bundled into it and their size before bundling. */
  readonly inputs: { readonly files: number; readonly bytes: number };
}

/**
 * The packages that load a native addon. They stay outside the bundle (a board's image
 * carries them built for its CPU, in node_modules beside the bundle) and load only when
 * a real board's bus that needs them is made.
 */
const nativeAddon = /^(onoff|serialport|epoll|@serialport\/[^/]+)(\/.*)?$/;

/**
 * Bundles the shim's boot command (kernel-js/commands/bootMain.ts, `osmose boot` without the
 * builder) into one minified ES module for Node.js 20: `node FILE BOARD_DIR [--json] [--once]`.
 * `outFile` must end in `.mjs`, so Node reads it as a module wherever it lies.
 */
export async function bundleShim(outFile: string): Promise<ShimBundle> {
  if (!outFile.endsWith('.mjs')) {
    throw new InputError('image.bundle-name', `the shim bundle is an ES module; ${outFile} does not end in .mjs`, { hint: 'name the bundle something.mjs', data: { outFile } });
  }
  // From the compiled tree the entry is dist/kernel-js/commands/bootMain.js; under a
  // TypeScript loader (tests) it is the source beside this file's.
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entry = fileURLToPath(new URL(`../kernel-js/commands/bootMain${extension}`, import.meta.url));
  const { metafile } = await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    metafile: true,
    logLevel: 'silent',
    // The require that loads a native addon on demand (see nativeAddonsOnDemand).
    banner: { js: "import{createRequire as __osmoseCreateRequire}from'node:module';const require=__osmoseCreateRequire(import.meta.url);" },
    plugins: [nativeAddonsOnDemand],
  }).catch((cause: unknown) => {
    const errors = (cause as { errors?: readonly { text: string }[] }).errors?.map((e) => e.text) ?? [String(cause)];
    throw new OsmoseError('image.bundle-failed', `esbuild could not bundle the shim: ${errors.join('; ')}`, { data: { entry, errors }, cause });
  });
  const bytes = await readFile(outFile);
  const inputs = Object.values(metafile.inputs);
  return {
    file: outFile,
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    inputs: { files: inputs.length, bytes: inputs.reduce((sum, input) => sum + input.bytes, 0) },
  };
}

/**
 * Marking a native-addon package external is not enough: in an ES module bundle, esbuild
 * hoists the import of an external package to the top of the file, so a sim board's boot
 * would load onoff too (and fail where it is not installed). Each native-addon import is made
 * a CommonJS module that requires the package instead, which esbuild runs only when the
 * module that imports it runs: after the dynamic import of a real board's bus.
 */
const nativeAddonsOnDemand: Plugin = {
  name: 'native-addons-on-demand',
  setup(bundler) {
    bundler.onResolve({ filter: nativeAddon }, (args) => (args.namespace === 'native-addon' ? { path: args.path, external: true } : { path: args.path, namespace: 'native-addon' }));
    bundler.onLoad({ filter: /.*/, namespace: 'native-addon' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};
