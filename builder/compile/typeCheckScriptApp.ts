import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type ts from 'typescript';
import { scriptSdkDir } from '../../userland/sdk/scriptSdkSources.js';

/** One type error of an app, at its file (relative to the app's folder), line and column (1-based). */
export interface TypeIssue {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** The TypeScript compiler's version, read without loading it: part of a script app's compile key. */
export const typescriptVersion: string = (createRequire(import.meta.url)('typescript/package.json') as { version: string }).version;

/** Where the app's own files sit in the checker's file system: they are read from memory, never from disk. */
const appRoot = '/osmose-app';

const optionsOf = (compiler: typeof ts): ts.CompilerOptions => ({
  strict: true,
  noImplicitReturns: true,
  noFallthroughCasesInSwitch: true,
  noImplicitOverride: true,
  exactOptionalPropertyTypes: false,
  target: compiler.ScriptTarget.ES2023,
  lib: ['lib.es2023.d.ts'],
  module: compiler.ModuleKind.ESNext,
  moduleResolution: compiler.ModuleResolutionKind.Bundler,
  // Nothing from node_modules: an app sees the language's own library and the SDK, which is what
  // the board's engine gives it.
  types: [],
  noEmit: true,
  skipLibCheck: true,
});

/** The TypeScript compiler, loaded the first time an app is checked: most commands never need it. */
let loaded: Promise<typeof ts> | undefined;

/**
 * Source files that are the same for every app (the language's library, the SDK), parsed once
 * per process: a build that compiles several TypeScript apps parses them once.
 */
const shared = new Map<string, ts.SourceFile>();

/**
 * Type-checks an app in plain TypeScript as `tsc --strict` would, against the language's
 * ES2023 library and the TypeScript SDK as the package `osmose`: the step esbuild leaves out
 * when it strips the types. Its files come from memory (`files`, by path in the app's folder:
 * `src/index.ts`); the answer is every error, in the order the checker gives them, empty when
 * the app type-checks.
 */
export async function typeCheckScriptApp(files: ReadonlyMap<string, string>, entry: string): Promise<TypeIssue[]> {
  const compiler = await (loaded ??= import('typescript').then((module) => module.default));
  const options = optionsOf(compiler);
  const sdk = scriptSdkDir();
  const libDir = dirname(compiler.getDefaultLibFilePath(options));
  const appPath = (file: string): string => `${appRoot}/${file}`;
  const resolveSdk = (name: string): string | undefined => {
    if (name === 'osmose') return join(sdk, 'index.ts');
    const namespace = /^osmose\/([A-Za-z]+)$/.exec(name)?.[1];
    return namespace === undefined ? undefined : join(sdk, `${namespace}.ts`);
  };
  const readText = (path: string): string | undefined => {
    if (path.startsWith(`${appRoot}/`)) return files.get(path.slice(appRoot.length + 1));
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const host = compiler.createCompilerHost(options);
  host.getDefaultLibLocation = () => libDir;
  host.fileExists = (path) => readText(path) !== undefined;
  host.readFile = readText;
  host.directoryExists = (path) => !path.includes('node_modules');
  host.getDirectories = () => [];
  host.getSourceFile = (path, languageVersion) => {
    const own = path.startsWith(`${appRoot}/`);
    const known = own ? undefined : shared.get(path);
    if (known !== undefined) return known;
    const text = readText(path);
    if (text === undefined) return undefined;
    const parsed = compiler.createSourceFile(path, text, languageVersion, true);
    if (!own) shared.set(path, parsed);
    return parsed;
  };
  host.resolveModuleNameLiterals = (literals, containing) =>
    literals.map((literal) => {
      const sdkFile = resolveSdk(literal.text);
      if (sdkFile !== undefined) return { resolvedModule: { resolvedFileName: sdkFile, extension: compiler.Extension.Ts, isExternalLibraryImport: false } };
      return compiler.resolveModuleName(literal.text, containing, options, host);
    });

  const program = compiler.createProgram({ rootNames: [appPath(entry)], options, host });
  const diagnostics = compiler.getPreEmitDiagnostics(program);
  return diagnostics.map((diagnostic) => {
    const message = `TS${diagnostic.code}: ${compiler.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    const file = diagnostic.file;
    if (file === undefined || diagnostic.start === undefined) return { file: entry, message };
    const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start);
    const name = file.fileName.startsWith(`${appRoot}/`) ? file.fileName.slice(appRoot.length + 1) : file.fileName;
    return { file: name, line: line + 1, column: character + 1, message };
  });
}
