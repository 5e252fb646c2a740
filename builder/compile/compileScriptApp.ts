import { build, type Message, type Plugin } from 'esbuild';
import { encodeScriptContainer } from '../../userland/abi/scriptContainer.js';
import { abiFunctionNamed } from '../../userland/abi/abiFunction.js';
import { osmoseSdkPlugin } from '../../userland/sdk/typescript/osmoseSdkPlugin.js';
import { rewriteOsmoseImports } from '../../userland/sdk/typescript/rewriteOsmoseImports.js';
import { scriptImports } from '../../userland/sdk/typescript/scriptImports.js';
import type { ValidationIssue } from '../validate/ValidationIssue.js';
import type { CompileInput, CompileResult } from './CompileResult.js';
import { typeCheckScriptApp } from './typeCheckScriptApp.js';

/** Where an app in plain TypeScript starts, in its folder (an AssemblyScript app starts at assembly/index.ts). */
export const scriptEntry = 'src/index.ts';

const namespace = 'osmose-app';

/**
 * Compiles an app written in plain TypeScript (docs/typescript-apps.md): esbuild bundles
 * `src/index.ts` and what it imports from the app's folder, with the TypeScript SDK as the
 * package `osmose` (userland/sdk/typescript/osmoseSdkPlugin), into one script for the board's engine (ES2023, minified), from the files
 * in memory. The ABI functions the script calls are read from it, and the whole is packed as a
 * WebAssembly module that imports them (userland/abi/scriptContainer), so that the capability
 * check, the ledger and the board treat it as any module. The app is type-checked too
 * (typeCheckScriptApp), since esbuild only strips the types. Errors are returned as issues at
 * `apps/NAME/src/FILE:LINE:COL`, never thrown.
 */
export async function compileScriptApp(input: CompileInput): Promise<CompileResult> {
  const source = input.source ?? `apps/${input.app}`;
  const issue = (code: string, message: string, file: string, line?: number, column?: number, hint?: string): ValidationIssue => ({
    code,
    message,
    file: `${source}/${file}`,
    path: '',
    ...(line === undefined ? {} : { line, column: column ?? 1 }),
    ...(hint === undefined ? {} : { hint }),
  });
  if (!input.files.has(scriptEntry)) {
    return { ok: false, issues: [issue('compile.entry', `${input.app} has no ${scriptEntry}`, scriptEntry, undefined, undefined, 'an app in plain TypeScript starts at src/index.ts and calls app({ handle }) from "osmose"')] };
  }
  const files: Plugin = {
    name: 'app-files',
    setup(plugin) {
      plugin.onResolve({ filter: /.*/ }, (args) => (args.kind === 'entry-point' ? { path: scriptEntry, namespace } : undefined));
      plugin.onResolve({ filter: /.*/, namespace }, (args) => {
        if (/^osmose(\/|$)/.test(args.path)) return undefined;
        if (!args.path.startsWith('.')) return { errors: [{ text: `${args.path} is not a file of the app or the package "osmose": an app imports nothing else` }] };
        const base = args.importer.split('/').slice(0, -1);
        for (const part of args.path.split('/')) {
          if (part === '..') base.pop();
          else if (part !== '.') base.push(part);
        }
        const path = base.join('/').replace(/\.js$/, '.ts');
        const found = [path, `${path}.ts`, `${path}/index.ts`].find((candidate) => input.files.has(candidate));
        return found === undefined ? { errors: [{ text: `${args.path} is not a file of the app` }] } : { path: found, namespace };
      });
      // Each of the app's files imports the SDK namespace by namespace, so the bundle keeps only the host calls the app makes.
      plugin.onLoad({ filter: /.*/, namespace }, (args) => ({ contents: rewriteOsmoseImports(input.files.get(args.path) ?? ''), loader: 'ts' }));
    },
  };
  let bundle: string;
  try {
    const result = await build({
      entryPoints: [scriptEntry],
      bundle: true,
      write: false,
      outfile: 'app.js',
      format: 'iife',
      target: 'es2023',
      platform: 'neutral',
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
      // The app's files first: the SDK's plugin would read them from disk.
      plugins: [files, osmoseSdkPlugin()],
    });
    bundle = result.outputFiles[0]?.text ?? '';
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors ?? [];
    return {
      ok: false,
      issues:
        errors.length === 0
          ? [issue('compile.error', error instanceof Error ? error.message : String(error), scriptEntry)]
          : errors.map((message) => issue('compile.error', message.text, message.location?.file.replace(/^.*?:/, '') ?? scriptEntry, message.location?.line, (message.location?.column ?? 0) + 1)),
    };
  }
  // esbuild strips the types without reading them; the app is held to them as tsc --strict would.
  const typeIssues = await typeCheckScriptApp(input.files, scriptEntry);
  if (typeIssues.length > 0) {
    return {
      ok: false,
      issues: typeIssues.map((found) => ({
        ...issue('compile.type', found.message, found.file, found.line, found.column, 'osmose type-checks an app in plain TypeScript as tsc --strict does: fix the types the message names'),
        // An error inside the SDK (never expected) names the SDK's own file.
        ...(found.file.startsWith('/') ? { file: found.file } : {}),
      })),
    };
  }
  if (!bundle.includes('osmoseApp')) {
    return { ok: false, issues: [issue('compile.entry', `${input.app}'s ${scriptEntry} never registers the app`, scriptEntry, undefined, undefined, 'call app({ handle(kind, source, value) { … } }) from "osmose"')] };
  }
  const imports = scriptImports(bundle);
  const unknown = imports.filter((name) => abiFunctionNamed(name) === undefined);
  if (unknown.length > 0) {
    return { ok: false, issues: [issue('abi.unknown-import', `${input.app} calls ${unknown.join(', ')}, which the ABI does not have`, scriptEntry, undefined, undefined, 'call the board through the SDK ("osmose"), not osmoseHost directly')] };
  }
  const wasm = encodeScriptContainer({ imports, source: bundle });
  return { ok: true, wasm, imports: imports.map((name) => ({ module: name.slice(0, name.indexOf('.')), name: name.slice(name.indexOf('.') + 1), kind: 'function' as const })) };
}
